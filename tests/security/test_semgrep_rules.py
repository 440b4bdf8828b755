"""DP-2 (SECURITY-PLAN): the project's own semgrep rule `cme-all-fields` bans `fields = "__all__"` and deny-lists
(`exclude`) in forms and API schemas, and the product has no violation.

- the rule reports exactly the lines marked `# ruleid: cme-all-fields` in the fixture, and none marked `# ok:`;
- scanning `cme/` with the rule finds 0 violations.
Semgrep runs offline with local rules only (`--metrics=off`); the test is skipped if semgrep is not installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "semgrep" / "all_fields.py"
RULE = "cme-all-fields"
SEMGREP = shutil.which("semgrep") or str(Path(sys.executable).parent / "semgrep")

pytestmark = pytest.mark.skipif(not Path(SEMGREP).exists(), reason="semgrep is not installed")


def _scan(*targets: Path) -> list[tuple[str, int]]:
    done = subprocess.run(  # noqa: S603 - fixed arguments, local rules only
        [SEMGREP, "scan", "--config", str(ROOT / ".semgrep.yml"), "--metrics=off", "--disable-version-check",
         "--json", "--quiet", *map(str, targets)],
        capture_output=True, text=True, check=False, timeout=300, cwd=ROOT,
    )
    report = json.loads(done.stdout)
    assert report["errors"] == [], report["errors"]
    return [(Path(r["path"]).name, r["start"]["line"]) for r in report["results"] if r["check_id"].endswith(RULE)]


def _annotated(marker: str) -> set[int]:
    lines = FIXTURE.read_text().splitlines()
    return {number + 1 for number, line in enumerate(lines, start=1) if line.strip() == f"# {marker}: {RULE}"}


def test_dp2_rule_reports_all_fields_and_deny_lists_and_nothing_else() -> None:
    found = {line for name, line in _scan(FIXTURE) if name == FIXTURE.name}
    expected = _annotated("ruleid")
    assert len(expected) == 10
    assert found == expected
    assert not found & _annotated("ok")


def test_dp2_product_has_no_all_fields_or_exclude() -> None:
    assert _scan(ROOT / "cme") == []

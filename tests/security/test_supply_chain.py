"""SC-3 patch currency and SC-4 SBOM (SECURITY-PLAN; ASVS v5.0.0 15.1.1, 15.2.1, 15.2.4).

SC-4: the CycloneDX document made by `scripts/sbom.py` (`make sbom`) must name every package pinned in
requirements.lock, with the same version, its package URL and every hash the lock pins. The lock is read here with
its own small parser, not the generator's. SC-3: `scripts/patch_currency.py` against a local stand-in index (PEP 691
JSON) finds a pin behind on a patch, with the days, ignores newer series, yanked files and pre-releases; with no
index it says it could not check and exits 0, or 1 with `--strict`.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import patch_currency  # noqa: E402
import sbom  # noqa: E402

PURL = re.compile(r"^pkg:pypi/[a-z0-9][a-z0-9.-]*@[A-Za-z0-9.!+_-]+$")


def locked_pins(lock: Path) -> dict[str, tuple[str, set[str]]]:
    """name -> (version, sha256 hashes), read straight from the lock's text."""
    pins: dict[str, tuple[str, set[str]]] = {}
    name = ""
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)", line)
        if match:
            name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
            pins[name] = (match.group(2), set())
        for digest in re.findall(r"--hash=sha256:([0-9a-f]{64})", line):
            pins[name][1].add(digest)
    return pins


def test_sc4_the_sbom_covers_every_locked_package_with_its_version_purl_and_hashes(tmp_path: Path) -> None:
    out = tmp_path / "sbom.cdx.json"
    assert sbom.main(["--out", str(out)]) == 0
    bom = json.loads(out.read_text(encoding="utf-8"))
    assert (bom["bomFormat"], bom["specVersion"], bom["version"]) == ("CycloneDX", "1.5", 1)
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", bom["serialNumber"])
    pins = locked_pins(ROOT / "requirements.lock")
    components = {c["name"]: c for c in bom["components"]}
    assert len(components) == len(bom["components"])  # no duplicates
    missing = sorted(set(pins) - set(components))
    extra = sorted(set(components) - set(pins))
    assert missing == [] and extra == []
    for name, (version, hashes) in pins.items():
        component = components[name]
        assert component["type"] == "library" and component["version"] == version
        assert component["purl"] == component["bom-ref"] == f"pkg:pypi/{name}@{version}"
        assert PURL.match(component["purl"]), component["purl"]
        assert {h["content"] for h in component["hashes"] if h["alg"] == "SHA-256"} == hashes and hashes
    refs = {c["bom-ref"] for c in bom["components"]} | {bom["metadata"]["component"]["bom-ref"]}
    graph = {d["ref"]: d["dependsOn"] for d in bom["dependencies"]}
    assert set(graph) == refs and all(set(on) <= refs for on in graph.values())
    assert "pkg:pypi/asgiref@" + pins["asgiref"][0] in graph["pkg:pypi/django@" + pins["django"][0]]
    assert components["django"]["scope"] == "required" and components["pytest"]["scope"] == "excluded"
    print(f"\nSC-4: {len(components)} components, {sum(len(c['hashes']) for c in components.values())} hashes, "
          f"{sum(c['scope'] == 'required' for c in components.values())} runtime")


def test_sc4_a_package_added_to_the_lock_appears_and_the_output_is_reproducible(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text((ROOT / "requirements.lock").read_text(encoding="utf-8")
                    + "zz-new-package==1.0.0 \\\n    --hash=sha256:" + "ab" * 32 + "\n    # via django\n",
                    encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    first, second = sbom.build(lock, ROOT / "pyproject.toml"), sbom.build(lock, ROOT / "pyproject.toml")
    assert first == second
    new = next(c for c in first["components"] if c["name"] == "zz-new-package")
    assert new["purl"] == "pkg:pypi/zz-new-package@1.0.0" and new["scope"] == "required"  # Django needs it
    assert first["metadata"]["timestamp"] == dt.datetime.fromtimestamp(1795000000, dt.UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


# --- SC-3 ----------------------------------------------------------------------------------------------------

def _file(name: str, version: str, uploaded: str, yanked: bool = False) -> dict[str, Any]:
    return {"filename": f"{name.replace('-', '_')}-{version}-py3-none-any.whl", "upload-time": uploaded,
            "yanked": yanked, "hashes": {}, "url": "x"}


INDEX = {
    "django": [_file("django", "5.2.18", "2026-10-01T10:00:00Z"), _file("django", "5.2.19", "2026-11-03T10:00:00Z"),
               _file("django", "5.2.20", "2026-11-18T10:00:00Z"), _file("django", "5.2.21", "2026-11-25T10:00:00Z"),
               _file("django", "6.1.3", "2026-11-20T10:00:00Z"), _file("django", "5.2.22rc1", "2026-11-26T10:00:00Z")],
    "defusedxml": [_file("defusedxml", "0.7.1", "2021-03-08T10:00:00Z"),
                   _file("defusedxml", "0.7.2", "2026-11-20T10:00:00Z", yanked=True),
                   _file("defusedxml", "0.8.0", "2026-11-01T10:00:00Z")],
}


@pytest.fixture
def fake_index() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            name = self.path.strip("/").split("/")[-1]
            if name not in INDEX:
                self.send_error(404)
                return
            body = json.dumps({"meta": {"api-version": "1.1"}, "name": name, "files": INDEX[name]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    server.shutdown()


def test_sc3_a_pin_behind_on_a_patch_is_reported_with_the_days(fake_index: str) -> None:
    locked = [patch_currency.Locked("django", "5.2.19"), patch_currency.Locked("defusedxml", "0.7.1")]
    rows, unreachable = patch_currency.check(locked, fake_index, 5, dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC))
    django, defusedxml = rows
    assert unreachable == ""
    assert (django.latest_in_series, django.latest, django.behind, django.days_behind) == ("5.2.21", "6.1.3", True, 10)
    # 0.7.2 is yanked and 0.8.0 is a new series: not behind on a patch
    assert (defusedxml.latest_in_series, defusedxml.latest, defusedxml.behind) == ("0.7.1", "0.8.0", False)
    text = patch_currency.report(rows, fake_index, "runtime", unreachable)
    assert "2 of 2 runtime packages checked" in text and "1 behind" in text and "django" in text.splitlines()[-1]


def test_sc3_offline_it_says_it_could_not_check_and_fails_only_when_strict(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple/")  # nothing listens on the discard port
    assert patch_currency.main(["--timeout", "2"]) == 0
    assert "could not check" in capsys.readouterr().out
    assert patch_currency.main(["--timeout", "2", "--strict"]) == 1


def test_sc3_strict_fails_past_the_sla(fake_index: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("django==5.2.19 \\\n    --hash=sha256:" + "00" * 32 + "\n    # via cme (pyproject.toml)\n",
                    encoding="utf-8")
    assert patch_currency.main(["--lock", str(lock), "--all", "--index-url", fake_index]) == 0
    assert patch_currency.main(["--lock", str(lock), "--all", "--index-url", fake_index, "--strict"]) == 1
    assert "more than 7 days: django" in capsys.readouterr().err

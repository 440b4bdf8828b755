"""The statutory engine is pure Python (DESIGN.md layer 1): no Django, no other cme app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LAW = Path(__file__).resolve().parents[1]
CALENDAR = LAW.parent / "core" / "calendar.py"
FILES = sorted(path for path in LAW.rglob("*.py") if "tests" not in path.parts) + [CALENDAR]


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(LAW.parent)))
def test_no_django_and_no_higher_layer(path: Path) -> None:
    for module in imported_modules(path):
        assert not module.startswith("django"), (path, module)
        if module.startswith("cme"):
            assert path != CALENDAR, (path, module)
            assert module.startswith("cme.law"), (path, module)

#!/usr/bin/env python
"""Tenancy lint (after breast screening's lint_model_usage_in_views.py): views and API modules must not reach
children or cases with an unscoped manager. Use `Model.objects.for_user(user)` or a selector that takes the user.

Fails on, in any views.py / api.py / presenters.py under cme/:
- `<Model>.objects.get(` / `.filter(` / `.all(` / `.exclude(` on a scoped model, unless the line says `for_user(`;
- `get_object_or_404(<Model>` on a scoped model;
- `@csrf_exempt`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

SCOPED = ["Child", "Case", "Enrolment", "Notification", "ChildName", "RiskFlag", "SourceRecord", "EHERecord",
          "PartTimeTimetable", "CNISEntry", "Referral"]
PATTERNS = [
    re.compile(rf"\b({'|'.join(SCOPED)})\.objects\.(get|filter|all|exclude|first|last|values|select_related)\("),
    re.compile(rf"get_object_or_404\(\s*({'|'.join(SCOPED)})\b"),
    re.compile(r"@csrf_exempt"),
]


def main() -> int:
    root = Path(__file__).resolve().parent.parent / "cme"
    problems = []
    for path in sorted(root.rglob("*.py")):
        if path.name not in {"views.py", "api.py", "presenters.py"} and "views" not in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "for_user(" in line or "lint: scoped" in line:
                continue
            for pattern in PATTERNS:
                if pattern.search(line):
                    problems.append(f"{path.relative_to(root.parent)}:{number}: unscoped query or csrf_exempt: "
                                    f"{line.strip()}")
    for problem in problems:
        print(problem)
    print(f"tenancy lint: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

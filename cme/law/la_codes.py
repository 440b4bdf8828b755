"""Three-digit local authority numbers (formats.md §5 "LA numbers"; used by the UPN check in formats.md §2).

The list is ``cme/law/data/la_codes.csv``, a copy of ``shared/data/ctf/la_codes.csv`` (DfE reference
data): English LAs 201-943 including legacy codes that existing UPNs still carry (835-837, 909, 928),
Welsh LAs 660-681, overseas/offshore establishments 701-708 and 999 "Test". It is read once, on import.
"""

from __future__ import annotations

import csv
import io
from importlib import resources

__all__ = ["LA_CODES", "is_english_la", "la_name"]

_ENGLISH_RANGE = range(201, 944)  # 201-943 inclusive
_WELSH_RANGE = range(660, 682)  # 660-681 inclusive: inside the English range, so excluded explicitly
_OVERSEAS_RANGE = range(701, 709)  # 701-708 inclusive: overseas/offshore establishments


def _load() -> dict[str, str]:
    text = resources.files("cme.law").joinpath("data/la_codes.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text))
    codes = {row["la_code"].strip(): row["la_name"].strip() for row in rows}
    bad = [code for code in codes if len(code) != 3 or not code.isdigit()]
    if bad:
        raise RuntimeError(f"la_codes.csv holds codes that are not three digits: {bad}")
    return codes


#: LA number (three-digit string) -> LA name.
LA_CODES: dict[str, str] = _load()


def la_name(code: str) -> str | None:
    """The LA's name for a three-digit code, or None if the code is not in the list."""
    return LA_CODES.get(code.strip())


def is_english_la(code: str) -> bool:
    """True for a listed code in the English range 201-943 (not Welsh 660-681, not overseas 701-708)."""
    code = code.strip()
    if code not in LA_CODES:
        return False
    number = int(code)
    return number in _ENGLISH_RANGE and number not in _WELSH_RANGE and number not in _OVERSEAS_RANGE

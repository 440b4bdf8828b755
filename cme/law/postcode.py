"""UK postcodes (formats.md §5).

Validation uses the *strict* pattern from formats.md §5, wrapped as a whole in ``^(?:...)$`` so that
trailing junk ("GIR 0AA junk") cannot pass. It rejects ``QX1 1AA`` (Q never starts a postcode) and
``OX1 1CA`` (C never appears in the inward unit). A regex does not prove that a postcode exists.

Input is normalised first: upper case, every space removed, one space put back before the last three
characters. So ``is_valid`` accepts "ox11aa" and "OX1  1AA"; the stored form is "OX1 1AA".
"""

from __future__ import annotations

import re

__all__ = ["STRICT_PATTERN", "area", "district", "inward", "is_valid", "normalise", "outward", "sector"]

#: formats.md §5 "stricter version", anchored as a whole.
STRICT_PATTERN = re.compile(
    r"^(?:GIR ?0AA|(?:[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY]))"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)
_WHITESPACE = re.compile(r"\s+")
_AREA = re.compile(r"^[A-Z]+")


def normalise(raw: str) -> str | None:
    """The postcode in standard form ("OX4 1AA"), or None if it is not a valid postcode."""
    compact = _WHITESPACE.sub("", raw).upper()
    if not 5 <= len(compact) <= 7:
        return None
    candidate = f"{compact[:-3]} {compact[-3:]}"
    return candidate if STRICT_PATTERN.fullmatch(candidate) else None


def is_valid(raw: str) -> bool:
    """True if ``raw`` normalises to a postcode matching ``STRICT_PATTERN``."""
    return normalise(raw) is not None


def _parts(pc: str) -> tuple[str, str]:
    normal = normalise(pc)
    if normal is None:
        raise ValueError(f"{pc!r} is not a valid postcode.")
    outward_code, inward_code = normal.split(" ")
    return outward_code, inward_code


def outward(pc: str) -> str:
    """The outward code: "OX4 1AA" -> "OX4". Raises ValueError for an invalid postcode."""
    return _parts(pc)[0]


def inward(pc: str) -> str:
    """The inward code: "OX4 1AA" -> "1AA". Raises ValueError for an invalid postcode."""
    return _parts(pc)[1]


def district(pc: str) -> str:
    """The postcode district, which is the outward code: "OX4 1AA" -> "OX4"."""
    return outward(pc)


def sector(pc: str) -> str:
    """The postcode sector: outward code, space, first inward digit: "OX4 1AA" -> "OX4 1"."""
    outward_code, inward_code = _parts(pc)
    return f"{outward_code} {inward_code[0]}"


def area(pc: str) -> str:
    """The postcode area, the leading letters: "OX4 1AA" -> "OX", "W1A 0AX" -> "W"."""
    match = _AREA.match(outward(pc))
    if match is None:  # pragma: no cover - every valid outward code starts with a letter
        raise ValueError(f"{pc!r} has no postcode area.")
    return match.group(0)

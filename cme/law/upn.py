"""Unique Pupil Number (formats.md §2).

A UPN is 13 characters: 1 check letter, 2-4 the issuing school's LA number, 5-8 its establishment
number, 9-10 the year of allocation, 11-13 a serial. A *temporary* UPN has a two-digit serial and a
letter in position 13. The letters I, O and S are never used. Messages follow DfE wording
("UPN invalid (wrong check letter at character 1)").

``validate`` checks the string exactly as given: clean user input with ``normalise`` first.
"""

from __future__ import annotations

import random

from cme.law.la_codes import LA_CODES

__all__ = [
    "LETTERS",
    "check_letter",
    "generate",
    "is_temporary",
    "is_valid",
    "make_temporary_upn",
    "make_upn",
    "normalise",
    "validate",
]

#: Check-letter table: index = weighted sum mod 23 (formats.md §2). No I, O or S.
LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
UPN_LENGTH = 13

#: Plausible allocation years for synthetic UPNs (2-digit), and establishment numbers (4-digit).
_SYNTHETIC_YEARS = range(10, 26)
_SYNTHETIC_ESTABS = range(1000, 8000)


#: Character values for the check letter: digits their value, letters their place in ``LETTERS``.
_VALUES = {**{str(d): d for d in range(10)}, **{c: i for i, c in enumerate(LETTERS)}}
_WEIGHTS = range(2, 14)


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def check_letter(body12: str) -> str:
    """The check letter for characters 2-13 of a UPN (weights 2..13, sum mod 23, look up ``LETTERS``).

    ``body12`` is the UPN without its first character: eleven digits then a digit or, for a temporary
    UPN, a letter from ``LETTERS``. Raises ValueError for anything else.
    """
    if (
        len(body12) != 12
        or not _is_ascii_digits(body12[:11])
        or not (_is_ascii_digits(body12[11]) or body12[11] in LETTERS)
    ):
        raise ValueError(f"{body12!r} is not 11 digits followed by a digit or a UPN letter.")
    total = sum(map(int.__mul__, map(_VALUES.__getitem__, body12), _WEIGHTS))
    return LETTERS[total % 23]


def normalise(upn: str) -> str:
    """Strip surrounding white space and upper-case (no other repair)."""
    return upn.strip().upper()


def validate(upn: str, *, check_la: bool = True) -> list[str]:
    """Reasons ``upn`` is not a valid UPN (formats.md §2); an empty list means valid.

    Structural problems are reported together; the check letter is only tested once the structure is
    right. With ``check_la`` characters 2-4 must be a code in ``cme.law.la_codes.LA_CODES``.
    """
    if not upn:
        return ["UPN missing"]
    if len(upn) != UPN_LENGTH:
        return [f"UPN invalid (must be {UPN_LENGTH} characters, not {len(upn)})"]
    reasons: list[str] = []
    if upn[0] not in LETTERS:
        reasons.append("UPN invalid (character 1 not a recognised value)")
    la = upn[1:4]
    if not _is_ascii_digits(la):
        reasons.append("UPN invalid (characters 2-4 not all numeric)")
    elif check_la and la not in LA_CODES:
        reasons.append("UPN invalid (characters 2-4 not a recognised LA code)")
    if not _is_ascii_digits(upn[4:12]):
        reasons.append("UPN invalid (characters 5-12 not all numeric)")
    if not (_is_ascii_digits(upn[12]) or upn[12] in LETTERS):
        reasons.append("UPN invalid (character 13 not a recognised value)")
    if not reasons and check_letter(upn[1:]) != upn[0]:
        reasons.append("UPN invalid (wrong check letter at character 1)")
    return reasons


def is_valid(upn: str) -> bool:
    """True if ``validate(upn)`` finds nothing wrong (including the LA code check)."""
    return not validate(upn)


def is_temporary(upn: str) -> bool:
    """True for a valid *temporary* UPN (a letter in position 13)."""
    return is_valid(upn) and upn[12] in LETTERS


def _check_parts(la_code: str, estab: str, year2: int) -> None:
    if len(la_code) != 3 or not _is_ascii_digits(la_code):
        raise ValueError(f"LA code {la_code!r} is not three digits.")
    if len(estab) != 4 or not _is_ascii_digits(estab):
        raise ValueError(f"Establishment number {estab!r} is not four digits.")
    if not 0 <= year2 <= 99:
        raise ValueError(f"Year {year2} is not a two-digit year (0-99).")


def make_upn(la_code: str, estab: str, year2: int, serial: int) -> str:
    """A permanent UPN: check letter + LA (3) + estab (4) + year (2) + serial (3 digits, 0-999)."""
    _check_parts(la_code, estab, year2)
    if not 0 <= serial <= 999:
        raise ValueError(f"Serial {serial} is not 0-999.")
    body = f"{la_code}{estab}{year2:02d}{serial:03d}"
    return check_letter(body) + body


def make_temporary_upn(la_code: str, estab: str, year2: int, serial2: int, letter: str) -> str:
    """A temporary UPN: check letter + LA + estab + year + serial (2 digits) + a letter from ``LETTERS``."""
    _check_parts(la_code, estab, year2)
    if not 0 <= serial2 <= 99:
        raise ValueError(f"Serial {serial2} is not 0-99.")
    if len(letter) != 1 or letter not in LETTERS:
        raise ValueError(f"{letter!r} is not a UPN letter (A-Z without I, O and S).")
    body = f"{la_code}{estab}{year2:02d}{serial2:02d}{letter}"
    return check_letter(body) + body


def generate(la_code: str, count: int, *, seed: int = 0) -> list[str]:
    """``count`` distinct valid permanent synthetic UPNs issued in LA ``la_code`` (deterministic per seed).

    Establishment numbers (1000-7999) and allocation years (2010-2025) are random but plausible; the
    LA code must be in the LA list.
    """
    if la_code not in LA_CODES:
        raise ValueError(f"{la_code!r} is not a recognised LA code.")
    if count < 0:
        raise ValueError("count must not be negative.")
    rng = random.Random(seed)  # noqa: S311 - synthetic test data, deterministic by design
    seen: set[str] = set()
    result: list[str] = []
    while len(result) < count:
        upn = make_upn(la_code, str(rng.choice(_SYNTHETIC_ESTABS)), rng.choice(_SYNTHETIC_YEARS), rng.randrange(1000))
        if upn not in seen:
            seen.add(upn)
            result.append(upn)
    return result

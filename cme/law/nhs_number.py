"""NHS number (England and Wales): ten digits, the last a modulus 11 check digit.

Used as a linkage identifier and as the likely "consistent identifier" (rules.md R6.6, UNCONFIRMED).
Check digit: multiply digits 1-9 by weights 10..2, sum, take the remainder mod 11, subtract from 11;
11 becomes 0 and 10 means no valid number has those first nine digits.

Synthetic numbers come only from the 999 range (999 000 0000 - 999 999 9999), which is never issued
to a real person.
"""

from __future__ import annotations

import random

__all__ = ["check_digit", "format_nhs_number", "generate", "is_valid", "normalise"]

_SEPARATORS = str.maketrans("", "", " -")
_SYNTHETIC_PREFIX = "999"
_SYNTHETIC_MAX = 900_000  # about 909,000 valid numbers exist in the 999 range


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def check_digit(body9: str) -> int | None:
    """The check digit for the first nine digits, or None when the mod 11 result is 10 (invalid body).

    Raises ValueError if ``body9`` is not nine ASCII digits.
    """
    if len(body9) != 9 or not _is_ascii_digits(body9):
        raise ValueError(f"{body9!r} is not nine digits.")
    total = sum(int(char) * weight for char, weight in zip(body9, range(10, 1, -1), strict=True))
    digit = 11 - total % 11
    if digit == 11:
        return 0
    if digit == 10:
        return None
    return digit


def normalise(nhs: str) -> str:
    """Remove white space and hyphens ("943 476 5919" -> "9434765919"); no other repair."""
    return nhs.strip().translate(_SEPARATORS)


def is_valid(nhs: str) -> bool:
    """True for ten digits (spaces and hyphens allowed) with the right check digit.

    Also rejects the placeholders made of one repeated digit (0000000000 and 9999999999 pass mod 11
    but are not issued), so a placeholder can never link two children.
    """
    digits = normalise(nhs)
    if len(digits) != 10 or not _is_ascii_digits(digits) or len(set(digits)) == 1:
        return False
    return check_digit(digits[:9]) == int(digits[9])


def format_nhs_number(nhs: str) -> str:
    """Display form "943 476 5919" (3-3-4). Raises ValueError for an invalid number."""
    digits = normalise(nhs)
    if not is_valid(digits):
        raise ValueError(f"{nhs!r} is not a valid NHS number.")
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def generate(count: int, *, seed: int = 0) -> list[str]:
    """``count`` distinct valid synthetic NHS numbers from the 999 test range (deterministic per seed)."""
    if not 0 <= count <= _SYNTHETIC_MAX:
        raise ValueError(f"count must be between 0 and {_SYNTHETIC_MAX}.")
    rng = random.Random(seed)  # noqa: S311 - synthetic test data, deterministic by design
    seen: set[str] = set()
    result: list[str] = []
    while len(result) < count:
        body = f"{_SYNTHETIC_PREFIX}{rng.randrange(1_000_000):06d}"
        digit = check_digit(body)
        if digit is None:
            continue
        number = f"{body}{digit}"
        if number not in seen and is_valid(number):
            seen.add(number)
            result.append(number)
    return result

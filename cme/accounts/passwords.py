"""Password blocklist at the policy length (AUTH-1, ASVS v5.0.0 6.2.4/6.2.12, NCSC password guidance).

Django's bundled list has 19,640 common passwords but only 190 of them reach the 12-character minimum, so on its
own it blocks almost nothing a user may choose. Real weak passwords at that length are mostly a common password
padded to fit: repeated ("dragondragon"), or with digits or symbols before or after ("password1234", "2026monkey!!").
This validator refuses a password whose core, once that padding is taken off, is on the bundled list. No
composition rules and no case or truncation changes are applied to the stored password (ASVS 6.2.5/6.2.8).
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

_PAD = r"[\d\W_]*"
_LEADING = re.compile(rf"^{_PAD}")
_TRAILING = re.compile(rf"{_PAD}$")


def _unit(text: str) -> str:
    """The shortest string that repeated makes up `text` ("abcabc" -> "abc"); each multiple of it is checked."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def password_cores(password: str) -> set[str]:
    """The forms of a password checked against the list: as typed, de-repeated, and with any run of digits or
    symbols taken off either end ("rawr1231234!" gives "rawr123" among others)."""
    lowered = password.lower().strip()
    unit = _unit(lowered)
    forms: set[str] = set()
    for whole in {unit * copies for copies in range(1, len(lowered) // len(unit) + 1)} if unit else {lowered}:
        tail_start = len(_TRAILING.sub("", whole))
        for prefix in (whole[:end] for end in range(tail_start, len(whole) + 1)):
            lead_end = len(prefix) - len(_LEADING.sub("", prefix))
            forms |= {prefix[begin:] for begin in range(lead_end + 1)}
    forms |= {_unit(form) for form in forms}
    return {form for form in forms if form}


class CommonPasswordPatternValidator(CommonPasswordValidator):
    """Django's common-password check, also applied to the password's core (padding and repetition removed)."""

    def validate(self, password: str, user: Any = None) -> None:
        if password_cores(password) & self.passwords:
            raise ValidationError(self.get_error_message(), code="password_too_common")

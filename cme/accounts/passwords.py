"""Password blocklist at the policy length (AUTH-1, ASVS v5.0.0 6.2.4/6.2.12, NCSC password guidance).

Django's bundled list has 19,640 common passwords but only 190 of them reach the 12-character minimum, so on its
own it blocks almost nothing a user may choose. Real weak passwords at that length are mostly a common password
padded to fit: repeated ("dragondragon"), or with digits or symbols before or after ("password1234", "2026monkey!!").
This validator refuses a password whose core, once that padding is taken off, is on the bundled list. No
composition rules and no case or truncation changes are applied to the stored password (ASVS 6.2.5/6.2.8).

`BreachedPasswordValidator` refuses a password found in a real breach corpus shipped with the code
(cme/accounts/data/breached-passwords.txt.gz: 43,940 leaked passwords of 12 characters or more, see the README
there), and optionally asks a Pwned Passwords range service (ASVS 6.2.12).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import unicodedata
import urllib.parse
import urllib.request
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)
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


# --- Breached passwords (ASVS v5 6.2.12) -------------------------------------------------------------------------

BREACHED_LIST = Path(__file__).resolve().parent / "data" / "breached-passwords.txt.gz"


def normalise(password: str) -> str:
    """How a password is compared with the lists: Unicode NFKC, then case-folded (the stored password is not
    changed). scripts/build_password_blocklist.py normalises the list the same way."""
    return unicodedata.normalize("NFKC", password).casefold()


@cache
def breached_passwords() -> frozenset[str]:
    """The shipped list of real leaked passwords of 12 characters or more (cme/accounts/data/README.md), read once
    per process."""
    with gzip.open(BREACHED_LIST, "rt", encoding="utf-8") as lines:
        return frozenset(line.rstrip("\n") for line in lines if line.strip())


class BreachedPasswordValidator:
    """Refuses a password found in a breach corpus (ASVS 6.2.12, NCSC): the shipped list, compared case-
    insensitively after normalisation, and the password's core (padding or repetition removed, as above). With
    `CME_HIBP_RANGE_URL` set, also asks a Pwned Passwords range service (k-anonymity: only the first 5 hex
    characters of the SHA-1 leave the server); off by default, and a failed look-up lets the password through
    with a warning (the shipped list still applies)."""

    message = "This password has appeared in a data breach, so it is not safe to use. Choose a different password."

    def validate(self, password: str, user: Any = None) -> None:
        normalised = normalise(password)
        found = normalised in breached_passwords() or bool(password_cores(normalised) & breached_passwords())
        if found or pwned_count(password) > 0:
            raise ValidationError(self.message, code="password_breached")

    def get_help_text(self) -> str:
        return "Your password cannot be one that has appeared in a data breach."


def pwned_count(password: str) -> int:
    """How often a Pwned Passwords range service has seen the password (0 when `CME_HIBP_RANGE_URL` is empty or
    the look-up fails). Only the SHA-1's first 5 hex characters are sent; padded answers are accepted."""
    base = getattr(settings, "CME_HIBP_RANGE_URL", "")
    if not base:
        return 0
    if urllib.parse.urlsplit(base).scheme not in ("https", "http"):
        raise ValueError("CME_HIBP_RANGE_URL must be an http(s) address.")
    digest = hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()
    request = urllib.request.Request(f"{base.rstrip('/')}/{digest[:5]}",  # noqa: S310 - scheme checked above
                                     headers={"Add-Padding": "true", "User-Agent": "cme-password-check"})
    try:
        with urllib.request.urlopen(request, timeout=float(getattr(settings, "CME_HIBP_TIMEOUT", 3))) as reply:  # nosec B310  # noqa: S310
            body = reply.read(2_000_000).decode("ascii", "replace")
    except (OSError, ValueError) as exc:
        logger.warning("breached-password range look-up failed (%s); the shipped list still applies",
                       type(exc).__name__)
        return 0
    for line in body.splitlines():
        suffix, _, count = line.strip().partition(":")
        if suffix.upper() == digest[5:]:
            return int(count) if count.strip().isdigit() else 1
    return 0

"""AUTH-1/2/4/7/8 of the security plan: password policy and storage, TOTP replay and lifetime, recovery.

Run with `-s` to print the figures used in SECURITY.md.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import re
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

import django.contrib.auth
import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher, make_password
from django.contrib.auth.password_validation import MinimumLengthValidator, get_default_password_validators
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cme.accounts import services
from cme.accounts.models import User
from cme.accounts.passwords import (
    BREACHED_LIST,
    BreachedPasswordValidator,
    CommonPasswordPatternValidator,
    breached_passwords,
    normalise,
    pwned_count,
)
from cme.settings import base as base_settings

PASSWORD = "correct horse battery staple"
PRODUCTION_HASHERS = base_settings.PASSWORD_HASHERS
MIN_LENGTH = next(v["OPTIONS"]["min_length"] for v in base_settings.AUTH_PASSWORD_VALIDATORS
                  if v["NAME"].endswith("MinimumLengthValidator"))
BUNDLED_LIST = Path(django.contrib.auth.__file__).parent / "common-passwords.txt.gz"
FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) for c in "qazwsxedcrfv")  # NFKC folds it to the leaked password
COMMON_SUFFIXES = ["1234", "12345", "123456", "1234567", "2024", "2025", "2026", "!!!!", "123!", "1234!"]


def set_password_errors(user: User, password: str) -> list[str]:
    form = SetPasswordForm(user, {"new_password1": password, "new_password2": password})
    return [] if form.is_valid() else form.errors.get("new_password2", ["mismatch"])


# --- AUTH-1 password policy -------------------------------------------------------------------------------------

def test_auth1_minimum_length_is_at_least_12() -> None:
    assert MIN_LENGTH >= 12
    assert any(isinstance(v, MinimumLengthValidator) and v.min_length == MIN_LENGTH
               for v in get_default_password_validators())


@pytest.mark.parametrize(("case", "password", "accepted"), [
    ("11 characters", "qzvkwmtrpxl", False),
    ("12 characters", "qzvkwmtrpxlb", True),
    ("64 characters", ("qzvkwmtrpxlbhjgf" * 4), True),
    ("128 characters", "".join(chr(97 + (i * 7) % 26) for i in range(128)), True),
    ("unicode", "ŵŷŝ čřž ñß 日本語 ☃ grøn", True),
    ("spaces", "tall tree by a quiet lake", True),
    ("lower case only, no digit or symbol", "lanternbiscuitferry", True),
    ("common password", "password", False),
    ("common password padded to length", "password1234", False),
    ("common password repeated", "dragondragon", False),
    ("common password with digits in front and symbols after", "2026monkey!!!", False),
    ("breached password (SecLists top 1M)", "qazwsxedcrfv", False),
    ("breached password in capitals", "QAZWSXEDCRFV", False),
    ("breached password in full-width letters (NFKC)", FULL_WIDTH, False),
    ("breached password padded with symbols", "qazwsxedcrfv!!", False),
    ("breached password inside a long passphrase", "my qazwsxedcrfv keyboard walk is now a long phrase", True),
    ("200 characters", "".join(chr(97 + (i * 5) % 26) for i in range(200)), True),
])
def test_auth1_set_password_form(officer: User, case: str, password: str, accepted: bool) -> None:
    assert (set_password_errors(officer, password) == []) is accepted, case


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_auth1_no_truncation_a_100_character_password_differing_in_the_last_character_fails(officer: User) -> None:
    password = "".join(chr(97 + (i * 11) % 26) for i in range(99)) + "a"
    officer.set_password(password)
    officer.save()
    assert _sign_in(officer.email, password) == 302
    assert _sign_in(officer.email, password[:-1] + "b") == 200  # refused
    assert _sign_in(officer.email, password.upper()) == 200  # no case folding


def _sign_in(email: str, password: str) -> int:
    return Client().post(reverse("accounts:sign-in"), {"email": email, "password": password}).status_code


def test_auth1_padded_common_passwords_at_the_minimum_length_are_all_refused() -> None:
    """Derived forms of Django's bundled list (repeated, or with a common ending), checked by the pattern
    validator: not a breach corpus, but the shape breached passwords at this length mostly have."""
    bundled = [line.strip() for line in gzip.open(BUNDLED_LIST, "rt")]
    at_length = {w for w in bundled if len(w) >= MIN_LENGTH}
    padded = {w * 2 for w in bundled} | {w + s for w in bundled for s in COMMON_SUFFIXES}
    at_length |= {w for w in padded if len(w) >= MIN_LENGTH}
    validator = CommonPasswordPatternValidator()
    refused = sum(_refused(validator, password) for password in at_length)
    print(f"\nAUTH-1: bundled list {len(bundled)}, of which >= {MIN_LENGTH} chars: "
          f"{sum(len(w) >= MIN_LENGTH for w in bundled)}; derived at >= {MIN_LENGTH} chars "
          f"(bundled + repeated + {len(COMMON_SUFFIXES)} padded forms): {len(at_length)}, refused {refused}")
    assert len(at_length) >= 3000
    assert refused == len(at_length)


def _refused(validator: Any, password: str) -> bool:
    try:
        validator.validate(password)
    except ValidationError:
        return True
    return False


def test_auth1_every_breached_list_entry_is_refused_as_listed_and_in_capitals() -> None:
    """Every entry of the shipped breach list (real leaked passwords, >= 12 characters) is refused, called on the
    validator directly (a form per entry would take minutes). Its memory is measured on a fresh load."""
    breached_passwords.cache_clear()
    tracemalloc.start()
    entries = breached_passwords()
    loaded, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    validator = BreachedPasswordValidator()
    refused = sum(_refused(validator, password) for password in entries)
    refused_upper = sum(_refused(validator, password.upper()) for password in entries)
    shortest = min(len(password) for password in entries)
    print(f"\nAUTH-1: breach list (SecLists 10-million top 1M, >= {MIN_LENGTH} chars): {len(entries)} entries, "
          f"shortest {shortest}; refused {refused}, in capitals refused {refused_upper}; "
          f"frozenset in memory {loaded / 1024 / 1024:.1f} MiB")
    assert len(entries) >= 3000 and shortest >= MIN_LENGTH
    assert refused == refused_upper == len(entries)


def test_auth1_the_breach_list_is_the_one_its_build_script_makes(tmp_path: Path) -> None:
    """The shipped file is sorted, normalised and deduplicated as scripts/build_password_blocklist.py writes it."""
    lines = gzip.open(BREACHED_LIST, "rt", encoding="utf-8").read().splitlines()
    assert lines == sorted(set(lines)) and all(normalise(line) == line for line in lines)


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_auth1_no_truncation_of_a_long_password(officer: User) -> None:
    password = "".join(chr(97 + (i * 7) % 26) for i in range(150))
    officer.set_password(password)
    assert officer.check_password(password)
    assert not officer.check_password(password[:100]) and not officer.check_password(password[:72])


class _Range(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        digest = hashlib.sha1(b"a-pwned-password-2026", usedforsecurity=False).hexdigest().upper()
        body = f"{'0' * 35}:0\r\n" + (f"{digest[5:]}:42\r\n" if self.path.endswith(digest[:5]) else "")
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: Any) -> None:
        pass


def test_auth1_hibp_range_check_is_off_by_default_and_sends_only_a_5_character_prefix(settings: Any) -> None:
    assert base_settings.CME_HIBP_RANGE_URL == ""
    assert pwned_count("a-pwned-password-2026") == 0  # off: nothing is asked
    server = http.server.HTTPServer(("127.0.0.1", 0), _Range)
    server.paths = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.CME_HIBP_RANGE_URL = f"http://127.0.0.1:{server.server_address[1]}/range"
        assert _refused(BreachedPasswordValidator(), "a-pwned-password-2026")
        assert not _refused(BreachedPasswordValidator(), "lanternbiscuitferry")
        assert [len(p.rsplit("/", 1)[-1]) for p in server.paths] == [5, 5]  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
    assert pwned_count("a-pwned-password-2026") == 0  # service gone: let through (the shipped list still applies)


# --- AUTH-2 password storage ------------------------------------------------------------------------------------

def test_auth2_argon2_is_the_preferred_hasher_with_owasp_parameters() -> None:
    assert PRODUCTION_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    hasher = Argon2PasswordHasher()
    # OWASP password storage cheat sheet minimum for argon2id: 19 MiB, 2 iterations.
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_auth2_new_hashes_are_argon2id(officer: User) -> None:
    officer.set_password("lanternbiscuitferry")
    officer.save()
    assert officer.password.startswith("argon2$argon2id$")
    assert re.search(r"\$m=\d+,t=\d+,p=\d+\$", officer.password)


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_auth2_a_legacy_pbkdf2_user_is_rehashed_on_sign_in(officer: User, school_user: User) -> None:
    for user in (officer, school_user):
        User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    for user in (officer, school_user):
        response = Client().post(reverse("accounts:sign-in"), {"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
    hashers = [identify_hasher(u.password).algorithm for u in User.objects.filter(pk__in=[officer.pk, school_user.pk])]
    preferred = sum(h == "argon2" for h in hashers)
    print(f"\nAUTH-2: users on argon2 after sign-in: {preferred}/{len(hashers)}")
    assert preferred == len(hashers)


# --- AUTH-4 TOTP replay, lifetime and throttling ----------------------------------------------------------------

def _device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def test_auth4_totp_step_is_30_seconds_and_a_code_is_usable_once(officer: User) -> None:
    device = _device(officer)
    assert device.step == 30 and device.tolerance <= 1
    with time_machine.travel(time.time(), tick=False):
        code = f"{totp(device.bin_key):06d}"
        assert services.mfa_verify(user=officer, token=code) is not None
        assert services.mfa_verify(user=officer, token=code) is None  # replay in the same step
    with time_machine.travel(time.time() + 30, tick=False):
        assert services.mfa_verify(user=officer, token=code) is None  # replay in the next step (still in tolerance)


def test_auth4_a_code_two_steps_old_is_refused(officer: User) -> None:
    device = _device(officer)
    with time_machine.travel(time.time(), tick=False):
        old = f"{totp(device.bin_key, drift=-2):06d}"
        assert services.mfa_verify(user=officer, token=old) is None


def test_auth4_wrong_codes_throttle_the_device_so_even_the_right_code_is_refused(officer: User) -> None:
    device = _device(officer)
    start = time.time()
    with time_machine.travel(start, tick=False):
        right = f"{totp(device.bin_key):06d}"
        wrong = f"{(int(right) + 1) % 10**6:06d}"
        attempts_before_throttle = 0
        for _ in range(10):
            services.mfa_verify(user=officer, token=wrong)
            attempts_before_throttle += 1
            device.refresh_from_db()
            if not device.verify_is_allowed()[0]:
                break
        device.refresh_from_db()
        failures = device.throttling_failure_count
        assert services.mfa_verify(user=officer, token=right) is None
    print(f"\nAUTH-4: wrong codes before the throttle engages: {attempts_before_throttle} "
          f"(failures counted: {failures}; the wait doubles with each failure)")
    assert attempts_before_throttle == 1


def test_auth4_recovery_codes_work_once(officer: User) -> None:
    _device(officer)
    codes = services.recovery_codes_regenerate(user=officer)
    assert len(set(codes)) == len(codes) == 10
    assert isinstance(services.mfa_verify(user=officer, token=codes[0]), StaticDevice)
    assert services.mfa_verify(user=officer, token=codes[0]) is None
    with time_machine.travel(time.time() + 5):  # after the failed reuse the recovery codes are throttled too
        assert services.mfa_verify(user=officer, token=codes[1].upper()) is not None  # case ignored


# --- AUTH-7 recovery and default accounts -----------------------------------------------------------------------

def _reset_link(client: Client, user: User, mailoutbox: list) -> str:  # type: ignore[type-arg]
    client.post(reverse("accounts:password-reset"), {"email": user.email})
    return re.search(r"(/account/password-reset/[^/\s]+/[^/\s]+/)", mailoutbox[-1].body).group(1)  # type: ignore[union-attr]


def _use_reset_link(client: Client, link: str, password: str) -> int:
    response = client.get(link)
    if response.status_code != 302:
        return response.status_code
    form = client.post(response["Location"], {"new_password1": password, "new_password2": password})
    return form.status_code


def test_auth7_reset_timeout_is_at_most_one_hour() -> None:
    assert settings.PASSWORD_RESET_TIMEOUT <= 3600


def test_auth7_reset_link_is_single_use_and_still_needs_the_second_factor(officer: User, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    _device(officer)
    client = Client()
    link = _reset_link(client, officer, mailoutbox)
    assert _use_reset_link(client, link, "lanternbiscuitferry") == 302
    officer.refresh_from_db()
    assert officer.check_password("lanternbiscuitferry")
    # The reset does not sign in: the account still has to pass the password and two-factor steps.
    assert client.get(reverse("children:search")).status_code == 302
    signed = client.post(reverse("accounts:sign-in"), {"email": officer.email, "password": "lanternbiscuitferry"})
    assert signed["Location"].startswith(reverse("accounts:two-factor"))
    assert client.get(reverse("children:search"))["Location"] == reverse("accounts:two-factor")
    # The link cannot be used a second time.
    again = Client()
    response = again.get(link, follow=True)
    assert "new_password1" not in response.content.decode()
    officer.refresh_from_db()
    assert officer.check_password("lanternbiscuitferry")


def test_auth7_reset_link_expires(officer: User, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    link = _reset_link(client, officer, mailoutbox)
    with time_machine.travel(time.time() + settings.PASSWORD_RESET_TIMEOUT + 60):
        response = Client().get(link, follow=True)
    assert "new_password1" not in response.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_auth7_the_admin_cannot_set_another_users_password(la_admin: User, officer: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(la_admin)
    url = reverse("admin:accounts_user_change", args=[officer.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="password' not in html and "password/" not in html
    assert client.get(url + "password/").status_code in (302, 404)
    before = User.objects.get(pk=officer.pk).password
    client.post(url, {"email": officer.email, "full_name": officer.full_name, "role": officer.role,
                      "local_authority": officer.local_authority_id, "is_active": "on",
                      "password": "lanternbiscuitferry", "password1": "lanternbiscuitferry"})
    assert User.objects.get(pk=officer.pk).password == before


def test_auth7_no_default_accounts_in_migrations_or_fixtures() -> None:
    root = Path(settings.BASE_DIR) / "cme"
    migrations = [p for p in root.glob("*/migrations/*.py")]
    fixtures = [p for p in root.glob("*/fixtures/*")]
    offending = [str(p) for p in migrations + fixtures
                 if re.search(r"create_user|create_superuser|\b(admin|root)@", p.read_text(errors="replace"))]
    print(f"\nAUTH-7: {len(migrations)} migrations and {len(fixtures)} fixtures scanned; default accounts: {offending}")
    assert offending == []


# --- AUTH-8 SSO ----------------------------------------------------------------------------------------------------

def test_auth8_there_is_no_sso_callback_to_attack() -> None:
    """AUTH-8 applies only if Entra ID/OIDC is used; the service signs in with its own password + TOTP only."""
    from django.contrib.auth.backends import ModelBackend

    from cme.accounts.backends import UserBackend

    assert settings.AUTHENTICATION_BACKENDS == ["cme.accounts.backends.UserBackend"]
    assert UserBackend.__mro__[1] is ModelBackend  # the model backend itself, only loading the user's council too
    assert not any(app.split(".")[0] in {"allauth", "mozilla_django_oidc", "social_django", "oauth2_provider"}
                   for app in settings.INSTALLED_APPS)

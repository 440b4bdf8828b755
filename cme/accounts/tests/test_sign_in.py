from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cme.accounts import services
from cme.accounts.models import User
from cme.audit.models import AuditEvent

PASSWORD = "correct horse battery staple"


def post_sign_in(client: Client, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("accounts:sign-in"), {"email": email, "password": password})


def test_sign_in_page_is_govuk_styled(db: None) -> None:
    response = Client().get(reverse("accounts:sign-in"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-generic-header" in html and "govuk-phase-banner" in html and "govuk-skip-link" in html
    assert "Children missing education" in html
    assert "govuk-frontend.min.css" in html


def test_wrong_password_shows_govuk_error_summary(officer: User) -> None:
    response = post_sign_in(Client(), officer.email, "wrong")
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def sign_in_both_steps(client: Client, user: User) -> None:
    """The real sign-in: password, then the current code of the user's authenticator app (one is made if none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="app", confirmed=True)
    assert post_sign_in(client, user.email, PASSWORD)["Location"].startswith(reverse("accounts:two-factor"))
    assert client.post(reverse("accounts:two-factor"), {"token": f"{totp(device.bin_key):06d}"}).status_code == 302


def test_school_user_must_pass_two_factor_then_lands_on_school_home(school_user: User) -> None:
    """AUTH-3: school users need the second factor too (every role, accounts.policy.TWO_FACTOR_ROLES)."""
    client = Client()
    TOTPDevice.objects.create(user=school_user, name="app", confirmed=True)
    response = post_sign_in(client, school_user.email, PASSWORD)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:two-factor"))
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:two-factor")
    sign_in_both_steps(client, school_user)
    home = client.get(reverse("core:home"))
    assert home.status_code == 200
    assert "School A" in home.content.decode()


@pytest.mark.parametrize("persona", ["school_user", "partner_user"])
def test_first_sign_in_of_a_school_or_partner_user_sets_up_an_authenticator(
    persona: str, request: pytest.FixtureRequest
) -> None:
    """AUTH-3: a school or partner user with no authenticator yet is sent to set one up, as LA staff are: the set-up
    page (key and QR image), the confirmation and the recovery codes all work for them."""
    user: User = request.getfixturevalue(persona)
    client = Client()
    response = post_sign_in(client, user.email, PASSWORD)
    assert client.get(response["Location"])["Location"] == reverse("accounts:two-factor-setup")
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:two-factor")
    page = client.get(reverse("accounts:two-factor-setup"))
    assert page.status_code == 200 and "Set up two-factor authentication" in page.content.decode()
    assert "in schools and in partner agencies" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert services.totp_secret_base32(device) in page.content.decode()
    qr = client.get(reverse("accounts:two-factor-qr"))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    response = client.post(reverse("accounts:two-factor-setup"), {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{10})</code></li>", response.content.decode())
    assert len(codes) == 10
    assert client.get(reverse("core:home")).status_code == 200
    assert TOTPDevice.objects.get(user=user).confirmed
    assert services.mfa_verify(user=user, token=codes[0]) is not None


def test_la_staff_must_pass_two_factor_before_any_page(officer: User) -> None:
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    client = Client()
    response = post_sign_in(client, officer.email, PASSWORD)
    assert response["Location"].startswith(reverse("accounts:two-factor"))
    # Any other page sends them back to the two-factor step.
    assert client.get(reverse("children:search"))["Location"] == reverse("accounts:two-factor")
    wrong = client.post(reverse("accounts:two-factor"), {"token": f"{(totp(device.bin_key) + 1) % 10**6:06d}"})
    assert wrong.status_code == 200
    assert "The security code is not correct" in wrong.content.decode()
    # After a wrong code django-otp throttles the device for a second (brute-force protection).
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        ok = client.post(reverse("accounts:two-factor"), {"token": f"{totp(device.bin_key):06d}"})
    assert ok.status_code == 302
    assert client.get(reverse("children:search")).status_code == 200


def test_first_sign_in_sets_up_an_authenticator_and_gives_recovery_codes(officer: User) -> None:
    client = Client()
    post_sign_in(client, officer.email, PASSWORD)
    assert client.get(reverse("accounts:two-factor"))["Location"] == reverse("accounts:two-factor-setup")
    page = client.get(reverse("accounts:two-factor-setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    response = client.post(reverse("accounts:two-factor-setup"), {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{10})</code></li>", response.content.decode())
    assert len(codes) == 10
    assert client.get(reverse("children:search")).status_code == 200
    # A recovery code works once.
    assert services.mfa_verify(user=officer, token=codes[0]) is not None
    assert services.mfa_verify(user=officer, token=codes[0]) is None


def test_lock_out_after_repeated_failures_even_with_the_right_password(officer: User, settings) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for _ in range(settings.CME_LOCKOUT_FAILURES):
        post_sign_in(client, officer.email, "wrong password")
    officer.refresh_from_db()
    assert officer.locked_until is not None and officer.locked_until > timezone.now()
    response = post_sign_in(client, officer.email, PASSWORD)
    assert response.status_code == 200  # refused, same generic message
    assert services.GENERIC_SIGN_IN_ERROR in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED_OUT, object_id=str(officer.pk)).exists()
    with time_machine.travel(timezone.now() + timedelta(minutes=settings.CME_LOCKOUT_MINUTES + 1)):
        assert post_sign_in(Client(), officer.email, PASSWORD).status_code == 302


def test_unknown_email_gets_the_same_message_as_a_wrong_password(officer: User) -> None:
    unknown = post_sign_in(Client(), "nobody@example.org", "whatever").content.decode()
    wrong = post_sign_in(Client(), officer.email, "whatever").content.decode()
    assert services.GENERIC_SIGN_IN_ERROR in unknown and services.GENERIC_SIGN_IN_ERROR in wrong


def test_sign_in_rotates_the_session_key(school_user: User) -> None:
    client = Client()
    client.get(reverse("accounts:sign-in"))
    client.session.save()
    before = client.session.session_key
    post_sign_in(client, school_user.email, PASSWORD)
    assert client.session.session_key != before


@pytest.mark.parametrize("setting, seconds_later", [("CME_SESSION_IDLE_SECONDS", 31 * 60)])
def test_idle_session_expires(school_user: User, setting: str, seconds_later: int) -> None:
    client = Client()
    sign_in_both_steps(client, school_user)
    assert client.get(reverse("core:home")).status_code == 200
    real = time.time()
    with time_machine.travel(real + seconds_later, tick=False):
        response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert "expired=1" in response["Location"]


def test_absolute_session_limit_even_when_active(school_user: User, settings) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    sign_in_both_steps(client, school_user)
    start = time.time()
    step = settings.CME_SESSION_IDLE_SECONDS - 60
    offset = 0
    expired = False
    while offset <= settings.CME_SESSION_ABSOLUTE_SECONDS + step:
        offset += step
        with time_machine.travel(start + offset, tick=False):
            if client.get(reverse("core:home")).status_code == 302:
                expired = True
                break
    assert expired
    assert offset > settings.CME_SESSION_ABSOLUTE_SECONDS


def test_sign_out_ends_the_session(school_user: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(school_user)
    client.post(reverse("accounts:sign-out"))
    assert client.get(reverse("core:home")).status_code == 302


def test_password_reset_sends_a_link_only_for_real_accounts(school_user: User, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.post(reverse("accounts:password-reset"), {"email": school_user.email})
    client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert len(mailoutbox) == 1
    assert "/account/password-reset/" in mailoutbox[0].body


def test_the_last_seen_time_is_written_at_most_once_a_touch_interval(school_user: User, settings) -> None:  # type: ignore[no-untyped-def]
    """PERF-1: the session row is not rewritten on every page; the idle limit still counts from the last write."""
    from django.contrib.sessions.models import Session

    from cme.accounts.middleware import SESSION_LAST_SEEN

    client = Client()
    sign_in_both_steps(client, school_user)
    client.get(reverse("core:home"))
    key = client.session.session_key

    def last_seen() -> float:
        return float(Session.objects.get(session_key=key).get_decoded()[SESSION_LAST_SEEN])

    start, real = last_seen(), time.time()
    with time_machine.travel(real + settings.CME_SESSION_TOUCH_SECONDS - 5, tick=False):
        assert client.get(reverse("core:home")).status_code == 200
    assert last_seen() == start  # within the interval: not written
    with time_machine.travel(real + settings.CME_SESSION_TOUCH_SECONDS + 5, tick=False):
        assert client.get(reverse("core:home")).status_code == 200
    assert last_seen() >= start + settings.CME_SESSION_TOUCH_SECONDS  # written again
    moved = last_seen()
    with time_machine.travel(moved + settings.CME_SESSION_IDLE_SECONDS - 10, tick=False):
        assert client.get(reverse("core:home")).status_code == 200  # active: idle counted from the write
    with time_machine.travel(moved + settings.CME_SESSION_IDLE_SECONDS - 10 + settings.CME_SESSION_IDLE_SECONDS + 1,
                             tick=False):
        response = client.get(reverse("core:home"))
    assert response.status_code == 302 and "expired=1" in response["Location"]


def test_the_signed_in_user_comes_with_council_and_organisation_in_one_query(
        school_user: User, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    from cme.accounts.backends import UserBackend

    with django_assert_num_queries(1):
        user = UserBackend().get_user(school_user.pk)
        assert user is not None
        assert user.local_authority.name and user.organisation is not None and user.organisation.name
    school_user.is_active = False
    school_user.save(update_fields=["is_active"])
    assert UserBackend().get_user(school_user.pk) is None  # SESS-5: a disabled account's session ends
    assert UserBackend().get_user(10**9) is None

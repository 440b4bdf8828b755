"""Sign-in, lock-out and two-factor services. Views, commands and tests call these; nothing else writes users."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor

GENERIC_SIGN_IN_ERROR = (
    "Enter a correct email address and password. After several wrong attempts an account is locked for a while."
)


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    error: str = ""


def sign_in_attempt(*, request: HttpRequest, email: str, password: str) -> SignInResult:
    """Check a password, counting failures; lock the account after CME_LOCKOUT_FAILURES in a row.

    The same message is shown for an unknown email, a wrong password and a locked account, and each costs one
    password hash (Django hashes the password once for an unknown email; a locked account's password is checked
    and the result thrown away), so neither the page nor its timing tells an attacker which accounts exist
    (ASVS 6.3.8; AUTH-6, tests/security/test_enumeration.py).
    """
    auditor = Auditor.from_request(request)
    email = email.strip().lower()
    now = timezone.now()
    user = User.objects.filter(email=email).first()
    if user is not None and user.locked_until and user.locked_until > now:
        check_password(password, user.password)  # the same work as a wrong password; the answer is not used
        auditor._event(AuditEvent.Action.SIGN_IN_FAILED, user, summary="account locked", actor_label=email).save()
        return SignInResult(None, GENERIC_SIGN_IN_ERROR)
    authenticated = authenticate(request, username=email, password=password)
    if authenticated is None:
        if user is not None:
            with transaction.atomic():
                locked = User.objects.select_for_update().get(pk=user.pk)
                locked.failed_sign_in_count += 1
                summary = f"wrong password ({locked.failed_sign_in_count})"
                if locked.failed_sign_in_count >= settings.CME_LOCKOUT_FAILURES:
                    locked.locked_until = now + timedelta(minutes=settings.CME_LOCKOUT_MINUTES)
                    locked.failed_sign_in_count = 0
                    summary = "locked out after repeated failures"
                locked.save(update_fields=["failed_sign_in_count", "locked_until"])
            action = AuditEvent.Action.LOCKED_OUT if locked.locked_until and locked.locked_until > now else (
                AuditEvent.Action.SIGN_IN_FAILED
            )
            auditor._event(action, user, summary=summary, actor_label=email).save()
        else:
            auditor._event(AuditEvent.Action.SIGN_IN_FAILED, summary="unknown account", actor_label=email[:200]).save()
        return SignInResult(None, GENERIC_SIGN_IN_ERROR)
    if not isinstance(authenticated, User):
        return SignInResult(None, GENERIC_SIGN_IN_ERROR)
    User.objects.filter(pk=authenticated.pk).update(failed_sign_in_count=0, locked_until=None)
    return SignInResult(authenticated)


def unlock_user(*, actor: User, user: User) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_sign_in_count=0, locked_until=None)
        Auditor.for_user(actor).record(AuditEvent.Action.UPDATE, user, summary="unlocked account")


def totp_device_for(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def totp_start_setup(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator for the user (reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_confirm_setup(*, request: HttpRequest, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device with a first code; returns fresh recovery codes, or None if the code was wrong."""
    if not device.verify_token(token.strip().replace(" ", "")):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = recovery_codes_regenerate(user=user)
    Auditor.from_request(request).record(AuditEvent.Action.MFA, user, summary="two-factor authentication set up")
    return codes


def recovery_codes_regenerate(*, user: User, count: int = 10) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [secrets.token_hex(5) for _ in range(count)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def mfa_verify(*, user: User, token: str) -> TOTPDevice | StaticDevice | None:
    """Check a code from the authenticator app, or a one-time recovery code."""
    token = token.strip().replace(" ", "").lower()
    device = totp_device_for(user)
    if device is not None and token.isdigit() and device.verify_token(token):
        return device
    for static in StaticDevice.objects.filter(user=user, confirmed=True):
        if static.verify_token(token):
            return static
    return None


#: Templates of the password reset email (cme/accounts/jinja2/accounts/).
RESET_SUBJECT_TEMPLATE = "accounts/password_reset_subject.txt"
RESET_EMAIL_TEMPLATE = "accounts/password_reset_email.txt"


def password_reset_email_send(*, user_id: int, domain: str, site_name: str, use_https: bool) -> bool:
    """Make a reset link for an active account with a password and email it (what Django's PasswordResetForm
    does for each account, run by the `accounts.tasks.password_reset_email` background job so that the reset page
    does not wait for the mail service only when the account exists: AUTH-6, ASVS 6.3.8). False if there is
    no such account any more."""
    from django.contrib.auth.forms import PasswordResetForm
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return False
    context = {
        "email": user.email, "domain": domain, "site_name": site_name, "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
    }
    PasswordResetForm().send_mail(RESET_SUBJECT_TEMPLATE, RESET_EMAIL_TEMPLATE, context, None, user.email)
    return True

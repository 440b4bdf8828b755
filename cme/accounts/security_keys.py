"""Security keys and passkeys (WebAuthn): a phishing-resistant second factor (SECURITY-PLAN AC-8, ASVS v5.0.0
6.5.x/6.6.x, v4.0.3 2.8.x/4.3.1). Views call these services; the ceremony's checks are py_webauthn's.

- The relying party id is `CME_WEBAUTHN_RP_ID`, or else the first of `ALLOWED_HOSTS` (a leading dot dropped).
  The expected origin is the page's own (`scheme://host`, the host already checked against ALLOWED_HOSTS), and
  only when that host is the relying party id or under it; `CME_WEBAUTHN_ORIGINS` may list the origins instead.
  A key made for this service answers nowhere else: the browser will not use it for another site, and a response
  collected on another origin fails the origin check here.
- Each challenge is 32 random bytes kept in the session that asked for it, for one purpose and one user, and is
  removed when the answer comes back, whether the answer is good or not (single use), or after CHALLENGE_SECONDS.
- The signature counter must go up on each use when the authenticator keeps one (a cloned key is refused).
- Every registration, removal, sign-in and refusal is an audit event; no key material is written to it.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from cme.accounts.models import User
from cme.accounts.security_key_models import SecurityKey
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor

REGISTER = "cme_webauthn_register"
AUTHENTICATE = "cme_webauthn_authenticate"
CHALLENGE_SECONDS = 300
MAX_KEYS = 10


class SecurityKeyError(Exception):
    """The answer from the browser was not accepted; the message is safe to show."""


# --- Relying party -----------------------------------------------------------------------------------------------

def rp_id() -> str:
    configured = str(getattr(settings, "CME_WEBAUTHN_RP_ID", "") or "").strip().lower()
    if configured:
        return configured
    for host in settings.ALLOWED_HOSTS:
        host = host.strip().lower().lstrip(".").rsplit(":", 1)[0] if host.count(":") <= 1 else ""
        if host and host != "*":
            return host
    raise ImproperlyConfigured("Set CME_WEBAUTHN_RP_ID (or ALLOWED_HOSTS) to use security keys.")


def expected_origins(request: HttpRequest) -> list[str]:
    configured = list(getattr(settings, "CME_WEBAUTHN_ORIGINS", []) or [])
    if configured:
        return configured
    origin = f"{request.scheme}://{request.get_host()}"  # get_host() refuses a host not in ALLOWED_HOSTS
    hostname = (urlsplit(origin).hostname or "").lower()
    rp = rp_id()
    if hostname != rp and not hostname.endswith(f".{rp}"):
        raise SecurityKeyError("Security keys are not set up for this web address. Tell your system administrator.")
    return [origin]


# --- Challenges (single use, bound to the session, the user and the purpose) -------------------------------------

def _challenge_store(request: HttpRequest, purpose: str, user: User, **extra: str) -> bytes:
    challenge = secrets.token_bytes(32)
    request.session[purpose] = {"challenge": bytes_to_base64url(challenge), "user": user.pk, "at": time.time(),
                                **extra}
    return challenge


def _challenge_take(request: HttpRequest, purpose: str, user: User) -> dict[str, Any]:
    """What this session was given for `purpose`, removed so that it can be answered only once."""
    stored = request.session.pop(purpose, None)
    if not isinstance(stored, dict) or stored.get("user") != user.pk or "challenge" not in stored:
        raise SecurityKeyError("The request has expired. Try again.")
    if not 0 <= time.time() - float(stored.get("at", 0)) <= CHALLENGE_SECONDS:
        raise SecurityKeyError("The request has expired. Try again.")
    return {**stored, "challenge": base64url_to_bytes(str(stored["challenge"]))}


def _parse(credential_json: str) -> dict[str, Any]:
    try:
        parsed = json.loads(credential_json)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise SecurityKeyError("Your security key did not answer. Try again, and touch the key when it flashes.")
    return parsed


# --- Selectors -----------------------------------------------------------------------------------------------------

def keys_for(user: User) -> list[SecurityKey]:
    return list(SecurityKey.objects.filter(user=user, confirmed=True))


def has_security_key(user: User) -> bool:
    return SecurityKey.objects.filter(user=user, confirmed=True).exists()


def verified_with_security_key(request: HttpRequest) -> bool:
    """True if this session passed two-factor with a security key (django-otp keeps the device it used)."""
    return isinstance(getattr(request.user, "otp_device", None), SecurityKey)


def _transports(values: list[str]) -> list[AuthenticatorTransport]:
    known = {t.value for t in AuthenticatorTransport}
    return [AuthenticatorTransport(v) for v in values if v in known]


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(key.credential_id),
                                          transports=_transports(key.transports) or None)
            for key in keys_for(user)]


# --- Registration -------------------------------------------------------------------------------------------------

def registration_options(*, request: HttpRequest, user: User) -> str:
    """The options for navigator.credentials.create(), as JSON; the challenge is kept in the session."""
    existing = SecurityKey.objects.filter(user=user).values_list("user_handle", flat=True).first()
    handle = base64url_to_bytes(existing) if existing else secrets.token_bytes(32)
    challenge = _challenge_store(request, REGISTER, user, handle=bytes_to_base64url(handle))
    options = generate_registration_options(
        rp_id=rp_id(), rp_name=settings.CME_WEBAUTHN_RP_NAME, user_name=user.email, user_id=handle,
        user_display_name=user.full_name or user.email, challenge=challenge,
        timeout=CHALLENGE_SECONDS * 1000, attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED, user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=_descriptors(user),
    )
    return options_to_json(options)


def register(*, request: HttpRequest, user: User, name: str, credential_json: str) -> SecurityKey:
    """Check the browser's answer to `registration_options` and keep the new key (audited)."""
    auditor = Auditor.from_request(request)
    try:
        stored = _challenge_take(request, REGISTER, user)
        if SecurityKey.objects.filter(user=user).count() >= MAX_KEYS:
            raise SecurityKeyError(f"You already have {MAX_KEYS} security keys. Remove one before adding another.")
        credential = _parse(credential_json)
        verified = verify_registration_response(
            credential=credential, expected_challenge=stored["challenge"], expected_rp_id=rp_id(),
            expected_origin=expected_origins(request),
        )
        transports = credential.get("response", {}).get("transports") or []
        with transaction.atomic():
            credential_id = bytes_to_base64url(verified.credential_id)
            if SecurityKey.objects.filter(credential_id=credential_id).exists():
                raise SecurityKeyError("This security key is already registered.")
            key = SecurityKey.objects.create(
                user=user, name=name.strip()[:64], confirmed=True, credential_id=credential_id,
                public_key=verified.credential_public_key, sign_count=verified.sign_count,
                user_handle=str(stored.get("handle", "")),
                aaguid=verified.aaguid[:36], transports=[str(t) for t in transports if isinstance(t, str)][:8],
                backed_up=verified.credential_backed_up or (
                    verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE),
            )
            auditor.record(AuditEvent.Action.MFA, user, summary=f"security key added: {key.name}"[:300],
                           changes={"security_key": key.pk})
    except (WebAuthnException, SecurityKeyError) as error:
        auditor.record(AuditEvent.Action.MFA, user, summary="security key not added (the answer was refused)")
        if isinstance(error, SecurityKeyError):
            raise
        raise SecurityKeyError("Your security key's answer was not accepted. Try again.") from error
    return key


def remove(*, request: HttpRequest, user: User, key_id: int) -> SecurityKey | None:
    """Remove one of the user's own keys (audited); None if they have no such key."""
    key = SecurityKey.objects.filter(user=user, pk=key_id).first()
    if key is None:
        return None
    with transaction.atomic():
        Auditor.from_request(request).record(AuditEvent.Action.MFA, user,
                                             summary=f"security key removed: {key.name}"[:300],
                                             changes={"security_key": key.pk})
        key.delete()
    return key


# --- Sign-in (the second factor) ----------------------------------------------------------------------------------

def authentication_options(*, request: HttpRequest, user: User) -> str:
    """The options for navigator.credentials.get(): only this user's keys; the challenge kept in the session."""
    options = generate_authentication_options(
        rp_id=rp_id(), challenge=_challenge_store(request, AUTHENTICATE, user), timeout=CHALLENGE_SECONDS * 1000,
        allow_credentials=_descriptors(user), user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json(options)


def authenticate(*, request: HttpRequest, user: User, credential_json: str) -> SecurityKey:
    """Check the browser's answer to `authentication_options`; the key used, with its counter moved on.

    The caller marks the session verified (django_otp.login). Refusals are audited as failed sign-ins."""
    auditor = Auditor.from_request(request)
    try:
        challenge = _challenge_take(request, AUTHENTICATE, user)["challenge"]
        credential = _parse(credential_json)
        key = SecurityKey.objects.filter(user=user, confirmed=True, credential_id=str(credential.get("id", ""))
                                         ).first()
        if key is None:
            raise SecurityKeyError("That security key is not registered to your account.")
        with transaction.atomic():
            key = SecurityKey.objects.select_for_update().get(pk=key.pk)
            verified = verify_authentication_response(
                credential=credential, expected_challenge=challenge, expected_rp_id=rp_id(),
                expected_origin=expected_origins(request), credential_public_key=bytes(key.public_key),
                credential_current_sign_count=key.sign_count,
            )
            key.sign_count = verified.new_sign_count
            key.last_used_at = timezone.now()
            key.save(update_fields=["sign_count", "last_used_at"])
            auditor.record(AuditEvent.Action.MFA, user, summary=f"verified with security key {key.name}"[:300],
                           changes={"security_key": key.pk})
    except (WebAuthnException, SecurityKeyError) as error:
        counter = "sign count" in str(error).lower()
        auditor.record(AuditEvent.Action.SIGN_IN_FAILED, user, summary=(
            "security key refused: its signature counter went backwards (a copied key?)" if counter
            else "security key not accepted"))
        if isinstance(error, SecurityKeyError):
            raise
        raise SecurityKeyError("Your security key's answer was not accepted. Try again.") from error
    return key

"""A WebAuthn credential (a security key or a passkey): a phishing-resistant second factor (AC-8).

A `SecurityKey` is a django-otp `Device`, so a session verified with one is verified in the ordinary way
(`request.user.is_verified()`, `django_otp.login`); the admin additionally asks that the device be a
`SecurityKey` (`cme.accounts.security_keys.verified_with_security_key`). Nothing here is secret: the
authenticator keeps the private key; the service keeps the public key, the credential id and the sign counter.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django_otp.models import Device


class SecurityKey(Device):
    credential_id = models.CharField(max_length=1400, unique=True, help_text="base64url, as the browser sends it")
    public_key = models.BinaryField(help_text="COSE public key")
    sign_count = models.PositiveBigIntegerField(default=0, help_text="The authenticator's signature counter")
    user_handle = models.CharField(max_length=100, help_text="base64url; one random handle per user, not the pk")
    aaguid = models.CharField(max_length=36, blank=True, help_text="The make of authenticator, if it says")
    transports = models.JSONField(default=list, blank=True)
    backed_up = models.BooleanField(default=False, help_text="A passkey synced to other devices")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta(Device.Meta):
        verbose_name = "security key"
        ordering = ["created_at", "pk"]

    def verify_token(self, token: object) -> bool:
        """A security key answers a signed challenge (cme.accounts.security_keys), never a typed code."""
        return False

"""Issue, check and revoke API tokens (secrets are shown once and stored only as SHA-256 hashes)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from cme.accounts.models import User
from cme.api.models import ApiToken
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor

TOKEN_PREFIX = "cme"  # noqa: S105 - a public marker, not a secret


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, actor: Auditor, created_by: User, service_account: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the full token string, which is shown once and never stored."""
    if not service_account.is_active:
        raise ValueError("The service account is not active.")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    full = f"{TOKEN_PREFIX}_{prefix}_{secret}"
    token = ApiToken.objects.create(user=service_account, name=name, prefix=prefix, token_hash=_hash(full),
                                    created_by=created_by)
    actor.record(AuditEvent.Action.CREATE, token, summary=f"API token issued for {service_account.email}")
    return token, full


def api_token_authenticate(raw: str) -> ApiToken | None:
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user", "user__local_authority").filter(prefix=parts[1]).first()
    if token is None or not token.is_active or not hmac.compare_digest(token.token_hash, _hash(raw)):
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


@transaction.atomic
def api_token_revoke(*, actor: Auditor, token: ApiToken) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    actor.record(AuditEvent.Action.UPDATE, token, summary="API token revoked")
    return token

"""API tokens for partner and school systems: per organisation, revocable, hashed at rest.

A token acts as its service account (a User of the organisation with a role), so the same policy module
and the same scoped querysets apply to API calls as to the web pages.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens",
                             help_text="The service account the token acts as.")
    name = models.CharField(max_length=100, help_text="Which system uses it, e.g. 'Police case system'.")
    prefix = models.CharField(max_length=12, unique=True, help_text="Shown to identify the token; not secret.")
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the secret; never the secret.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (cme_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.user.is_active

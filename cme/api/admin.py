from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cme.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Tokens are issued with `manage.py api_token issue` (the secret is shown once); here they can be revoked."""

    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["name", "prefix", "user", "token_hash", "created_by", "created_at", "last_used_at"]
    fields = readonly_fields + ["revoked_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cme.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: nothing in the application can edit or delete an audit row."""

    list_display = ["at", "actor_label", "action", "object_type", "object_id", "child_id", "ip_address"]
    list_filter = ["action", "object_type", "actor_role"]
    search_fields = ["actor_label", "object_id", "summary"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

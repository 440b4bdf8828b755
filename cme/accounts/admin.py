from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from cme.accounts.models import SecurityKey, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    """System admins manage accounts here. Passwords are never set by an admin: users reset their own."""

    list_display = ["email", "full_name", "role", "organisation", "is_active", "locked_until"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "full_name"]
    fields = ["email", "full_name", "job_title", "role", "local_authority", "organisation", "is_active", "locked_until"]
    readonly_fields = ["locked_until"]


@admin.register(SecurityKey)
class SecurityKeyAdmin(admin.ModelAdmin[SecurityKey]):
    """A system admin may remove a lost security key (AC-8); keys are added only by their owner, in the browser."""

    list_display = ["name", "user", "created_at", "last_used_at", "backed_up"]
    search_fields = ["name", "user__email"]
    fields = ["user", "name", "created_at", "last_used_at", "sign_count", "aaguid", "backed_up"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SecurityKey | None = None) -> bool:
        return False

from __future__ import annotations

from django.contrib import admin

from cme.accounts.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    """System admins manage accounts here. Passwords are never set by an admin: users reset their own."""

    list_display = ["email", "full_name", "role", "organisation", "is_active", "locked_until"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "full_name"]
    fields = ["email", "full_name", "job_title", "role", "local_authority", "organisation", "is_active", "locked_until"]
    readonly_fields = ["locked_until"]

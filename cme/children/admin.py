from django.contrib import admin

from cme.children.models import RiskFlagType, School


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin[School]):
    list_display = ["name", "laestab", "urn", "phase", "establishment_type", "is_open"]
    list_filter = ["phase", "establishment_type", "is_open"]
    search_fields = ["name", "laestab", "urn"]


@admin.register(RiskFlagType)
class RiskFlagTypeAdmin(admin.ModelAdmin[RiskFlagType]):
    """The taxonomy of risk flags is configurable by the council."""

    list_display = ["label", "code", "severity", "needs_immediate_referral", "is_active", "ordering"]
    list_editable = ["severity", "needs_immediate_referral", "is_active", "ordering"]

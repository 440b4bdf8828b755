from django.contrib import admin

from cme.core.models import ClosureDay, LocalAuthority, Organisation, TermDate


class TermDateInline(admin.TabularInline[TermDate, LocalAuthority]):
    model = TermDate
    extra = 0


class ClosureDayInline(admin.TabularInline[ClosureDay, LocalAuthority]):
    model = ClosureDay
    extra = 0


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin[LocalAuthority]):
    list_display = ["code", "name", "cme_officer_name", "cme_mailbox"]
    fieldsets = [
        (None, {"fields": ["code", "name", "cme_officer_name", "cme_mailbox", "cme_phone"]}),
        ("Council policy (blank: the service-wide default)", {"fields": [
            "triage_target_working_days", "part_time_review_weeks", "full_time_hours", "part_time_max_extensions",
            "sao_notice_days", "deletion_return_backdate_school_days", "destination_grace_school_days",
            "linkage_upper_threshold", "linkage_lower_threshold", "cnis_register_enabled"]}),
    ]
    inlines = [TermDateInline, ClosureDayInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "kind", "partner_type", "laestab", "is_active"]
    list_filter = ["kind", "partner_type", "is_active"]
    search_fields = ["name", "laestab"]

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
    inlines = [TermDateInline, ClosureDayInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "kind", "partner_type", "laestab", "is_active"]
    list_filter = ["kind", "partner_type", "is_active"]
    search_fields = ["name", "laestab"]

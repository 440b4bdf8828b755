from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from cme.audit.services import Auditor
from cme.core import quarantine
from cme.core.models import ClosureDay, LocalAuthority, Organisation, QuarantinedFile, TermDate


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


@admin.register(QuarantinedFile)
class QuarantinedFileAdmin(admin.ModelAdmin[QuarantinedFile]):
    """FILE-4: the system administrators' list of infected uploads. Read only: the bytes are never shown or
    served; the two actions release (false positive) or delete them through `core.quarantine`, audited."""

    list_display = ["quarantined_at", "original_name", "signature", "size", "uploaded_by_label", "local_authority",
                    "upload_point", "status"]
    list_filter = ["status", "local_authority"]
    search_fields = ["sha256", "original_name", "signature", "uploaded_by_label"]
    readonly_fields = ["sha256", "size", "original_name", "upload_point", "uploaded_by_label", "local_authority",
                       "signature", "quarantined_at", "status", "decided_by_label", "decided_at", "reason"]
    actions = ["release_selected", "delete_selected_files"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: QuarantinedFile | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: QuarantinedFile | None = None) -> bool:
        return False  # the row is the record of what was found; "Delete the stored files" destroys the bytes

    def _decide(self, request: HttpRequest, queryset: QuerySet[QuarantinedFile], step: Any, done: str) -> None:
        actor, count = Auditor.from_request(request), 0
        for entry in queryset.filter(status=QuarantinedFile.Status.QUARANTINED):
            step(entry, actor=actor, reason=f"{done} in the administration pages by {actor.label}")
            count += 1
        self.message_user(request, f"{count} quarantined file(s) {done}.", messages.SUCCESS)

    @admin.action(description="Release the selected files (false positives: the same file may be uploaded again)")
    def release_selected(self, request: HttpRequest, queryset: QuerySet[QuarantinedFile]) -> None:
        self._decide(request, queryset, quarantine.release, "released")

    @admin.action(description="Delete the stored files of the selected entries")
    def delete_selected_files(self, request: HttpRequest, queryset: QuerySet[QuarantinedFile]) -> None:
        self._decide(request, queryset, quarantine.delete, "deleted")

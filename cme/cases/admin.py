"""System administrators configure the reasonable-enquiries checklists here (R2.5: local practice, per case type).
Case records themselves are changed only through the service (and its audit), never in the admin."""

from __future__ import annotations

from django.contrib import admin

from cme.cases.models import EnquiryTemplate, EnquiryTemplateItem


class EnquiryTemplateItemInline(admin.TabularInline):  # type: ignore[type-arg]
    model = EnquiryTemplateItem
    extra = 1
    fields = ("order", "code", "label", "due_in", "due_unit", "escalate_when_missed", "source", "is_active")


@admin.register(EnquiryTemplate)
class EnquiryTemplateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "case_type", "local_authority")
    list_filter = ("case_type",)
    inlines = [EnquiryTemplateItemInline]

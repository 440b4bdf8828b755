from django.contrib import admin

from cme.feeds.models import ColumnMapping, DetectionRule, FeedSource


@admin.register(FeedSource)
class FeedSourceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "local_authority", "kind", "source", "transport", "enabled", "in_daily_run")
    list_filter = ("kind", "transport", "enabled")
    search_fields = ("name", "slug")


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "local_authority", "source", "date_format", "encoding")


@admin.register(DetectionRule)
class DetectionRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "local_authority", "enabled")
    readonly_fields = ("code",)

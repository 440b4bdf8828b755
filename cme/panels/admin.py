from __future__ import annotations

from django.contrib import admin

from cme.panels.models import PanelSettings


@admin.register(PanelSettings)
class PanelSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("local_authority", "not_located_after_weeks", "min_risk_severity", "include_missed_timescales")

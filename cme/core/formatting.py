"""Jinja filters for dates and numbers, the GOV.UK way ("27 November 2026")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone


def govuk_date(value: date | datetime | None, empty: str = "Not known") -> str:
    if value is None:
        return empty
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.day} {value:%B %Y} at {value:%H:%M}"
    return f"{value.day} {value:%B %Y}"


def govuk_short_date(value: date | datetime | None, empty: str = "") -> str:
    if value is None:
        return empty
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.day} {value:%b %Y}"


def thousands(value: Any) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


def yesno(value: Any) -> str:
    return "Yes" if value else "No"


FILTERS = {"govuk_date": govuk_date, "govuk_short_date": govuk_short_date, "thousands": thousands, "yesno": yesno}

"""The dashboard's filters: a date range (for referrals, outcomes and time to locate) and a school."""

from __future__ import annotations

from typing import Any

from django import forms

from cme.core.forms import GovUKDateField
from cme.reports.selectors import ReportFilter


class ReportFilterForm(forms.Form):
    date_from = GovUKDateField(label="From", required=False, help_text="For example, 1 9 2026")
    date_to = GovUKDateField(label="To", required=False)
    school = forms.TypedChoiceField(label="School", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, schools: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "All schools"), *(schools or [])]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data

    def report_filter(self) -> ReportFilter:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return ReportFilter(date_from=data.get("date_from"), date_to=data.get("date_to"),
                            school_id=data.get("school"))

"""Forms for the part-time timetables register: they validate; the services decide."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cme.core.forms import GovUKDateField
from cme.law import upn as upns
from cme.timetables.models import PartTimeTimetable, TimetableReview
from cme.timetables.rules import FLAG_LABELS

YES_NO = [("yes", "Yes"), ("no", "No")]


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("active", "In place"), ("full_time", "Returned to full time"),
                                        ("ended", "Ended"), ("all", "All")])
    school = forms.ChoiceField(label="School", required=False)
    flag = forms.ChoiceField(label="Needs attention", required=False,
                             choices=[("", "Any"), ("any", "Any flag"), *((f.value, label) for f, label in
                                                                          FLAG_LABELS.items())])
    reason = forms.ChoiceField(label="Reason", required=False,
                               choices=[("", "Any"), *PartTimeTimetable.Reason.choices])

    def __init__(self, *args: Any, schools: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if schools is None:
            del self.fields["school"]
        else:
            self.fields["school"].choices = [("", "All schools"), *schools]


class SubmitForm(forms.Form):
    upn = forms.CharField(label="Pupil's UPN", required=False, max_length=13,
                          help_text="Give the UPN, or choose the pupil from your roll below",
                          widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}))
    pupil = forms.ChoiceField(label="Or choose the pupil from your roll", required=False)
    reason = forms.ChoiceField(label="Why the pupil needs a part-time timetable",
                               choices=PartTimeTimetable.Reason.choices, widget=forms.RadioSelect)
    reason_detail = forms.CharField(label="More about the reason", required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    not_for_behaviour = forms.BooleanField(
        label="The timetable is in the pupil's best interests and is not being used to manage behaviour",
        help_text="A part-time timetable is for very exceptional circumstances only (Working together to improve "
                  "school attendance)",
        error_messages={"required": "Confirm the timetable is in the pupil's best interests, not to manage "
                                    "behaviour"},
    )
    hours_per_week = forms.DecimalField(label="Hours a week in school", min_value=Decimal("0.5"), max_digits=4,
                                        decimal_places=1, help_text="For example, 15 or 12.5")
    start_date = GovUKDateField(label="Start date")
    planned_end_date = GovUKDateField(label="Planned end date", help_text="A part-time timetable must have a clear "
                                                                          "end date")
    reintegration_plan = forms.CharField(label="Plan for returning to full time",
                                         help_text="How the hours will increase, the support in place, and who "
                                                   "reviews it with the pupil and parents",
                                         widget=forms.Textarea(attrs={"rows": 5}))
    consent_given = forms.ChoiceField(label="Has the parent the pupil normally lives with agreed?", choices=YES_NO,
                                      widget=forms.RadioSelect)
    consent_by_name = forms.CharField(label="Name of the parent or carer who agreed", required=False, max_length=150)
    consent_on = GovUKDateField(label="Date they agreed", required=False)
    consent_how = forms.ChoiceField(label="How they agreed", required=False,
                                    choices=[("", "Choose"), *PartTimeTimetable.ConsentHow.choices])
    has_social_worker = forms.BooleanField(label="The pupil has a social worker", required=False)
    social_worker_involved = forms.BooleanField(label="The social worker was involved in agreeing the timetable",
                                                required=False)
    has_ehcp = forms.BooleanField(label="The pupil has an education, health and care plan (EHCP)", required=False)
    ehcp_involved = forms.BooleanField(label="The SEN team was involved in agreeing the timetable", required=False)

    def __init__(self, *args: Any, roll: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pupil"].choices = [("", "Choose a pupil"), *(roll or [])]

    def clean_upn(self) -> str:
        value = upns.normalise(self.cleaned_data.get("upn") or "")
        if value:
            problems = upns.validate(value, check_la=False)
            if problems:
                raise ValidationError(problems[0])
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("upn") and not data.get("pupil"):
            self.add_error("upn", "Enter the pupil's UPN or choose them from your roll")
        start, end = data.get("start_date"), data.get("planned_end_date")
        if start and end and end <= start:
            self.add_error("planned_end_date", "The planned end date must be after the start date")
        if data.get("consent_given") == "yes":
            if not data.get("consent_by_name"):
                self.add_error("consent_by_name", "Enter the name of the parent or carer who agreed")
            if not data.get("consent_on"):
                self.add_error("consent_on", "Enter the date they agreed")
            elif data["consent_on"] > timezone.localdate():
                self.add_error("consent_on", "The date they agreed must be today or in the past")
            if not data.get("consent_how"):
                self.add_error("consent_how", "Choose how they agreed")
        return data


class ConsentForm(forms.Form):
    by = forms.ChoiceField(label="Who agreed", widget=forms.RadioSelect)
    by_name = forms.CharField(label="Name, if someone else", required=False, max_length=150)
    on = GovUKDateField(label="Date they agreed")
    how = forms.ChoiceField(label="How they agreed", choices=PartTimeTimetable.ConsentHow.choices,
                            widget=forms.RadioSelect)

    def __init__(self, *args: Any, parents: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["by"].choices = [*(parents or []), ("other", "Someone else")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("by") == "other" and not data.get("by_name"):
            self.add_error("by_name", "Enter the name of the parent or carer who agreed")
        on = data.get("on")
        if on and on > timezone.localdate():
            self.add_error("on", "The date they agreed must be today or in the past")
        return data


class ReviewForm(forms.Form):
    reviewed_on = GovUKDateField(label="Date of the review")
    outcome = forms.ChoiceField(label="Outcome", choices=TimetableReview.Outcome.choices, widget=forms.RadioSelect)
    new_end_date = GovUKDateField(label="New end date (if extended)", required=False)
    pupil_and_parents_involved = forms.BooleanField(label="The pupil and parents took part in the review",
                                                    required=False)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == TimetableReview.Outcome.EXTEND and not data.get("new_end_date"):
            self.add_error("new_end_date", "Enter the new end date")
        if data.get("outcome") != TimetableReview.Outcome.EXTEND and data.get("new_end_date"):
            self.add_error("new_end_date", "Give a new end date only when extending the timetable")
        reviewed_on: dt.date | None = data.get("reviewed_on")
        if reviewed_on and reviewed_on > timezone.localdate():
            self.add_error("reviewed_on", "The review date must be today or in the past")
        return data

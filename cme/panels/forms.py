from __future__ import annotations

from typing import Any

from django import forms

from cme.children.models import RiskFlagType
from cme.core.forms import GovUKDateField
from cme.panels.models import Decision


class MeetingForm(forms.Form):
    held_on = GovUKDateField(label="Date of the meeting", error_messages={"required": "Enter the date of the meeting"})
    starts_at = forms.TimeField(label="Start time (optional)", required=False, help_text="For example 10:00",
                                widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    term = forms.CharField(label="Term", max_length=60, help_text="For example 'Autumn term 2026'",
                           error_messages={"required": "Enter the term"})
    location = forms.CharField(label="Where", max_length=200, required=False)
    terms_of_reference = forms.FileField(label="Terms of reference (optional)", required=False,
                                         help_text="A PDF or Word document")


class SettingsForm(forms.Form):
    not_located_after_weeks = forms.IntegerField(label="Cases still open after this many weeks", min_value=1,
                                                 max_value=52)
    include_not_located = forms.BooleanField(label="Every case recorded as not located", required=False)
    min_risk_severity = forms.TypedChoiceField(
        label="Cases with an active risk flag at least this severe", coerce=int, empty_value=None, required=False,
        choices=[("", "Do not use risk flags")] + [(str(v), label) for v, label in RiskFlagType.Severity.choices])
    include_missed_timescales = forms.BooleanField(label="Cases with a reasonable enquiry past its due date",
                                                   required=False)
    access_working_days_after = forms.IntegerField(
        label="Working days after the meeting that panel members keep access to its cases", min_value=0, max_value=20)


class AttendeeForm(forms.Form):
    user = forms.TypedChoiceField(label="A user of this service", coerce=int, empty_value=None, required=False)
    name = forms.CharField(label="Or: name of someone from outside", max_length=150, required=False)
    agency = forms.CharField(label="Their agency or role", max_length=150, required=False)

    def __init__(self, *args: Any, users: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "Choose a user")] + [(str(pk), n) for pk, n in (users or [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("user") and not (data.get("name") or "").strip():
            raise forms.ValidationError("Choose a user, or enter the name of someone from outside")
        return data


class AddItemForm(forms.Form):
    reference = forms.CharField(label="Case reference", max_length=20, help_text="For example CASE-000123",
                                error_messages={"required": "Enter the case reference"})


class DiscussionForm(forms.Form):
    discussion = forms.CharField(label="Discussion", required=False, widget=forms.Textarea(attrs={"rows": 6}))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label="What did the panel decide?", choices=Decision.Outcome.choices,
                                widget=forms.RadioSelect, error_messages={"required": "Choose what the panel decided"})
    text = forms.CharField(label="The decision, as minuted", widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "Record the decision"})
    action_1 = forms.CharField(label="Action 1 (optional)", required=False, max_length=200)
    action_1_due = GovUKDateField(label="Action 1 due", required=False)
    action_1_owner = forms.TypedChoiceField(label="Action 1 owner", coerce=int, empty_value=None, required=False)
    action_2 = forms.CharField(label="Action 2 (optional)", required=False, max_length=200)
    action_2_due = GovUKDateField(label="Action 2 due", required=False)
    action_2_owner = forms.TypedChoiceField(label="Action 2 owner", coerce=int, empty_value=None, required=False)

    ACTIONS = (1, 2)

    def __init__(self, *args: Any, officers: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in self.ACTIONS:
            self.fields[f"action_{n}_owner"].choices = [("", "Not assigned")] + [
                (str(pk), name) for pk, name in (officers or [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in self.ACTIONS:
            if (data.get(f"action_{n}") or "").strip() and not data.get(f"action_{n}_due"):
                self.add_error(f"action_{n}_due", f"Enter the date action {n} is due")
        return data


class HeldForm(forms.Form):
    attended = forms.MultipleChoiceField(label="Who attended?", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, attendees: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(str(pk), name) for pk, name in (attendees or [])]

"""Forms for the Children Not In School register: they validate; the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cme.cnis.models import ProviderType
from cme.cnis.rules import CONDITION_C
from cme.core.forms import GovUKDateField
from cme.law import upn as upns

TRI_STATE = [("", "Not known"), ("yes", "Yes"), ("no", "No")]


def hours(label: str) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, min_value=Decimal(0), max_value=Decimal(168),
                              max_digits=4, decimal_places=1)


def tri_state(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("active", "On the register"), ("removed", "Removed"), ("all", "All")])
    condition_c = forms.ChoiceField(label="Condition C", required=False,
                                    choices=[("", "Any"), *((k, k.upper()) for k in CONDITION_C)])


class FindChildForm(forms.Form):
    upn = forms.CharField(label="The child's UPN", max_length=13,
                          widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}))

    def clean_upn(self) -> str:
        value = upns.normalise(self.cleaned_data["upn"] or "")
        problems = upns.validate(value, check_la=False)
        if problems:
            raise ValidationError(problems[0])
        return value


class EntryForm(forms.Form):
    registered_on = GovUKDateField(label="Date entered on the register")
    home_address = forms.CharField(label="Child's home address", max_length=300)
    postcode = forms.CharField(label="Postcode", max_length=8, required=False)
    lives_in_area = forms.BooleanField(label="Condition A: the child lives in the council's area", required=False)
    condition_c = forms.ChoiceField(label="Condition C: which applies", choices=list(CONDITION_C.items()),
                                    widget=forms.RadioSelect)
    hours_with_parents = hours("Estimated hours a week educated by parents")
    hours_with_others = hours("Estimated hours a week educated by others")
    eligibility_reason = forms.CharField(label="Reason the child is eligible (optional)", required=False,
                                         widget=forms.Textarea(attrs={"rows": 2}))
    special_educational_needs = forms.CharField(label="Special educational needs (optional)", required=False,
                                                widget=forms.Textarea(attrs={"rows": 2}))
    protected_characteristics = forms.CharField(label="Protected characteristics (optional)", required=False,
                                                widget=forms.Textarea(attrs={"rows": 2}))
    s47_enquiries = forms.ChoiceField(label="Current or past s47 enquiries", choices=TRI_STATE, required=False)
    child_in_need = forms.ChoiceField(label="Child in need", choices=TRI_STATE, required=False)
    looked_after = forms.ChoiceField(label="Looked after", choices=TRI_STATE, required=False)
    looked_after_reason = forms.CharField(label="Reason looked after (optional)", required=False)


class ParentForm(forms.Form):
    contact = forms.ChoiceField(label="Parent", widget=forms.RadioSelect)
    name = forms.CharField(label="Name, if someone else", required=False, max_length=150)
    address = forms.CharField(label="Home address", required=False, max_length=300)
    provides_education = forms.BooleanField(label="This parent provides education to the child", required=False)
    hours_per_week = hours("Estimated hours a week they educate the child")

    def __init__(self, *args: Any, contacts: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [*(contacts or []), ("other", "Someone else")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("contact") == "other" and not data.get("name"):
            self.add_error("name", "Enter the parent's name")
        return data


class ProviderForm(forms.Form):
    setting = forms.ChoiceField(label="Out-of-school setting we know of (optional)", required=False)
    name = forms.CharField(label="Provider's name", required=False, max_length=200)
    provider_type = forms.ChoiceField(label="Type of provider", choices=ProviderType.choices)
    address = forms.CharField(label="Address of each place", required=False, max_length=300)
    online_address = forms.CharField(label="Website or email, if online", required=False, max_length=200)
    hours_per_week = hours("Hours a week")
    hours_without_parent = hours("Hours a week without a parent present")

    def __init__(self, *args: Any, settings: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["setting"].choices = [("", "None of these"), *(settings or [])]


class RemoveForm(forms.Form):
    removed_on = GovUKDateField(label="Date no longer eligible")
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}))


class SettingForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    provider_type = forms.ChoiceField(label="Type of provider", choices=ProviderType.choices)
    address = forms.CharField(label="Address", required=False, max_length=300)
    online_address = forms.CharField(label="Website", required=False, max_length=200)
    contact_email = forms.EmailField(label="Contact email", required=False)


class RequestForm(forms.Form):
    sent_on = GovUKDateField(label="Date of the request")
    entries = forms.MultipleChoiceField(label="Children the request is about", required=False,
                                        widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(label="What was asked", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, entries: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entries"].choices = entries or []


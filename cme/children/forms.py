from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from cme.core.forms import GovUKDateField
from cme.law import postcode as postcodes
from cme.law import upn as upns


class ChildSearchForm(forms.Form):
    upn = forms.CharField(label="UPN", required=False, max_length=13,
                          widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}))
    name = forms.CharField(label="Name", required=False, max_length=120,
                           help_text="First name and surname, in any order. Misspellings and variants are allowed.",
                           widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}))
    date_of_birth = GovUKDateField(label="Date of birth", required=False, help_text="For example, 27 3 2016")
    born_from = GovUKDateField(label="Born on or after", required=False)
    born_to = GovUKDateField(label="Born on or before", required=False)
    postcode = forms.CharField(label="Postcode or postcode district", required=False, max_length=8,
                               help_text="For example, OX4 1AB or OX4",
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_upn(self) -> str:
        value = upns.normalise(self.cleaned_data["upn"] or "")
        if value:
            problems = upns.validate(value, check_la=False)
            if problems:
                raise ValidationError(problems[0])
        return value

    def clean_postcode(self) -> str:
        value = (self.cleaned_data["postcode"] or "").strip().upper()
        if not value:
            return ""
        if postcodes.normalise(value):
            return postcodes.normalise(value) or ""
        compact = value.replace(" ", "")
        if 2 <= len(compact) <= 4 and compact[0].isalpha() and compact[-1].isalnum():
            return compact
        raise ValidationError("Enter a real postcode, like OX4 1AB, or a postcode district, like OX4")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not any(data.get(k) for k in ("upn", "name", "date_of_birth", "born_from", "born_to", "postcode")):
            raise ValidationError("Enter a UPN, a name, a date of birth or a postcode")
        if data.get("born_from") and data.get("born_to") and data["born_from"] > data["born_to"]:
            self.add_error("born_to", "The end of the date range must be after the start")
        return data


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to see this record?", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="This record has extra protection. Your reason is logged and reported to the team manager.",
        error_messages={"required": "Give the reason you need to see this record"},
    )

from __future__ import annotations

from django import forms

from cme.core.forms import GovUKDateField


class RectifyForm(forms.Form):
    legal_forename = forms.CharField(label="Legal first name", max_length=100)
    legal_middle_names = forms.CharField(label="Legal middle names", max_length=150, required=False)
    legal_surname = forms.CharField(label="Legal last name", max_length=100)
    date_of_birth = GovUKDateField(label="Date of birth")
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Why is this being corrected?", max_length=500,
                             help_text="For example, the birth certificate shows a different date of birth.")


class LegalHoldForm(forms.Form):
    reason = forms.CharField(label="Reason for the legal hold", max_length=300)

from __future__ import annotations

from django import forms

from cme.core.forms import GovUKDateField
from cme.privacy.models import ProcessingRestriction


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


class RestrictionForm(forms.Form):
    """UK GDPR Art 18(1): the ground and who asked."""

    ground = forms.ChoiceField(label="Ground for the restriction", widget=forms.RadioSelect,
                               choices=ProcessingRestriction.Ground.choices)
    requested_by = forms.CharField(label="Who asked for it", max_length=200,
                                   help_text="For example, the child's mother, or a solicitor acting for the family.")
    requested_on = GovUKDateField(label="Date of the request", help_text="For example, 27 11 2026")
    detail = forms.CharField(label="Details (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000, help_text="What is contested or objected to, and what will be checked.")


class RestrictionLiftForm(forms.Form):
    """Art 18(3): the data subject is told before the restriction is lifted."""

    reason = forms.CharField(label="Why is the restriction being lifted?", max_length=500,
                             help_text="For example, the accuracy check is complete and the record is corrected.")
    subject_told_on = GovUKDateField(label="Date the data subject was told it will be lifted",
                                     help_text="They must be told before it is lifted (UK GDPR Article 18(3)).")
    subject_told_how = forms.CharField(label="How were they told?", max_length=200,
                                       help_text="For example, letter to the mother's address on file.")

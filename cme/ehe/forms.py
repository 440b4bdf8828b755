"""Forms for the EHE register: they validate; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cme.core.forms import GovUKDateField
from cme.ehe.models import EHEConcern, EHEContact, EHERecord, SAOStage, SuitabilityEnquiry
from cme.law import upn as upns


def _not_future(value: dt.date | None) -> dt.date | None:
    if value and value > timezone.localdate():
        raise ValidationError("The date must be today or in the past")
    return value


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("active", "Home educated now"), ("ended", "Ended"), ("all", "All")])
    suitability = forms.ChoiceField(label="Suitability", required=False,
                                    choices=[("", "Any"), *EHERecord.Suitability.choices])
    reason = forms.ChoiceField(label="Reason given", required=False, choices=[("", "Any"), *EHERecord.Reason.choices])
    contact = forms.ChoiceField(label="Annual contact", required=False,
                                choices=[("", "Any"), ("overdue", "Overdue"), ("due_soon", "Due in the next 2 weeks")])
    concern = forms.ChoiceField(label="Concerns", required=False,
                                choices=[("", "Any"), ("awaiting_mash", "Awaiting a MASH outcome"),
                                         ("any", "Any concern recorded")])
    sao = forms.ChoiceField(label="School attendance order", required=False,
                            choices=[("", "Any"), ("in_progress", "Pathway in progress")])


class FindChildForm(forms.Form):
    upn = forms.CharField(label="The child's UPN", max_length=13,
                          help_text="To open an EHE record for a child who is not in the notifications list",
                          widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}))

    def clean_upn(self) -> str:
        value = upns.normalise(self.cleaned_data["upn"] or "")
        problems = upns.validate(value, check_la=False)
        if problems:
            raise ValidationError(problems[0])
        return value


class RecordOpenForm(forms.Form):
    start_date = GovUKDateField(label="Date home education started",
                                help_text="For a ground F deletion, the day after the pupil left the roll")
    source = forms.ChoiceField(label="Who told us", choices=EHERecord.Source.choices, widget=forms.RadioSelect)
    reason = forms.ChoiceField(label="Reason the parents gave", choices=EHERecord.Reason.choices,
                               help_text="Parents do not have to give a reason")
    reason_detail = forms.CharField(label="More about the reason (optional)", required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    educating_parents = forms.MultipleChoiceField(label="Parents or carers providing the education", required=False,
                                                  widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, parents: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["educating_parents"].choices = parents or []
        if not parents:
            self.fields["educating_parents"].help_text = "No parents or carers are recorded for this child yet"


class RecordEditForm(forms.Form):
    reason = forms.ChoiceField(label="Reason the parents gave", choices=EHERecord.Reason.choices)
    reason_detail = forms.CharField(label="More about the reason (optional)", required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    next_annual_contact = GovUKDateField(label="Next annual contact due", required=False)
    educating_parents = forms.MultipleChoiceField(label="Parents or carers providing the education", required=False,
                                                  widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, parents: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["educating_parents"].choices = parents or []


class RecordEndForm(forms.Form):
    ended_on = GovUKDateField(label="Date home education ended")
    end_reason = forms.ChoiceField(label="Why it ended", choices=EHERecord.EndReason.choices, widget=forms.RadioSelect)
    detail = forms.CharField(label="Details (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Does the education appear suitable?", widget=forms.RadioSelect,
        choices=[("suitable", "Yes: it appears suitable (the child is not missing education)"),
                 ("not_suitable", "No: it does not appear suitable (s437 pathway; CME if on no school roll)")],
    )
    reason = forms.CharField(label="Reasons for the decision", widget=forms.Textarea(attrs={"rows": 4}))


class ContactForm(forms.Form):
    contact_on = GovUKDateField(label="Date of contact")
    method = forms.ChoiceField(label="How", choices=EHEContact.Method.choices, widget=forms.RadioSelect)
    is_annual_contact = forms.BooleanField(label="This was the annual contact", required=False,
                                           help_text="The next annual contact is then due a year later")
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def clean_contact_on(self) -> dt.date | None:
        return _not_future(self.cleaned_data.get("contact_on"))


class EnquiryForm(forms.Form):
    made_on = GovUKDateField(label="Date of the enquiry")
    method = forms.ChoiceField(label="How", choices=SuitabilityEnquiry.Method.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label="What was asked (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def clean_made_on(self) -> dt.date | None:
        return _not_future(self.cleaned_data.get("made_on"))


class EnquiryOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What the enquiry found", widget=forms.RadioSelect,
        choices=[c for c in SuitabilityEnquiry.Outcome.choices if c[0] != SuitabilityEnquiry.Outcome.PENDING],
    )
    outcome_on = GovUKDateField(label="Date of the decision")
    information_received_on = GovUKDateField(label="Date information was received (optional)", required=False)
    information_received = forms.CharField(label="Information received", required=False,
                                           widget=forms.Textarea(attrs={"rows": 5}))

    def clean_outcome_on(self) -> dt.date | None:
        return _not_future(self.cleaned_data.get("outcome_on"))


class SAOStageForm(forms.Form):
    stage = forms.ChoiceField(label="Step", widget=forms.RadioSelect)
    served_on = GovUKDateField(label="Date served or decided")
    school_named = forms.CharField(label="School named (for a s438 notice or an order)", required=False,
                                   max_length=200)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, allowed: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(SAOStage.Stage.choices)
        self.fields["stage"].choices = [(s, labels[s]) for s in (allowed or labels)]


class ConcernForm(forms.Form):
    kind = forms.ChoiceField(label="What kind of concern", choices=EHEConcern.Kind.choices, widget=forms.RadioSelect)
    raised_on = GovUKDateField(label="Date the concern was raised")
    description = forms.CharField(label="The concern", widget=forms.Textarea(attrs={"rows": 5}))
    mash_referral_on = GovUKDateField(label="Date of the MASH referral (safety or wellbeing)", required=False)
    mash_reference = forms.CharField(label="MASH reference (optional)", required=False, max_length=60)

    def clean_raised_on(self) -> dt.date | None:
        return _not_future(self.cleaned_data.get("raised_on"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == EHEConcern.Kind.SAFETY and not data.get("mash_referral_on"):
            self.add_error("mash_referral_on", "Enter the date of the MASH referral: safety and wellbeing "
                                               "concerns go to the MASH")
        return data


class ConcernOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="What social care decided", widget=forms.RadioSelect,
                                choices=EHEConcern.SocialCareOutcome.choices)
    outcome_on = GovUKDateField(label="Date of the outcome")
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NotificationOpenForm(RecordOpenForm):
    child = forms.ChoiceField(label="Which child is this?", widget=forms.RadioSelect, required=False)

    def __init__(self, *args: Any, candidates: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if candidates is None:
            del self.fields["child"]
        else:
            self.fields["child"].choices = candidates
            self.fields["child"].required = True
            self.fields["child"].help_text = "Children who may be the one reported, best match first"
            del self.fields["educating_parents"]  # known once the child is; add them on the record afterwards
            self.order_fields(["child"])

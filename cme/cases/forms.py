from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cme.cases.models import (
    CaseStatusChoice,
    CaseTransfer,
    CaseType,
    ClosureOutcome,
    ContactMethod,
    ContactRecord,
    Priority,
    SchoolWhere,
)
from cme.cases.selectors import CASELOAD_VIEWS
from cme.core.forms import GovUKDateField
from cme.law import la_codes

BLANK = [("", "Any")]


class VersionedForm(forms.Form):
    """Carries the case version the user saw (optimistic lock)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CaseloadFilterForm(forms.Form):
    view = forms.ChoiceField(choices=list(CASELOAD_VIEWS.items()), required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(label="Status", required=False,
                               choices=BLANK + [c for c in CaseStatusChoice.choices if c[0] != "closed"])
    priority = forms.TypedChoiceField(label="Priority", required=False, coerce=int, empty_value=None,
                                      choices=BLANK + [(str(v), label) for v, label in reversed(Priority.choices)])
    case_type = forms.ChoiceField(label="Case type", required=False, choices=BLANK + CaseType.choices)
    officer = forms.TypedChoiceField(label="Allocated to", required=False, coerce=int, empty_value=None, choices=BLANK)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, officers: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = BLANK + [(str(pk), name) for pk, name in (officers or [])]


class OpenCaseForm(forms.Form):
    case_type = forms.ChoiceField(label="What kind of case is it?", choices=CaseType.choices,
                                  widget=forms.RadioSelect, initial=CaseType.WHEREABOUTS_UNKNOWN)
    summary = forms.CharField(label="Why is the case being opened?", widget=forms.Textarea(attrs={"rows": 4}),
                              required=False, max_length=4000)


class CaseEditForm(VersionedForm):
    case_type = forms.ChoiceField(label="Case type", choices=CaseType.choices, widget=forms.RadioSelect)
    summary = forms.CharField(label="Summary", widget=forms.Textarea(attrs={"rows": 4}), required=False,
                              max_length=4000)


class TransitionForm(VersionedForm):
    to = forms.ChoiceField(choices=CaseStatusChoice.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label="Reason or note (optional)", required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AllocateForm(VersionedForm):
    officer = forms.TypedChoiceField(label="Allocate to", coerce=int, empty_value=None, required=False)

    def __init__(self, *args: Any, officers: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [("", "Nobody (unallocated)")] + [
            (str(pk), name) for pk, name in (officers or [])]


class ReopenForm(VersionedForm):
    reason = forms.CharField(label="Why is the case being re-opened?", widget=forms.Textarea(attrs={"rows": 4}),
                             max_length=2000, error_messages={"required": "Give the reason for re-opening the case"})


class CloseForm(VersionedForm):
    outcome = forms.ChoiceField(label="How does the case end?", choices=ClosureOutcome.choices,
                                widget=forms.RadioSelect,
                                error_messages={"required": "Choose how the case ends"})
    school_where = forms.ChoiceField(label="Where is the school?", choices=SchoolWhere.choices,
                                     widget=forms.RadioSelect, required=False)
    school = forms.TypedChoiceField(label="School in this local authority", coerce=int, empty_value=None,
                                    required=False)
    school_laestab = forms.CharField(label="LAESTAB (schools elsewhere in the UK)", required=False, max_length=7,
                                     help_text="7 digits, for example 8254001",
                                     widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}))
    school_name = forms.CharField(label="School name (elsewhere in the UK or overseas)", required=False,
                                  max_length=200)
    school_country = forms.CharField(label="Country (schools overseas)", required=False, max_length=60)
    start_date = GovUKDateField(label="Date the child started at the school", required=False,
                                help_text="As the school confirmed it, for example 3 11 2026")
    confirmed_by = forms.CharField(label="Who confirmed it?", required=False, max_length=200,
                                   help_text="For example the school's admissions officer, or the EHE adviser")
    note = forms.CharField(label="Closure note", required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, schools: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "Choose a school")] + [(str(pk), n) for pk, n in (schools or [])]

    def clean_school_laestab(self) -> str:
        return (self.cleaned_data.get("school_laestab") or "").strip()


class EnquiryForm(forms.Form):
    done_on = GovUKDateField(label="Date of the enquiry", error_messages={"required": "Enter the date of the enquiry"})
    method = forms.ChoiceField(label="How was it made?", choices=ContactMethod.choices,
                               error_messages={"required": "Choose how the enquiry was made"})
    person = forms.CharField(label="Who was contacted or checked?", max_length=200,
                             error_messages={"required": "Say who was contacted or checked"})
    outcome = forms.CharField(label="What did it find?", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000,
                              error_messages={"required": "Say what the enquiry found"})
    attachment = forms.FileField(label="Attach evidence (optional)", required=False,
                                 help_text="A PDF, picture, Word or Excel file, or a text or CSV file")

    def clean_done_on(self) -> Any:
        value = self.cleaned_data["done_on"]
        if value and value > timezone.localdate():
            raise ValidationError("The date of the enquiry must be today or in the past")
        return value


class NotApplicableForm(forms.Form):
    reason = forms.CharField(label="Why does this enquiry not apply?", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000,
                             error_messages={"required": "Give the reason this enquiry does not apply"})


class TaskForm(forms.Form):
    title = forms.CharField(label="What needs doing?", max_length=200,
                            error_messages={"required": "Say what needs doing"})
    detail = forms.CharField(label="More detail (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    due = GovUKDateField(label="Due date", error_messages={"required": "Enter the due date"})
    assignee = forms.TypedChoiceField(label="Who will do it?", coerce=int, empty_value=None, required=False)

    def __init__(self, *args: Any, officers: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "Not assigned")] + [(str(pk), n) for pk, n in (officers or [])]


class TaskDoneForm(forms.Form):
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000)


class NoteForm(forms.Form):
    text = forms.CharField(label="Add a note", widget=forms.Textarea(attrs={"rows": 4}), max_length=10000,
                           error_messages={"required": "Enter the note"})


class ContactForm(forms.Form):
    method = forms.ChoiceField(label="Kind of contact", choices=ContactMethod.choices)
    direction = forms.ChoiceField(label="Who made contact?", choices=ContactRecord.Direction.choices,
                                  widget=forms.RadioSelect, initial=ContactRecord.Direction.OUT)
    with_whom = forms.CharField(label="With whom?", max_length=200, error_messages={"required": "Say who it was with"})
    occurred_on = GovUKDateField(label="Date", error_messages={"required": "Enter the date of the contact"})
    summary = forms.CharField(label="What was said or found?", widget=forms.Textarea(attrs={"rows": 4}),
                              max_length=10000, error_messages={"required": "Say what was said or found"})


class DocumentForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, required=False,
                            help_text="For example 'Letter to parent, 3 November'")
    file = forms.FileField(label="Upload a file", error_messages={"required": "Select a file"},
                           help_text="A PDF, picture (PNG, JPEG, GIF), Word or Excel file (.docx, .xlsx), or text "
                                     "or CSV file (.txt, .csv)")


class S2SUploadForm(forms.Form):
    uploaded_on = GovUKDateField(label="Date it was uploaded to S2S",
                                 error_messages={"required": "Enter the date it was uploaded to S2S"})


class CTFImportForm(forms.Form):
    file = forms.FileField(label="Upload a CTF (.xml)", error_messages={"required": "Select a CTF file"})


class TransferForm(forms.Form):
    receiving_la_code = forms.CharField(label="Receiving local authority number", max_length=3,
                                        help_text="The three-digit LA number, for example 825",
                                        widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    contact = forms.CharField(label="Their CME officer or mailbox", required=False, max_length=200)
    new_address = forms.CharField(label="The family's new address, if known", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_receiving_la_code(self) -> str:
        code = self.cleaned_data["receiving_la_code"].strip()
        if la_codes.la_name(code) is None:
            raise ValidationError("Enter a recognised three-digit local authority number, for example 825")
        return code


class TransferResponseForm(forms.Form):
    response = forms.ChoiceField(label="What did the receiving local authority say?", widget=forms.RadioSelect,
                                 choices=[c for c in CaseTransfer.Response.choices if c[0] != "awaiting"])
    confirmed_on = GovUKDateField(label="Date they confirmed", required=False)
    confirmed_by = forms.CharField(label="Who confirmed it?", required=False, max_length=200)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("response") == CaseTransfer.Response.ACCEPTED:
            if not data.get("confirmed_on"):
                self.add_error("confirmed_on", "Enter the date the receiving local authority confirmed")
            if not (data.get("confirmed_by") or "").strip():
                self.add_error("confirmed_by", "Say who at the receiving local authority confirmed")
        return data


class AddNotificationForm(forms.Form):
    case = forms.CharField(max_length=20, error_messages={"required": "Enter the case number"})

    def clean_case(self) -> int:
        """Accepts the case number as shown (CASE-000123) or just its digits."""
        digits = "".join(ch for ch in self.cleaned_data["case"] if ch.isdigit())
        if not digits or int(digits) < 1:
            raise ValidationError("Enter the case number, for example CASE-000123")
        return int(digits)

"""Forms for each route in. They parse and show errors; the rules live in `validation` and `services`, and the
form asks them (so the web, the CSV import and the API give the same answers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.utils import timezone

from cme.core.forms import GovUKDateField
from cme.core.uploads import EMAIL, UploadRejected, sniff
from cme.law.deletion_grounds import GROUNDS
from cme.notifications import services
from cme.notifications.inputs import (
    REFERRAL_CONCERNS,
    REFERRER_AGENCIES,
    DeletionReturnInput,
    LAEnquiryInput,
    MailboxInput,
    NewEntrantReturnInput,
    PartnerReferralInput,
    ResidentReportInput,
)
from cme.notifications.mailbox import EmlInvalid, max_eml_bytes, parse_eml
from cme.notifications.models import LAEnquiry, Notification
from cme.notifications.validation import ReturnContext, validate_deletion_return, validate_new_entrant_return

SEX_CHOICES = [("", "Not given"), ("F", "Female"), ("M", "Male"), ("U", "Not known")]
GROUND_CHOICES = [("", "Select the ground")] + [
    (code, f"{code} – {info.title} (reg {info.regulation})") for code, info in GROUNDS.items()
]


def _text(label: str, *, required: bool = False, max_length: int = 150, help_text: str = "",
          autocomplete: str = "", spellcheck: bool | None = None) -> forms.CharField:
    attrs: dict[str, Any] = {}
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    if spellcheck is not None:
        attrs["spellcheck"] = "true" if spellcheck else "false"
    return forms.CharField(label=label, required=required, max_length=max_length, help_text=help_text,
                           widget=forms.TextInput(attrs=attrs))


def _area(label: str, *, required: bool = False, rows: int = 3, help_text: str = "", max_length: int = 5000
          ) -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows}))


class InputForm(forms.Form):
    """A form that builds an input dataclass and asks one validator for the rules, so messages match the API's."""

    input_class: type = object
    required_message = "Enter this"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for bound in self.fields.values():
            bound.required = False  # the validator decides what is required, with GOV.UK messages

    def validate_input(self, data: Any) -> dict[str, str]:
        raise NotImplementedError

    def to_input(self) -> Any:
        fields = self.input_class.__dataclass_fields__  # type: ignore[attr-defined]
        values = {name: value for name, value in self.cleaned_data.items() if name in fields and value is not None}
        return self.input_class(**values)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.add_input_errors(self.validate_input(self.to_input()))
        return data

    def add_input_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            if name in self.fields:
                if name not in self.errors:
                    self.add_error(name, message)
            else:
                self.add_error(None, message)


class PupilFieldsMixin(forms.Form):
    upn = _text("UPN (if known)", max_length=13, spellcheck=False, help_text="13 characters, like A123456789012")
    forename = _text("First name", autocomplete="off")
    middle_names = _text("Middle names", autocomplete="off")
    surname = _text("Last name", autocomplete="off")
    date_of_birth = GovUKDateField(label="Date of birth", required=False, help_text="For example, 27 3 2016")
    sex = forms.ChoiceField(label="Sex", choices=SEX_CHOICES, required=False)
    address = _area("Home address", help_text="Without the postcode")
    postcode = _text("Postcode", max_length=8, autocomplete="off")
    parent1_name = _text("Full name of a parent the pupil normally lives with")
    parent1_phone = _text("Emergency phone number for that parent", max_length=30)
    parent1_address = _area("That parent's address, if it is not the pupil's", rows=2)
    parent2_name = _text("Full name of a second parent the pupil normally lives with (if any)")
    parent2_phone = _text("Emergency phone number for the second parent", max_length=30)
    parent2_address = _area("The second parent's address, if it is not the pupil's", rows=2)
    safeguarding_concern = forms.BooleanField(label="I have a safeguarding concern about this pupil", required=False)
    safeguarding_detail = _area("Describe the safeguarding concern")
    notes = _area("Anything else the local authority should know")


class DeletionReturnForm(PupilFieldsMixin, InputForm):
    input_class = DeletionReturnInput

    ground = forms.ChoiceField(label="Ground for deletion", choices=GROUND_CHOICES, required=False,
                               help_text="School Attendance (Pupil Registration) (England) Regulations 2024, reg 9(1)")
    deletion_date = GovUKDateField(label="Date of deletion from the admission register", required=False)
    new_address = _area("New address, if known", rows=2)
    new_postcode = _text("New postcode, if known", max_length=8)
    lives_with = _text("Parent the pupil will live with there, if known")
    new_address_from = GovUKDateField(label="Date they move there, if known", required=False)
    new_school_name = _text("New school, if known", max_length=200,
                            help_text="Needed for grounds A, C and D")
    new_school_laestab = _text("New school's LAESTAB, if known", max_length=7, help_text="7 digits, like 9312001")
    new_school_start = GovUKDateField(label="Date the pupil starts at the new school, if known", required=False)
    parent_notice_date = GovUKDateField(label="Date of the parent's written notice of home education",
                                        required=False)
    leave_end_date = GovUKDateField(label="Date the agreed leave of absence ended", required=False)
    first_day_of_absence = GovUKDateField(label="First day of the pupil's continuous absence", required=False)
    every_session_unexplained = forms.BooleanField(
        label="Every session in the absence was recorded as G, N or O", required=False)
    no_sickness_or_unavoidable_cause = forms.BooleanField(
        label="There are no reasonable grounds to believe the absence is because of sickness or an unavoidable "
              "cause (including mental health)", required=False)
    joint_enquiries_completed = forms.BooleanField(
        label="The school and the local authority have jointly made reasonable enquiries and not found the pupil",
        required=False)
    joint_enquiries_la_officer = _text("Local authority officer you made the enquiries with")

    def __init__(self, *args: Any, context: ReturnContext, **kwargs: Any) -> None:
        self.context = context
        super().__init__(*args, **kwargs)

    def validate_input(self, data: DeletionReturnInput) -> dict[str, str]:
        return validate_deletion_return(data, context=self.context)


class NewEntrantReturnForm(PupilFieldsMixin, InputForm):
    input_class = NewEntrantReturnInput

    start_date = GovUKDateField(label="Date the pupil's name was entered on the admission register", required=False)
    nc_year = forms.TypedChoiceField(label="Year group", required=False, coerce=int, empty_value=None,
                                     choices=[("", "Not given"), ("0", "Reception")]
                                     + [(str(y), f"Year {y}") for y in range(1, 14)])
    previous_school_name = _text("Previous school, if known", max_length=200)
    previous_school_laestab = _text("Previous school's LAESTAB, if known", max_length=7)

    def __init__(self, *args: Any, context: ReturnContext, **kwargs: Any) -> None:
        self.context = context
        super().__init__(*args, **kwargs)

    def validate_input(self, data: NewEntrantReturnInput) -> dict[str, str]:
        return validate_new_entrant_return(data, context=self.context)


class ReturnUploadForm(forms.Form):
    kind = forms.ChoiceField(label="What returns are in the file?", widget=forms.RadioSelect, choices=[
        (Notification.Kind.DELETION_RETURN, "Deletions from the roll"),
        (Notification.Kind.NEW_ENTRANT_RETURN, "New pupils"),
    ], error_messages={"required": "Select what returns are in the file"})
    file = forms.FileField(label="Upload a CSV file", help_text="UTF-8 CSV, one return a row, using the template's "
                           "columns", error_messages={"required": "Select a CSV file", "empty": "The file is empty"})


class PartnerReferralForm(InputForm):
    input_class = PartnerReferralInput

    referrer_agency = forms.ChoiceField(label="Your agency", choices=[("", "Select your agency"), *REFERRER_AGENCIES])
    referrer_name = _text("Your name", autocomplete="name")
    referrer_role = _text("Your job title")
    referrer_phone = _text("Your phone number", max_length=30, autocomplete="tel")
    referrer_email = forms.EmailField(label="Your email address", required=False,
                                      error_messages={"invalid": "Enter an email address in the correct format, "
                                                                 "like name@example.com"})
    concern = forms.ChoiceField(label="What is your concern?", choices=REFERRAL_CONCERNS, widget=forms.RadioSelect)
    forename = _text("Child's first name", autocomplete="off")
    surname = _text("Child's last name", autocomplete="off")
    other_names = _text("Other names the child is known by", max_length=200)
    date_of_birth = GovUKDateField(label="Child's date of birth, if known", required=False)
    age_estimate = _text("Child's age, if you do not know their date of birth", max_length=40)
    sex = forms.ChoiceField(label="Sex", choices=SEX_CHOICES, required=False)
    upn = _text("UPN, if known", max_length=13, spellcheck=False)
    address = _area("Last known address", rows=2)
    postcode = _text("Postcode", max_length=8)
    parents = _area("Parents or carers, if known", rows=2)
    last_school = _text("Last school, if known", max_length=200)
    last_seen = GovUKDateField(label="When the child was last seen, if known", required=False)
    what_is_known = _area("What do you know?", rows=6,
                          help_text="Why you think the child is not in education or cannot be found, and anything "
                                    "that might help us find them")
    safeguarding_concern = forms.BooleanField(label="I have a safeguarding concern about this child", required=False)
    safeguarding_detail = _area("Describe the safeguarding concern", rows=4)

    def validate_input(self, data: PartnerReferralInput) -> dict[str, str]:
        return services.validate_partner_referral(data)


class ResidentReportForm(InputForm):
    input_class = ResidentReportInput

    forename = _text("Child's first name (if you know it)", autocomplete="off")
    surname = _text("Child's last name (if you know it)", autocomplete="off")
    age_estimate = _text("About how old is the child?", max_length=40)
    address = _area("Where does the child live or stay?", rows=2, help_text="An address, a street or an area")
    postcode = _text("Postcode (if you know it)", max_length=8)
    what_is_known = _area("What do you know about the child?", rows=6,
                          help_text="For example, why you think they are not going to school, and since when")
    in_danger = forms.BooleanField(label="I think the child may be in danger", required=False)
    reporter_name = _text("Your name (optional)", autocomplete="name")
    reporter_email = _text("Your email address (optional)", max_length=200, autocomplete="email",
                           help_text="We will email you a reference number. We cannot tell you what happens next.")
    reporter_phone = _text("Your phone number (optional)", max_length=30, autocomplete="tel")
    relationship = _text("How do you know the child? (optional)")
    #: Honeypot: hidden from people (and screen readers); bots fill it in.
    website = forms.CharField(required=False, max_length=200)

    def validate_input(self, data: ResidentReportInput) -> dict[str, str]:
        return services.validate_resident_report(data)

    @property
    def is_spam(self) -> bool:
        return bool((self.data.get("website") or "").strip())


class MailboxForm(InputForm):
    input_class = MailboxInput

    eml = forms.FileField(label="Upload the email as a .eml file", required=False,
                          help_text="In Outlook, drag the email to a folder or choose File, Save as. Or paste it "
                                    "below.")
    sender = _text("From", max_length=200, help_text="Who sent the email, as shown in it")
    subject = _text("Subject", max_length=300)
    sent_on = GovUKDateField(label="Date the email arrived", required=False, help_text="Leave blank for today")
    sent_time = _text("Time it arrived", max_length=5, help_text="For example, 14:30")
    body = _area("Text of the email", rows=10, max_length=100_000)
    forename = _text("Child's first name, if the email gives it")
    surname = _text("Child's last name, if the email gives it")
    date_of_birth = GovUKDateField(label="Child's date of birth, if the email gives it", required=False)
    upn = _text("UPN, if the email gives it", max_length=13, spellcheck=False)
    postcode = _text("Postcode, if the email gives it", max_length=8)
    safeguarding_concern = forms.BooleanField(label="The email raises a safeguarding concern", required=False)
    safeguarding_detail = _area("Describe the safeguarding concern", rows=3)

    def clean_eml(self) -> Any:
        upload = self.cleaned_data.get("eml")
        if upload is None:
            return None
        if upload.size > max_eml_bytes():
            raise forms.ValidationError(f"The email must be smaller than {max_eml_bytes() // (1024 * 1024)} MB")
        raw = upload.read()
        try:  # named .eml and starting with an email header, not a renamed web page or program (FILE-2)
            sniff(raw, name=upload.name or "", allowed=EMAIL, max_bytes=max_eml_bytes())
        except UploadRejected as exc:
            raise forms.ValidationError(str(exc)) from exc
        try:
            self.parsed = parse_eml(raw)
        except EmlInvalid as exc:
            raise forms.ValidationError(str(exc)) from exc
        self.raw, self.raw_name = raw, upload.name
        return upload

    def clean_sent_time(self) -> str:
        value = (self.cleaned_data.get("sent_time") or "").strip()
        if value:
            try:
                dt.time.fromisoformat(value if len(value) > 4 else f"0{value}")
            except ValueError as exc:
                raise forms.ValidationError("Enter a time like 14:30") from exc
        return value

    def to_input(self) -> MailboxInput:
        data = self.cleaned_data
        parsed = getattr(self, "parsed", None)
        sent_at = None
        if data.get("sent_on"):
            time = data.get("sent_time") or "09:00"
            clock = dt.time.fromisoformat(time if len(time) > 4 else f"0{time}")
            sent_at = timezone.make_aware(dt.datetime.combine(data["sent_on"], clock))
        elif parsed is not None:
            sent_at = parsed.sent_at
        return MailboxInput(
            sender=data.get("sender") or (parsed.sender if parsed else ""),
            subject=data.get("subject") or (parsed.subject if parsed else ""),
            body=data.get("body") or (parsed.body if parsed else ""),
            sent_at=sent_at, message_id=parsed.message_id if parsed else "",
            raw=getattr(self, "raw", None), filename=getattr(self, "raw_name", ""),
            attachment_names=parsed.attachment_names if parsed else [],
            forename=data.get("forename") or "", surname=data.get("surname") or "",
            date_of_birth=data.get("date_of_birth"), upn=data.get("upn") or "", postcode=data.get("postcode") or "",
            safeguarding_concern=bool(data.get("safeguarding_concern")),
            safeguarding_detail=data.get("safeguarding_detail") or "",
        )

    def validate_input(self, data: MailboxInput) -> dict[str, str]:
        return services.validate_mailbox(data)


class LAEnquiryForm(InputForm):
    input_class = LAEnquiryInput

    direction = forms.ChoiceField(label="Was the enquiry received or sent?", widget=forms.RadioSelect,
                                  choices=LAEnquiry.Direction.choices)
    other_la_code = _text("Other local authority's LA code", max_length=3, help_text="3 digits, for example 825")
    other_la_contact_name = _text("Their CME officer's name")
    other_la_contact_email = _text("Their CME officer's or mailbox's email address", max_length=200)
    forename = _text("Child's first name")
    surname = _text("Child's last name")
    date_of_birth = GovUKDateField(label="Child's date of birth", required=False)
    upn = _text("UPN, if known", max_length=13, spellcheck=False)
    address = _area("Address given", rows=2)
    postcode = _text("Postcode", max_length=8)
    question = _area("What was asked?", rows=4, help_text="For example, 'Is this child known to you?'")
    asked_on = GovUKDateField(label="Date of the enquiry", required=False)
    response_due = GovUKDateField(label="Response due by", required=False,
                                  help_text="Leave blank for 5 working days after the enquiry")
    notification_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, local_authority: Any, **kwargs: Any) -> None:
        self.local_authority = local_authority
        super().__init__(*args, **kwargs)

    def validate_input(self, data: LAEnquiryInput) -> dict[str, str]:
        return services.validate_la_enquiry(data, local_authority=self.local_authority)


class LAEnquiryResponseForm(forms.Form):
    answer = forms.ChoiceField(label="Answer", widget=forms.RadioSelect, choices=LAEnquiry.Answer.choices,
                               error_messages={"required": "Select the answer"})
    response = forms.CharField(label="Response", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
                               error_messages={"required": "Enter the response"})
    responded_on = GovUKDateField(label="Date of the response", required=False, help_text="Leave blank for today")


class TriageOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Triage outcome", widget=forms.RadioSelect,
        choices=[(o.value, o.label) for o in Notification.Outcome if o in services.DIRECT_OUTCOMES],
        error_messages={"required": "Select a triage outcome"},
    )
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=5000,
                             help_text="Needed for 'not CME' (why) and for a safeguarding referral (to whom, when)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome = data.get("outcome")
        if outcome in services.REASON_REQUIRED and not (data.get("reason") or "").strip():
            self.add_error("reason", services.REASON_REQUIRED[outcome])
        return data


class LinkChildForm(forms.Form):
    child = forms.IntegerField(widget=forms.HiddenInput)


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Route", required=False,
                             choices=[("", "All routes"), *Notification.Kind.choices])
    overdue = forms.BooleanField(label="Overdue only", required=False)
    safeguarding = forms.BooleanField(label="Safeguarding only", required=False)


def form_errors_from(form: forms.Form, errors: dict[str, str]) -> None:
    """Put a service's {field: message} on the form (for IntakeInvalid raised after the form was valid)."""
    adder: Callable[[str | None, str], None] = form.add_error
    for name, message in errors.items():
        adder(name if name in form.fields else None, message)

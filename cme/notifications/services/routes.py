"""Partner referrals, residents' reports (public form), the shared mailbox and enquiries with other LAs."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.core import calendar
from cme.core.models import LocalAuthority
from cme.law import la_codes
from cme.law import postcode as postcodes
from cme.law import upn as upns
from cme.notifications.inputs import (
    REFERRAL_CONCERNS,
    REFERRER_AGENCY_LABELS,
    LAEnquiryInput,
    MailboxInput,
    PartnerReferralInput,
    ResidentReportInput,
)
from cme.notifications.models import (
    LAEnquiry,
    Notification,
    NotificationAttachment,
    PublicReportAttempt,
)
from cme.notifications.services.triage import (
    IntakeInvalid,
    Reported,
    acknowledge,
    identity_key,
    iso_or_blank,
    notification_receive,
    setting_int,
)

Kind = Notification.Kind
#: Public form: accepted reports per hour from one address (setting CME_PUBLIC_REPORT_LIMIT_PER_HOUR).
DEFAULT_PUBLIC_REPORTS_PER_HOUR = 5
#: Enquiries between LAs: working days to answer when no deadline is given (setting CME_LA_ENQUIRY_DAYS).
DEFAULT_LA_ENQUIRY_WORKING_DAYS = 5


class RateLimited(Exception):
    pass


# --- Partner referrals -------------------------------------------------------------------------------------


def _check_upn_postcode_dates(data: Any, errors: dict[str, str], *, today: dt.date) -> None:
    if getattr(data, "upn", "") and upns.validate(upns.normalise(data.upn)):
        errors["upn"] = "Enter a real UPN: 13 characters, like A123456789012"
    if getattr(data, "postcode", "") and not postcodes.is_valid(data.postcode):
        errors["postcode"] = "Enter a real postcode, like OX4 1AB"
    dob = getattr(data, "date_of_birth", None)
    if dob and dob >= today:
        errors["date_of_birth"] = "Date of birth must be in the past"


def validate_partner_referral(data: PartnerReferralInput, *, today: dt.date | None = None) -> dict[str, str]:
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if data.referrer_agency not in REFERRER_AGENCY_LABELS:
        errors["referrer_agency"] = "Select the agency you work for"
    if not data.referrer_name.strip():
        errors["referrer_name"] = "Enter your name"
    if data.concern not in dict(REFERRAL_CONCERNS):
        errors["concern"] = "Select what your concern is"
    if not (data.forename.strip() or data.surname.strip()):
        errors["forename"] = "Enter the child's first name or last name, or the name they are known by"
    _check_upn_postcode_dates(data, errors, today=today)
    if data.last_seen and data.last_seen > today:
        errors["last_seen"] = "Date last seen must be today or in the past"
    if not data.what_is_known.strip():
        errors["what_is_known"] = "Tell us what you know about the child and why you are concerned"
    if data.safeguarding_concern and not data.safeguarding_detail.strip():
        errors["safeguarding_detail"] = "Describe the safeguarding concern"
    return errors


@transaction.atomic
def partner_referral_submit(*, actor: Auditor, user: User, data: PartnerReferralInput,
                            received_at: dt.datetime | None = None, notify: bool = True) -> Notification:
    """A partner agency's referral. A safeguarding concern escalates at once. Raises IntakeInvalid."""
    errors = validate_partner_referral(data)
    if errors:
        raise IntakeInvalid(errors)
    details = {
        "concern": data.concern, "concern_label": dict(REFERRAL_CONCERNS)[data.concern],
        "agency_label": REFERRER_AGENCY_LABELS[data.referrer_agency], "referrer_role": data.referrer_role.strip(),
        "referrer_phone": data.referrer_phone.strip(), "referrer_email": data.referrer_email.strip() or user.email,
        "organisation_name": user.organisation.name if user.organisation else "",
        "other_names": data.other_names.strip(), "age_estimate": data.age_estimate.strip(),
        "parents": data.parents.strip(), "last_school": data.last_school.strip(),
        "last_seen": iso_or_blank(data.last_seen),
    }
    notification = notification_receive(
        actor=actor, local_authority=user.local_authority, kind=Kind.PARTNER_REFERRAL,
        reported=Reported(forename=data.forename, surname=data.surname, date_of_birth=data.date_of_birth,
                          sex=data.sex, upn=data.upn, address=data.address, postcode=data.postcode),
        summary=data.what_is_known.strip(), details=details, submitted_by=user,
        source_organisation_id=user.organisation_id, reporter_name=data.referrer_name.strip(),
        reporter_contact=data.referrer_email.strip() or data.referrer_phone.strip() or user.email,
        referrer_agency=data.referrer_agency, safeguarding_concern=data.safeguarding_concern,
        safeguarding_detail=data.safeguarding_detail.strip(), received_at=received_at,
        dedupe_key=identity_key(upn=data.upn, forename=data.forename, surname=data.surname,
                                date_of_birth=data.date_of_birth),
        notify=notify,
    )
    if notify:
        acknowledge(notification=notification, to=user.email, what="referral")
    return notification


# --- Residents (public form) -------------------------------------------------------------------------------


def ip_hash(ip_address: str | None) -> str:
    """A keyed hash of the client address: enough to rate-limit, useless to identify anyone."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"public-report:{ip_address or 'unknown'}".encode(), hashlib.sha256).hexdigest()


def public_reports_per_hour() -> int:
    return setting_int("CME_PUBLIC_REPORT_LIMIT_PER_HOUR", DEFAULT_PUBLIC_REPORTS_PER_HOUR)


def public_report_rate_limited(*, ip_address: str | None, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    recent = PublicReportAttempt.objects.filter(ip_hash=ip_hash(ip_address), at__gt=now - dt.timedelta(hours=1))
    return recent.count() >= public_reports_per_hour()


def validate_resident_report(data: ResidentReportInput, *, today: dt.date | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.what_is_known.strip():
        errors["what_is_known"] = "Tell us what you know about the child"
    if not (data.forename.strip() or data.surname.strip() or data.address.strip() or data.postcode.strip()):
        errors["forename"] = "Enter the child's name, or where they live"
    if data.postcode and not postcodes.is_valid(data.postcode):
        errors["postcode"] = "Enter a real postcode, like OX4 1AB, or leave it blank"
    if data.reporter_email:
        try:
            validate_email(data.reporter_email.strip())
        except ValidationError:
            errors["reporter_email"] = "Enter an email address in the correct format, like name@example.com"
    return errors


@transaction.atomic
def resident_report_submit(*, actor: Auditor, local_authority: LocalAuthority, data: ResidentReportInput,
                           ip_address: str | None, received_at: dt.datetime | None = None, notify: bool = True
                           ) -> Notification:
    """A report from a member of the public. Rate-limited per (hashed) address: raises RateLimited; raises
    IntakeInvalid. The reporter is told the reference only, never anything about any child."""
    now = received_at or timezone.now()
    if public_report_rate_limited(ip_address=ip_address, now=now):
        raise RateLimited("Too many reports from this connection. Try again in an hour.")
    errors = validate_resident_report(data)
    if errors:
        raise IntakeInvalid(errors)
    hashed = ip_hash(ip_address)
    PublicReportAttempt.objects.filter(at__lt=now - dt.timedelta(days=1)).delete()
    PublicReportAttempt.objects.create(ip_hash=hashed, at=now)
    details = {"relationship": data.relationship.strip(), "age_estimate": data.age_estimate.strip(),
               "reporter_phone": data.reporter_phone.strip(), "in_danger": data.in_danger}
    notification = notification_receive(
        actor=actor, local_authority=local_authority, kind=Kind.RESIDENT_REPORT,
        reported=Reported(forename=data.forename, surname=data.surname, address=data.address,
                          postcode=data.postcode),
        summary=data.what_is_known.strip(), details=details, reporter_name=data.reporter_name.strip(),
        reporter_contact=data.reporter_email.strip() or data.reporter_phone.strip(), referrer_agency="public",
        safeguarding_concern=data.in_danger,
        safeguarding_detail="The reporter thinks the child may be in danger." if data.in_danger else "",
        received_at=now, notify=notify,
    )
    if notify:
        acknowledge(notification=notification, to=data.reporter_email.strip(), what="report")
    return notification


# --- Mailbox -----------------------------------------------------------------------------------------------


def validate_mailbox(data: MailboxInput, *, today: dt.date | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.sender.strip():
        errors["sender"] = "Enter who the email is from"
    if not data.body.strip():
        errors["body"] = "Paste the text of the email, or upload the .eml file"
    if data.sent_at and data.sent_at > timezone.now() + dt.timedelta(minutes=5):
        errors["sent_at"] = "Date the email was sent must be today or in the past"
    _check_upn_postcode_dates(data, errors, today=today or timezone.localdate())
    if data.safeguarding_concern and not data.safeguarding_detail.strip():
        errors["safeguarding_detail"] = "Describe the safeguarding concern"
    return errors


@transaction.atomic
def mailbox_log(*, actor: Auditor, user: User, data: MailboxInput, notify: bool = True) -> Notification:
    """Log an email to the CME mailbox as an intake item (the raw .eml kept as an attachment). Raises IntakeInvalid.

    The same email logged twice (same Message-ID, or the same child) is attached to the first, not duplicated.
    """
    errors = validate_mailbox(data)
    if errors:
        raise IntakeInvalid(errors)
    key = identity_key(upn=data.upn, forename=data.forename, surname=data.surname,
                       date_of_birth=data.date_of_birth) or (f"mail:{data.message_id}" if data.message_id else "")
    details = {"subject": data.subject.strip(), "from": data.sender.strip(),
               "sent_at": data.sent_at.isoformat() if data.sent_at else "", "message_id": data.message_id,
               "attachment_names": data.attachment_names, "logged_by": user.email}
    notification = notification_receive(
        actor=actor, local_authority=user.local_authority, kind=Kind.MAILBOX,
        reported=Reported(forename=data.forename, surname=data.surname, date_of_birth=data.date_of_birth,
                          upn=data.upn, postcode=data.postcode),
        summary=data.body.strip(), details=details, submitted_by=user, reporter_name=data.sender.strip(),
        reporter_contact=data.sender.strip(), referrer_agency="mailbox",
        safeguarding_concern=data.safeguarding_concern, safeguarding_detail=data.safeguarding_detail.strip(),
        received_at=data.sent_at, dedupe_key=key, notify=notify,
    )
    if data.raw:
        NotificationAttachment.objects.create(
            notification=notification, filename=(data.filename or "message.eml")[:200],
            content_type="message/rfc822", size=len(data.raw), sha256=hashlib.sha256(data.raw).hexdigest(),
            content=data.raw,
        )
    return notification


# --- Other local authorities -------------------------------------------------------------------------------


def la_enquiry_default_due(asked_on: dt.date) -> dt.date:
    return calendar.add_working_days(asked_on, setting_int("CME_LA_ENQUIRY_DAYS", DEFAULT_LA_ENQUIRY_WORKING_DAYS))


def validate_la_enquiry(data: LAEnquiryInput, *, local_authority: LocalAuthority, today: dt.date | None = None
                        ) -> dict[str, str]:
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if data.direction not in LAEnquiry.Direction.values:
        errors["direction"] = "Select whether the enquiry was received or sent"
    code = data.other_la_code.strip()
    if not la_codes.la_name(code):
        errors["other_la_code"] = "Enter the other local authority's 3-digit LA code, like 825"
    elif code == local_authority.code:
        errors["other_la_code"] = f"Enter another local authority's code: {code} is your own"
    if data.other_la_contact_email:
        try:
            validate_email(data.other_la_contact_email.strip())
        except ValidationError:
            errors["other_la_contact_email"] = "Enter an email address in the correct format, like name@example.com"
    if not (data.forename.strip() or data.surname.strip() or data.upn.strip()):
        errors["forename"] = "Enter the child's name or UPN"
    _check_upn_postcode_dates(data, errors, today=today)
    if not data.question.strip():
        errors["question"] = "Enter what was asked"
    if data.asked_on is None:
        errors["asked_on"] = "Enter the date the enquiry was received or sent"
    elif data.asked_on > today:
        errors["asked_on"] = "Date must be today or in the past"
    if data.response_due and data.asked_on and data.response_due < data.asked_on:
        errors["response_due"] = "The response deadline must be on or after the date of the enquiry"
    return errors


@transaction.atomic
def la_enquiry_record(*, actor: Auditor, user: User, data: LAEnquiryInput, notify: bool = True) -> LAEnquiry:
    """Record an enquiry to or from another LA. A received one also lands in the triage queue. Raises IntakeInvalid."""
    la = user.local_authority
    errors = validate_la_enquiry(data, local_authority=la)
    notification = None
    if data.notification_id is not None:
        notification = Notification.objects.for_user(user).filter(pk=data.notification_id).first()
        if notification is None:
            errors["notification_id"] = "That notification was not found"
    if errors:
        raise IntakeInvalid(errors)
    asked_on = data.asked_on
    assert asked_on is not None  # noqa: S101 - validated
    code = data.other_la_code.strip()
    other_name = la_codes.la_name(code) or code
    due = data.response_due or la_enquiry_default_due(asked_on)
    if data.direction == LAEnquiry.Direction.RECEIVED and notification is None:
        today = timezone.localdate()
        received_at = timezone.now() if asked_on == today else timezone.make_aware(
            dt.datetime.combine(asked_on, dt.time(9, 0)))
        notification = notification_receive(
            actor=actor, local_authority=la, kind=Kind.LA_ENQUIRY,
            reported=Reported(forename=data.forename, surname=data.surname, date_of_birth=data.date_of_birth,
                              upn=data.upn, address=data.address, postcode=data.postcode),
            summary=data.question.strip(),
            details={"other_la_code": code, "other_la_name": other_name, "response_due": due.isoformat()},
            submitted_by=user, reporter_name=data.other_la_contact_name.strip() or other_name,
            reporter_contact=data.other_la_contact_email.strip(), referrer_agency="other_la", received_at=received_at,
            dedupe_key=identity_key(upn=data.upn, forename=data.forename, surname=data.surname,
                                    date_of_birth=data.date_of_birth), notify=notify,
        )
    enquiry = LAEnquiry.objects.create(
        local_authority=la, direction=data.direction, other_la_code=code, other_la_name=other_name,
        other_la_contact_name=data.other_la_contact_name.strip(),
        other_la_contact_email=data.other_la_contact_email.strip(), forename=data.forename.strip(),
        surname=data.surname.strip(), date_of_birth=data.date_of_birth,
        upn=upns.normalise(data.upn) if data.upn else "", address=data.address.strip(),
        postcode=postcodes.normalise(data.postcode) or data.postcode.strip().upper(), question=data.question.strip(),
        asked_on=asked_on, response_due=due, notification=notification,
        child=notification.child if notification else None, created_by=user,
    )
    actor.record(AuditEvent.Action.CREATE, enquiry, child_id=enquiry.child_id, local_authority_id=la.pk,
                 summary=f"enquiry {enquiry.get_direction_display().lower()} ({other_name})")
    return enquiry


@transaction.atomic
def la_enquiry_respond(*, actor: Auditor, user: User, enquiry: LAEnquiry, answer: str, response: str,
                       responded_on: dt.date | None = None) -> LAEnquiry:
    """Record the answer: ours to a received enquiry, or theirs to one we sent. Raises IntakeInvalid."""
    today = timezone.localdate()
    responded_on = responded_on or today
    errors: dict[str, str] = {}
    if not enquiry.is_open:
        errors["answer"] = "This enquiry already has a response"
    if answer not in LAEnquiry.Answer.values:
        errors["answer"] = "Select the answer"
    if not response.strip():
        errors["response"] = "Enter the response"
    if responded_on > today:
        errors["responded_on"] = "Date of the response must be today or in the past"
    elif responded_on < enquiry.asked_on:
        errors["responded_on"] = "Date of the response must be on or after the date of the enquiry"
    if errors:
        raise IntakeInvalid(errors)
    enquiry.answer, enquiry.response, enquiry.responded_on, enquiry.responded_by = (
        answer, response.strip(), responded_on, user)
    enquiry.save(update_fields=["answer", "response", "responded_on", "responded_by", "updated_at"])
    actor.record(AuditEvent.Action.UPDATE, enquiry, child_id=enquiry.child_id, summary="enquiry response recorded")
    return enquiry


def input_as_dict(data: Any) -> dict[str, Any]:
    """An input dataclass as JSON-safe values (for the API's echo and for tests)."""
    return {k: (v.isoformat() if isinstance(v, dt.date | dt.datetime) else v)
            for k, v in asdict(data).items() if not isinstance(v, bytes)}

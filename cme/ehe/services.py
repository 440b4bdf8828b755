"""Writes to the EHE register. Every write is audited with the child's id; each record keeps the child's
`EducationOtherwise(kind="ehe")` period in step, so the derived education status has one source (R5.5).

`ehe_mark_unsuitable` is the EHE -> CME transition (R5.5): the cases app calls it (exact contract).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor, diff
from cme.children.models import Child, Contact, EducationOtherwise
from cme.core.models import LocalAuthority
from cme.ehe import rules
from cme.ehe.models import EHEConcern, EHEContact, EHERecord, SAOStage, SuitabilityEnquiry
from cme.notifications.models import Notification
from cme.notifications.services import notification_link_child, notification_triage

Suitability = EHERecord.Suitability
EO_SUITABILITY = {
    Suitability.NOT_ASSESSED: EducationOtherwise.Suitability.UNKNOWN,
    Suitability.SUITABLE: EducationOtherwise.Suitability.SUITABLE,
    Suitability.NOT_SUITABLE: EducationOtherwise.Suitability.NOT_SUITABLE,
}
EO_SOURCE = "EHE register"


class EHEError(Exception):
    """A register rule refused the change; the message is shown to the officer."""


def sao_notice_days(local_authority: LocalAuthority) -> int:
    """Days a s437(1) notice gives the parent: the LA's setting, else CME_SAO_NOTICE_DAYS, default and
    minimum 15 (s437(2); R5.4)."""
    configured = getattr(local_authority, "sao_notice_days", None)
    if configured is None:
        configured = getattr(settings, "CME_SAO_NOTICE_DAYS", rules.STATUTORY_MIN_NOTICE_DAYS)
    return rules.notice_days(configured)


def _label(actor: Auditor) -> str:
    return actor.label


def _require_active(record: EHERecord) -> None:
    if record.status != EHERecord.Status.ACTIVE:
        raise EHEError("This EHE record has ended. Open a new record if the child is home educated again.")


def _parents(child: Child, contact_ids: Iterable[int]) -> list[Contact]:
    ids = [int(i) for i in contact_ids]
    if not ids:
        return []
    parents = list(Contact.objects.filter(pk__in=ids, child_links__child=child).distinct())
    if len(parents) != len(set(ids)):
        raise EHEError("Choose parents or carers from the child's own contacts.")
    return parents


def _period_sync(record: EHERecord) -> EducationOtherwise:
    """Keep the child's EHE period as the record says: dates and suitability."""
    period = record.education_otherwise
    if period is None:
        period = EducationOtherwise(child_id=record.child_id, kind=EducationOtherwise.Kind.EHE, source=EO_SOURCE)
    period.start = record.start_date
    period.end = record.ended_on if record.status == EHERecord.Status.ENDED else None
    period.suitability = EO_SUITABILITY[Suitability(record.suitability)]
    period.save()
    if record.education_otherwise_id != period.pk:
        record.education_otherwise = period
        record.save(update_fields=["education_otherwise", "updated_at"])
    return period


@transaction.atomic
def ehe_record_open(
    *,
    actor: Auditor,
    user: User | None,
    child: Child,
    start_date: dt.date,
    source: str,
    reason: str = EHERecord.Reason.NOT_GIVEN,
    reason_detail: str = "",
    educating_parent_ids: Iterable[int] = (),
    notification: Notification | None = None,
    officer: User | None = None,
) -> EHERecord:
    """Open the child's EHE record (R5.5: a ground F deletion opens an EHE record, not a CME case).

    Adopts the child's open EHE period if one exists (e.g. recorded from a feed), else starts one. When opened
    from a notification still awaiting triage, the notification is matched to the child and triaged to the
    EHE team."""
    Child.objects.select_for_update().filter(pk=child.pk).first()
    if EHERecord.objects.filter(child=child, status=EHERecord.Status.ACTIVE).exists():
        raise EHEError("This child already has an open EHE record.")
    if source not in EHERecord.Source.values:
        raise EHEError("Say who told us about the home education.")
    parents = _parents(child, educating_parent_ids)
    period = (
        EducationOtherwise.objects.filter(child=child, kind=EducationOtherwise.Kind.EHE, end__isnull=True,
                                          ehe_record__isnull=True).order_by("-start").first()
    )
    record = EHERecord.objects.create(
        local_authority_id=child.local_authority_id, child=child, education_otherwise=period,
        notification=notification, start_date=start_date, reason=reason, reason_detail=reason_detail.strip(),
        source=source, next_annual_contact=rules.next_annual_contact(start_date), officer=officer,
    )
    record.educating_parents.set(parents)
    _period_sync(record)
    if notification is not None:
        if notification.child_id is None:
            notification_link_child(actor=actor, notification=notification, child=child)
        if notification.status == Notification.Status.NEW and user is not None:
            notification_triage(actor=actor, user=user, notification=notification,
                                outcome=Notification.Outcome.EHE_TEAM, reason="EHE record opened")
    actor.record(AuditEvent.Action.CREATE, record, child_id=child.pk, local_authority_id=child.local_authority_id,
                 summary=f"EHE record opened ({record.get_source_display()})")
    return record


EDITABLE = ("reason", "reason_detail", "next_annual_contact", "officer_id")


@transaction.atomic
def ehe_record_update(*, actor: Auditor, record: EHERecord, educating_parent_ids: Iterable[int] | None = None,
                      **changes: Any) -> EHERecord:
    """Change the reason given, the next annual contact date, the officer or who is educating the child."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    before = {name: getattr(record, name) for name in changes}
    for name, value in changes.items():
        setattr(record, name, value)
    record.save()
    if educating_parent_ids is not None:
        record.educating_parents.set(_parents(record.child, educating_parent_ids))
    actor.record(AuditEvent.Action.UPDATE, record, child_id=record.child_id,
                 local_authority_id=record.local_authority_id, changes=diff(before, changes),
                 summary="EHE record changed")
    return record


@transaction.atomic
def ehe_record_end(*, actor: Auditor, user: User | None, record: EHERecord, ended_on: dt.date, end_reason: str,
                   detail: str = "") -> EHERecord:
    """The child is no longer home educated: the record and the child's EHE period end on `ended_on`."""
    _require_active(record)
    if ended_on < record.start_date:
        raise EHEError("The end date must be on or after the date home education started.")
    if end_reason not in EHERecord.EndReason.values:
        raise EHEError("Choose why home education ended.")
    record.status = EHERecord.Status.ENDED
    record.ended_on = ended_on
    record.end_reason = end_reason
    record.end_detail = detail.strip()
    record.save()
    _period_sync(record)
    actor.record(AuditEvent.Action.UPDATE, record, child_id=record.child_id,
                 local_authority_id=record.local_authority_id, reason=detail,
                 summary=f"EHE record ended: {record.get_end_reason_display()}")
    return record


def _decide(*, actor: Auditor, record: EHERecord, suitability: str, reason: str) -> EHERecord:
    _require_active(record)
    before = {"suitability": record.suitability}
    record.suitability = suitability
    record.suitability_decided_on = timezone.localdate()
    record.suitability_reason = reason.strip()
    record.save()
    _period_sync(record)
    actor.record(AuditEvent.Action.UPDATE, record, child_id=record.child_id,
                 local_authority_id=record.local_authority_id, reason=reason,
                 changes=diff(before, {"suitability": suitability}),
                 summary=f"EHE suitability: {record.get_suitability_display()}")
    return record


@transaction.atomic
def ehe_mark_unsuitable(*, actor: Auditor, user: User, record: EHERecord, reason: str) -> EHERecord:
    """The education does not appear suitable (R5.3, R5.5). The child's EHE period is marked "not_suitable",
    so the derived education status becomes CME when the child is on no school roll; the s437 pathway opens."""
    if not reason.strip():
        raise EHEError("Give the reason the education does not appear suitable.")
    return _decide(actor=actor, record=record, suitability=Suitability.NOT_SUITABLE, reason=reason)


@transaction.atomic
def ehe_mark_suitable(*, actor: Auditor, user: User, record: EHERecord, reason: str) -> EHERecord:
    """The education appears suitable (R5.2): the child is not CME."""
    return _decide(actor=actor, record=record, suitability=Suitability.SUITABLE, reason=reason)


@transaction.atomic
def ehe_contact_record(*, actor: Auditor, user: User | None, record: EHERecord, contact_on: dt.date, method: str,
                       notes: str = "", is_annual_contact: bool = False) -> EHEContact:
    """Add to the contact history. An annual contact sets the next one a year on (EHE guidance 2019)."""
    if is_annual_contact:
        _require_active(record)
    contact = EHEContact.objects.create(record=record, contact_on=contact_on, method=method, notes=notes.strip(),
                                        is_annual_contact=is_annual_contact, by=user, by_label=_label(actor))
    if is_annual_contact:
        record.next_annual_contact = rules.next_annual_contact(contact_on)
        record.save(update_fields=["next_annual_contact", "updated_at"])
    actor.record(AuditEvent.Action.CREATE, contact, child_id=record.child_id,
                 local_authority_id=record.local_authority_id,
                 summary=f"EHE {'annual contact' if is_annual_contact else 'contact'}: {contact.get_method_display()}")
    return contact


@transaction.atomic
def suitability_enquiry_record(*, actor: Auditor, user: User | None, record: EHERecord, made_on: dt.date,
                               method: str, notes: str = "") -> SuitabilityEnquiry:
    """An informal enquiry to the parents about the education provided (R5.2: proportionate, parents need not
    "prove" suitability)."""
    _require_active(record)
    enquiry = SuitabilityEnquiry.objects.create(record=record, made_on=made_on, method=method,
                                                information_received=notes.strip(), by=user,
                                                by_label=_label(actor))
    actor.record(AuditEvent.Action.CREATE, enquiry, child_id=record.child_id,
                 local_authority_id=record.local_authority_id, summary="suitability enquiry made")
    return enquiry


@transaction.atomic
def suitability_enquiry_outcome(*, actor: Auditor, user: User, enquiry: SuitabilityEnquiry, outcome: str,
                                outcome_on: dt.date, information_received: str = "",
                                information_received_on: dt.date | None = None) -> SuitabilityEnquiry:
    """Record what the enquiry found and decide suitability from it. No information at all is treated as
    "does not appear suitable" (R5.3: in most cases the LA must then serve a s437(1) notice)."""
    if outcome not in SuitabilityEnquiry.Outcome.values or outcome == SuitabilityEnquiry.Outcome.PENDING:
        raise EHEError("Choose what the enquiry found.")
    if enquiry.outcome != SuitabilityEnquiry.Outcome.PENDING:
        raise EHEError("This enquiry already has an outcome.")
    if outcome_on < enquiry.made_on:
        raise EHEError("The outcome date must be on or after the date of the enquiry.")
    record = enquiry.record
    enquiry.outcome = outcome
    enquiry.outcome_on = outcome_on
    if information_received.strip():
        enquiry.information_received = "\n\n".join(p for p in (enquiry.information_received,
                                                               information_received.strip()) if p)
    enquiry.information_received_on = information_received_on
    enquiry.save()
    found = enquiry.get_outcome_display()
    actor.record(AuditEvent.Action.UPDATE, enquiry, child_id=record.child_id,
                 local_authority_id=record.local_authority_id, summary=f"enquiry outcome: {found}")
    because = f"Suitability enquiry of {enquiry.made_on.day} {enquiry.made_on:%B %Y}: {found}"
    if outcome == SuitabilityEnquiry.Outcome.SUITABLE:
        ehe_mark_suitable(actor=actor, user=user, record=record, reason=because)
    else:
        ehe_mark_unsuitable(actor=actor, user=user, record=record, reason=because)
    return enquiry


@transaction.atomic
def sao_stage_record(*, actor: Auditor, user: User | None, record: EHERecord, stage: str, served_on: dt.date,
                     school_named: str = "", notes: str = "") -> SAOStage:
    """The next step of the school attendance order pathway (R5.3, R5.4). Steps follow each other
    (`rules.SAO_NEXT`); the s437(1) notice needs the education to appear unsuitable, and gives the parent
    the LA's notice period (at least 15 days) before the next step."""
    _require_active(record)
    if stage not in SAOStage.Stage.values:
        raise EHEError("Choose the step.")
    last = record.sao_stages.order_by("-served_on", "-id").first()
    problem = rules.sao_step_problem(
        previous=last.stage if last else None, previous_served_on=last.served_on if last else None,
        previous_due=last.response_due if last else None, step=stage, served_on=served_on,
    )
    if problem:
        raise EHEError(problem)
    if stage == SAOStage.Stage.NOTICE_437_1 and record.suitability != Suitability.NOT_SUITABLE:
        raise EHEError("A s437(1) notice is served only when the education does not appear suitable. "
                       "Record that decision first.")
    if stage == SAOStage.Stage.SAO_437_3 and not school_named.strip():
        raise EHEError("Name the school the order requires the child to attend.")
    due = None
    if stage in rules.STEPS_WITH_A_RESPONSE_PERIOD:
        due = rules.sao_response_due(served_on, sao_notice_days(record.local_authority))
    row = SAOStage.objects.create(record=record, stage=stage, served_on=served_on, response_due=due,
                                  school_named=school_named.strip(), notes=notes.strip(), by=user,
                                  by_label=_label(actor))
    actor.record(AuditEvent.Action.CREATE, row, child_id=record.child_id,
                 local_authority_id=record.local_authority_id, summary=f"SAO pathway: {row.get_stage_display()}")
    return row


@transaction.atomic
def ehe_concern_record(*, actor: Auditor, user: User | None, record: EHERecord, kind: str, raised_on: dt.date,
                       description: str, mash_referral_on: dt.date | None = None, mash_reference: str = "",
                       enquiry_method: str = SuitabilityEnquiry.Method.LETTER) -> EHEConcern:
    """A concern and its route: safety or wellbeing goes to the MASH (the referral is recorded, and its social
    care outcome later); quality only goes into the EHE process as a suitability enquiry."""
    if not description.strip():
        raise EHEError("Describe the concern.")
    concern = EHEConcern(record=record, kind=kind, raised_on=raised_on, description=description.strip(), by=user,
                         by_label=_label(actor))
    if kind == EHEConcern.Kind.SAFETY:
        if mash_referral_on is None:
            raise EHEError("Record the date of the MASH referral: safety and wellbeing concerns go to the MASH.")
        if mash_referral_on < raised_on:
            raise EHEError("The MASH referral cannot be before the concern was raised.")
        concern.mash_referral_on = mash_referral_on
        concern.mash_reference = mash_reference.strip()
        concern.social_care_outcome = EHEConcern.SocialCareOutcome.AWAITING
    elif kind == EHEConcern.Kind.QUALITY:
        concern.enquiry = suitability_enquiry_record(actor=actor, user=user, record=record, made_on=raised_on,
                                                     method=enquiry_method,
                                                     notes=f"Started by a concern about quality: {description.strip()}")
    else:
        raise EHEError("Choose the kind of concern.")
    concern.save()
    actor.record(AuditEvent.Action.CREATE, concern, child_id=record.child_id,
                 local_authority_id=record.local_authority_id, summary=f"EHE concern: {concern.route}")
    return concern


@transaction.atomic
def ehe_concern_outcome(*, actor: Auditor, user: User | None, concern: EHEConcern, outcome: str,
                        outcome_on: dt.date, notes: str = "") -> EHEConcern:
    """What children's social care decided about a MASH referral."""
    if concern.kind != EHEConcern.Kind.SAFETY:
        raise EHEError("Only safety and wellbeing concerns go to the MASH.")
    if outcome not in EHEConcern.SocialCareOutcome.values:
        raise EHEError("Choose the social care outcome.")
    if concern.mash_referral_on and outcome_on < concern.mash_referral_on:
        raise EHEError("The outcome date must be on or after the MASH referral.")
    before = {"social_care_outcome": concern.social_care_outcome}
    concern.social_care_outcome = outcome
    concern.social_care_outcome_on = outcome_on
    concern.social_care_notes = notes.strip()
    concern.save()
    actor.record(AuditEvent.Action.UPDATE, concern, child_id=concern.record.child_id,
                 local_authority_id=concern.record.local_authority_id,
                 changes=diff(before, {"social_care_outcome": outcome}),
                 summary=f"MASH outcome: {concern.get_social_care_outcome_display()}")
    return concern

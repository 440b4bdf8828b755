"""Data protection services: the retention purge (UK GDPR Art 5(1)(e); R8.3), legal holds, subject access
(Art 15), rectification (Art 16, through `children.services.child_update`) and restriction of processing
(Art 18: `processing_restriction_place` / `processing_restriction_lift`; how a restriction follows a merge of two
child records is in `privacy.restrictions`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import ProtectedError, QuerySet
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import Child, ChildAddress, ChildContact, ChildIdentifier, ChildName
from cme.privacy.models import DestructionLog, LegalHold, ProcessingRestriction, RetentionRule
from cme.privacy.restrictions import flag_restricted

ANONYMISED = "Anonymised"


def years_before(on: dt.date, years: int) -> dt.date:
    """The same calendar date `years` earlier (29 February falls back to the 28th)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def held_child_ids(on: dt.date) -> QuerySet[LegalHold, Any]:
    return LegalHold.objects.filter(lifted_at__isnull=True).exclude(until__lt=on).values("child_id")


def restricted_child_ids() -> QuerySet[ProcessingRestriction, Any]:
    return ProcessingRestriction.objects.filter(lifted_at__isnull=True).values("child_id")


Q_ = TypeVar("Q_", bound=QuerySet[Any, Any])


def _not_held(records: Q_, on: dt.date, path: str) -> Q_:
    """Leave out the records of a child nothing may be destroyed about: a legal hold in force, or a restriction of
    processing in force (Art 18(2): a restricted record is stored, not erased, until the restriction is lifted)."""
    return records.exclude(**{f"{path}__in": held_child_ids(on)}).exclude(**{f"{path}__in": restricted_child_ids()})


def _expired_children(rule: RetentionRule, on: dt.date) -> QuerySet[Child]:
    return _not_held(Child.objects.filter(date_of_birth__lte=years_before(on, rule.years))
                     .exclude(legal_surname=ANONYMISED), on, "pk")


def _expired_cases(rule: RetentionRule, on: dt.date) -> QuerySet:  # type: ignore[type-arg]
    from cme.cases.models import Case

    cutoff = timezone.make_aware(dt.datetime.combine(years_before(on, rule.years), dt.time.min))
    return _not_held(Case.objects.filter(closed_at__lt=cutoff), on, "child_id")


def _expired_attendance(rule: RetentionRule, on: dt.date) -> QuerySet:  # type: ignore[type-arg]
    from cme.feeds.models import AttendanceSession

    return _not_held(AttendanceSession.objects.filter(date__lt=years_before(on, rule.years)), on, "child_id")


#: record category -> the records of that category past their retention date (held children excluded).
CATEGORIES: dict[str, Callable[[RetentionRule, dt.date], QuerySet]] = {  # type: ignore[type-arg]
    "child_record": _expired_children,
    "closed_case": _expired_cases,
    "attendance_session": _expired_attendance,
}


def _anonymise_children(children: QuerySet[Child]) -> int:
    ids = list(children.values_list("pk", flat=True))
    for model in (ChildName, ChildIdentifier, ChildAddress, ChildContact):
        model.objects.filter(child_id__in=ids).delete()
    return Child.objects.filter(pk__in=ids).update(
        legal_forename=ANONYMISED, legal_middle_names="", legal_surname=ANONYMISED, preferred_forename="",
        preferred_surname="", upn="", nhs_number="", consistent_identifier="", current_postcode="",
        forename_key="", surname_key="", forename_phonetic="", surname_phonetic="", surname_prefix="",
    )


def _delete(records: QuerySet) -> int:  # type: ignore[type-arg]
    """Delete each record that nothing protects; protected ones stay (reported as not destroyed)."""
    deleted = 0
    for record in records.iterator():
        try:
            with transaction.atomic():
                record.delete()
            deleted += 1
        except ProtectedError:
            continue
    return deleted


@dataclass(frozen=True)
class PurgeLine:
    category: str
    rule: str
    action: str
    due: int
    done: int


@transaction.atomic
def retention_purge(*, dry_run: bool, on: dt.date | None = None) -> list[PurgeLine]:
    """Apply every active retention rule. Dry run: report what is due (categories, counts, rule), change nothing.
    Real run: delete or anonymise, write one DestructionLog row per category (no content) and an audit event.
    Idempotent: a second run finds nothing due."""
    on = on or timezone.localdate()
    lines: list[PurgeLine] = []
    for rule in RetentionRule.objects.filter(active=True):
        finder = CATEGORIES.get(rule.category)
        if finder is None:
            continue
        records = finder(rule, on)
        due = records.count()
        done = 0
        if not dry_run and due:
            done = _anonymise_children(records) if rule.action == RetentionRule.Action.ANONYMISE else _delete(records)
            DestructionLog.objects.create(category=rule.category, rule=str(rule)[:200], action=rule.action,
                                          count=done)
        lines.append(PurgeLine(rule.category, str(rule), rule.action, due, done))
    if not dry_run:
        Auditor.system("privacy.retention_purge").record(
            AuditEvent.Action.DELETE, object_type="privacy.retention",
            summary="retention purge: " + ", ".join(f"{line.category} {line.done}" for line in lines))
    return lines


@transaction.atomic
def legal_hold_place(*, actor: Auditor, user: User, child: Child, reason: str,
                     until: dt.date | None = None) -> LegalHold:
    hold = LegalHold.objects.create(child=child, reason=reason, placed_by=user, until=until)
    actor.record(AuditEvent.Action.CREATE, hold, child_id=child.pk, summary="legal hold placed", reason=reason)
    return hold


@transaction.atomic
def legal_hold_lift(*, actor: Auditor, hold: LegalHold, reason: str) -> LegalHold:
    hold.lifted_at = timezone.now()
    hold.save(update_fields=["lifted_at"])
    actor.record(AuditEvent.Action.UPDATE, hold, child_id=hold.child_id, summary="legal hold lifted", reason=reason)
    return hold


class RestrictionError(ValueError):
    """A restriction of processing that cannot be recorded or lifted as asked (the message says why)."""


RESTRICTED_SUMMARY = "processing restricted (UK GDPR Art 18)"
LIFTED_SUMMARY = "restriction of processing lifted (UK GDPR Art 18(3))"


@transaction.atomic
def processing_restriction_place(*, actor: Auditor, user: User, child: Child, ground: str, requested_by: str,
                                 requested_on: dt.date, detail: str = "") -> ProcessingRestriction:
    """Art 18(1): record a restriction of processing (the ground (a)-(d) and who asked). From now the child's record
    is stored only: hidden from every role but the DPO, kept by the retention purge, left out of detection."""
    if ground not in ProcessingRestriction.Ground.values:
        raise RestrictionError("Choose the ground for the restriction (Art 18(1)(a) to (d)).")
    if requested_on > timezone.localdate():
        raise RestrictionError("The date of the request must be today or in the past.")
    locked = Child.objects.select_for_update().get(pk=child.pk)  # one restriction in force at a time
    if ProcessingRestriction.objects.filter(child=locked, lifted_at__isnull=True).exists():
        raise RestrictionError("Processing of this child's record is already restricted.")
    restriction = ProcessingRestriction.objects.create(
        local_authority_id=locked.local_authority_id, child=locked, ground=ground, requested_by=requested_by,
        requested_on=requested_on, detail=detail, recorded_by=user)
    flag_restricted(locked.pk)
    child.processing_restricted = True
    actor.record(AuditEvent.Action.CREATE, restriction, child_id=child.pk, summary=RESTRICTED_SUMMARY,
                 reason=restriction.get_ground_display())
    return restriction


@transaction.atomic
def processing_restriction_lift(*, actor: Auditor, user: User, restriction: ProcessingRestriction, reason: str,
                                subject_told_on: dt.date, subject_told_how: str) -> ProcessingRestriction:
    """Lift a restriction, with the reason. Art 18(3): the data subject must have been told before it is lifted, so
    the date they were told (not in the future, not before the restriction) and how are required and kept."""
    restriction = ProcessingRestriction.objects.select_for_update().get(pk=restriction.pk)
    if not restriction.in_force:
        raise RestrictionError("This restriction has already been lifted.")
    if not reason.strip() or not subject_told_how.strip():
        raise RestrictionError("Give the reason for lifting and how the data subject was told (Art 18(3)).")
    if subject_told_on > timezone.localdate():
        raise RestrictionError("Tell the data subject before the restriction is lifted (Art 18(3)): the date they "
                               "were told must be today or in the past.")
    if subject_told_on < timezone.localtime(restriction.recorded_at).date():
        raise RestrictionError("The date the data subject was told must be on or after the restriction was "
                               "recorded.")
    restriction.lifted_at = timezone.now()
    restriction.lifted_by = user
    restriction.lift_reason = reason
    restriction.subject_told_on = subject_told_on
    restriction.subject_told_how = subject_told_how
    restriction.save(update_fields=["lifted_at", "lifted_by", "lift_reason", "subject_told_on", "subject_told_how"])
    flag_restricted(restriction.child_id)
    actor.record(AuditEvent.Action.UPDATE, restriction, child_id=restriction.child_id, summary=LIFTED_SUMMARY,
                 reason=f"{reason} (data subject told on {subject_told_on:%d/%m/%Y}: {subject_told_how})"[:500])
    return restriction

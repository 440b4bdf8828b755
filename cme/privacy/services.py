"""Data protection services: the retention purge (UK GDPR Art 5(1)(e); R8.3), legal holds, subject access
(Art 15) and rectification (Art 16, through `children.services.child_update`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, QuerySet
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import Child, ChildAddress, ChildContact, ChildIdentifier, ChildName
from cme.privacy.models import DestructionLog, LegalHold, RetentionRule

ANONYMISED = "Anonymised"


def years_before(on: dt.date, years: int) -> dt.date:
    """The same calendar date `years` earlier (29 February falls back to the 28th)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def held_child_ids(on: dt.date) -> QuerySet[LegalHold, Any]:
    return LegalHold.objects.filter(lifted_at__isnull=True).exclude(until__lt=on).values("child_id")


def _expired_children(rule: RetentionRule, on: dt.date) -> QuerySet[Child]:
    return (Child.objects.filter(date_of_birth__lte=years_before(on, rule.years))
            .exclude(legal_surname=ANONYMISED).exclude(pk__in=held_child_ids(on)))


def _expired_cases(rule: RetentionRule, on: dt.date) -> QuerySet:  # type: ignore[type-arg]
    from cme.cases.models import Case

    cutoff = timezone.make_aware(dt.datetime.combine(years_before(on, rule.years), dt.time.min))
    return Case.objects.filter(closed_at__lt=cutoff).exclude(child_id__in=held_child_ids(on))


def _expired_attendance(rule: RetentionRule, on: dt.date) -> QuerySet:  # type: ignore[type-arg]
    from cme.feeds.models import AttendanceSession

    return AttendanceSession.objects.filter(date__lt=years_before(on, rule.years)).exclude(
        child_id__in=held_child_ids(on))


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

"""Receiving notifications by any route, and triaging them (the outcomes that need no case).

The outcomes "new case" and "add to an existing case" are completed by `cases.services`, which calls
`notification_triage` after creating or finding the case (cases is a higher layer and may import this).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import Child
from cme.children.selectors import ChildSearch, child_search
from cme.core import calendar
from cme.core.models import LocalAuthority
from cme.law import postcode as postcodes
from cme.law import upn as upns
from cme.notifications.models import Notification

Outcome = Notification.Outcome
#: Outcomes recorded here; the case outcomes go through cases.services.
DIRECT_OUTCOMES = {Outcome.ATTENDANCE_MATTER, Outcome.EHE_TEAM, Outcome.NOT_CME, Outcome.SAFEGUARDING_REFERRAL}


class TriageError(Exception):
    pass


def reference_next(*, local_authority: LocalAuthority, received_at: dt.datetime) -> str:
    """CME-YY-NNNNNN, counting up per LA (called inside the receiving transaction)."""
    prefix = f"CME-{received_at:%y}-"
    last = Notification.objects.filter(reference__startswith=prefix).aggregate(m=Max("reference"))["m"]
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:06d}"


def triage_due_date(*, local_authority: LocalAuthority, received_at: dt.datetime) -> dt.date:
    """The policy promise: acted on by the next working day (England and Wales bank holidays excluded)."""
    day = timezone.localtime(received_at).date()
    return calendar.add_working_days(day, local_authority.triage_target_working_days)


@dataclass
class Reported:
    """The child as the notifier described them."""

    forename: str = ""
    surname: str = ""
    date_of_birth: dt.date | None = None
    sex: str = ""
    upn: str = ""
    address: str = ""
    postcode: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@transaction.atomic
def notification_receive(
    *,
    actor: Auditor,
    local_authority: LocalAuthority,
    kind: str,
    reported: Reported,
    summary: str = "",
    details: dict[str, Any] | None = None,
    submitted_by: User | None = None,
    source_organisation_id: int | None = None,
    reporter_name: str = "",
    reporter_contact: str = "",
    referrer_agency: str = "",
    safeguarding_concern: bool = False,
    safeguarding_detail: str = "",
    child: Child | None = None,
    received_at: dt.datetime | None = None,
    dedupe_key: str = "",
    **columns: Any,
) -> Notification:
    """Put anything that arrived into the triage queue, with its reference and its next-working-day target.

    If the reported UPN identifies exactly one child, the notification is linked to them at once; other
    possible matches are shown to the officer at triage (`possible_matches`).
    """
    received_at = received_at or timezone.now()
    upn = upns.normalise(reported.upn) if reported.upn else ""
    postcode = postcodes.normalise(reported.postcode) or reported.postcode.strip().upper() if reported.postcode else ""
    if child is None and upn and upns.is_valid(upn):
        matches = list(Child.objects.filter(local_authority=local_authority, upn=upn, merged_into__isnull=True)[:2])
        child = matches[0] if len(matches) == 1 else None
    notification = Notification.objects.create(
        local_authority=local_authority,
        reference=reference_next(local_authority=local_authority, received_at=received_at),
        kind=kind,
        received_at=received_at,
        triage_due=triage_due_date(local_authority=local_authority, received_at=received_at),
        source_organisation_id=source_organisation_id,
        submitted_by=submitted_by,
        reporter_name=reporter_name,
        reporter_contact=reporter_contact,
        referrer_agency=referrer_agency,
        forename=reported.forename.strip(),
        surname=reported.surname.strip(),
        date_of_birth=reported.date_of_birth,
        sex=reported.sex,
        upn=upn,
        address=reported.address.strip(),
        postcode=postcode,
        summary=summary,
        details={**(details or {}), **reported.extra},
        safeguarding_concern=safeguarding_concern,
        safeguarding_detail=safeguarding_detail,
        child=child,
        dedupe_key=dedupe_key,
        **columns,
    )
    actor.record(AuditEvent.Action.CREATE, notification, child_id=child.pk if child else None,
                 local_authority_id=local_authority.pk, summary=f"{notification.get_kind_display()} received")
    return notification


def possible_matches(*, user: User, notification: Notification, limit: int = 10) -> list[Any]:
    """Children who may be the one reported, best first, with the search's reasons (UPN, name, DOB)."""
    hits = []
    if notification.upn:
        hits += child_search(user=user, search=ChildSearch(upn=notification.upn), limit=limit)
    name = f"{notification.forename} {notification.surname}".strip()
    if name:
        by_name = child_search(user=user, search=ChildSearch(name=name), limit=limit * 3)
        if notification.date_of_birth:
            exact = [h for h in by_name if h.child.date_of_birth == notification.date_of_birth]
            for hit in exact:
                hit.reasons = ["name", "date of birth"]
                hit.score = min(1.0, hit.score + 0.1)
            by_name = exact + [h for h in by_name if h not in exact]
        hits += by_name
    seen: set[int] = set()
    unique = []
    for hit in hits:
        if hit.child.pk not in seen:
            seen.add(hit.child.pk)
            unique.append(hit)
    return unique[:limit]


@transaction.atomic
def notification_link_child(*, actor: Auditor, notification: Notification, child: Child) -> Notification:
    if child.local_authority_id != notification.local_authority_id:
        raise TriageError("That child belongs to another local authority.")
    notification.child = child
    notification.save(update_fields=["child", "updated_at"])
    actor.record(AuditEvent.Action.UPDATE, notification, child_id=child.pk, summary="matched to a child")
    return notification


@transaction.atomic
def notification_triage(*, actor: Auditor, user: User, notification: Notification, outcome: str,
                        reason: str = "", allow_case_outcomes: bool = False) -> Notification:
    """Record the triage decision. Refuses a second triage and outcomes that need a case (unless the caller
    is cases.services, which passes allow_case_outcomes after opening or finding the case)."""
    locked = Notification.objects.select_for_update().get(pk=notification.pk)
    if locked.status != Notification.Status.NEW:
        raise TriageError(f"{locked.reference} was already triaged ({locked.get_outcome_display()}).")
    if outcome not in Outcome.values:
        raise TriageError("Choose a triage outcome.")
    if outcome not in DIRECT_OUTCOMES and not allow_case_outcomes:
        raise TriageError("Open or choose the case first.")
    if outcome == Outcome.NOT_CME and not reason.strip():
        raise TriageError("Give the reason this is not a child missing education.")
    locked.status = Notification.Status.TRIAGED
    locked.outcome = outcome
    locked.outcome_reason = reason.strip()
    locked.triaged_by = user
    locked.triaged_at = timezone.now()
    locked.save(update_fields=["status", "outcome", "outcome_reason", "triaged_by", "triaged_at", "updated_at"])
    actor.record(AuditEvent.Action.UPDATE, locked, child_id=locked.child_id, reason=reason,
                 summary=f"triaged: {locked.get_outcome_display()}")
    return locked

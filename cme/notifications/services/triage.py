"""Receiving anything into the triage queue, duplicates, safeguarding escalation, acknowledgements, matching and
the triage decision itself. The routes in (`returns`, `routes`) all end in `notification_receive`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import Child, RiskFlag
from cme.children.selectors import ChildSearch, child_search
from cme.children.services import search_keys
from cme.core import calendar
from cme.core.email import send_email
from cme.core.models import LocalAuthority
from cme.law import postcode as postcodes
from cme.law import upn as upns
from cme.notifications.models import Notification
from cme.settings.env import env, envint

Outcome = Notification.Outcome
Kind = Notification.Kind
#: Outcomes recorded here; the case outcomes go through cases.services.
DIRECT_OUTCOMES = {Outcome.ATTENDANCE_MATTER, Outcome.EHE_TEAM, Outcome.NOT_CME, Outcome.SAFEGUARDING_REFERRAL}
#: Outcomes that need a reason in words (not CME: why; safeguarding: to whom and when).
REASON_REQUIRED = {
    Outcome.NOT_CME: "Give the reason this is not a child missing education",
    Outcome.SAFEGUARDING_REFERRAL: "Record who the child was referred to (MASH or police), when and by whom",
}


class TriageError(Exception):
    pass


class IntakeInvalid(Exception):
    """The input breaks a rule: `errors` is {field: GOV.UK error message}."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def setting_int(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    return int(value) if value is not None else envint(name, default)


# --- Receiving ---------------------------------------------------------------------------------------------


def reference_next(*, local_authority: LocalAuthority, received_at: dt.datetime) -> str:
    """CME-YY-NNNNNN, counting up (called inside the receiving transaction)."""
    prefix = f"CME-{received_at:%y}-"
    last = Notification.objects.filter(reference__startswith=prefix).aggregate(m=Max("reference"))["m"]
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:06d}"


def triage_due_date(*, local_authority: LocalAuthority, received_at: dt.datetime) -> dt.date:
    """The policy promise: acted on by the next working day (England and Wales bank holidays excluded)."""
    day = timezone.localdate(received_at)
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


def identity_key(*, upn: str = "", forename: str = "", surname: str = "", date_of_birth: dt.date | None = None) -> str:
    """The dedupe key of a reported child: their UPN, or name and date of birth (names canonicalised)."""
    upn = upns.normalise(upn) if upn else ""
    if upn and upns.is_valid(upn):
        return f"upn:{upn}"
    if forename.strip() and surname.strip() and date_of_birth:
        keys = search_keys(forename=forename, surname=surname)
        return f"person:{keys['forename_key']}:{keys['surname_key']}:{date_of_birth.isoformat()}"
    return ""


def notification_open_duplicates(*, local_authority_id: int, child_id: int | None = None, dedupe_key: str = "",
                                 exclude_pk: int | None = None) -> QuerySet[Notification]:
    """Open (awaiting triage) notifications about the same child or with the same dedupe key, oldest first."""
    match = Q()
    if child_id:
        match |= Q(child_id=child_id)
    if dedupe_key:
        match |= Q(dedupe_key=dedupe_key)
    if not match:
        return Notification.objects.none()
    found = Notification.objects.filter(match, local_authority_id=local_authority_id, status=Notification.Status.NEW)
    if exclude_pk:
        found = found.exclude(pk=exclude_pk)
    return found.order_by("received_at", "pk")


def urgent_flags(child: Child | None, on: dt.date | None = None) -> list[str]:
    """Labels of the child's active risk flags whose type needs an immediate safeguarding referral."""
    if child is None:
        return []
    day = on or timezone.localdate()
    flags = RiskFlag.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day), child=child, flag_type__needs_immediate_referral=True,
        flag_type__is_active=True,
    ).select_related("flag_type")
    return [flag.flag_type.label for flag in flags]


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
    attach_duplicates: bool = True,
    escalate: bool = True,
    notify: bool = True,
    **columns: Any,
) -> Notification:
    """Put anything that arrived into the triage queue, with its reference and its next-working-day target.

    If the reported UPN identifies exactly one child, the notification is linked to them at once; other
    possible matches are shown to the officer at triage (`possible_matches`). If a notification about the same
    child (or with the same dedupe key) is still awaiting triage, this one is attached to it (status
    "attached", `duplicate_of`) and is not a second queue item. A safeguarding concern, or a child with a risk
    flag that needs an immediate referral, escalates the queue item at once (`notification_escalate`).
    """
    received_at = received_at or timezone.now()
    upn = upns.normalise(reported.upn) if reported.upn else ""
    postcode = postcodes.normalise(reported.postcode) or reported.postcode.strip().upper() if reported.postcode else ""
    if child is None and upn and upns.is_valid(upn):
        matches = list(Child.objects.filter(local_authority=local_authority, upn=upn, merged_into__isnull=True)[:2])
        child = matches[0] if len(matches) == 1 else None
    fields = dict(
        local_authority=local_authority,
        kind=kind,
        received_at=received_at,
        triage_due=triage_due_date(local_authority=local_authority, received_at=received_at),
        source_organisation_id=source_organisation_id,
        submitted_by=submitted_by,
        reporter_name=reporter_name[:150],
        reporter_contact=reporter_contact[:200],
        referrer_agency=referrer_agency,
        forename=reported.forename.strip()[:100],
        surname=reported.surname.strip()[:100],
        date_of_birth=reported.date_of_birth,
        sex=reported.sex,
        upn=upn[:13],
        address=reported.address.strip()[:300],
        postcode=postcode[:8],
        summary=summary,
        details={**(details or {}), **reported.extra},
        safeguarding_concern=safeguarding_concern,
        safeguarding_detail=safeguarding_detail,
        child=child,
        dedupe_key=dedupe_key[:120],
        **columns,
    )
    # CONC-3: two reports about one child can arrive at the same moment. The database keeps one awaiting triage per
    # dedupe key (constraint one_new_notification_per_dedupe_key) and one per reference: the one that loses the
    # race is stored again, attached to the winner, with the next reference.
    for attempt in range(3):
        original = None
        if attach_duplicates:
            original = notification_open_duplicates(local_authority_id=local_authority.pk,
                                                    child_id=child.pk if child else None,
                                                    dedupe_key=dedupe_key).first()
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    reference=reference_next(local_authority=local_authority, received_at=received_at),
                    status=Notification.Status.ATTACHED if original else Notification.Status.NEW,
                    duplicate_of=original, **fields)
            break
        except IntegrityError:
            if attempt == 2:
                raise
    note = f" (attached to {original.reference})" if original else ""
    actor.record(AuditEvent.Action.CREATE, notification, child_id=child.pk if child else None,
                 local_authority_id=local_authority.pk, summary=f"{notification.get_kind_display()} received{note}")
    if escalate:
        reason = ""
        if safeguarding_concern:
            reason = "The person who told us reported a safeguarding concern."
        elif urgent_flags(child):
            reason = "The child has a risk flag that needs an immediate safeguarding referral."
        if reason:
            # The queue item is the original when this one is attached to it: that is the one escalated and emailed.
            notification_escalate(actor=actor, notification=notification, reason=reason,
                                  notify=notify and original is None)
            if original is not None:
                notification_escalate(actor=actor, notification=original,
                                      reason=f"{reason} (in {notification.reference}, attached)", notify=notify)
    return notification


def _site_url(path: str) -> str:
    """Absolute link for emails: setting or environment variable CME_SITE_URL (e.g. https://cme.example.gov.uk)."""
    base = getattr(settings, "CME_SITE_URL", "") or env("CME_SITE_URL")
    return f"{base.rstrip('/')}{path}"


def _emails_of(local_authority_id: int, roles: list[str]) -> list[str]:
    return list(User.objects.filter(local_authority_id=local_authority_id, role__in=roles, is_active=True)
                .order_by("email").values_list("email", flat=True))


def send_after_commit(*, to: list[str], subject: str, body: str, reference: str = "") -> None:
    """Send once the transaction commits (never for a write that rolled back); a failed send is logged."""
    if not to:
        return
    transaction.on_commit(lambda: send_email(to=to, subject=subject, body=body, reference=reference), robust=True)


@transaction.atomic
def notification_escalate(*, actor: Auditor, notification: Notification, reason: str, notify: bool = True
                          ) -> Notification:
    """Safeguarding: mark urgent (top of the queue) and email the CME mailbox and the attendance managers at once.

    The email names no child (not in the subject, not in the body): it gives the reference and a link.
    Escalating an item that is already urgent changes nothing and sends nothing.
    """
    if notification.is_urgent:
        return notification
    notification.is_urgent = True
    notification.urgent_reason = reason[:200]
    notification.escalated_at = timezone.now()
    notification.save(update_fields=["is_urgent", "urgent_reason", "escalated_at", "updated_at"])
    actor.record(AuditEvent.Action.UPDATE, notification, child_id=notification.child_id,
                 local_authority_id=notification.local_authority_id, summary="escalated: safeguarding", reason=reason)
    if notify:
        la = notification.local_authority
        recipients = [la.cme_mailbox, *_emails_of(la.pk, [Role.ATTENDANCE_MANAGER])]
        link = _site_url(reverse("notifications:triage-detail", kwargs={"pk": notification.pk}))
        send_after_commit(
            to=[r for r in recipients if r],
            subject=f"Urgent: safeguarding – {notification.reference} needs action now",
            body=(
                f"{notification.get_kind_display()} {notification.reference}, received "
                f"{timezone.localtime(notification.received_at):%d %B %Y at %H:%M}, has been marked urgent.\n\n"
                f"Why: {reason}\n\nTriage it now and refer to MASH or the police if the child may be at risk:\n"
                f"{link}\n\nThis email does not name the child. Sign in to see the details."
            ),
            reference=notification.reference,
        )
    return notification


def acknowledge(*, notification: Notification, to: str, what: str) -> None:
    """Acknowledgement with the reference only: never anything about the child."""
    if not to:
        return
    la = notification.local_authority
    contact = (f"\n\nIf you need to contact us, email {la.cme_mailbox} and quote the reference."
               if la.cme_mailbox else "")
    send_after_commit(
        to=[to],
        subject=f"We have received your {what}: {notification.reference}",
        body=(
            f"Thank you. The {la.name} children missing education team has received your {what}.\n\n"
            f"Your reference is {notification.reference}.{contact}\n\n"
            "We act on every report by the next working day. We cannot tell you what happens about any child."
        ),
        reference=notification.reference,
    )


# --- Matching and triage -----------------------------------------------------------------------------------


def possible_matches(*, user: User, notification: Notification, limit: int = 10) -> list[Any]:
    """Children who may be the one reported, best first, with the search's reasons (UPN, name, DOB, postcode)."""
    hits = []
    if notification.upn:
        hits += child_search(user=user, search=ChildSearch(upn=notification.upn), limit=limit)
    name = f"{notification.forename} {notification.surname}".strip()
    if name:
        by_name = child_search(user=user, search=ChildSearch(name=name), limit=limit * 3)
        boosted = []
        for hit in by_name:
            extra = []
            if notification.date_of_birth and hit.child.date_of_birth == notification.date_of_birth:
                extra.append("date of birth")
            if notification.postcode and hit.child.current_postcode == notification.postcode:
                extra.append("postcode")
            if extra:
                hit.reasons = [*hit.reasons, *extra]
                hit.score = min(1.0, hit.score + 0.05 * len(extra))
                boosted.append(hit)
        by_name = sorted(boosted, key=lambda h: -h.score) + [h for h in by_name if h not in boosted]
        hits += by_name
    elif notification.date_of_birth and notification.postcode:
        hits += child_search(user=user, search=ChildSearch(date_of_birth=notification.date_of_birth,
                                                           postcode=notification.postcode), limit=limit)
    seen: set[int] = set()
    unique = []
    for hit in hits:
        if hit.child.pk not in seen:
            seen.add(hit.child.pk)
            unique.append(hit)
    return unique[:limit]


class TriageChildError(TriageError):
    pass


@transaction.atomic
def notification_link_child(*, actor: Auditor, notification: Notification, child: Child) -> Notification:
    """Record which child the notification is about (the officer's match at triage); escalates if the child has a
    risk flag needing an immediate referral."""
    if child.local_authority_id != notification.local_authority_id:
        raise TriageChildError("That child belongs to another local authority.")
    notification.child = child
    notification.save(update_fields=["child", "updated_at"])
    actor.record(AuditEvent.Action.UPDATE, notification, child_id=child.pk, summary="matched to a child")
    if urgent_flags(child):
        notification_escalate(actor=actor, notification=notification,
                              reason="The child has a risk flag that needs an immediate safeguarding referral.")
    return notification


@transaction.atomic
def notification_triage(*, actor: Auditor, user: User, notification: Notification, outcome: str,
                        reason: str = "", allow_case_outcomes: bool = False) -> Notification:
    """Record the triage decision. Refuses a second triage and outcomes that need a case (unless the caller
    is cases.services, which passes allow_case_outcomes after opening or finding the case).

    Reports attached to this one take the same outcome. EHE team: the EHE officers are told; attendance matter:
    the school that sent it is told (by reference only).
    """
    locked = Notification.objects.select_for_update().get(pk=notification.pk)
    if locked.status != Notification.Status.NEW:
        if locked.status == Notification.Status.ATTACHED:
            raise TriageError(f"{locked.reference} is attached to another notification: triage that one.")
        raise TriageError(f"{locked.reference} was already triaged ({locked.get_outcome_display()}).")
    if outcome not in Outcome.values:
        raise TriageError("Choose a triage outcome.")
    if outcome not in DIRECT_OUTCOMES and not allow_case_outcomes:
        raise TriageError("Open or choose the case first.")
    if outcome in REASON_REQUIRED and not reason.strip():
        raise TriageError(REASON_REQUIRED[Outcome(outcome)])
    now = timezone.now()
    locked.status = Notification.Status.TRIAGED
    locked.outcome = outcome
    locked.outcome_reason = reason.strip()
    locked.triaged_by = user
    locked.triaged_at = now
    locked.save(update_fields=["status", "outcome", "outcome_reason", "triaged_by", "triaged_at", "updated_at"])
    actor.record(AuditEvent.Action.UPDATE, locked, child_id=locked.child_id, reason=reason,
                 summary=f"triaged: {locked.get_outcome_display()}")
    attached = list(Notification.objects.filter(duplicate_of=locked, status=Notification.Status.ATTACHED))
    for duplicate in attached:
        duplicate.outcome, duplicate.outcome_reason = outcome, reason.strip()
        duplicate.triaged_by, duplicate.triaged_at = user, now
        if duplicate.child_id is None and locked.child_id:
            duplicate.child_id = locked.child_id
        duplicate.save(update_fields=["outcome", "outcome_reason", "triaged_by", "triaged_at", "child",
                                      "updated_at"])
        actor.record(AuditEvent.Action.UPDATE, duplicate, child_id=duplicate.child_id,
                     summary=f"triaged with {locked.reference}: {duplicate.get_outcome_display()}")
    _triage_notices(locked)
    return locked


def _triage_notices(notification: Notification) -> None:
    la = notification.local_authority
    link = _site_url(reverse("notifications:triage-detail", kwargs={"pk": notification.pk}))
    if notification.outcome == Outcome.EHE_TEAM:
        send_after_commit(
            to=_emails_of(la.pk, [Role.EHE_OFFICER]),
            subject=f"Passed to the EHE team: {notification.reference}",
            body=f"{notification.get_kind_display()} {notification.reference} has been passed to the elective home "
                 f"education team at triage.\n\n{link}",
            reference=notification.reference,
        )
    elif notification.outcome == Outcome.ATTENDANCE_MATTER and notification.source_organisation_id and (
        notification.source_organisation.kind == "school"  # type: ignore[union-attr]
    ):
        school_users = list(User.objects.filter(organisation_id=notification.source_organisation_id, is_active=True)
                            .values_list("email", flat=True))
        send_after_commit(
            to=school_users,
            subject=f"An attendance matter for your school: {notification.reference}",
            body=(
                f"The {la.name} children missing education team has looked at {notification.reference}. The pupil "
                "is on your school's roll, so this is an attendance matter for the school, not a child missing "
                "education. Please follow your attendance procedures and keep the local authority's attendance "
                "support team informed."
            ),
            reference=notification.reference,
        )




def iso_or_blank(value: dt.date | None) -> str:
    return value.isoformat() if value else ""

"""Writes for the multi-agency panel. Keyword-only, explicit actor, in a transaction, audited.

Access: when a case joins a meeting's agenda, every panel member invited to that meeting is granted access to
the child (children.ChildAccessGrant) until the end of the access window after the meeting; removing the case or
the attendee revokes it. Casework roles see the LA's cases anyway and get no grant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from cme.accounts.roles import Role
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.cases.models import Case, Task
from cme.cases.services import case_panel_review_record, document_store, task_create
from cme.children.models import ChildAccessGrant
from cme.core import calendar
from cme.panels.models import (
    Decision,
    DecisionAction,
    PanelAttendee,
    PanelItem,
    PanelMeeting,
    PanelSettings,
    grant_reason,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from cme.accounts.models import User
    from cme.core.models import LocalAuthority


class PanelError(Exception):
    """A panel operation that cannot be done; the message is for the officer."""


def panel_settings_for(*, local_authority: LocalAuthority) -> PanelSettings:
    settings_obj, _ = PanelSettings.objects.get_or_create(local_authority=local_authority)
    return settings_obj


SETTINGS_FIELDS = ("not_located_after_weeks", "include_not_located", "min_risk_severity", "include_missed_timescales",
                   "access_working_days_after")


@transaction.atomic
def panel_settings_update(*, actor: Auditor, settings_obj: PanelSettings, **changes: Any) -> PanelSettings:
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    before = {name: getattr(settings_obj, name) for name in changes}
    for name, value in changes.items():
        setattr(settings_obj, name, value)
    settings_obj.save()
    actor.record(AuditEvent.Action.UPDATE, settings_obj, local_authority_id=settings_obj.local_authority_id,
                 changes={k: [str(before[k]), str(v)] for k, v in changes.items() if before[k] != v},
                 summary="panel agenda criteria changed")
    return settings_obj


def access_until(meeting: PanelMeeting) -> dt.datetime:
    """The end of the day, N working days after the meeting, when panel members' access to its cases expires."""
    days = panel_settings_for(local_authority=meeting.local_authority).access_working_days_after
    last_day = calendar.add_working_days(meeting.held_on, days)
    return timezone.make_aware(dt.datetime.combine(last_day, dt.time(23, 59, 59)))


def _needs_grant(user: User | None) -> bool:
    return user is not None and user.role == Role.PANEL_MEMBER


def _grant(*, actor: Auditor, meeting: PanelMeeting, user: User, child_id: int, until: dt.datetime) -> None:
    exists = ChildAccessGrant.objects.active().filter(user=user, child_id=child_id,
                                                      reason=grant_reason(meeting.pk)).exists()
    if exists:
        return
    grant = ChildAccessGrant.objects.create(user=user, child_id=child_id, reason=grant_reason(meeting.pk),
                                            expires_at=until)
    actor.record(AuditEvent.Action.CREATE, grant, child_id=child_id, local_authority_id=meeting.local_authority_id,
                 summary=f"panel access granted to {user.email} until {until:%Y-%m-%d}")


def _revoke(*, actor: Auditor, meeting: PanelMeeting, user_ids: Sequence[int] | None = None,
            child_ids: Sequence[int] | None = None) -> int:
    grants = ChildAccessGrant.objects.filter(reason=grant_reason(meeting.pk), revoked_at__isnull=True)
    if user_ids is not None:
        grants = grants.filter(user_id__in=user_ids)
    if child_ids is not None:
        grants = grants.filter(child_id__in=child_ids)
    rows = list(grants)
    now = timezone.now()
    for grant in rows:
        grant.revoked_at = now
    ChildAccessGrant.objects.bulk_update(rows, ["revoked_at"])
    for grant in rows:
        actor.record(AuditEvent.Action.UPDATE, grant, child_id=grant.child_id,
                     local_authority_id=meeting.local_authority_id, summary="panel access revoked")
    return len(rows)


# --- Meetings ------------------------------------------------------------------------------------------------


@transaction.atomic
def panel_meeting_create(*, actor: Auditor, user: User | None, local_authority: LocalAuthority, held_on: dt.date,
                         term: str, location: str = "", starts_at: dt.time | None = None,
                         terms_of_reference: UploadedFile[Any] | None = None) -> PanelMeeting:
    if not term.strip():
        raise PanelError("Enter the term, for example 'Autumn term 2026'.")
    meeting = PanelMeeting.objects.create(local_authority=local_authority, held_on=held_on, term=term.strip(),
                                          location=location.strip(), starts_at=starts_at,
                                          created_by_label=actor.label)
    if terms_of_reference is not None:
        meeting.terms_of_reference = document_store(actor=actor, user=user, local_authority_id=local_authority.pk,
                                                    upload=terms_of_reference, title="Panel terms of reference")
        meeting.save(update_fields=["terms_of_reference", "updated_at"])
    actor.record(AuditEvent.Action.CREATE, meeting, local_authority_id=local_authority.pk,
                 summary=f"panel meeting scheduled for {held_on}")
    return meeting


@transaction.atomic
def panel_meeting_update(*, actor: Auditor, user: User | None, meeting: PanelMeeting, held_on: dt.date, term: str,
                         location: str = "", starts_at: dt.time | None = None,
                         terms_of_reference: UploadedFile[Any] | None = None) -> PanelMeeting:
    before = {"held_on": str(meeting.held_on), "term": meeting.term, "location": meeting.location}
    meeting.held_on, meeting.term, meeting.location, meeting.starts_at = held_on, term.strip(), location.strip(), \
        starts_at
    if terms_of_reference is not None:
        meeting.terms_of_reference = document_store(actor=actor, user=user,
                                                    local_authority_id=meeting.local_authority_id,
                                                    upload=terms_of_reference, title="Panel terms of reference")
    meeting.save()
    until = access_until(meeting)
    ChildAccessGrant.objects.filter(reason=grant_reason(meeting.pk), revoked_at__isnull=True).update(expires_at=until)
    actor.record(AuditEvent.Action.UPDATE, meeting, local_authority_id=meeting.local_authority_id,
                 changes={k: [v, str(getattr(meeting, k))] for k, v in before.items() if v != str(getattr(meeting, k))},
                 summary="panel meeting changed")
    return meeting


@transaction.atomic
def panel_meeting_mark_held(*, actor: Auditor, meeting: PanelMeeting, attended_ids: Sequence[int] = ()) -> PanelMeeting:
    """The meeting took place: record who attended. Panel members' access still ends with the access window."""
    meeting.status = PanelMeeting.Status.HELD
    meeting.save(update_fields=["status", "updated_at"])
    for attendee in meeting.attendees.all():
        attendee.attended = attendee.pk in set(attended_ids)
        attendee.save(update_fields=["attended"])
    actor.record(AuditEvent.Action.UPDATE, meeting, local_authority_id=meeting.local_authority_id,
                 summary="panel meeting held")
    return meeting


# --- Attendees ----------------------------------------------------------------------------------------------


@transaction.atomic
def panel_attendee_add(*, actor: Auditor, meeting: PanelMeeting, user: User | None = None, name: str = "",
                       agency: str = "") -> PanelAttendee:
    """Invite a user of the service (granting panel members access to the agenda's children) or an outside
    attendee (name and agency only: they see nothing in the service)."""
    if user is not None:
        if user.local_authority_id != meeting.local_authority_id or not user.is_active:
            raise PanelError("Invite active users of this local authority only.")
        if meeting.attendees.filter(user=user).exists():
            raise PanelError(f"{user.full_name} is already invited.")
        name = name.strip() or user.full_name
        agency = agency.strip() or (user.organisation.name if user.organisation_id else user.role_label)  # type: ignore[union-attr]
    if not name.strip():
        raise PanelError("Enter the attendee's name.")
    attendee = PanelAttendee.objects.create(meeting=meeting, user=user, name=name.strip()[:150],
                                            agency=agency.strip()[:150])
    if _needs_grant(user):
        until = access_until(meeting)
        for child_id in meeting.items.values_list("case__child_id", flat=True):
            _grant(actor=actor, meeting=meeting, user=user, child_id=child_id, until=until)  # type: ignore[arg-type]
    actor.record(AuditEvent.Action.CREATE, attendee, local_authority_id=meeting.local_authority_id,
                 summary=f"panel attendee added: {attendee}"[:300])
    return attendee


@transaction.atomic
def panel_attendee_remove(*, actor: Auditor, attendee: PanelAttendee) -> None:
    meeting = attendee.meeting
    if attendee.user_id is not None:
        _revoke(actor=actor, meeting=meeting, user_ids=[attendee.user_id])
    actor.record(AuditEvent.Action.DELETE, attendee, local_authority_id=meeting.local_authority_id,
                 summary=f"panel attendee removed: {attendee}"[:300])
    attendee.delete()


# --- Agenda -------------------------------------------------------------------------------------------------


@transaction.atomic
def panel_item_add(*, actor: Auditor, meeting: PanelMeeting, case: Case, reasons: str = "Added by an officer",
                   order: int | None = None) -> PanelItem:
    if case.local_authority_id != meeting.local_authority_id:
        raise PanelError("That case belongs to another local authority.")
    if not case.is_open:
        raise PanelError(f"{case.reference} is closed.")
    if meeting.items.filter(case=case).exists():
        raise PanelError(f"{case.reference} is already on the agenda.")
    position = order if order is not None else (meeting.items.count() + 1) * 10
    item = PanelItem.objects.create(meeting=meeting, case=case, reasons=reasons[:300], order=position,
                                    added_by_label=actor.label)
    until = access_until(meeting)
    for attendee in meeting.attendees.select_related("user").filter(user__isnull=False):
        if _needs_grant(attendee.user):
            _grant(actor=actor, meeting=meeting, user=attendee.user, child_id=case.child_id, until=until)  # type: ignore[arg-type]
    actor.record(AuditEvent.Action.CREATE, item, child_id=case.child_id, local_authority_id=meeting.local_authority_id,
                 summary=f"{case.reference} added to the panel agenda ({reasons})"[:300])
    return item


@transaction.atomic
def panel_item_remove(*, actor: Auditor, item: PanelItem) -> None:
    if item.decisions.exists():
        raise PanelError("A case with a recorded decision stays on the agenda.")
    meeting = item.meeting
    _revoke(actor=actor, meeting=meeting, child_ids=[item.case.child_id])
    actor.record(AuditEvent.Action.DELETE, item, child_id=item.case.child_id,
                 local_authority_id=meeting.local_authority_id, summary=f"{item.case.reference} taken off the agenda")
    item.delete()


@transaction.atomic
def panel_agenda_build(*, actor: Auditor, meeting: PanelMeeting) -> int:
    """Add every open case that meets the LA's agenda criteria (panels.selectors.agenda_candidates); returns how
    many were added. Cases already on the agenda are left as they are."""
    from cme.panels.selectors import agenda_candidates

    added = 0
    for candidate in agenda_candidates(meeting=meeting):
        panel_item_add(actor=actor, meeting=meeting, case=candidate.case, reasons="; ".join(candidate.reasons))
        added += 1
    return added


@transaction.atomic
def panel_discussion_record(*, actor: Auditor, item: PanelItem, discussion: str) -> PanelItem:
    item.discussion = discussion.strip()
    item.save(update_fields=["discussion"])
    actor.record(AuditEvent.Action.UPDATE, item, child_id=item.case.child_id,
                 local_authority_id=item.meeting.local_authority_id, summary="panel discussion recorded")
    return item


@dataclass(frozen=True)
class ActionInput:
    title: str
    due: dt.date
    assignee: User | None = None


@transaction.atomic
def panel_decision_record(*, actor: Auditor, user: User | None, item: PanelItem, outcome: str, text: str,
                          actions: Sequence[ActionInput] = (), decided_on: dt.date | None = None) -> Decision:
    """What the panel decided about one case, with its actions as tasks on the case. The case records the panel
    review (a not-located closure needs it, R2.7(f))."""
    if outcome not in Decision.Outcome.values:
        raise PanelError("Choose what the panel decided.")
    if not text.strip():
        raise PanelError("Record the decision.")
    day = decided_on or item.meeting.held_on
    decision = Decision.objects.create(item=item, outcome=outcome, text=text.strip(), decided_on=day,
                                       recorded_by=user, recorded_by_label=actor.label)
    case = item.case
    for action in actions:
        task = task_create(actor=actor, local_authority_id=case.local_authority_id, case=case, title=action.title,
                           due=action.due, assignee=action.assignee, source=Task.Source.PANEL,
                           detail=f"Panel action, {day.day} {day:%B %Y}")
        DecisionAction.objects.create(decision=decision, task=task)
    case_panel_review_record(actor=actor, case=case, decided_on=day,
                             outcome_label=decision.get_outcome_display(), summary=decision.text)
    actor.record(AuditEvent.Action.CREATE, decision, child_id=case.child_id,
                 local_authority_id=case.local_authority_id,
                 summary=f"panel decision on {case.reference}: {decision.get_outcome_display()}")
    return decision


def panel_minutes_mark(*, actor: Auditor, meeting: PanelMeeting) -> None:
    PanelMeeting.objects.filter(pk=meeting.pk).update(minutes_generated_at=timezone.now())
    actor.record(AuditEvent.Action.EXPORT, meeting, local_authority_id=meeting.local_authority_id,
                 summary="panel minutes PDF produced")

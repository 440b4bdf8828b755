"""Reads for the panel. Every function that serves a request starts from the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cme.cases.models import ENQUIRING, Case, CaseStatusChoice, Enquiry
from cme.cases.selectors import active_severity
from cme.children.models import RiskFlagType
from cme.core import calendar
from cme.panels.models import Decision, DecisionAction, PanelAttendee, PanelItem, PanelMeeting, PanelSettings

if TYPE_CHECKING:
    from cme.accounts.models import User


def meeting_list(*, user: User) -> QuerySet[PanelMeeting]:
    return PanelMeeting.objects.for_user(user).annotate(item_count=Count("items")).order_by("-held_on", "-id")


def meeting_get(*, user: User, pk: int) -> PanelMeeting:
    meeting = (PanelMeeting.objects.for_user(user).select_related("local_authority", "terms_of_reference")
               .prefetch_related(Prefetch("attendees", queryset=PanelAttendee.objects.select_related("user")))
               .filter(pk=pk).first())
    if meeting is None:
        raise Http404("No panel meeting found")
    return meeting


def next_meeting(*, user: User, today: dt.date | None = None) -> PanelMeeting | None:
    day = today or timezone.localdate()
    return PanelMeeting.objects.for_user(user).filter(held_on__gte=day).order_by("held_on", "id").first()


def items_for(*, user: User, meeting: PanelMeeting) -> list[PanelItem]:
    """The agenda as this user may see it (a panel member: only while their access lasts), in fixed queries."""
    return list(
        PanelItem.objects.for_user(user).filter(meeting=meeting)
        .select_related("case", "case__child", "case__allocated_to")
        .prefetch_related(Prefetch("decisions", queryset=Decision.objects.prefetch_related(
            Prefetch("actions", queryset=DecisionAction.objects.select_related("task", "task__assignee")))))
        .order_by("order", "id")
    )


def item_get(*, user: User, pk: int) -> PanelItem:
    item = (PanelItem.objects.for_user(user).select_related("meeting", "meeting__local_authority", "case",
                                                             "case__child", "case__allocated_to")
            .filter(pk=pk).first())
    if item is None:
        raise Http404("No agenda item found")
    return item


def attendee_get(*, user: User, pk: int) -> PanelAttendee:
    attendee = PanelAttendee.objects.filter(meeting__in=PanelMeeting.objects.for_user(user), pk=pk).select_related(
        "meeting", "meeting__local_authority").first()
    if attendee is None:
        raise Http404("No attendee found")
    return attendee


def settings_for(*, user: User) -> PanelSettings:
    settings_obj, _ = PanelSettings.objects.get_or_create(local_authority_id=user.local_authority_id)
    return settings_obj


# --- Agenda criteria ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    case: Case
    reasons: tuple[str, ...]


def agenda_candidates(*, meeting: PanelMeeting) -> list[Candidate]:
    """Open cases meeting the LA's criteria on the meeting day (PanelSettings), not already on the agenda:
    not located; still open after N weeks (counted in working days); a risk flag at least as severe as the minimum;
    a reasonable enquiry past its due date."""
    criteria = PanelSettings.objects.get_or_create(local_authority_id=meeting.local_authority_id)[0]
    day = meeting.held_on
    cutoff = calendar.add_working_days(day, -5 * criteria.not_located_after_weeks)
    late = Enquiry.objects.outstanding().filter(case=OuterRef("pk"), case__status__in=ENQUIRING, due__lt=day)
    cases = (
        Case.objects.filter(local_authority_id=meeting.local_authority_id).open()
        .filter(child__processing_restricted=False)  # UK GDPR Art 18(2): a restricted child is not put forward
        .exclude(pk__in=meeting.items.values("case_id"))
        .annotate(top_severity=active_severity(), has_late=Exists(late))
        .select_related("child").order_by("-priority", "opened_at", "id")
    )
    out = []
    for case in cases:
        reasons = []
        if criteria.include_not_located and case.status == CaseStatusChoice.NOT_LOCATED:
            reasons.append("Not located")
        if case.opened_on <= cutoff:
            reasons.append(f"Open more than {criteria.not_located_after_weeks} weeks")
        severity = case.top_severity or 0  # type: ignore[attr-defined]
        if criteria.min_risk_severity and severity >= criteria.min_risk_severity:
            reasons.append(f"{RiskFlagType.Severity(severity).label} risk")
        if criteria.include_missed_timescales and case.has_late:  # type: ignore[attr-defined]
            reasons.append("Missed timescale")
        if reasons:
            out.append(Candidate(case=case, reasons=tuple(reasons)))
    return out


def open_case_by_reference(*, user: User, reference: str) -> Case | None:
    digits = "".join(ch for ch in reference if ch.isdigit())
    if not digits:
        return None
    return Case.objects.for_user(user).open().filter(pk=int(digits)).select_related("child").first()


def upcoming_for_home(*, user: User) -> QuerySet[PanelMeeting]:
    return PanelMeeting.objects.for_user(user).filter(Q(held_on__gte=timezone.localdate())).order_by("held_on")

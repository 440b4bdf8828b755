"""Demo panel: one coming meeting with its agenda built from the criteria, the demo panel member and officers
invited (call after `cme.cases.demo.demo_seed`). Deterministic."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.audit.services import Auditor
from cme.core import calendar
from cme.core.models import LocalAuthority
from cme.law.school_age import school_year_start
from cme.panels import services
from cme.panels.models import PanelMeeting

TERMS = {9: "Autumn", 10: "Autumn", 11: "Autumn", 12: "Autumn", 1: "Spring", 2: "Spring", 3: "Spring"}
MAX_ITEMS = 12


def term_label(day: dt.date) -> str:
    year = school_year_start(day)
    return f"{TERMS.get(day.month, 'Summer')} term {year}/{(year + 1) % 100:02d}"


@transaction.atomic
def demo_seed(*, local_authority: LocalAuthority, on: dt.date, seed: int) -> dict[str, int]:
    actor = Auditor.system("demo.seed_panel")
    if PanelMeeting.objects.filter(local_authority=local_authority, held_on__gte=on).exists():
        return {"panel meetings": 0, "agenda items": 0}
    held_on = calendar.add_working_days(on, 8)
    meeting = services.panel_meeting_create(actor=actor, user=None, local_authority=local_authority, held_on=held_on,
                                           term=term_label(held_on), location="County Hall, committee room 2",
                                           starts_at=dt.time(10, 0))
    from cme.panels.selectors import agenda_candidates

    for candidate in agenda_candidates(meeting=meeting)[:MAX_ITEMS]:
        services.panel_item_add(actor=actor, meeting=meeting, case=candidate.case, reasons="; ".join(candidate.reasons))
    invitees = User.objects.filter(local_authority=local_authority, is_active=True,
                                   role__in=[Role.PANEL_MEMBER, Role.ATTENDANCE_MANAGER, Role.CME_OFFICER])
    for user in invitees.order_by("role", "pk"):
        services.panel_attendee_add(actor=actor, meeting=meeting, user=user)
    for name, agency in (("DS R. Kaur (synthetic)", "Police"), ("J. Okoye (synthetic)", "Children's social care"),
                         ("M. Byrne (synthetic)", "Health")):
        services.panel_attendee_add(actor=actor, meeting=meeting, name=name, agency=agency)
    return {"panel meetings": 1, "agenda items": meeting.items.count()}

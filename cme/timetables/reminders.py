"""Register reminders: part-time timetable reviews (to the school and the attendance team) and EHE annual
contacts (to the EHE team), due soon or overdue. One digest email per recipient per day, never with a child's
name: counts and a link to the register's filtered list. What was sent is recorded (`ReminderSent`), so a second
run on the same day sends nothing again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.core import calendar
from cme.core.email import send_email
from cme.core.models import LocalAuthority
from cme.ehe.models import EHERecord
from cme.timetables.models import PartTimeTimetable, ReminderSent

#: A review or annual contact within this many working days counts as "due soon".
DUE_SOON_WORKING_DAYS = 5


@dataclass(frozen=True)
class Reminder:
    kind: str
    recipient: str
    subject: str
    body: str
    items: int


def _link(name: str, query: str) -> str:
    base = (getattr(settings, "CME_SITE_URL", "") or "").rstrip("/")
    return f"{base}{reverse(name)}{'?' + query if query else ''}"


def _emails(local_authority: LocalAuthority, roles: list[str], organisation_id: int | None = None) -> list[str]:
    users = User.objects.filter(local_authority=local_authority, role__in=roles, is_active=True)
    if organisation_id is not None:
        users = users.filter(organisation_id=organisation_id)
    return sorted({u.email for u in users.only("email")})


def _counts(dates: list[dt.date], on: dt.date) -> tuple[int, int]:
    overdue = sum(1 for d in dates if d < on)
    return overdue, len(dates) - overdue


def _sentence(overdue: int, due: int, thing: str, due_by: dt.date) -> str:
    parts = []
    if overdue:
        parts.append(f"{overdue} {thing}{'s are' if overdue != 1 else ' is'} overdue")
    if due:
        parts.append(f"{due} {thing}{'s are' if due != 1 else ' is'} due by {due_by.day} {due_by:%B %Y}")
    return " and ".join(parts) + "."


def reminders_due(*, local_authority: LocalAuthority, on: dt.date) -> list[Reminder]:
    """The digests to send today for one LA (nothing is sent here)."""
    due_by = calendar.add_working_days(on, DUE_SOON_WORKING_DAYS)
    reminders: list[Reminder] = []
    timetables = list(
        PartTimeTimetable.objects.filter(local_authority=local_authority, status=PartTimeTimetable.Status.ACTIVE,
                                         next_review_due__lte=due_by)
        .exclude(child__processing_restricted=True)  # UK GDPR Art 18(2): stored only
        .select_related("school").only("next_review_due", "school__name", "school__organisation_id")
    )
    team = [local_authority.cme_mailbox] if local_authority.cme_mailbox else _emails(
        local_authority, [Role.ATTENDANCE_MANAGER])
    if timetables:
        overdue, due = _counts([t.next_review_due for t in timetables], on)
        body = (f"Part-time timetable reviews across {local_authority.name}: "
                f"{_sentence(overdue, due, 'review', due_by)}\n\n"
                f"See them in the register: {_link('timetables:list', 'flag=review_overdue')}\n")
        reminders += [Reminder("timetable_reviews_team", email, "Part-time timetable reviews due", body,
                               len(timetables)) for email in team]
        by_school: dict[int, list[PartTimeTimetable]] = defaultdict(list)
        for t in timetables:
            if t.school.organisation_id:
                by_school[t.school.organisation_id].append(t)
        for organisation_id, rows in by_school.items():
            overdue, due = _counts([t.next_review_due for t in rows], on)
            body = (f"Part-time timetables at {rows[0].school.name}: {_sentence(overdue, due, 'review', due_by)} "
                    "The local authority's attendance team will review them with you, the pupils and their "
                    f"parents.\n\nSee them: {_link('timetables:list', '')}\n")
            reminders += [Reminder("timetable_reviews_school", email, "Part-time timetable reviews due", body,
                                   len(rows))
                          for email in _emails(local_authority, [Role.SCHOOL_USER], organisation_id)]
    contacts = list(
        EHERecord.objects.filter(local_authority=local_authority, status=EHERecord.Status.ACTIVE,
                                 next_annual_contact__lte=due_by)
        .exclude(child__processing_restricted=True).values_list("next_annual_contact", flat=True)
    )
    if contacts:
        overdue, due = _counts(contacts, on)
        body = (f"Elective home education in {local_authority.name}: "
                f"{_sentence(overdue, due, 'annual contact', due_by)}\n\n"
                f"See them in the register: {_link('ehe:list', 'contact=overdue')}\n")
        ehe_team = _emails(local_authority, [Role.EHE_OFFICER]) or team
        reminders += [Reminder("ehe_annual_contacts", email, "EHE annual contacts due", body, len(contacts))
                      for email in ehe_team]
    return reminders


@dataclass
class ReminderRun:
    sent: int = 0
    already_sent: int = 0
    local_authorities: int = 0


def register_reminders_send(*, on: dt.date, local_authority: LocalAuthority | None = None,
                            dry_run: bool = False) -> ReminderRun:
    """Send today's reminders for one LA or all of them; idempotent per recipient, kind and day."""
    auditor = Auditor.system("register_reminders")
    run = ReminderRun()
    authorities = [local_authority] if local_authority else list(LocalAuthority.objects.order_by("code"))
    for la in authorities:
        run.local_authorities += 1
        for reminder in reminders_due(local_authority=la, on=on):
            already = ReminderSent.objects.filter(local_authority=la, kind=reminder.kind, recipient=reminder.recipient,
                                                  sent_on=on).exists()
            if already:
                run.already_sent += 1
                continue
            if dry_run:
                run.sent += 1
                continue
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(local_authority=la, kind=reminder.kind, recipient=reminder.recipient,
                                                sent_on=on, items=reminder.items)
                    send_email(to=[reminder.recipient], subject=reminder.subject, body=reminder.body)
            except IntegrityError:  # another run got there first
                run.already_sent += 1
                continue
            run.sent += 1
        if not dry_run:
            auditor.record(AuditEvent.Action.SYSTEM, object_type="timetables.remindersent", local_authority_id=la.pk,
                           summary=f"register reminders for {on:%Y-%m-%d}: {run.sent} sent so far")
    return run

"""Register reminders: reviews due or overdue to the school and the team, EHE annual contacts to the EHE team;
one digest per recipient per day (idempotent), never a child's name."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from cme.accounts.models import User
from cme.accounts.tests.factories import UserFactory
from cme.children.models import School
from cme.core.models import LocalAuthority
from cme.ehe.tests.factories import open_record
from cme.timetables.models import ReminderSent
from cme.timetables.reminders import register_reminders_send, reminders_due
from cme.timetables.tasks import send_register_reminders
from cme.timetables.tests.factories import pupil, submit

pytestmark = pytest.mark.usefixtures("terms")
ON = dt.date(2026, 3, 2)


@pytest.fixture
def timetables(school: School, other_school: School, school_user: User, manager: User) -> None:
    submit(school, pupil(school, legal_forename="Zebedee"), start=dt.date(2026, 1, 5))  # due 23 Feb: overdue
    submit(school, start=dt.date(2026, 1, 26))  # due 9 March: within 5 working days
    submit(other_school, start=dt.date(2026, 2, 23))  # due 13 April: not yet


def test_school_and_team_get_a_digest_without_names(timetables: None, la: LocalAuthority) -> None:
    reminders = {(r.kind, r.recipient): r for r in reminders_due(local_authority=la, on=ON)}
    team = reminders[("timetable_reviews_team", "cme@testshire.example.org")]
    school = reminders[("timetable_reviews_school", "school@example.org")]
    assert "1 review is overdue and 1 review is due by 9 March 2026" in team.body
    assert team.items == 2 and school.items == 2
    assert ("timetable_reviews_school", "school2@example.org") not in reminders  # nothing due at school B
    for reminder in reminders.values():
        assert "Zebedee" not in reminder.body + reminder.subject and "Thompson" not in reminder.body


def test_team_falls_back_to_attendance_managers_without_a_mailbox(timetables: None, la: LocalAuthority,
                                                                  manager: User) -> None:
    la.cme_mailbox = ""
    la.save()
    recipients = {r.recipient for r in reminders_due(local_authority=la, on=ON) if r.kind == "timetable_reviews_team"}
    assert recipients == {manager.email}


def test_sending_is_idempotent_per_day(timetables: None, la: LocalAuthority) -> None:
    first = register_reminders_send(on=ON)
    assert first.sent == 2 and len(mail.outbox) == 2
    second = register_reminders_send(on=ON)
    assert second.sent == 0 and second.already_sent == 2 and len(mail.outbox) == 2
    register_reminders_send(on=ON + dt.timedelta(days=1))
    assert len(mail.outbox) == 4
    assert ReminderSent.objects.count() == 4


def test_dry_run_sends_nothing(timetables: None, la: LocalAuthority) -> None:
    run = register_reminders_send(on=ON, dry_run=True)
    assert run.sent == 2 and not mail.outbox and not ReminderSent.objects.exists()


def test_ehe_annual_contacts_go_to_the_ehe_team(la: LocalAuthority) -> None:
    ehe_officer = UserFactory(email="ehe@example.org", role="ehe_officer", local_authority=la)
    open_record(ehe_officer, start=dt.date(2025, 2, 20))  # annual contact due 20 Feb 2026: overdue
    open_record(ehe_officer, start=dt.date(2025, 9, 1))  # not due
    reminders = reminders_due(local_authority=la, on=ON)
    assert [(r.kind, r.recipient, r.items) for r in reminders] == [("ehe_annual_contacts", "ehe@example.org", 1)]
    assert "1 annual contact is overdue" in reminders[0].body


def test_command_and_task(timetables: None) -> None:
    out = StringIO()
    call_command("register_reminders", "--on", "2026-03-02", stdout=out)
    assert "sent 2, already sent today 0, 1 local authority" in out.getvalue()
    result = send_register_reminders.enqueue("2026-03-02")
    assert result.return_value == {"sent": 0, "already_sent": 2}

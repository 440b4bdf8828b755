"""Daily digests (one email per officer, no child names in the subject) and escalation of missed timescales
(idempotent), through the services, the django-tasks tasks and the management commands."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.services import Auditor
from cme.cases import digests, services, tasks
from cme.cases.models import Task
from cme.cases.tests.factories import open_case
from cme.children.tests.factories import ChildFactory


def test_one_digest_per_officer_without_child_names(officer: User, manager: User) -> None:
    child = ChildFactory(local_authority=officer.local_authority, legal_forename="Zebedee", legal_surname="Quill")
    case = open_case(user=officer, child=child, allocated_to=officer)
    today = timezone.localdate()
    services.task_create(actor=Auditor.for_user(officer), local_authority_id=case.local_authority_id, case=case,
                         title="Ring the GP", due=today - dt.timedelta(days=3), assignee=officer)
    services.task_create(actor=Auditor.for_user(officer), local_authority_id=case.local_authority_id, case=case,
                         title="Later", due=today + dt.timedelta(days=30), assignee=officer)
    late = max(e.due for e in case.enquiries.all()) + dt.timedelta(days=1)
    sent = digests.send_daily_digests(on=late)
    assert sent == 1
    (message,) = mail.outbox
    assert message.to == [officer.email]
    assert "Zebedee" not in message.subject and "Quill" not in message.subject
    assert "Zebedee" not in message.body and case.reference in message.body
    assert "Ring the GP" in message.body and "Later" not in message.body
    assert "Reasonable enquiries overdue" in message.body and "Home visit" in message.body


def test_nobody_with_nothing_due_gets_an_email(officer: User) -> None:
    open_case(user=officer)  # unallocated: its enquiries are nobody's yet
    assert digests.send_daily_digests(on=timezone.localdate()) == 0
    assert mail.outbox == []


def test_missed_timescales_are_escalated_once(officer: User, manager: User) -> None:
    case = open_case(user=officer, allocated_to=officer)
    visit = case.enquiries.get(code="home_visit")
    day_after = visit.due + dt.timedelta(days=1)
    report = digests.escalate_missed_timescales(on=day_after)
    assert report.tasks >= 1 and report.emails == 1
    task = Task.objects.get(escalation_key=f"enquiry:{visit.pk}")
    assert task.for_managers and task.source == Task.Source.ESCALATION and task.case == case
    assert mail.outbox[0].to == [manager.email] and "Home visit" in mail.outbox[0].body
    again = digests.escalate_missed_timescales(on=day_after)
    assert again.tasks == 0 and again.emails == 0
    assert Task.objects.filter(escalation_key=f"enquiry:{visit.pk}").count() == 1


def test_done_or_not_applicable_enquiries_are_not_escalated(officer: User, manager: User) -> None:
    case = open_case(user=officer)
    for enquiry in case.enquiries.all():
        services.enquiry_not_applicable(actor=Auditor.for_user(officer), user=officer, enquiry=enquiry, reason="n/a")
    report = digests.escalate_missed_timescales(on=timezone.localdate() + dt.timedelta(days=60))
    assert report.tasks == 0


def test_team_manager_tasks_reach_the_managers_digest(officer: User, manager: User) -> None:
    case = open_case(user=officer)
    visit = case.enquiries.get(code="home_visit")
    digests.escalate_missed_timescales(on=visit.due + dt.timedelta(days=1))
    mail.outbox.clear()
    digests.send_daily_digests(on=visit.due + dt.timedelta(days=1))
    assert [m.to for m in mail.outbox] == [[manager.email]]
    assert "Missed timescale: Home visit" in mail.outbox[0].body


def test_tasks_and_commands_call_the_same_services(officer: User, manager: User) -> None:
    case = open_case(user=officer, allocated_to=officer)
    later = (max(e.due for e in case.enquiries.all()) + dt.timedelta(days=1)).isoformat()
    assert tasks.escalate_missed_timescales.enqueue(on=later).return_value > 0
    assert tasks.send_daily_digests.enqueue(on=later).return_value == 2
    out = StringIO()
    call_command("escalate_missed_timescales", "--on", later, stdout=out)
    assert "0 missed timescale(s) escalated" in out.getvalue()
    out = StringIO()
    call_command("send_task_digests", "--on", later, "--dry-run", stdout=out)
    assert "2 digest(s) would be sent" in out.getvalue()
    call_command("send_task_digests", "--on", later, stdout=out)
    assert "2 digest(s) sent." in out.getvalue()


def test_a_located_cases_remaining_checks_are_not_escalated_or_overdue(officer: User, manager: User) -> None:
    from cme.cases.models import Case, CaseStatusChoice
    from cme.cases.tests.factories import move

    case = move(open_case(user=officer, allocated_to=officer), officer, CaseStatusChoice.ENQUIRIES,
                CaseStatusChoice.LOCATED)
    later = max(e.due for e in case.enquiries.all()) + dt.timedelta(days=1)
    assert digests.escalate_missed_timescales(on=later).tasks == 0
    assert digests.send_daily_digests(on=later) == 0
    assert not Case.objects.filter(pk=case.pk).overdue(later).exists()

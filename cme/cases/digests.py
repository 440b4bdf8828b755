"""Daily reminders and escalations (issue 5, item 3).

- `send_daily_digests`: one email per officer with their due and overdue tasks and reasonable enquiries. The
  subject never carries a child's name, and the body names cases by reference only (email is not the place
  for personal data; the officer follows the link and signs in).
- `escalate_missed_timescales`: an enquiry past its due date (R2.5 timescales, e.g. home visit within 5 school
  days) becomes a task for the attendance team managers and an email to them, once (idempotent).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.cases.models import ENQUIRING, Enquiry, Task
from cme.cases.services import case_priorities_refresh, task_create
from cme.core.email import send_email

DIGEST_ROLES = (Role.CME_OFFICER, Role.ATTENDANCE_MANAGER)


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def _link(name: str) -> str:
    return f"{getattr(settings, 'CME_SERVICE_URL', '').rstrip('/')}{reverse(name)}"


@dataclass
class Digest:
    user: User
    on: dt.date
    tasks: list[Task] = field(default_factory=list)
    enquiries: list[Enquiry] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for t in self.tasks if t.due < self.on) + sum(1 for e in self.enquiries if e.due < self.on)

    @property
    def due(self) -> int:
        return len(self.tasks) + len(self.enquiries) - self.overdue

    @property
    def is_empty(self) -> bool:
        return not self.tasks and not self.enquiries

    @property
    def subject(self) -> str:
        return f"CME: your work for {_day(self.on)}: {self.due} due today, {self.overdue} overdue"

    @property
    def body(self) -> str:
        lines = [f"Hello {self.user.full_name},", ""]
        for title, rows in (
            ("Overdue tasks", [t for t in self.tasks if t.due < self.on]),
            ("Tasks due today", [t for t in self.tasks if t.due >= self.on]),
        ):
            if rows:
                lines.append(f"{title}:")
                lines += [f"- {t.case.reference + ': ' if t.case else ''}{t.title} (due {_day(t.due)})" for t in rows]
                lines.append("")
        for title, items in (
            ("Reasonable enquiries overdue", [e for e in self.enquiries if e.due < self.on]),
            ("Reasonable enquiries due today", [e for e in self.enquiries if e.due >= self.on]),
        ):
            if items:
                lines.append(f"{title}:")
                lines += [f"- {e.case.reference}: {e.label} (due {_day(e.due)})" for e in items]
                lines.append("")
        lines += [f"See your tasks: {_link('cases:my-tasks')}", "",
                  "This email names cases by reference only. Sign in to the CME service to see the details."]
        return "\n".join(lines)


def digests_build(*, on: dt.date, local_authority_id: int | None = None) -> list[Digest]:
    """Everyone's digest, in a fixed number of queries."""
    users = User.objects.filter(is_active=True, role__in=DIGEST_ROLES).order_by("pk")
    tasks = Task.objects.outstanding().filter(due__lte=on).select_related("case").order_by("due", "id")
    enquiries = (Enquiry.objects.outstanding().filter(due__lte=on, case__allocated_to__isnull=False,
                                                      case__status__in=ENQUIRING)
                 .select_related("case").order_by("due", "id"))
    if local_authority_id is not None:
        users = users.filter(local_authority_id=local_authority_id)
        tasks = tasks.filter(local_authority_id=local_authority_id)
        enquiries = enquiries.filter(case__local_authority_id=local_authority_id)
    tasks = tasks.exclude(case__status="closed")
    # UK GDPR Art 18(2): a restricted child's record is only stored: not sent round in digests.
    tasks = tasks.exclude(case__child__processing_restricted=True)
    enquiries = enquiries.exclude(case__child__processing_restricted=True)
    by_user = {user.pk: Digest(user=user, on=on) for user in users}
    managers: dict[int, list[Digest]] = defaultdict(list)
    for digest in by_user.values():
        if digest.user.role == Role.ATTENDANCE_MANAGER:
            managers[digest.user.local_authority_id].append(digest)
    for task in tasks:
        if task.assignee_id in by_user:
            by_user[task.assignee_id].tasks.append(task)
        elif task.for_managers:
            for digest in managers.get(task.local_authority_id, []):
                digest.tasks.append(task)
    for enquiry in enquiries:
        if enquiry.case.allocated_to_id in by_user:
            by_user[enquiry.case.allocated_to_id].enquiries.append(enquiry)
    return [digest for digest in by_user.values() if not digest.is_empty]


def send_daily_digests(*, on: dt.date | None = None, local_authority_id: int | None = None) -> int:
    """Email each officer their due and overdue work; returns how many emails were sent."""
    day = on or timezone.localdate()
    digests = digests_build(on=day, local_authority_id=local_authority_id)
    for digest in digests:
        send_email(to=[digest.user.email], subject=digest.subject, body=digest.body)
    Auditor.system("cases.send_daily_digests").record(AuditEvent.Action.SYSTEM, object_type="cases.task",
                                                      local_authority_id=local_authority_id,
                                                      summary=f"{len(digests)} daily digests sent for {day}")
    return len(digests)


@dataclass
class EscalationReport:
    tasks: int = 0
    emails: int = 0
    priorities_changed: int = 0


@transaction.atomic
def escalate_missed_timescales(*, on: dt.date | None = None) -> EscalationReport:
    """Each reasonable enquiry past its due date on an open case becomes one task for the attendance team managers,
    and they get one email listing the new escalations. Running it twice escalates nothing twice."""
    day = on or timezone.localdate()
    actor = Auditor.system("cases.escalate_missed_timescales")
    report = EscalationReport(priorities_changed=case_priorities_refresh(on=day))
    late = list(Enquiry.objects.outstanding().filter(escalate_when_missed=True, escalated_at__isnull=True, due__lt=day,
                                                     case__status__in=ENQUIRING)
                .exclude(case__child__processing_restricted=True)  # Art 18(2): no new task while restricted
                .select_related("case").order_by("case__local_authority_id", "due", "id"))
    existing = set(Task.objects.filter(escalation_key__startswith="enquiry:").values_list("escalation_key", flat=True))
    new_by_la: dict[int, list[Task]] = defaultdict(list)
    now = timezone.now()
    for enquiry in late:
        key = f"enquiry:{enquiry.pk}"
        if key not in existing:
            task = task_create(
                actor=actor, local_authority_id=enquiry.case.local_authority_id, case=enquiry.case, due=day,
                title=f"Missed timescale: {enquiry.label} on {enquiry.case.reference}",
                detail=f"Due {_day(enquiry.due)} and not yet done or marked not applicable.",
                source=Task.Source.ESCALATION, for_managers=True, escalation_key=key,
            )
            new_by_la[enquiry.case.local_authority_id].append(task)
            report.tasks += 1
        enquiry.escalated_at = now
    Enquiry.objects.bulk_update(late, ["escalated_at"], batch_size=1000)
    for la_id, tasks in new_by_la.items():
        body = "\n".join(
            ["The following reasonable enquiries have missed their timescale:", ""]
            + [f"- {t.title}" for t in tasks]
            + ["", f"See the team's tasks: {_link('cases:my-tasks')}"]
        )
        for manager in User.objects.filter(local_authority_id=la_id, role=Role.ATTENDANCE_MANAGER, is_active=True):
            send_email(to=[manager.email], subject=f"CME: {len(tasks)} missed timescale(s) escalated", body=body)
            report.emails += 1
    actor.record(AuditEvent.Action.SYSTEM, object_type="cases.enquiry",
                 summary=f"{report.tasks} missed timescales escalated, {report.emails} emails")
    return report

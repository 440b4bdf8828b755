"""Background jobs for the registers (django-tasks): thin, they call the reminders service."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from cme.timetables.reminders import register_reminders_send


@task()
def send_register_reminders(on: str | None = None) -> dict[str, int]:
    """Daily: part-time timetable reviews and EHE annual contacts due or overdue (idempotent per day)."""
    day = dt.date.fromisoformat(on) if on else timezone.localdate()
    run = register_reminders_send(on=day)
    return {"sent": run.sent, "already_sent": run.already_sent}

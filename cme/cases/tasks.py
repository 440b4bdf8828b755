"""Background jobs for case work (django-tasks; run by `manage.py db_worker`, immediately in tests).

Tasks are thin: they take JSON-safe arguments and call the service that the management commands call too.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from cme.cases import digests


@task()
def send_daily_digests(on: str | None = None) -> int:
    """One email per officer with their due and overdue tasks and enquiries (no child names in the subject)."""
    return digests.send_daily_digests(on=dt.date.fromisoformat(on) if on else None)


@task()
def escalate_missed_timescales(on: str | None = None) -> int:
    """Missed enquiry timescales become tasks and emails for the attendance team managers (idempotent)."""
    return digests.escalate_missed_timescales(on=dt.date.fromisoformat(on) if on else None).tasks

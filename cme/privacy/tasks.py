"""The daily retention run (django-tasks; `manage.py db_worker`, immediately in tests)."""

from __future__ import annotations

from django_tasks import task

from cme.privacy.services import retention_purge


@task()
def daily_retention_purge(dry_run: bool = False) -> int:
    """Apply the retention schedule once a day (idempotent: a second run processes nothing)."""
    return sum(line.done for line in retention_purge(dry_run=dry_run))

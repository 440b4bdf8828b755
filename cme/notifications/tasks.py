"""Background jobs (django-tasks; `manage.py db_worker` runs them). Thin: ids in, a service call, a summary out.

The daily run is enqueued by the scheduler (cron: `manage.py run_feeds --enqueue` each morning) or by
`run_feeds` itself when run by hand it runs in the foreground with a progress bar. Both call the same service,
`cme.notifications.detection.daily_run`, which takes the run lock: a second run at the same time does nothing.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from cme.audit.services import Auditor
from cme.core.models import LocalAuthority
from cme.feeds.services import FeedBusyError
from cme.notifications.detection import daily_run


@task()
def feeds_daily_run(local_authority_id: int, on: str | None = None) -> str:
    """Import every configured feed, link, detect and raise concerns for one LA (on: YYYY-MM-DD, default today)."""
    local_authority = LocalAuthority.objects.get(pk=local_authority_id)
    day = dt.date.fromisoformat(on) if on else None
    try:
        result = daily_run(actor=Auditor.system("feeds.daily_run"), local_authority=local_authority, on=day)
    except FeedBusyError as exc:
        return str(exc)
    return result.line()

"""Acceptance: the dashboard renders on the demo council with each chart and its table, and its numbers match the
list pages there (seed_demo, 300 children, every app's demo data)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.cases import selectors as case_selectors
from cme.notifications import selectors as notification_selectors
from cme.reports import selectors
from cme.reports.tests.test_views import TABLE_KEYS

ON = dt.date(2026, 11, 27)


@pytest.fixture
def demo(db: None, tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", "--children", "300", "--on", ON.isoformat(), "-v", "0")


def test_the_dashboard_renders_on_the_demo_council(demo: None, client_for) -> None:  # type: ignore[no-untyped-def]
    manager = User.objects.filter(role=Role.ATTENDANCE_MANAGER).first()
    assert manager is not None
    html = client_for(manager).get(reverse("reports:dashboard")).content.decode()
    for key in TABLE_KEYS:
        assert f'id="table-{key}"' in html and f'id="chart-{key}-title"' in html, key
    report = selectors.dashboard(user=manager)
    team = case_selectors.caseload(user=manager, filters=case_selectors.CaseloadFilter(view="team"))
    assert report.figure("open_cases").value == team.count()
    assert report.figure("overdue_cases").value == case_selectors.caseload_counts(user=manager)["overdue"]
    queue = notification_selectors.queue_counts(user=manager, today=report.today)
    assert report.figure("awaiting_triage").value == queue.total
    readonly = User.objects.filter(role=Role.READONLY_MANAGER).first()
    if readonly is not None:
        assert client_for(readonly).get(reverse("reports:dashboard")).status_code == 200

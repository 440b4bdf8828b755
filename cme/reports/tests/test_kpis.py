"""KPI definitions: the numbers match the list pages (tested), suppression for aggregate-only roles, time to locate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import User
from cme.cases import selectors as case_selectors
from cme.cases.models import Case
from cme.notifications import selectors as notification_selectors
from cme.reports import kpis, selectors
from cme.reports.suppression import round_to_5, suppress_count, suppress_table
from cme.reports.tests.helpers import build_caseload


@pytest.fixture
def caseload(officer: User) -> list[Case]:
    return build_caseload(officer, n=7)


def test_open_cases_equals_the_cases_list_all_open_count(caseload: list[Case], officer: User, manager: User,
                                                           client_for) -> None:  # type: ignore[no-untyped-def]
    report = selectors.dashboard(user=manager)
    team = case_selectors.caseload(user=manager, filters=case_selectors.CaseloadFilter(view="team"))
    assert report.figure("open_cases").value == team.count() == 7
    page = client_for(manager).get(reverse("cases:list"), {"view": "team"})
    assert f"All open cases: {report.figure('open_cases').value} cases" in page.content.decode()


def test_overdue_cases_equals_the_cases_list_overdue_count(caseload: list[Case], manager: User) -> None:
    report = selectors.dashboard(user=manager)
    assert report.figure("overdue_cases").value == case_selectors.caseload_counts(user=manager)["overdue"] == 4


def test_overdue_tasks_equals_the_tasks_on_the_task_lists(caseload: list[Case], officer: User) -> None:
    today = timezone.localdate()
    report = selectors.dashboard(user=officer)
    mine = [t for t in case_selectors.my_tasks(user=officer) if t.due < today]
    assert report.figure("overdue_tasks").value == len(mine) == 4


def test_awaiting_triage_equals_the_triage_queue_count(caseload: list[Case], manager: User) -> None:
    report = selectors.dashboard(user=manager)
    queue = notification_selectors.queue_counts(user=manager, today=timezone.localdate())
    assert report.figure("awaiting_triage").value == queue.total == 7


def test_stage_table_adds_up_to_open_cases(caseload: list[Case], manager: User) -> None:
    report = selectors.dashboard(user=manager)
    stage = report.table("open_cases_by_stage")
    assert dict((label, v[0]) for label, v in stage.rows)["Making enquiries"] == 2
    for key in ("open_cases_by_stage", "open_cases_by_age", "cme_by_nc_year", "cme_by_key_stage", "cme_by_district"):
        assert report.table(key).totals == [7], key


def test_referrals_by_source_and_per_week_agree(caseload: list[Case], manager: User) -> None:
    report = selectors.dashboard(user=manager)
    assert report.table("referrals_by_source").totals == [7]
    assert sum(report.table("referrals_per_week").totals) == 7


def test_another_las_officer_sees_none_of_these(caseload: list[Case], outsider: User) -> None:
    report = selectors.dashboard(user=outsider)
    assert report.figure("open_cases").value == 0 and report.figure("awaiting_triage").value == 0


def test_time_to_locate_counts_located_children_in_working_days(caseload: list[Case], manager: User) -> None:
    located = kpis.time_to_locate(Case.objects.for_user(manager), start=timezone.localdate() - dt.timedelta(days=7),
                                  end=timezone.localdate())
    assert located.located == 2 and located.median_days == 0
    assert located.table.rows[0] == ("Within 5 working days", [2])


@pytest.mark.parametrize(("value", "shown"), [(0, 0), (1, None), (5, None), (6, 6), (120, 120)],
                         ids=["zero-shown", "one-suppressed", "five-suppressed", "six-shown", "large-shown"])
def test_small_numbers_one_to_five_are_suppressed(value: int, shown: int | None) -> None:
    assert suppress_count(value) == shown


def test_a_table_with_a_suppressed_cell_has_its_total_rounded() -> None:
    table = kpis.Table("t", "T", "Group", ["Children"], [("A", [3]), ("B", [40])])
    assert table.totals == [43]
    hidden = suppress_table(table)
    assert hidden.rows == [("A", [None]), ("B", [40])] and hidden.totals == [45] and hidden.suppressed
    assert round_to_5(42) == 40


def test_the_read_only_manager_sees_suppressed_aggregates(caseload: list[Case], readonly_manager: User) -> None:
    report = selectors.dashboard(user=readonly_manager)
    assert report.aggregate_only
    assert report.figure("open_cases").value == 7  # 6 or more: shown
    assert report.figure("overdue_cases").value is None and report.figure("overdue_cases").display == "1–5"
    stage = dict(report.table("open_cases_by_stage").rows)
    assert stage["Open"] == [None]  # 3 open cases: suppressed
    assert report.table("open_cases_by_stage").totals == [5]  # 7 rounded to the nearest 5
    assert report.figure("median_days_to_locate").value is None  # fewer than 10 located


def test_school_filter_narrows_to_that_schools_pupils(caseload: list[Case], manager: User, school) -> None:  # type: ignore[no-untyped-def]
    from cme.children.tests.factories import EnrolmentFactory

    EnrolmentFactory(child=caseload[0].child, school=school)
    report = selectors.dashboard(user=manager, filters=selectors.ReportFilter(school_id=school.pk))
    assert report.figure("open_cases").value == 1

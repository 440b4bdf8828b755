"""The EHE register's pure rules: the SAO pathway order and dates (R5.3, R5.4) and annual contact dates."""

from __future__ import annotations

import datetime as dt

import pytest

from cme.ehe import rules

D = dt.date


@pytest.mark.parametrize(
    "previous, step, allowed",
    [
        (None, "notice_437_1", True),
        (None, "intention_438", False),
        (None, "sao_437_3", False),
        ("notice_437_1", "intention_438", True),
        ("notice_437_1", "sao_437_3", False),
        ("notice_437_1", "notice_437_1", False),
        ("notice_437_1", "withdrawn", True),
        ("intention_438", "sao_437_3", True),
        ("intention_438", "prosecution_443", False),
        ("sao_437_3", "prosecution_443", True),
        ("sao_437_3", "withdrawn", True),
        ("prosecution_443", "notice_437_1", False),
        ("withdrawn", "notice_437_1", True),
        ("withdrawn", "sao_437_3", False),
    ],
    ids=lambda v: str(v),
)
def test_R5_4_each_sao_step_follows_the_previous_one(previous: str | None, step: str, allowed: bool) -> None:
    assert rules.sao_step_allowed(previous, step) is allowed


@pytest.mark.parametrize(
    "served_on, days, due",
    [
        (D(2026, 3, 2), 15, D(2026, 3, 17)),  # Monday + 15 = Tuesday, a working day
        (D(2026, 3, 6), 15, D(2026, 3, 23)),  # lands on Saturday 21 March: next working day
        (D(2026, 12, 10), 15, D(2026, 12, 29)),  # Christmas Day, weekend, Boxing Day substitute Monday 28th
        (D(2026, 3, 2), 10, D(2026, 3, 17)),  # an LA setting below the statute is raised to 15 days
        (D(2026, 3, 2), 20, D(2026, 3, 23)),  # a longer local period: Sunday 22nd moves to Monday
        (D(2027, 3, 11), 15, D(2027, 3, 30)),  # 26 March 2027 is Good Friday... 11 + 15 = 26: to Tuesday 30th
    ],
    ids=["R5.4-working-day", "R5.4-weekend", "R5.4-christmas", "R5.4-statutory-minimum", "R5.4-local-longer",
         "R5.4-easter"],
)
def test_R5_4_response_due_is_not_less_than_15_days_and_on_a_working_day(served_on: dt.date, days: int,
                                                                         due: dt.date) -> None:
    result = rules.sao_response_due(served_on, days)
    assert result == due
    assert (result - served_on).days >= rules.STATUTORY_MIN_NOTICE_DAYS


def test_R5_4_the_next_step_waits_for_the_response_period_but_closing_does_not() -> None:
    due = D(2026, 3, 17)
    common = {"previous": "notice_437_1", "previous_served_on": D(2026, 3, 2), "previous_due": due}
    assert rules.sao_step_problem(step="intention_438", served_on=due, **common) is not None
    assert rules.sao_step_problem(step="intention_438", served_on=D(2026, 3, 18), **common) is None
    assert rules.sao_step_problem(step="withdrawn", served_on=D(2026, 3, 5), **common) is None
    assert "before the last step" in rules.sao_step_problem(step="withdrawn", served_on=D(2026, 3, 1), **common)
    assert "starts with" in rules.sao_step_problem(previous=None, previous_served_on=None, previous_due=None,
                                                   step="sao_437_3", served_on=D(2026, 3, 1))


@pytest.mark.parametrize(
    "after, due",
    [
        (D(2026, 1, 12), D(2027, 1, 12)),
        (D(2024, 2, 29), D(2025, 2, 28)),  # leap day
        (D(2026, 1, 1), D(2027, 1, 4)),  # New Year's Day 2027 is a Friday bank holiday
        (D(2025, 11, 29), D(2026, 11, 30)),  # Sunday: to Monday
    ],
    ids=["plain", "leap-day", "bank-holiday", "weekend"],
)
def test_annual_contact_is_a_year_on_on_a_working_day(after: dt.date, due: dt.date) -> None:
    assert rules.next_annual_contact(after) == due

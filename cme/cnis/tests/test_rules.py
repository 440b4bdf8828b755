"""Children Not In School register rules (R6.2, R6.3): conditions A-C, and provider requests at most once every
3 months (table-tested across month ends)."""

from __future__ import annotations

import datetime as dt

import pytest

from cme.cnis import rules

D = dt.date


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (D(2026, 1, 15), 3, D(2026, 4, 15)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),  # no 30 February
        (D(2027, 11, 30), 3, D(2028, 2, 29)),  # leap year
        (D(2026, 5, 31), 3, D(2026, 8, 31)),
        (D(2026, 3, 31), 3, D(2026, 6, 30)),  # no 31 June
        (D(2026, 10, 31), 3, D(2027, 1, 31)),  # across the year end
        (D(2026, 12, 31), 3, D(2027, 3, 31)),
        (D(2026, 8, 31), 3, D(2026, 11, 30)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_month_end(day: dt.date, months: int, expected: dt.date) -> None:
    assert rules.add_months(day, months) == expected


@pytest.mark.parametrize(
    "last_sent, on, allowed",
    [
        (None, D(2026, 1, 1), True),  # never asked
        (D(2026, 1, 15), D(2026, 4, 14), False),  # a day short of 3 months
        (D(2026, 1, 15), D(2026, 4, 15), True),  # exactly 3 months
        (D(2026, 11, 30), D(2027, 2, 27), False),
        (D(2026, 11, 30), D(2027, 2, 28), True),  # month end: the last day of February
        (D(2027, 11, 30), D(2028, 2, 28), False),
        (D(2027, 11, 30), D(2028, 2, 29), True),  # leap year
        (D(2026, 3, 31), D(2026, 6, 29), False),
        (D(2026, 3, 31), D(2026, 6, 30), True),
        (D(2026, 10, 31), D(2027, 1, 30), False),
        (D(2026, 10, 31), D(2027, 1, 31), True),
        (D(2026, 1, 15), D(2026, 1, 15), False),  # twice the same day
    ],
    ids=lambda v: str(v),
)
def test_R6_3_a_provider_is_asked_at_most_once_every_3_months(last_sent: dt.date | None, on: dt.date,
                                                              allowed: bool) -> None:
    assert rules.provider_request_allowed(last_sent, on) is allowed


@pytest.mark.parametrize(
    "lives_in_area, dob, condition_c, problems",
    [
        (True, D(2015, 6, 1), "a", 0),
        (False, D(2015, 6, 1), "b", 1),  # condition A
        (True, D(2022, 6, 1), "a", 1),  # condition B: below compulsory school age
        (True, D(2008, 6, 1), "a", 1),  # condition B: above it
        (True, D(2015, 6, 1), "z", 1),  # condition C
        (False, D(2022, 6, 1), "", 3),
    ],
    ids=["R6.2-eligible", "R6.2-A", "R6.2-B-below", "R6.2-B-above", "R6.2-C", "R6.2-none"],
)
def test_R6_2_all_three_conditions(lives_in_area: bool, dob: dt.date, condition_c: str, problems: int) -> None:
    found = rules.eligibility_problems(lives_in_area=lives_in_area, date_of_birth=dob, on=D(2026, 3, 2),
                                       condition_c=condition_c)
    assert len(found) == problems

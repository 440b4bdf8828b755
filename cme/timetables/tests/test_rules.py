"""Part-time timetable rules (R4.2): review dates through the term calendar, flags, hours missed (C2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cme.core.calendar import TermCalendar, default_term_dates
from cme.timetables import rules
from cme.timetables.rules import Flag, TimetableFacts

D = dt.date
TERMS = TermCalendar.from_ranges(default_term_dates(2025) + default_term_dates(2026), closures=[D(2026, 6, 1)])


@pytest.mark.parametrize(
    "base, weeks, due",
    [
        (D(2026, 1, 12), 6, D(2026, 2, 23)),  # a school day: unchanged
        (D(2026, 1, 5), 6, D(2026, 2, 23)),  # February half-term: the first day back
        (D(2026, 1, 10), 6, D(2026, 2, 23)),  # from a Saturday, into half-term
        (D(2026, 2, 23), 6, D(2026, 4, 13)),  # Easter Monday, in the Easter holiday: first day of summer term
        (D(2026, 3, 23), 6, D(2026, 5, 5)),  # early May bank holiday inside term: the Tuesday
        (D(2026, 4, 20), 6, D(2026, 6, 2)),  # INSET day (a closure): the next day
        (D(2026, 6, 29), 6, D(2026, 9, 2)),  # summer holiday: the first day of the autumn term
        (D(2026, 11, 16), 6, D(2027, 1, 4)),  # 28 December (Boxing Day substitute, Christmas holiday)
        (D(2026, 1, 12), 8, D(2026, 3, 9)),  # a longer local cycle
        (D(2027, 7, 1), 6, D(2027, 8, 12)),  # beyond the term dates held: a working day stays
        (D(2027, 7, 4), 6, D(2027, 8, 16)),  # beyond the term dates held, a Sunday: the next working day
    ],
    ids=["R4.2-school-day", "R4.2-half-term", "R4.2-weekend-base", "R4.2-easter", "R4.2-bank-holiday",
         "R4.2-inset", "R4.2-summer", "R4.2-christmas", "R4.2-8-weeks", "R4.2-beyond-terms",
         "R4.2-beyond-terms-weekend"],
)
def test_R4_2_review_due_moves_out_of_holidays_to_the_next_school_day(base: dt.date, weeks: int,
                                                                      due: dt.date) -> None:
    assert rules.review_due(base, weeks, TERMS) == due


def facts(**overrides: object) -> TimetableFacts:
    values: dict[str, object] = {"active": True, "consent_given": True, "planned_end_date": D(2026, 3, 20),
                                 "next_review_due": D(2026, 2, 23), "extensions": 0}
    values.update(overrides)
    return TimetableFacts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "overrides, today, expected",
    [
        ({}, D(2026, 2, 23), []),  # review due today is not yet overdue
        ({}, D(2026, 2, 24), [Flag.REVIEW_OVERDUE]),
        ({"consent_given": False}, D(2026, 1, 12), [Flag.NO_CONSENT]),
        ({"next_review_due": D(2026, 4, 13)}, D(2026, 3, 20), []),  # planned end date itself is fine
        ({"next_review_due": D(2026, 4, 13)}, D(2026, 3, 23), [Flag.PAST_END]),
        ({"extensions": 2}, D(2026, 1, 12), []),  # extended twice: at the limit
        ({"extensions": 3}, D(2026, 1, 12), [Flag.EXTENDED]),  # more than the limit
        ({"has_social_worker": True}, D(2026, 1, 12), [Flag.PROFESSIONALS]),
        ({"has_social_worker": True, "social_worker_involved": True}, D(2026, 1, 12), []),
        ({"has_ehcp": True}, D(2026, 1, 12), [Flag.PROFESSIONALS]),
        ({"active": False, "consent_given": False, "extensions": 5}, D(2026, 6, 1), []),  # ended: none
        ({"consent_given": False, "extensions": 3}, D(2026, 3, 23),
         [Flag.NO_CONSENT, Flag.PAST_END, Flag.EXTENDED, Flag.REVIEW_OVERDUE]),
    ],
    ids=["none", "R4.2-review-overdue", "R4.2-no-consent", "R4.2-on-end-date", "R4.2-past-end",
         "R4.2-extended-at-limit", "R4.2-extended-repeatedly", "R4.2-social-worker", "R4.2-social-worker-involved",
         "R4.2-ehcp", "ended", "several"],
)
def test_R4_2_flags(overrides: dict[str, object], today: dt.date, expected: list[Flag]) -> None:
    assert rules.flags(facts(**overrides), today=today, max_extensions=2) == expected


@pytest.mark.parametrize(
    "start, end, school_days",
    [
        (D(2026, 2, 9), D(2026, 2, 27), 10),  # a half-term week in the middle counts nothing
        (D(2026, 3, 30), D(2026, 4, 14), 2),  # starts in the Easter holiday
        (D(2026, 5, 26), D(2026, 6, 5), 4),  # half-term week, then the INSET day
        (D(2026, 1, 12), D(2026, 1, 12), 1),  # one school day
        (D(2026, 1, 12), D(2026, 1, 11), 0),  # ends before it starts
    ],
    ids=["half-term", "easter", "inset", "one-day", "empty"],
)
def test_school_days_on_the_timetable_use_the_term_calendar(start: dt.date, end: dt.date, school_days: int) -> None:
    assert rules.school_days_on(start, end, TERMS) == school_days


@pytest.mark.parametrize(
    "school_days, full_time, part_time, hours",
    [(10, "32.5", "12.5", "40.0"), (2, "32.5", "15", "7.0"), (1, "32.5", "20", "2.5"), (0, "32.5", "10", "0.0"),
     (7, "25", "10", "21.0"), (3, "32.5", "32.5", "0.0")],
)
def test_C2_hours_missed_are_school_days_times_the_daily_shortfall(school_days: int, full_time: str,
                                                                   part_time: str, hours: str) -> None:
    assert rules.hours_missed(school_days, Decimal(full_time), Decimal(part_time)) == Decimal(hours)


def test_hours_missed_a_week_and_length() -> None:
    assert rules.hours_missed_per_week(Decimal("32.5"), Decimal("12.5")) == Decimal("20.0")
    assert rules.length_weeks(D(2026, 1, 5), D(2026, 2, 16)) == Decimal("6.0")
    assert rules.length_weeks(D(2026, 1, 5), D(2026, 1, 8)) == Decimal("0.4")
    assert rules.length_weeks(D(2026, 1, 5), D(2026, 1, 1)) == Decimal("0.0")

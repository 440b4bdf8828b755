"""Tests for cme.core.calendar: bank holidays, working days and school days."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cme.core.calendar import (
    ONE_OFF_BANK_HOLIDAYS,
    TermCalendar,
    add_working_days,
    bank_holidays,
    default_term_calendar,
    default_term_dates,
    easter_sunday,
    is_bank_holiday,
    is_working_day,
    next_working_day,
    working_days_between,
)

D = dt.date

KNOWN_BANK_HOLIDAYS = {
    2024: {D(2024, 1, 1), D(2024, 3, 29), D(2024, 4, 1), D(2024, 5, 6), D(2024, 5, 27), D(2024, 8, 26),
           D(2024, 12, 25), D(2024, 12, 26)},
    2025: {D(2025, 1, 1), D(2025, 4, 18), D(2025, 4, 21), D(2025, 5, 5), D(2025, 5, 26), D(2025, 8, 25),
           D(2025, 12, 25), D(2025, 12, 26)},
    2026: {D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25), D(2026, 8, 31),
           D(2026, 12, 25), D(2026, 12, 28)},
    2027: {D(2027, 1, 1), D(2027, 3, 26), D(2027, 3, 29), D(2027, 5, 3), D(2027, 5, 31), D(2027, 8, 30),
           D(2027, 12, 27), D(2027, 12, 28)},
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(KNOWN_BANK_HOLIDAYS))
def test_known_bank_holidays(year: int) -> None:
    assert bank_holidays(year) == KNOWN_BANK_HOLIDAYS[year]


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2019, D(2019, 4, 21)), (2024, D(2024, 3, 31)), (2025, D(2025, 4, 20)), (2026, D(2026, 4, 5)),
     (2038, D(2038, 4, 25)), (2285, D(2285, 3, 22)), (2000, D(2000, 4, 23))],
)  # fmt: skip
def test_easter_sunday(year: int, easter: dt.date) -> None:
    assert easter_sunday(year) == easter
    assert easter.weekday() == 6


@pytest.mark.parametrize(
    ("case", "present", "absent"),
    [
        ("new-year-saturday-2011", [D(2011, 1, 3)], [D(2011, 1, 1)]),
        ("new-year-sunday-2017", [D(2017, 1, 2)], [D(2017, 1, 1)]),
        ("christmas-saturday-2021", [D(2021, 12, 27), D(2021, 12, 28)], [D(2021, 12, 25)]),
        ("christmas-sunday-2022", [D(2022, 12, 26), D(2022, 12, 27)], [D(2022, 12, 25)]),
        ("boxing-day-saturday-2026", [D(2026, 12, 25), D(2026, 12, 28)], [D(2026, 12, 26)]),
        ("ve-day-2020", [D(2020, 5, 8)], [D(2020, 5, 4)]),
        ("golden-jubilee-2002", [D(2002, 6, 3), D(2002, 6, 4)], [D(2002, 5, 27)]),
        ("diamond-jubilee-2012", [D(2012, 6, 4), D(2012, 6, 5)], [D(2012, 5, 28)]),
        ("platinum-jubilee-2022", [D(2022, 6, 2), D(2022, 6, 3)], [D(2022, 5, 30)]),
        ("royal-wedding-2011", [D(2011, 4, 29)], []),
        ("state-funeral-2022", [D(2022, 9, 19)], []),
        ("coronation-2023", [D(2023, 5, 1), D(2023, 5, 8)], []),
    ],
)
def test_substitute_and_special_days(case: str, present: list[dt.date], absent: list[dt.date]) -> None:
    for day in present:
        assert is_bank_holiday(day), (case, day)
    for day in absent:
        assert not is_bank_holiday(day), (case, day)


def test_one_off_days_are_in_their_year() -> None:
    for day in ONE_OFF_BANK_HOLIDAYS:
        assert day in bank_holidays(day.year)


@given(st.integers(min_value=1978, max_value=2200))
def test_every_year_has_at_least_eight_weekday_bank_holidays(year: int) -> None:
    days = bank_holidays(year)
    assert len(days) >= 8
    assert all(day.weekday() < 5 and day.year == year for day in days)


@pytest.mark.parametrize(
    ("case", "start", "n", "expected"),
    [
        ("christmas-eve-2026", D(2026, 12, 24), 1, D(2026, 12, 29)),
        ("before-easter-2026", D(2026, 4, 2), 1, D(2026, 4, 7)),
        ("friday-to-monday", D(2026, 3, 6), 1, D(2026, 3, 9)),
        ("saturday-to-monday", D(2026, 3, 7), 1, D(2026, 3, 9)),
        ("new-year-2027", D(2026, 12, 31), 1, D(2027, 1, 4)),
        ("zero-keeps-day", D(2026, 12, 25), 0, D(2026, 12, 25)),
        ("backwards-over-christmas", D(2026, 12, 29), -1, D(2026, 12, 24)),
        ("five-days", D(2026, 3, 2), 5, D(2026, 3, 9)),
    ],
)
def test_add_working_days(case: str, start: dt.date, n: int, expected: dt.date) -> None:
    assert add_working_days(start, n) == expected, case


def test_next_working_day_is_add_one() -> None:
    assert next_working_day(D(2026, 12, 24)) == D(2026, 12, 29)


def test_is_working_day() -> None:
    assert is_working_day(D(2026, 3, 2))
    assert not is_working_day(D(2026, 3, 7))  # Saturday
    assert not is_working_day(D(2026, 4, 3))  # Good Friday


def test_working_days_between_counts_half_open_interval() -> None:
    assert working_days_between(D(2026, 12, 24), D(2026, 12, 29)) == 1
    assert working_days_between(D(2026, 12, 29), D(2026, 12, 24)) == -1
    assert working_days_between(D(2026, 12, 28), D(2026, 12, 24)) == -1  # [24 Dec, 28 Dec) holds one working day
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0
    assert working_days_between(D(2026, 3, 1), D(2026, 3, 31)) == 22


dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))


@given(dates, st.integers(min_value=-400, max_value=400))
def test_add_then_count_round_trips(start: dt.date, n: int) -> None:
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    if n:
        assert is_working_day(end)


@given(dates, dates)
def test_working_days_between_is_antisymmetric_between_working_days(a: dt.date, b: dt.date) -> None:
    a, b = add_working_days(a, 1), add_working_days(b, 1)
    assert working_days_between(a, b) == -working_days_between(b, a)


# --------------------------------------------------------------------------------------------------
# Term calendars
# --------------------------------------------------------------------------------------------------

CAL_2025 = TermCalendar.from_ranges(default_term_dates(2025), closures=[D(2025, 9, 3)])


def test_default_term_dates_2025_pattern() -> None:
    terms = default_term_dates(2025)
    assert terms[0] == (D(2025, 9, 3), D(2025, 10, 24))
    assert terms[1] == (D(2025, 11, 3), D(2025, 12, 19))
    assert terms[2][0] == D(2026, 1, 5)
    assert terms[3][1] == D(2026, 3, 27)  # Friday before the week of Good Friday (3 Apr 2026)
    assert terms[4][0] == D(2026, 4, 13)  # Monday after the week of Easter Monday
    assert terms[5] == (D(2026, 6, 1), D(2026, 7, 22))


def test_school_day_counting_across_october_half_term() -> None:
    assert CAL_2025.next_school_day(D(2025, 10, 24)) == D(2025, 11, 3)
    assert CAL_2025.school_days_between(D(2025, 10, 23), D(2025, 11, 4)) == 3
    assert CAL_2025.add_school_days(D(2025, 10, 24), 2) == D(2025, 11, 4)
    assert CAL_2025.add_school_days(D(2025, 11, 3), -1) == D(2025, 10, 24)
    assert CAL_2025.add_school_days(D(2025, 10, 25), 0) == D(2025, 10, 25)


def test_closure_days_are_not_school_days() -> None:
    assert not CAL_2025.is_school_day(D(2025, 9, 3))  # INSET
    assert CAL_2025.is_school_day(D(2025, 9, 4))
    assert CAL_2025.autumn_term_first_day(2025) == D(2025, 9, 4)
    assert CAL_2025.autumn_term_first_day(2030) is None


def test_bank_holiday_inside_a_term_is_not_a_school_day() -> None:
    calendar = TermCalendar.from_ranges([(D(2026, 4, 27), D(2026, 5, 22))])
    assert not calendar.is_school_day(D(2026, 5, 4))  # early May bank holiday
    assert calendar.school_days_between(D(2026, 5, 1), D(2026, 5, 8)) == 4


def test_school_days_list_is_inclusive() -> None:
    assert CAL_2025.school_days(D(2025, 10, 23), D(2025, 11, 3)) == [D(2025, 10, 23), D(2025, 10, 24), D(2025, 11, 3)]


def test_counting_past_the_terms_held_is_an_error() -> None:
    with pytest.raises(ValueError, match="runs past the term dates"):
        CAL_2025.add_school_days(D(2026, 7, 20), 10)
    with pytest.raises(ValueError, match="No term dates"):
        TermCalendar.from_ranges([]).add_school_days(D(2026, 1, 1), 1)


def test_terms_are_validated() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        TermCalendar.from_ranges([(D(2026, 1, 10), D(2026, 1, 5))])
    with pytest.raises(ValueError, match="overlap"):
        TermCalendar.from_ranges([(D(2026, 1, 5), D(2026, 2, 13)), (D(2026, 2, 13), D(2026, 3, 27))])


def test_terms_are_sorted_and_calendar_is_frozen() -> None:
    calendar = TermCalendar.from_ranges(reversed(default_term_dates(2025)))
    assert calendar.terms == tuple(default_term_dates(2025))
    with pytest.raises(AttributeError):
        calendar.terms = ()  # type: ignore[misc]


@pytest.mark.parametrize("year", range(2000, 2101))
def test_default_term_dates_are_plausible(year: int) -> None:
    terms = default_term_dates(year)
    assert len(terms) == 6
    flat = [day for term in terms for day in term]
    assert flat == sorted(flat)
    autumn_start = terms[0][0]
    assert autumn_start.month == 9 and 2 <= autumn_start.day <= 8 and autumn_start.weekday() in (2, 3)
    assert all(start.weekday() < 5 and end.weekday() < 5 for start, end in terms)
    calendar = TermCalendar.from_ranges(terms)
    total = calendar.school_days_between(autumn_start - dt.timedelta(days=1), terms[-1][1])
    assert 185 <= total <= 200, total


@given(st.dates(min_value=D(2024, 9, 1), max_value=D(2028, 8, 31)))
def test_holidays_and_weekends_are_never_school_days(day: dt.date) -> None:
    calendar = default_term_calendar(2024, 2027)
    if day.weekday() >= 5 or is_bank_holiday(day):
        assert not calendar.is_school_day(day)
    if calendar.is_school_day(day):
        assert calendar.in_term(day) and is_working_day(day)


@given(st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 6, 30)), st.integers(min_value=-40, max_value=60))
def test_add_school_days_round_trips(start: dt.date, n: int) -> None:
    calendar = default_term_calendar(2024, 2027)
    end = calendar.add_school_days(start, n)
    assert calendar.school_days_between(start, end) == n
    if n:
        assert calendar.is_school_day(end)

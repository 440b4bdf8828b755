"""Tests for cme.law.school_age (rules.md §1, R1.1-R1.4)."""

from __future__ import annotations

import calendar
import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cme.law.school_age import (
    PRESCRIBED_DAYS,
    age_on,
    birthday,
    csa_end,
    csa_start,
    is_compulsory_school_age,
    is_edge_case,
    key_stage,
    last_friday_of_june,
    nc_year,
    nc_year_for_school_year,
    school_age_summary,
    school_year_start,
)

D = dt.date
dobs = st.dates(min_value=D(1990, 1, 1), max_value=D(2030, 12, 31))


# --------------------------------------------------------------------------------------------------
# Worked examples from rules.md
# --------------------------------------------------------------------------------------------------


def test_r1_1_ipsea_example_turns_five_on_10_feb_2024() -> None:
    assert csa_start(D(2019, 2, 10)) == D(2024, 3, 31)


def test_r1_2_ipsea_example_born_23_sep_2007() -> None:
    assert csa_end(D(2007, 9, 23)) == D(2024, 6, 28)


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2024, D(2024, 6, 28)), (2025, D(2025, 6, 27)), (2026, D(2026, 6, 26)), (2027, D(2027, 6, 25)),
     (2028, D(2028, 6, 30))],
)  # fmt: skip
def test_r1_2_last_fridays_in_june(year: int, expected: dt.date) -> None:
    assert last_friday_of_june(year) == expected


# --------------------------------------------------------------------------------------------------
# Boundary tables
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dob", "expected"),
    [
        pytest.param(D(2019, 12, 31), D(2024, 12, 31), id="R1.1-5th-birthday-31-Dec-is-prescribed"),
        pytest.param(D(2020, 1, 1), D(2025, 3, 31), id="R1.1-5th-birthday-1-Jan-waits-for-31-Mar"),
        pytest.param(D(2019, 3, 31), D(2024, 3, 31), id="R1.1-5th-birthday-31-Mar-is-prescribed"),
        pytest.param(D(2019, 4, 1), D(2024, 8, 31), id="R1.1-5th-birthday-1-Apr-waits-for-31-Aug"),
        pytest.param(D(2019, 8, 31), D(2024, 8, 31), id="R1.1-5th-birthday-31-Aug-is-prescribed"),
        pytest.param(D(2019, 9, 1), D(2024, 12, 31), id="R1.1-5th-birthday-1-Sep-waits-for-31-Dec"),
        pytest.param(D(2020, 2, 29), D(2025, 3, 31), id="R1.1-29-Feb-dob-5th-birthday-non-leap"),
        pytest.param(D(2019, 2, 28), D(2024, 3, 31), id="R1.1-28-Feb"),
    ],
)
def test_csa_start_boundaries(dob: dt.date, expected: dt.date) -> None:
    assert csa_start(dob) == expected


@pytest.mark.parametrize(
    ("dob", "expected"),
    [
        pytest.param(D(2008, 8, 31), D(2024, 6, 28), id="R1.2-16-on-31-Aug-leaves-that-June"),
        pytest.param(D(2008, 9, 1), D(2025, 6, 27), id="R1.2-16-on-1-Sep-leaves-next-June"),
        pytest.param(D(2008, 7, 15), D(2024, 6, 28), id="R1.2-s8(3)(a)-16-in-summer-holiday"),
        pytest.param(D(2008, 6, 29), D(2024, 6, 28), id="R1.2-s8(3)(a)-16-day-after-leaving-date"),
        pytest.param(D(2008, 6, 28), D(2024, 6, 28), id="R1.2-16-on-leaving-date"),
        pytest.param(D(2008, 12, 31), D(2025, 6, 27), id="R1.2-16-on-31-Dec"),
        pytest.param(D(2009, 1, 1), D(2025, 6, 27), id="R1.2-16-on-1-Jan"),
        pytest.param(D(2009, 3, 31), D(2025, 6, 27), id="R1.2-16-on-31-Mar"),
        pytest.param(D(2009, 4, 1), D(2025, 6, 27), id="R1.2-16-on-1-Apr"),
        pytest.param(D(2008, 2, 29), D(2024, 6, 28), id="R1.2-29-Feb-dob-leap-16th"),
        pytest.param(D(2084, 2, 29), D(2100, 6, 25), id="R1.2-29-Feb-dob-16th-in-non-leap-2100"),
    ],
)
def test_csa_end_boundaries(dob: dt.date, expected: dt.date) -> None:
    assert csa_end(dob) == expected


@pytest.mark.parametrize(
    ("dob", "on", "expected"),
    [
        pytest.param(D(2019, 8, 31), D(2024, 8, 31), 0, id="R1.4-31-Aug-born-on-31-Aug-still-Reception"),
        pytest.param(D(2019, 8, 31), D(2024, 9, 1), 1, id="R1.4-31-Aug-born-on-1-Sep-Year-1"),
        pytest.param(D(2019, 9, 1), D(2024, 9, 1), 0, id="R1.4-1-Sep-born-youngest-in-Reception"),
        pytest.param(D(2019, 9, 1), D(2024, 8, 31), -1, id="R1.4-1-Sep-born-nursery-year"),
        pytest.param(D(2007, 9, 23), D(2024, 1, 15), 11, id="R1.4-IPSEA-child-in-Year-11"),
        pytest.param(D(2019, 12, 31), D(2025, 1, 1), 0, id="R1.4-31-Dec-born"),
        pytest.param(D(2020, 1, 1), D(2025, 1, 1), 0, id="R1.4-1-Jan-born"),
        pytest.param(D(2020, 3, 31), D(2025, 4, 1), 0, id="R1.4-31-Mar-born"),
        pytest.param(D(2020, 4, 1), D(2025, 4, 1), 0, id="R1.4-1-Apr-born"),
        pytest.param(D(2020, 2, 29), D(2025, 2, 28), 0, id="R1.4-29-Feb-born"),
        pytest.param(D(2006, 9, 1), D(2024, 9, 1), 13, id="R1.4-Year-13"),
        pytest.param(D(2006, 8, 31), D(2024, 9, 1), None, id="R1.4-above-Year-13-is-None"),
        pytest.param(D(2024, 3, 1), D(2024, 9, 1), -4, id="R1.4-baby-negative"),
    ],
)
def test_nc_year_boundaries(dob: dt.date, on: dt.date, expected: int | None) -> None:
    assert nc_year(dob, on) == expected


@pytest.mark.parametrize(
    ("year", "stage"),
    [(None, None), (-3, None), (-2, None), (-1, "EYFS"), (0, "EYFS"), (1, "KS1"), (2, "KS1"), (3, "KS2"),
     (6, "KS2"), (7, "KS3"), (9, "KS3"), (10, "KS4"), (11, "KS4"), (12, "KS5"), (13, "KS5"), (14, None)],
)  # fmt: skip
def test_r1_4_key_stage(year: int | None, stage: str | None) -> None:
    assert key_stage(year) == stage


@pytest.mark.parametrize(
    ("on", "expected"),
    [(D(2024, 8, 31), 2023), (D(2024, 9, 1), 2024), (D(2025, 1, 1), 2024), (D(2024, 12, 31), 2024)],
)
def test_r1_3_school_year_start(on: dt.date, expected: int) -> None:
    assert school_year_start(on) == expected


@pytest.mark.parametrize(
    ("dob", "on", "expected"),
    [
        (D(2019, 2, 10), D(2024, 3, 30), False),
        (D(2019, 2, 10), D(2024, 3, 31), True),
        (D(2007, 9, 23), D(2024, 6, 28), True),
        (D(2007, 9, 23), D(2024, 6, 29), False),
    ],
    ids=["R1.1-day-before-start", "R1.1-start-day", "R1.2-leaving-day-included", "R1.2-day-after"],
)
def test_is_compulsory_school_age_is_inclusive(dob: dt.date, on: dt.date, expected: bool) -> None:
    assert is_compulsory_school_age(dob, on) is expected


# --------------------------------------------------------------------------------------------------
# 29 February
# --------------------------------------------------------------------------------------------------


def test_age_on_29_feb_birthday_uses_1_march_in_non_leap_years() -> None:
    dob = D(2008, 2, 29)
    assert age_on(dob, D(2009, 2, 28)) == 0
    assert age_on(dob, D(2009, 3, 1)) == 1
    assert age_on(dob, D(2012, 2, 29)) == 4
    assert birthday(dob, 1) == D(2009, 3, 1)
    assert birthday(dob, 4) == D(2012, 2, 29)


def test_age_on_before_birth_is_an_error() -> None:
    with pytest.raises(ValueError, match="before the date of birth"):
        age_on(D(2020, 1, 2), D(2020, 1, 1))


@pytest.mark.parametrize("year", [y for y in range(1904, 2097, 4) if calendar.isleap(y)])
def test_r1_29_feb_result_does_not_depend_on_28_feb_or_1_mar(year: int) -> None:
    leap = D(year, 2, 29)
    for proxy in (D(year, 2, 28), D(year, 3, 1)):
        assert csa_start(leap) == csa_start(proxy)
        assert csa_end(leap) == csa_end(proxy)
        assert is_edge_case(leap) == is_edge_case(proxy)
        for sy in range(year, year + 20):
            assert nc_year_for_school_year(leap, sy) == nc_year_for_school_year(proxy, sy)


# --------------------------------------------------------------------------------------------------
# R1.3 edge case
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dob", "expected"),
    [
        pytest.param(D(2008, 8, 31), False, id="R1.3-16-on-31-Aug-not-flagged"),
        pytest.param(D(2008, 9, 1), True, id="R1.3-16-on-1-Sep-flagged"),
        pytest.param(D(2008, 9, 7), True, id="R1.3-16-on-7-Sep-flagged-by-default"),
        pytest.param(D(2008, 9, 8), False, id="R1.3-16-on-8-Sep-not-flagged"),
    ],
)
def test_is_edge_case_default_window(dob: dt.date, expected: bool) -> None:
    assert is_edge_case(dob) is expected


@pytest.mark.parametrize(
    ("dob", "expected"),
    [
        pytest.param(D(2008, 9, 1), True, id="R1.3-first-day-of-window"),
        pytest.param(D(2008, 9, 3), True, id="R1.3-day-before-term"),
        pytest.param(D(2008, 9, 4), False, id="R1.3-first-day-of-term-not-flagged"),
        pytest.param(D(2008, 9, 6), False, id="R1.3-after-term-started"),
    ],
)
def test_is_edge_case_with_known_term_start(dob: dt.date, expected: bool) -> None:
    assert is_edge_case(dob, autumn_term_first_day=D(2024, 9, 4)) is expected
    assert is_edge_case(dob, (9, 4)) is expected


def test_is_edge_case_rejects_a_term_start_from_another_year() -> None:
    with pytest.raises(ValueError, match="not in September 2024"):
        is_edge_case(D(2008, 9, 1), autumn_term_first_day=D(2025, 9, 3))
    with pytest.raises(ValueError, match="not a September day"):
        is_edge_case(D(2008, 9, 1), (10, 1))


# --------------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------------


def test_school_age_summary_shape_and_json() -> None:
    summary = school_age_summary(D(2007, 9, 23), D(2024, 1, 15))
    assert summary == {
        "dob": "2007-09-23",
        "on": "2024-01-15",
        "csa_start": "2012-12-31",
        "csa_end": "2024-06-28",
        "compulsory_school_age": True,
        "nc_year": 11,
        "key_stage": "KS4",
        "edge_case": False,
    }
    assert json.loads(json.dumps(summary)) == summary


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------


@given(dobs)
def test_csa_start_is_a_prescribed_day_within_five_months_of_fifth_birthday(dob: dt.date) -> None:
    start = csa_start(dob)
    fifth = birthday(dob, 5)
    assert (start.month, start.day) in PRESCRIBED_DAYS
    assert 0 <= (start - fifth).days <= 152  # longest wait: 1 Apr -> 31 Aug
    assert age_on(dob, start) == 5


@given(dobs)
def test_csa_end_is_the_last_friday_in_june_of_the_school_year_of_the_16th_birthday(dob: dt.date) -> None:
    end = csa_end(dob)
    sixteenth = birthday(dob, 16)
    assert end.month == 6 and end.weekday() == 4 and (end + dt.timedelta(days=7)).month == 7
    assert school_year_start(end) == school_year_start(sixteenth)
    assert -70 < (end - sixteenth).days < 305
    assert age_on(dob, end) in (15, 16)


@given(dobs)
def test_csa_spans_reception_to_year_11(dob: dt.date) -> None:
    assert nc_year(dob, csa_start(dob)) == 0
    assert nc_year(dob, csa_end(dob)) == 11
    assert is_compulsory_school_age(dob, csa_start(dob))
    assert not is_compulsory_school_age(dob, csa_start(dob) - dt.timedelta(days=1))
    assert not is_compulsory_school_age(dob, csa_end(dob) + dt.timedelta(days=1))


@given(dobs, st.integers(min_value=1990, max_value=2050))
def test_nc_year_increases_by_one_each_school_year(dob: dt.date, sy: int) -> None:
    this_year = nc_year_for_school_year(dob, sy)
    next_year = nc_year_for_school_year(dob, sy + 1)
    if next_year is not None:
        assert this_year is not None and next_year == this_year + 1
    else:
        assert this_year is None or this_year == 13


@given(dobs, st.integers(min_value=1990, max_value=2050))
def test_nc_year_is_age_on_31_august_minus_4(dob: dt.date, sy: int) -> None:
    cutoff = D(sy, 8, 31)
    if dob <= cutoff:
        expected = age_on(dob, cutoff) - 4
        assert nc_year_for_school_year(dob, sy) == (expected if expected <= 13 else None)


@given(dobs, st.dates(min_value=D(1990, 1, 1), max_value=D(2050, 12, 31)))
def test_nc_year_for_a_date_uses_its_school_year(dob: dt.date, on: dt.date) -> None:
    assert nc_year(dob, on) == nc_year_for_school_year(dob, school_year_start(on))


@given(dobs)
def test_edge_case_only_for_16th_birthdays_in_early_september(dob: dt.date) -> None:
    sixteenth = birthday(dob, 16)
    assert is_edge_case(dob) == (sixteenth.month == 9 and sixteenth.day <= 7)

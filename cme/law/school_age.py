"""Compulsory school age, school years, year groups and key stages (rules.md §1, R1.1-R1.4).

Statute: Education Act 1996 s8 (compulsory school age), Education Act 2002 s82 (key stages).

Birthdays on 29 February: in a year without a 29 February the birthday is taken as **1 March**
(``age_on`` treats the child as not yet a year older on 28 February). rules.md §1 notes that no result
here depends on that choice: 28 Feb and 1 Mar fall in the same prescribed-day window (R1.1), the same
school-leaving year (R1.2) and the same year group (R1.4). The tests prove it for every 29 February DOB.
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "EDGE_CASE_DEFAULT_LAST_DAY",
    "PRESCRIBED_DAYS",
    "age_on",
    "birthday",
    "csa_end",
    "csa_start",
    "is_compulsory_school_age",
    "is_edge_case",
    "key_stage",
    "last_friday_of_june",
    "nc_year",
    "nc_year_for_school_year",
    "school_age_summary",
    "school_year_start",
]

#: R1.1: the prescribed days (month, day) on which compulsory school age can begin.
PRESCRIBED_DAYS: tuple[tuple[int, int], ...] = ((3, 31), (8, 31), (12, 31))

#: R1.3: with no known term start, 16th birthdays from 1 Sep to this (month, day) inclusive are flagged.
EDGE_CASE_DEFAULT_LAST_DAY: tuple[int, int] = (9, 7)

#: Highest year group that ``nc_year`` reports (Year 13); older children get None.
_HIGHEST_NC_YEAR = 13
_FRIDAY = 4

#: R1.4 / EA 2002 s82: (lowest year, highest year, key stage).
_KEY_STAGES: tuple[tuple[int, int, str], ...] = (
    (-1, 0, "EYFS"),
    (1, 2, "KS1"),
    (3, 6, "KS2"),
    (7, 9, "KS3"),
    (10, 11, "KS4"),
    (12, 13, "KS5"),
)


def birthday(dob: dt.date, years: int) -> dt.date:
    """The date of the child's birthday ``years`` after ``dob``; 29 Feb becomes 1 Mar in non-leap years."""
    year = dob.year + years
    try:
        return dob.replace(year=year)
    except ValueError:  # 29 February in a year without one
        return dt.date(year, 3, 1)


def age_on(dob: dt.date, on: dt.date) -> int:
    """Age in completed years on ``on`` (a 29 Feb birthday falls on 1 Mar in non-leap years).

    Raises ValueError if ``on`` is before ``dob``.
    """
    if on < dob:
        raise ValueError(f"{on.isoformat()} is before the date of birth {dob.isoformat()}.")
    years = on.year - dob.year
    if (on.month, on.day) < (dob.month, dob.day):
        years -= 1
    return years


def csa_start(dob: dt.date) -> dt.date:
    """R1.1 (EA 1996 s8(2)): the day the child begins to be of compulsory school age.

    That is the 5th birthday if it is a prescribed day (31 Dec, 31 Mar, 31 Aug), otherwise the next
    prescribed day after it. E.g. 5 on 10 Feb 2024 -> 31 Mar 2024.
    """
    fifth = birthday(dob, 5)
    return min(
        dt.date(year, month, day)
        for year in (fifth.year, fifth.year + 1)
        for month, day in PRESCRIBED_DAYS
        if dt.date(year, month, day) >= fifth
    )


def last_friday_of_june(year: int) -> dt.date:
    """R1.2: the school leaving date is the last Friday in June (e.g. 2026-06-26)."""
    june_30 = dt.date(year, 6, 30)
    return june_30 - dt.timedelta(days=(june_30.weekday() - _FRIDAY) % 7)


def school_year_start(on: dt.date) -> int:
    """R1.3: calendar year of the 1 September that starts the school year (1 Sep - 31 Aug) containing ``on``."""
    return on.year if on.month >= 9 else on.year - 1


def csa_end(dob: dt.date) -> dt.date:
    """R1.2 (EA 1996 s8(3)): the last day of compulsory school age (CSA ends at the end of this day).

    It is the last Friday in June of the school year in which the child turns 16. Under s8(3)(a) a
    child who turns 16 after that Friday but before the next school year begins also stops on that
    June date. E.g. born 23 Sep 2007 -> 28 Jun 2024. Uses the 1 Sep cut-off; DOBs that R1.3 says an
    officer should review are flagged by ``is_edge_case``.
    """
    return last_friday_of_june(school_year_start(birthday(dob, 16)) + 1)


def is_compulsory_school_age(dob: dt.date, on: dt.date) -> bool:
    """R1.1-R1.2: ``csa_start(dob) <= on <= csa_end(dob)``."""
    return csa_start(dob) <= on <= csa_end(dob)


def nc_year_for_school_year(dob: dt.date, sy_start_year: int) -> int | None:
    """R1.4: expected (chronological) national curriculum year group in the school year starting 1 Sep.

    Year group = age on the 31 August before the school year starts, minus 4 (Reception = 0, Year 1 = 1,
    ..., Year 11 = 11). Below Reception the value is negative (-1 = the nursery year, age 3 on that
    31 August); a child born during or after that school year gets the same arithmetic extended
    (-5 for a child born during it). Above Year 13 the result is None.

    This is the *expected* year; a child taught out of cohort has a different *actual* year (R1.4).
    """
    # Equivalent to age_on(dob, 31 Aug sy_start_year) - 4 and defined for every dob: the child's cohort
    # is the school year in which they were born.
    year = sy_start_year - school_year_start(dob) - 5
    return None if year > _HIGHEST_NC_YEAR else year


def nc_year(dob: dt.date, on: dt.date) -> int | None:
    """R1.4: expected national curriculum year group in the school year containing ``on``."""
    return nc_year_for_school_year(dob, school_year_start(on))


def key_stage(nc_year: int | None) -> str | None:
    """Key stage for a national curriculum year group (Education Act 2002 s82; R1.4).

    "EYFS" for Reception (0) and the nursery year below it (-1, age 3 on 31 Aug), "KS1" Y1-2, "KS2" Y3-6,
    "KS3" Y7-9, "KS4" Y10-11, "KS5" Y12-13 (post-16; not a statutory key stage, used by schools).

    Choice: the EYFS runs from birth, but children below the nursery year (-2 and lower: under 3 on
    31 Aug) are not in school-based provision a CME officer tracks, so they get None, as does any year
    above 13 and None itself.
    """
    if nc_year is None:
        return None
    for low, high, stage in _KEY_STAGES:
        if low <= nc_year <= high:
            return stage
    return None


def is_edge_case(
    dob: dt.date,
    autumn_term_start_month_day: tuple[int, int] = (9, 1),
    *,
    autumn_term_first_day: dt.date | None = None,
) -> bool:
    """R1.3: flag a DOB whose 16th birthday falls between 1 Sep and the first day of the autumn term.

    Such a child "will be 16 by the end of the summer holidays" and arguably stops being of CSA on the
    *previous* last Friday in June under s8(3)(a). ``csa_end`` keeps the 1 Sep cut-off; this flag asks
    an officer to review. The window for the year Y of the 16th birthday is:

    * ``autumn_term_first_day`` given (the actual first day of the autumn term in year Y):
      1 Sep Y <= 16th birthday < that day. A birthday on the first day of term is not flagged: the
      child was 15 for the whole holiday. Raises ValueError if that date is not in September of year Y.
    * else ``autumn_term_start_month_day`` (the LA's usual first day, as (month, day)) if it is later
      than 1 Sep: 1 Sep Y <= 16th birthday < that day in year Y (ValueError if not in September).
    * else (the default (9, 1) means "not known"): 1 Sep to 7 Sep Y inclusive. England's autumn term
      starts in the first week of September, and the default term pattern in ``cme.core.calendar``
      never starts later than 7 Sep; flagging a day too many only costs an officer a check.
    """
    sixteenth = birthday(dob, 16)
    year = sixteenth.year
    window_start = dt.date(year, 9, 1)
    if autumn_term_first_day is not None:
        if (autumn_term_first_day.year, autumn_term_first_day.month) != (year, 9):
            raise ValueError(
                f"autumn_term_first_day {autumn_term_first_day.isoformat()} is not in September {year}, "
                "the year of the 16th birthday."
            )
        return window_start <= sixteenth < autumn_term_first_day
    if autumn_term_start_month_day != (9, 1):
        month, day = autumn_term_start_month_day
        if month != 9:
            raise ValueError(f"autumn_term_start_month_day {autumn_term_start_month_day} is not a September day.")
        return window_start <= sixteenth < dt.date(year, month, day)
    month, day = EDGE_CASE_DEFAULT_LAST_DAY
    return window_start <= sixteenth <= dt.date(year, month, day)


def school_age_summary(dob: dt.date, on: dt.date) -> dict[str, object]:
    """Everything §1 says about a child on a date, JSON-ready (ISO date strings)."""
    year_group = nc_year(dob, on)
    return {
        "dob": dob.isoformat(),
        "on": on.isoformat(),
        "csa_start": csa_start(dob).isoformat(),
        "csa_end": csa_end(dob).isoformat(),
        "compulsory_school_age": is_compulsory_school_age(dob, on),
        "nc_year": year_group,
        "key_stage": key_stage(year_group),
        "edge_case": is_edge_case(dob),
    }

"""Working days, England and Wales bank holidays and school-day arithmetic.

This module is the **only** place in the project that counts days (DESIGN.md, "Rules of the house").
It is pure Python: no Django, no database, no clock. Everything takes dates as arguments.

Conventions used throughout:

* A *working day* is Monday to Friday and not an England and Wales bank holiday.
* A *school day* is a working day inside one of the school's term ranges and not one of its extra
  closure days (INSET days, polling days, emergency closures).
* ``*_between(start, end)`` counts the steps from ``start`` to ``end``: the days in ``(start, end]``
  when ``end`` is later, and minus the days in ``[end, start)`` when ``end`` is earlier. So
  ``add_working_days(d, working_days_between(d, e)) == e`` whenever ``e`` is a working day, in either
  direction (and the count is antisymmetric when both ends are working days).
* ``add_*_days(d, 0)`` returns ``d`` unchanged, even when ``d`` is not a working/school day.
  "The next working day" is ``add_working_days(d, 1)``.

Statutory timescales in school days (R2.6: ground H "10 school days", ground I "20 school days";
R3.4 "5th day"; R3.7 "N must be replaced within 5 school days") are counted with a ``TermCalendar``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

__all__ = [
    "ONE_OFF_BANK_HOLIDAYS",
    "TermCalendar",
    "add_working_days",
    "bank_holidays",
    "default_term_calendar",
    "default_term_dates",
    "easter_sunday",
    "is_bank_holiday",
    "is_working_day",
    "next_working_day",
    "working_days_between",
]

_ONE_DAY = dt.timedelta(days=1)
_MONDAY, _TUESDAY, _WEDNESDAY, _THURSDAY, _FRIDAY, _SATURDAY, _SUNDAY = range(7)

#: Bank holidays proclaimed for a single year (royal events, the millennium, coronations and funerals).
#: Future one-off days cannot be computed: add them here when they are proclaimed.
ONE_OFF_BANK_HOLIDAYS: frozenset[dt.date] = frozenset(
    {
        dt.date(1973, 11, 14),  # Wedding of Princess Anne
        dt.date(1977, 6, 7),  # Silver Jubilee
        dt.date(1981, 7, 29),  # Wedding of the Prince of Wales
        dt.date(1999, 12, 31),  # Millennium
        dt.date(2002, 6, 3),  # Golden Jubilee (spring bank holiday also moved to 4 June)
        dt.date(2011, 4, 29),  # Wedding of Prince William
        dt.date(2012, 6, 5),  # Diamond Jubilee (spring bank holiday moved to 4 June)
        dt.date(2022, 6, 3),  # Platinum Jubilee (spring bank holiday moved to 2 June)
        dt.date(2022, 9, 19),  # State funeral of Queen Elizabeth II
        dt.date(2023, 5, 8),  # Coronation of King Charles III
    }
)

#: Years in which the early May bank holiday was moved away from the first Monday in May.
_EARLY_MAY_MOVED: dict[int, dt.date] = {
    1995: dt.date(1995, 5, 8),  # VE Day 50th anniversary (Monday)
    2020: dt.date(2020, 5, 8),  # VE Day 75th anniversary (Friday)
}

#: Years in which the spring bank holiday was moved away from the last Monday in May.
_SPRING_MOVED: dict[int, dt.date] = {
    1977: dt.date(1977, 6, 6),  # Silver Jubilee
    2002: dt.date(2002, 6, 4),  # Golden Jubilee
    2012: dt.date(2012, 6, 4),  # Diamond Jubilee
    2022: dt.date(2022, 6, 2),  # Platinum Jubilee
}


# --------------------------------------------------------------------------------------------------
# Month helpers
# --------------------------------------------------------------------------------------------------


def _first_weekday_on_or_after(d: dt.date, weekday: int) -> dt.date:
    return d + dt.timedelta(days=(weekday - d.weekday()) % 7)


def _last_weekday_on_or_before(d: dt.date, weekday: int) -> dt.date:
    return d - dt.timedelta(days=(d.weekday() - weekday) % 7)


def _first_monday(year: int, month: int) -> dt.date:
    return _first_weekday_on_or_after(dt.date(year, month, 1), _MONDAY)


def _last_monday(year: int, month: int) -> dt.date:
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    return _last_weekday_on_or_before(next_month - _ONE_DAY, _MONDAY)


def _next_weekday_if_weekend(d: dt.date) -> dt.date:
    return d if d.weekday() < _SATURDAY else _first_weekday_on_or_after(d, _MONDAY)


# --------------------------------------------------------------------------------------------------
# Bank holidays
# --------------------------------------------------------------------------------------------------


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday in the Gregorian calendar (anonymous Gregorian / Meeus-Jones-Butcher algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _christmas_and_boxing_day(year: int) -> tuple[dt.date, dt.date]:
    """Christmas Day and Boxing Day as observed, with substitute days.

    * Christmas on Saturday: substitutes Monday 27 (Christmas) and Tuesday 28 (Boxing Day).
    * Christmas on Sunday: Boxing Day is Monday 26; Christmas substitute is Tuesday 27.
    * Christmas on Friday: Boxing Day (Saturday) is substituted by Monday 28.
    """
    christmas = dt.date(year, 12, 25)
    weekday = christmas.weekday()
    if weekday == _SATURDAY:
        return dt.date(year, 12, 27), dt.date(year, 12, 28)
    if weekday == _SUNDAY:
        return dt.date(year, 12, 27), dt.date(year, 12, 26)
    if weekday == _FRIDAY:
        return christmas, dt.date(year, 12, 28)
    return christmas, dt.date(year, 12, 26)


@lru_cache(maxsize=512)
def bank_holidays(year: int) -> frozenset[dt.date]:
    """England and Wales bank holidays *as observed* in ``year`` (substitute days, not the weekend dates).

    Rules: New Year's Day (or the next Monday), Good Friday, Easter Monday, early May (first Monday;
    moved in 1995 and 2020 for VE Day), spring (last Monday in May; moved for jubilees in 1977, 2002,
    2012 and 2022), summer (last Monday in August), Christmas Day and Boxing Day with substitute days,
    plus the proclaimed one-off days in ``ONE_OFF_BANK_HOLIDAYS``.

    The fixed pattern has applied since 1978 (early May bank holiday); earlier years are computed with
    the same rules and are not authoritative. Future one-off days must be added when proclaimed.
    """
    easter = easter_sunday(year)
    christmas, boxing_day = _christmas_and_boxing_day(year)
    days = {
        _next_weekday_if_weekend(dt.date(year, 1, 1)),
        easter - dt.timedelta(days=2),  # Good Friday
        easter + _ONE_DAY,  # Easter Monday
        _EARLY_MAY_MOVED.get(year, _first_monday(year, 5)),
        _SPRING_MOVED.get(year, _last_monday(year, 5)),
        _last_monday(year, 8),
        christmas,
        boxing_day,
    }
    days.update(d for d in ONE_OFF_BANK_HOLIDAYS if d.year == year)
    return frozenset(days)


def is_bank_holiday(d: dt.date) -> bool:
    """True if ``d`` is an England and Wales bank holiday (as observed)."""
    return d in bank_holidays(d.year)


def is_working_day(d: dt.date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return d.weekday() < _SATURDAY and not is_bank_holiday(d)


def add_working_days(d: dt.date, n: int) -> dt.date:
    """The date ``n`` working days after ``d`` (before it if ``n`` is negative; ``d`` itself if 0)."""
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    remaining = abs(n)
    current = d
    while remaining:
        current += step
        if is_working_day(current):
            remaining -= 1
    return current


def next_working_day(d: dt.date) -> dt.date:
    """The first working day after ``d`` (used for "triage by the next working day")."""
    return add_working_days(d, 1)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in ``(start, end]``; when ``end`` is earlier, minus the working days in ``[end, start)``."""
    if end < start:
        return -sum(1 for d in _days(end, start - _ONE_DAY) if is_working_day(d))
    return sum(1 for d in _days(start + _ONE_DAY, end) if is_working_day(d))


# --------------------------------------------------------------------------------------------------
# School terms
# --------------------------------------------------------------------------------------------------


TermRange = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class TermCalendar:
    """A school's (or an LA's) term dates.

    ``terms`` are inclusive ``(start, end)`` ranges; half-terms and holidays are the gaps between them
    (so give six half-term ranges per year, as ``default_term_dates`` does). ``closures`` are extra
    days inside a term on which the school does not meet (INSET days, polling stations, emergency
    closures). Weekends and bank holidays are never school days.

    Build one with ``TermCalendar.from_ranges(terms, closures)`` to pass lists.
    """

    terms: tuple[TermRange, ...]
    closures: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.terms))
        for start, end in ordered:
            if end < start:
                raise ValueError(f"Term ends ({end.isoformat()}) before it starts ({start.isoformat()}).")
        for (_, previous_end), (next_start, _) in pairwise(ordered):
            if next_start <= previous_end:
                raise ValueError(
                    f"Terms overlap: a term starts on {next_start.isoformat()} before the previous one ends."
                )
        object.__setattr__(self, "terms", ordered)
        object.__setattr__(self, "closures", frozenset(self.closures))

    @classmethod
    def from_ranges(cls, terms: Iterable[TermRange], closures: Iterable[dt.date] = ()) -> TermCalendar:
        """Build a calendar from any iterables of term ranges and closure days."""
        return cls(terms=tuple(terms), closures=frozenset(closures))

    @property
    def first_day(self) -> dt.date | None:
        """The first day of the first term held, or None if no terms are held."""
        return self.terms[0][0] if self.terms else None

    @property
    def last_day(self) -> dt.date | None:
        """The last day of the last term held, or None if no terms are held."""
        return self.terms[-1][1] if self.terms else None

    def in_term(self, d: dt.date) -> bool:
        """True if ``d`` falls inside one of the term ranges (whatever the day of the week)."""
        return any(start <= d <= end for start, end in self.terms)

    def is_school_day(self, d: dt.date) -> bool:
        """A working day inside a term range that is not an extra closure day."""
        return is_working_day(d) and d not in self.closures and self.in_term(d)

    def add_school_days(self, d: dt.date, n: int) -> dt.date:
        """The date ``n`` school days after ``d`` (before if negative; ``d`` itself if 0).

        Raises ValueError if the answer would fall outside the term dates held.
        """
        if n == 0:
            return d
        if self.first_day is None or self.last_day is None:
            raise ValueError("No term dates are held, so school days cannot be counted.")
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        current = d
        while remaining:
            current += step
            if current > self.last_day or current < self.first_day:
                raise ValueError(
                    f"Counting {n} school days from {d.isoformat()} runs past the term dates held "
                    f"({self.first_day.isoformat()} to {self.last_day.isoformat()})."
                )
            if self.is_school_day(current):
                remaining -= 1
        return current

    def next_school_day(self, d: dt.date) -> dt.date:
        """The first school day after ``d``."""
        return self.add_school_days(d, 1)

    def school_days_between(self, start: dt.date, end: dt.date) -> int:
        """School days in ``(start, end]``; when ``end`` is earlier, minus the school days in ``[end, start)``."""
        if end < start:
            return -sum(1 for d in _days(end, start - _ONE_DAY) if self.is_school_day(d))
        return sum(1 for d in _days(start + _ONE_DAY, end) if self.is_school_day(d))

    def school_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The school days from ``start`` to ``end`` inclusive, in order."""
        return [d for d in _days(start, end) if self.is_school_day(d)]

    def autumn_term_first_day(self, school_year_start: int) -> dt.date | None:
        """The first school day on or after 1 September of ``school_year_start`` and before 1 January.

        Feeds ``cme.law.school_age.is_edge_case`` (R1.3). None if no autumn term is held for that year.
        """
        for d in _days(dt.date(school_year_start, 9, 1), dt.date(school_year_start, 12, 31)):
            if self.is_school_day(d):
                return d
        return None


def _days(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    current = start
    while current <= end:
        yield current
        current += _ONE_DAY


def _friday_before_if_late(d: dt.date) -> dt.date:
    """``d`` itself on Tuesday to Friday; otherwise the Friday before (break up on a Friday, not a Monday)."""
    if _TUESDAY <= d.weekday() <= _FRIDAY:
        return d
    return _last_weekday_on_or_before(d - _ONE_DAY, _FRIDAY)


def default_term_dates(school_year_start: int) -> list[TermRange]:
    """A *plausible* England term pattern for the school year starting 1 Sep ``school_year_start``.

    This is a default for demos, tests and LAs that have not yet loaded their own dates. Term dates
    are set locally (rules.md implementation note 2): every LA overrides this with its published
    calendar, and INSET days go in ``TermCalendar.closures``. Six half-terms are returned:

    * autumn: the first Wednesday or Thursday on or after 2 Sep, to the Friday before the week
      starting on the last Monday of October (half-term); then to 20 Dec (or the Friday before it if
      20 Dec is a Saturday, Sunday or Monday);
    * spring: the first Monday on or after 4 Jan, to the Friday before the third Monday of February
      (half-term); then to the Friday before the week containing Good Friday. The Easter holiday is
      the week containing Good Friday and the week containing Easter Monday;
    * summer: the Monday after the Easter holiday to the Friday before the week of the last Monday in
      May (half-term); then to 22 Jul (or the Friday before it if 22 Jul is a Saturday, Sunday or
      Monday).

    Bank holidays inside these ranges are not school days (``TermCalendar.is_school_day``).
    """
    y1, y2 = school_year_start, school_year_start + 1
    week = dt.timedelta(days=7)
    three_days = dt.timedelta(days=3)

    autumn_start = min(
        _first_weekday_on_or_after(dt.date(y1, 9, 2), _WEDNESDAY),
        _first_weekday_on_or_after(dt.date(y1, 9, 2), _THURSDAY),
    )
    october_half_term = _last_monday(y1, 10)
    autumn_end = _friday_before_if_late(dt.date(y1, 12, 20))

    spring_start = _first_weekday_on_or_after(dt.date(y2, 1, 4), _MONDAY)
    february_half_term = _first_monday(y2, 2) + 2 * week
    good_friday = easter_sunday(y2) - dt.timedelta(days=2)
    easter_holiday_start = good_friday - dt.timedelta(days=4)  # Monday of the week of Good Friday
    summer_start = easter_holiday_start + 2 * week

    may_half_term = _last_monday(y2, 5)
    summer_end = _friday_before_if_late(dt.date(y2, 7, 22))

    return [
        (autumn_start, october_half_term - three_days),
        (october_half_term + week, autumn_end),
        (spring_start, february_half_term - three_days),
        (february_half_term + week, easter_holiday_start - three_days),
        (summer_start, may_half_term - three_days),
        (may_half_term + week, summer_end),
    ]


def default_term_calendar(first_school_year: int, last_school_year: int | None = None) -> TermCalendar:
    """A ``TermCalendar`` of ``default_term_dates`` for each school year from first to last (inclusive)."""
    last = first_school_year if last_school_year is None else last_school_year
    ranges = [term for year in range(first_school_year, last + 1) for term in default_term_dates(year)]
    return TermCalendar.from_ranges(ranges)

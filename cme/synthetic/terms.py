"""School days for the generator, from the project calendar (``cme.core.calendar``, pure Python).

The generator needs thousands of "a school day between these dates" and "n school days later" look-ups,
so this module lists every school day of ``default_term_dates`` once, in order, and answers by index.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_left, bisect_right

from cme.core.calendar import default_term_calendar, default_term_dates
from cme.law.school_age import school_year_start as school_year_of

__all__ = ["SchoolDays", "school_year_of"]


class SchoolDays:
    """Every school day of the default term pattern from ``first_year`` to ``last_year`` (school years)."""

    def __init__(self, first_year: int, last_year: int) -> None:
        calendar = default_term_calendar(first_year, last_year)
        first = calendar.first_day
        last = calendar.last_day
        if first is None or last is None:  # pragma: no cover - default_term_calendar always holds terms
            raise ValueError("no term dates")
        self.days: list[dt.date] = calendar.school_days(first, last)
        self._ordinals: list[int] = [d.toordinal() for d in self.days]
        self._autumn: dict[int, dt.date] = {}
        self._summer_end: dict[int, dt.date] = {}
        self._spring: dict[int, dt.date] = {}
        self._summer: dict[int, dt.date] = {}
        for year in range(first_year, last_year + 1):
            terms = default_term_dates(year)
            self._autumn[year] = self.on_or_after(terms[0][0])
            self._spring[year] = self.on_or_after(terms[2][0])
            self._summer[year] = self.on_or_after(terms[4][0])
            self._summer_end[year] = self.on_or_before(terms[5][1])
        self._inner: dict[int, tuple[dt.date, dt.date]] = {
            year: (self.add(self._autumn[year], 10), self.add(self._summer_end[year], -10))
            for year in range(first_year, last_year + 1)
        }
        self.first_year = first_year
        self.last_year = last_year

    # -- look-ups ---------------------------------------------------------------------------------
    def index_on_or_after(self, d: dt.date) -> int:
        return min(bisect_left(self._ordinals, d.toordinal()), len(self.days) - 1)

    def on_or_after(self, d: dt.date) -> dt.date:
        """The first school day on or after ``d`` (the last one held if ``d`` is beyond)."""
        return self.days[self.index_on_or_after(d)]

    def on_or_before(self, d: dt.date) -> dt.date:
        """The last school day on or before ``d`` (the first one held if ``d`` is before)."""
        return self.days[max(0, bisect_right(self._ordinals, d.toordinal()) - 1)]

    def add(self, d: dt.date, n: int) -> dt.date:
        """``n`` school days after the school day on or after ``d`` (clamped to the days held)."""
        index = self.index_on_or_after(d) + n
        return self.days[min(max(index, 0), len(self.days) - 1)]

    def between(self, rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date | None:
        """A random school day in ``[lo, hi]``, or None if there is none."""
        i = bisect_left(self._ordinals, lo.toordinal())
        j = bisect_right(self._ordinals, hi.toordinal())
        if j <= i:
            return None
        return self.days[i + int(rng.random() * (j - i))]

    def count_between(self, lo: dt.date, hi: dt.date) -> int:
        """School days in ``[lo, hi]``."""
        return max(0, bisect_right(self._ordinals, hi.toordinal()) - bisect_left(self._ordinals, lo.toordinal()))

    def is_school_day(self, d: dt.date) -> bool:
        i = bisect_left(self._ordinals, d.toordinal())
        return i < len(self._ordinals) and self._ordinals[i] == d.toordinal()

    # -- term landmarks ---------------------------------------------------------------------------
    def autumn_start(self, year: int) -> dt.date:
        """First school day of school year ``year`` (early September)."""
        return self._autumn[year]

    def spring_start(self, year: int) -> dt.date:
        """First school day of the spring term of school year ``year`` (early January of year + 1)."""
        return self._spring[year]

    def summer_start(self, year: int) -> dt.date:
        return self._summer[year]

    def inner(self, year: int) -> tuple[dt.date, dt.date]:
        """The school year ``year`` without its first and last ten school days (for in-year events)."""
        return self._inner[year]

    def summer_end(self, year: int) -> dt.date:
        """Last school day of school year ``year`` (about 22 July of year + 1)."""
        return self._summer_end[year]

"""Incremental days of the synthetic school feed: what a Wonde ``updated_after`` sync returns (formats.md §3).

``cme.synthetic.feed`` builds every pupil of every school for a day (a full sync). A daily sync asks only for
pupils updated since the last one, plus the day's register marks; building just those is what makes weeks of
feed history cheap at 100,000 children. The payloads have the same shape as ``iter_school_feed`` and the same
marks (the same random streams are consumed in the same order), with ``students``, ``students-leaver`` and
``students-pre-admission`` filtered on ``updated_at`` on or after ``since`` (the synthetic ``updated_at`` is a
date, so a change on the day of the last sync may have come after it: it is sent again, which is harmless).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from cme.synthetic.feed import _FeedBuilder, _pages, _wonde_id, feed_schools, wonde_date
from cme.synthetic.rand import derive_rng
from cme.synthetic.specs import Council, SchoolSpec
from cme.synthetic.terms import school_year_of

__all__ = ["iter_school_feed_since"]


class _Increments(_FeedBuilder):
    def school_since(self, school: SchoolSpec, day: dt.date, since: dt.date, per_page: int) -> dict[str, object]:
        rng = derive_rng(self.seed, self.council.seed, "feed", school.key, day.toordinal())
        enrolments = self.index.enrolments_by_school.get(school.key, [])
        school_day = self.days.is_school_day(day)
        students: list[dict[str, object]] = []
        leavers: list[dict[str, object]] = []
        pre: list[dict[str, object]] = []
        marks: list[dict[str, object]] = []
        for e in enrolments:
            if e.start <= day and (e.end is None or e.end >= day):
                if e.start >= since:
                    students.append(self._student(school, e, day))
                if school_day:
                    year = e.nc_year_actual + (school_year_of(min(day, e.end or day)) - school_year_of(e.start))
                    sid = _wonde_id("A", "student", school.key, e.child_key, e.start.toordinal())
                    marks.extend(self._marks(rng, e, sid, day, year))
            elif e.end is not None and e.end < day and (day - e.end).days <= 400:
                if min(day, e.end) >= since:
                    leavers.append(self._student(school, e, day, leaver=True))
            elif e.start > day and (e.start - day).days <= 120:
                pre.append(self._student(school, e, day))
        for e in self._never_arrived(school, day):
            child = self.council.children[e.child_key - 1]
            sid = _wonde_id("A", "student", school.key, child.key, e.start.toordinal())
            if school_day and day >= self._expected_start(e):
                marks.extend(
                    {
                        "id": _wonde_id("S", "mark", sid, day.toordinal(), session),
                        "student": sid,
                        "date": wonde_date(day),
                        "session": session,
                        "attendance_code": {"data": {"code": "Z", "description": "Prospective pupil"}},
                        "minutes_late": None,
                    }
                    for session in ("AM", "PM")
                )
        sid = _wonde_id("A", "school", school.key)
        url = f"https://api.wonde.com/v1.0/schools/{sid}"
        return {
            "school": {
                "id": sid,
                "name": school.name,
                "urn": int(school.urn),
                "la_code": school.la_code,
                "establishment_number": school.estab,
            },
            "students": _pages(students, f"{url}/students", per_page),
            "students-leaver": _pages(leavers, f"{url}/students-leaver", per_page),
            "students-pre-admission": _pages(pre, f"{url}/students-pre-admission", per_page),
            "attendance/session": _pages(marks, f"{url}/attendance/session", per_page * 2),
        }


def iter_school_feed_since(
    council: Council, *, day: dt.date, since: dt.date, seed: int = 0, per_page: int = 200
) -> Iterator[dict[str, object]]:
    """One payload per state-funded school open on ``day``: pupils updated after ``since`` and the day's marks."""
    builder = _Increments(council, seed)
    for school in feed_schools(council, day):
        yield builder.school_since(school, day, since, per_page)

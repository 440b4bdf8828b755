"""A Wonde-shaped daily school feed (formats.md §3) for the council's state-funded schools.

For each school open on the day, ``iter_school_feed`` gives one payload with paged endpoint responses:

* ``students``: pupils on roll, with ``education_details.data`` (``upn``, ``former_upn``,
  ``admission_number``, ``current_nc_year``, ``part_time``, ``admission_date``, ``leaving_date``),
  ``contact_details.data`` (phones, emails, home address) and ``contacts``;
* ``students-leaver``: pupils who left in the last 400 days (``leaving_date`` set);
* ``students-pre-admission``: places starting within 120 days, and children allocated a place at a
  transfer who never arrived (they stay here, with a ``Z`` mark, until the school removes them);
* ``attendance/session``: AM and PM marks with the 2024 codes (``cme.law.attendance_codes``).

Pages follow Wonde's shape: ``{"data": [...], "meta": {"pagination": {...}, "includes": [...]}}``;
dates are Wonde date objects. The shapes of ``students-leaver`` and session reads are not confirmed by a
public specification (formats.md §3), so they mirror ``students`` and the write-back record.

Independent schools are not in the feed (they do not share data with the LA through Wonde), nor are
schools in other LAs. Everything is computed lazily: one school at a time, one day at a time.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, Final, TypeAlias

from cme.law.attendance_codes import CODES
from cme.synthetic.extracts import CouncilIndex, address_on, council_index
from cme.synthetic.rand import Weighted, derive_rng, stable_int
from cme.synthetic.specs import UNKNOWN_DESTINATION, ChildSpec, Council, EnrolmentSpec, SchoolSpec
from cme.synthetic.terms import SchoolDays, school_year_of

__all__ = ["Payload", "feed_days", "feed_schools", "iter_school_feed", "school_feed_day", "wonde_date"]

#: A JSON object as Wonde returns it.
Payload: TypeAlias = dict[str, Any]

_BASE: Final = "https://api.wonde.com/v1.0/schools"
_INCLUDES: Final = ["education_details", "contact_details", "contacts.contact_details"]
_PHASE: Final[dict[str, str]] = {
    "nursery": "NURSERY",
    "infant": "PRIMARY",
    "junior": "PRIMARY",
    "primary": "PRIMARY",
    "middle": "MIDDLE",
    "secondary": "SECONDARY",
    "all_through": "ALL_THROUGH",
    "special": "SPECIAL",
    "alternative_provision": "PUPIL_REFERRAL_UNIT",
}
_ABSENCE: Final = Weighted(
    [
        ("I", 52.0),
        ("M", 8.0),
        ("O", 7.0),
        ("N", 8.0),
        ("G", 6.0),
        ("C", 3.0),
        ("R", 2.0),
        ("U", 4.0),
        ("E", 1.0),
        ("B", 2.0),
        ("V", 2.0),
        ("J1", 0.5),
        ("S", 0.3),
    ]
)
_MIS: Final = ("SIMS", "Arbor", "Bromcom", "ScholarPack", "Integris")


def wonde_date(d: dt.date | None) -> Payload | None:
    """Wonde's date object: ``{"date": "2026-11-27 00:00:00.000000", "timezone_type": 3, ...}``."""
    if d is None:
        return None
    return {"date": f"{d.isoformat()} 00:00:00.000000", "timezone_type": 3, "timezone": "Europe/London"}


def _nc_label(year: int) -> str:
    return "R" if year == 0 else (f"N{-year}" if year < 0 else str(year))


def _wonde_id(prefix: str, *parts: object) -> str:
    return f"{prefix}{stable_int(*parts) % 10_000_000_000:010d}"


def feed_schools(council: Council, day: dt.date) -> list[SchoolSpec]:
    """The council's state-funded schools open on ``day`` (the ones that share data through the feed)."""
    return [
        s
        for s in council.schools
        if s.la_code == council.la.code and s.phase != "independent" and (s.closed_on is None or s.closed_on >= day)
    ]


def _pages(items: list[Payload], url: str, per_page: int) -> list[Payload]:
    pages: list[Payload] = []
    total = max(1, -(-len(items) // per_page))
    for number in range(1, total + 1):
        more = number < total
        pages.append(
            {
                "data": items[(number - 1) * per_page : number * per_page],
                "meta": {
                    "pagination": {
                        "next": f"{url}?page={number + 1}&per_page={per_page}" if more else None,
                        "previous": f"{url}?page={number - 1}&per_page={per_page}" if number > 1 else None,
                        "more": more,
                        "per_page": per_page,
                        "current_page": number,
                    },
                    "includes": list(_INCLUDES),
                },
            }
        )
    return pages


def _mark(student_id: str, day: dt.date, session: str, code: str, minutes_late: int | None) -> Payload:
    return {
        "id": _wonde_id("S", "mark", student_id, day.toordinal(), session),
        "student": student_id,
        "date": wonde_date(day),
        "session": session,
        "attendance_code": {"data": {"code": code, "description": CODES[code].meaning}},
        "minutes_late": minutes_late,
    }


class _FeedBuilder:
    def __init__(self, council: Council, seed: int) -> None:
        self.council = council
        self.index: CouncilIndex = council_index(council)
        self.seed = seed
        year = school_year_of(council.on)
        self.days = SchoolDays(year - 6, year + 2)
        self._transfers: dict[str, list[EnrolmentSpec]] | None = None

    def _student(
        self,
        school: SchoolSpec,
        e: EnrolmentSpec,
        day: dt.date,
        *,
        leaver: bool = False,
        admission: dt.date | None = None,
    ) -> Payload:
        """The pupil as the school's MIS holds them on ``day``."""
        child: ChildSpec = self.council.children[e.child_key - 1]
        household = self.index.households[child.household_key]
        contacts = self.index.contacts_by_household.get(child.household_key, [])
        # The school's copy of the address: set at admission, not always updated after a move.
        known = address_on(household, e.start)
        current = address_on(household, day)
        stale = stable_int(self.seed, "stale", child.key) % 100 < 25
        addr = known if stale else current
        number, _, street = addr.line1.rpartition(", ")[2].partition(" ")
        if not number.isdigit():
            number, street = "", addr.line1
        house_name = addr.line1.rpartition(", ")[0] if ", " in addr.line1 else None
        first_contact = contacts[0] if contacts else None
        year = self._year(e, day)
        forename = child.preferred_forename or child.legal_forename
        sid = _wonde_id("A", "student", school.key, child.key, e.start.toordinal())
        student: Payload = {
            "id": sid,
            "upi": f"{stable_int('upi', school.key, child.key):016x}",
            "mis_id": str(1000 + child.key % 900_000),
            "initials": f"{forename[0]}{child.legal_surname[0]}",
            "surname": child.legal_surname,
            "forename": forename,
            "middle_names": child.middle_names or None,
            "legal_surname": child.legal_surname,
            "legal_forename": child.legal_forename,
            "gender": "MALE" if child.sex == "M" else "FEMALE",
            "date_of_birth": wonde_date(child.dob),
            "restored_at": None,
            "created_at": wonde_date(e.start),
            "updated_at": wonde_date(min(day, e.end) if leaver and e.end else e.start),
            "education_details": {
                "data": {
                    "upn": child.upn,
                    "former_upn": child.former_upns[-1] if child.former_upns else None,
                    "local_upn": None,
                    "admission_number": f"{school.estab}{child.key % 100_000:05d}",
                    "learner_number": None,
                    "current_nc_year": _nc_label(year),
                    "part_time": year < 0,
                    "part_time_rate": None,
                    "admission_date": wonde_date(admission or e.start),
                    "leaving_date": wonde_date(e.end) if leaver else None,
                }
            },
            "contact_details": {
                "data": {
                    "phones": {
                        "phone": first_contact.phone if first_contact else None,
                        "primary": first_contact.phone if first_contact else None,
                        "home": None,
                        "work": None,
                        "mobile": first_contact.phone if first_contact else None,
                    },
                    "emails": {
                        "email": first_contact.email if first_contact else None,
                        "primary": first_contact.email if first_contact else None,
                        "home": None,
                        "work": None,
                    },
                    "addresses": {
                        "home": {
                            "house_number": number or None,
                            "house_name": house_name,
                            "street": street,
                            "town": addr.town,
                            "county": self.council.la.name if addr.la_code == self.council.la.code else None,
                            "postcode": addr.postcode,
                            "locality": addr.line2 or None,
                        },
                        "work": None,
                        "postal": None,
                    },
                    "salutation": None,
                }
            },
            "contacts": {
                "data": [
                    {
                        "id": _wonde_id("C", "contact", school.key, c.key),
                        "forename": c.forename,
                        "surname": c.surname,
                        "relationship": {
                            "relationship": c.relationship.title(),
                            "parental_responsibility": c.parental_responsibility,
                            "lives_with_pupil": c.lives_with,
                            "priority": c.order,
                        },
                        "contact_details": {
                            "data": {
                                "phones": {"phone": c.phone, "mobile": c.phone, "home": None, "work": None},
                                "emails": {"email": c.email, "home": None, "work": None},
                            }
                        },
                    }
                    for c in contacts
                ]
            },
        }
        return student

    @staticmethod
    def _year(e: EnrolmentSpec, day: dt.date) -> int:
        """Actual NC year of the pupil on ``day`` (or on the leaving date for leavers)."""
        return e.nc_year_actual + (school_year_of(min(day, e.end or day)) - school_year_of(e.start))

    def _marks(self, rng: random.Random, e: EnrolmentSpec, student_id: str, day: dt.date, year: int) -> list[Payload]:
        child_key = e.child_key
        profile = stable_int(self.seed, "attendance", child_key) % 1000
        rate = 0.03 if profile < 700 else (0.08 if profile < 900 else (0.16 if profile < 980 else 0.5))
        codes: list[str]
        ending = e.end is not None and e.deletion_ground in ("I", "H") and self.days.count_between(day, e.end) <= 26
        if ending:
            run = self.days.count_between(day, e.end or day)
            code = "N" if run > 23 else ("G" if rng.random() < 0.2 else "O")
            codes = [code, code]
        else:
            codes = []
            for session in ("AM", "PM"):
                if year < 0 and session == "PM" and rng.random() < 0.6:
                    codes.append("X")
                elif session == "PM" and profile % 97 == 0 and year >= 1:
                    codes.append("C2")  # a part-time timetable
                elif rng.random() < rate:
                    codes.append(_ABSENCE.pick(rng))
                elif rng.random() < 0.04:
                    codes.append("L")
                else:
                    codes.append("/" if session == "AM" else "\\")
        return [
            _mark(student_id, day, session, code, 5 + int(rng.random() * 20) if code == "L" else None)
            for session, code in zip(("AM", "PM"), codes, strict=True)
        ]

    def school(self, school: SchoolSpec, day: dt.date, per_page: int) -> Payload:
        rng = derive_rng(self.seed, self.council.seed, "feed", school.key, day.toordinal())
        enrolments = self.index.enrolments_by_school.get(school.key, [])
        school_day = self.days.is_school_day(day)
        students: list[Payload] = []
        leavers: list[Payload] = []
        pre: list[Payload] = []
        marks: list[Payload] = []
        for e in enrolments:
            if e.start <= day and (e.end is None or e.end >= day):
                student = self._student(school, e, day)
                students.append(student)
                if school_day:
                    marks.extend(self._marks(rng, e, str(student["id"]), day, self._year(e, day)))
            elif e.end is not None and e.end < day and (day - e.end).days <= 400:
                leavers.append(self._student(school, e, day, leaver=True))
            elif e.start > day and (e.start - day).days <= 120:
                pre.append(self._student(school, e, day))
        for e in self._never_arrived(school, day):
            expected = self._expected_start(e)
            student = self._student(school, e, day, admission=expected)
            pre.append(student)
            if school_day and day >= expected:
                sid = str(student["id"])
                marks.extend(_mark(sid, day, session, "Z", None) for session in ("AM", "PM"))
        sid = _wonde_id("A", "school", school.key)
        url = f"{_BASE}/{sid}"
        return {
            "school": {
                "id": sid,
                "name": school.name,
                "urn": int(school.urn),
                "la_code": school.la_code,
                "establishment_number": school.estab,
                "phase_of_education": _PHASE.get(school.phase, "NOT_APPLICABLE"),
                "mis": _MIS[school.key % len(_MIS)],
            },
            "students": _pages(students, f"{url}/students", per_page),
            "students-leaver": _pages(leavers, f"{url}/students-leaver", per_page),
            "students-pre-admission": _pages(pre, f"{url}/students-pre-admission", per_page),
            "attendance/session": _pages(marks, f"{url}/attendance/session", per_page * 2),
        }

    def _expected_start(self, e: EnrolmentSpec) -> dt.date:
        """The first day of the school year after ``e`` ended (when the child was expected next)."""
        if e.end is None:
            raise ValueError("an open enrolment has no next school")
        return self.days.autumn_start(school_year_of(e.end) + 1)

    def _never_arrived(self, school: SchoolSpec, day: dt.date) -> Iterator[EnrolmentSpec]:
        """Last enrolments elsewhere that named this school at a transfer, for children who never came.

        They are listed from the offer (1 March) to the end of that calendar year.
        """
        if self._transfers is None:
            self._transfers = defaultdict(list)
            for child_key, history in self.index.enrolments_by_child.items():
                last = max(history, key=lambda x: x.start)
                if (
                    last.end is not None
                    and last.deletion_ground == "A"
                    and last.destination_laestab not in (None, UNKNOWN_DESTINATION)
                    and self.council.children[child_key - 1].truth_status == "cme_missed_transfer"
                ):
                    self._transfers[last.destination_laestab or ""].append(last)
        for e in self._transfers.get(school.laestab, []):
            expected = self._expected_start(e)
            if dt.date(expected.year, 3, 1) <= day <= dt.date(expected.year, 12, 31):
                yield e


def iter_school_feed(council: Council, *, day: dt.date, seed: int = 0, per_page: int = 200) -> Iterator[Payload]:
    """One Wonde-shaped payload per state-funded school open on ``day`` (lazy)."""
    builder = _FeedBuilder(council, seed)
    for school in feed_schools(council, day):
        yield builder.school(school, day, per_page)


def school_feed_day(council: Council, *, day: dt.date, seed: int = 0, per_page: int = 200) -> Payload:
    """The whole feed for one day: ``{"date", "la_code", "schools": [payload, ...]}``."""
    return {
        "date": day.isoformat(),
        "la_code": council.la.code,
        "schools": list(iter_school_feed(council, day=day, seed=seed, per_page=per_page)),
    }


def feed_days(
    council: Council, start: dt.date, end: dt.date, *, seed: int = 0, per_page: int = 200
) -> Iterator[tuple[dt.date, Iterator[Payload]]]:
    """For each school day from ``start`` to ``end``: ``(day, lazy iterator of school payloads)``."""
    builder = _FeedBuilder(council, seed)
    day = start
    while day <= end:
        if builder.days.is_school_day(day):
            yield day, (builder.school(s, day, per_page) for s in feed_schools(council, day))
        day += dt.timedelta(days=1)

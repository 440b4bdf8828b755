"""The Wonde-shaped school feed."""

from __future__ import annotations

import datetime as dt
import types
from collections import Counter

import pytest

from cme.law import upn
from cme.law.attendance_codes import CODES
from cme.synthetic import Council
from cme.synthetic.feed import Payload, feed_days, feed_schools, iter_school_feed, school_feed_day
from cme.synthetic.terms import SchoolDays


def _items(payload: Payload, endpoint: str) -> list[Payload]:
    pages = payload[endpoint]
    assert isinstance(pages, list)
    return [item for page in pages for item in page["data"]]


@pytest.fixture(scope="module")
def day_feed(council: Council) -> Payload:
    return school_feed_day(council, day=council.on, seed=1)


def test_one_payload_per_state_funded_school(council: Council, day_feed: Payload) -> None:
    schools = day_feed["schools"]
    assert isinstance(schools, list)
    assert len(schools) == len(feed_schools(council, council.on))
    names = {s["school"]["name"] for s in schools}
    assert not names & {s.name for s in council.schools if s.phase == "independent" or s.la_code != "931"}


def test_students_are_the_schools_roll(council: Council, day_feed: Payload) -> None:
    on = council.on
    by_name = {s.name: s for s in council.schools}
    expected = Counter(
        s.key
        for e in council.enrolments
        for s in [council.schools[e.school_key - 1]]
        if e.start <= on and (e.end is None or e.end >= on) and s.la_code == "931" and s.phase != "independent"
    )
    schools = day_feed["schools"]
    assert isinstance(schools, list)
    for payload in schools:
        school = by_name[payload["school"]["name"]]
        students = _items(payload, "students")
        assert len(students) == expected[school.key]
        for student in students:
            details = student["education_details"]["data"]
            assert details["leaving_date"] is None and details["admission_date"]["date"] <= f"{on} 99"
            assert details["upn"] is None or upn.is_valid(details["upn"])
            assert student["gender"] in ("MALE", "FEMALE")
            assert student["contact_details"]["data"]["addresses"]["home"]["postcode"]


def test_pages_follow_wonde_pagination(council: Council) -> None:
    payload = next(iter_school_feed(council, day=council.on, per_page=5))
    pages = payload["students"]
    assert isinstance(pages, list)
    for number, page in enumerate(pages, start=1):
        pagination = page["meta"]["pagination"]
        assert pagination["current_page"] == number and pagination["per_page"] == 5
        assert pagination["more"] == (number < len(pages))
        assert (pagination["next"] is None) == (number == len(pages))
        assert len(page["data"]) <= 5


def test_attendance_has_one_am_and_one_pm_mark_per_pupil(day_feed: Payload) -> None:
    schools = day_feed["schools"]
    assert isinstance(schools, list)
    codes: Counter[str] = Counter()
    for payload in schools:
        students = {s["id"] for s in _items(payload, "students")}
        marks = _items(payload, "attendance/session")
        sessions = Counter((m["student"], m["session"]) for m in marks if m["student"] in students)
        assert set(sessions) == {(s, session) for s in students for session in ("AM", "PM")}
        assert all(n == 1 for n in sessions.values())
        codes.update(m["attendance_code"]["data"]["code"] for m in marks)
    assert set(codes) <= set(CODES)
    present = codes["/"] + codes["\\"] + codes["L"]
    assert present / sum(codes.values()) > 0.85


def test_no_marks_on_a_saturday(council: Council) -> None:
    saturday = dt.date(2026, 11, 28)
    for payload in iter_school_feed(council, day=saturday):
        assert not _items(payload, "attendance/session")


def test_missed_transfers_wait_in_pre_admission(council: Council, day_feed: Payload) -> None:
    missed = [c for c in council.children if c.truth_status == "cme_missed_transfer"]
    schools = day_feed["schools"]
    assert isinstance(schools, list)
    waiting = {
        (s["legal_forename"], s["legal_surname"])
        for payload in schools
        for s in _items(payload, "students-pre-admission")
    }
    for child in missed:
        last = max((e for e in council.enrolments if e.child_key == child.key), key=lambda e: e.start)
        destination = last.destination_laestab or ""
        if last.end is not None and last.end.year == council.on.year and destination[:3] == "931":
            assert (child.legal_forename, child.legal_surname) in waiting


def test_children_deleted_under_ground_i_were_absent_first(council: Council) -> None:
    days = SchoolDays(2020, 2027)
    ground_i = [
        e
        for e in council.enrolments
        if e.deletion_ground == "I"
        and e.end is not None
        and council.schools[e.school_key - 1].la_code == "931"
        and council.schools[e.school_key - 1].phase != "independent"
        and days.is_school_day(e.end)
        and e.end.year >= 2025
    ]
    assert ground_i
    e = ground_i[0]
    assert e.end is not None
    probe = days.add(e.end, -10)
    school = council.schools[e.school_key - 1]
    payload = next(p for p in iter_school_feed(council, day=probe) if p["school"]["name"] == school.name)
    child = council.children[e.child_key - 1]
    ids = [
        s["id"]
        for s in _items(payload, "students")
        if s["legal_forename"] == child.legal_forename and s["legal_surname"] == child.legal_surname
    ]
    assert ids
    marks = [
        m["attendance_code"]["data"]["code"] for m in _items(payload, "attendance/session") if m["student"] == ids[0]
    ]
    assert marks and set(marks) <= {"N", "O", "G"}


def test_feed_days_is_lazy_and_skips_days_without_school(council: Council) -> None:
    days = feed_days(council, dt.date(2026, 12, 18), dt.date(2027, 1, 6))
    assert isinstance(days, types.GeneratorType)
    seen = []
    for day, schools in days:
        seen.append(day)
        first = next(iter(schools))
        assert first["school"]["la_code"] == "931"
    assert seen and all(d.weekday() < 5 for d in seen)
    assert not any(dt.date(2026, 12, 21) <= d <= dt.date(2027, 1, 1) for d in seen)

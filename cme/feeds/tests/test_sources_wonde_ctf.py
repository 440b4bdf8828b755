"""The school feed (Wonde pages) and CTF files as sources."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cme.feeds.sources import ctf, wonde
from cme.feeds.sources.base import AttendanceFact, FileError, RollFact
from cme.feeds.tests.factories import mark, page, student
from cme.law import upn as upns
from cme.law.ctf import CTFHeader, CTFPupil, CTFSchoolHistoryEntry, build_ctf

ON = dt.date(2026, 11, 27)
UPN = upns.make_upn("931", "2001", 20, 1)


def parse(name: str, data: bytes):  # type: ignore[no-untyped-def]
    parsed = wonde.parse(data, name=name, on=ON)
    assert len(parsed.items) == len(parsed.accepted) + len(parsed.rejected)
    return parsed


def test_students_become_records_and_on_roll_facts() -> None:
    parsed = parse("9312001/students/0001.json", page([student("A1", upn=UPN)]))
    item = parsed.accepted[0]
    record = item.record
    assert record is not None and record.source == "school_feed" and record.source_record_id == "9312001:A1"
    assert (record.upn, record.date_of_birth, record.sex, record.postcode) == (UPN, dt.date(2016, 5, 14), "F",
                                                                              "OX4 1AB")
    assert record.address == "12 Cowley Road, Oxford" and record.raw["upi"] == "upi-A1"
    assert item.facts == (RollFact(kind="on_roll", record=("school_feed", "9312001:A1"), laestab="9312001",
                                   start=dt.date(2021, 9, 1), nc_year=5),)


def test_leavers_and_pre_admissions() -> None:
    left = parse("9312001/students-leaver/0001.json",
                 page([student("A1", left=dt.date(2026, 10, 1)), student("A2")]))
    assert left.accepted[0].facts[0].kind == "left" and left.accepted[0].facts[0].end == dt.date(2026, 10, 1)  # type: ignore[union-attr]
    assert "a leaver needs a leaving date" in left.rejected[0].reasons[0]
    pre = parse("9312001/students-pre-admission/0001.json", page([student("A3", admitted=dt.date(2027, 1, 5))]))
    assert pre.accepted[0].facts[0].kind == "pre_admission"  # type: ignore[union-attr]


def test_attendance_marks() -> None:
    parsed = parse("9312001/attendance-session/0001.json", page([
        mark("A1", ON, "AM", "/"), mark("A1", ON, "PM", "N"), mark("A1", ON, "XX", "N"), mark("A1", ON, "AM", "Q9"),
        mark("A2", ON, "AM", "H"),
    ]))
    facts = [a.facts[0] for a in parsed.accepted]
    assert facts[0] == AttendanceFact(record=("school_feed", "9312001:A1"), laestab="9312001", date=ON,
                                      session="AM", code="/")
    assert facts[-1].code == "H"  # a legacy code is mapped, not rejected
    reasons = [" ".join(r.reasons) for r in parsed.rejected]
    assert any("is not AM or PM" in r for r in reasons) and any("not a recognised code" in r for r in reasons)


def test_a_duplicate_item_on_a_page_is_rejected() -> None:
    parsed = parse("9312001/students/0001.json", page([student("A1"), student("A1")]))
    assert len(parsed.accepted) == 1 and "duplicate of item 1" in parsed.rejected[0].reasons[0]


def test_deletions_end_the_pupils_roll() -> None:
    data = json.dumps({"data": [{"id": "A1", "type": "student", "updated_at": {"date": "2026-11-20 10:00:00"}},
                                {"id": "C1", "type": "contact"}]}).encode()
    parsed = parse("9312001/deletions/0001.json", data)
    assert parsed.accepted[0].facts == (RollFact(kind="deleted", record=("school_feed", "9312001:A1"),
                                                 laestab="9312001", end=dt.date(2026, 11, 20)),)
    assert parsed.accepted[1].facts == ()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("students.json", page([]), "file name should be"),
    ("9312001/teachers/0001.json", page([]), "not an endpoint"),
    ("9312001/students/0001.json", b"{not json", "not valid JSON"),
    ("9312001/students/0001.json", b'{"data": ["\xff"]}', "not valid JSON"),  # not UTF-8
    ("9312001/students/0001.json", page([]) + b"{", "not valid JSON"),  # trailing text
    ("9312001/students/0001.json", b"[1, 2]", "a Wonde page is"),
    ("9312001/students/0001.json", b"", "empty"),
    ("9312001/school.json", json.dumps({"data": {"la_code": "931", "establishment_number": "2002"}}).encode(),
     "not 9312001"),
])
def test_files_that_are_not_wonde_pages_are_refused(name: str, data: bytes, message: str) -> None:
    with pytest.raises(FileError, match=message):
        wonde.parse(data, name=name, on=ON)


def test_a_page_saved_with_a_byte_order_mark_is_read() -> None:
    parsed = parse("9312001/students/0001.json", b"\xef\xbb\xbf" + page([student("A1", upn=UPN)]))
    assert [a.record.source_record_id for a in parsed.accepted if a.record] == ["9312001:A1"]


def test_the_school_object_is_checked_and_has_no_rows() -> None:
    data = json.dumps({"data": {"la_code": "931", "establishment_number": "2001"}}).encode()
    assert parse("2026-11-27/9312001/school.json", data).items == []


def _ctf(pupils: list[CTFPupil], dest: tuple[str, str] = ("XXX", "XXXX")) -> bytes:
    header = CTFHeader(source_lea="931", source_estab="2001", source_school_name="School A", dest_lea=dest[0],
                       dest_estab=dest[1], generated_at=dt.datetime(2026, 11, 20, 9, 0))
    return build_ctf(header, pupils)


def test_a_lost_pupil_ctf_gives_the_record_and_the_leaving_fact() -> None:
    pupil = CTFPupil(upn=UPN, surname="Thompson", forename="Amelia", dob=dt.date(2016, 5, 14), sex="F",
                     school_history=(CTFSchoolHistoryEntry(lea="931", estab="2001", school_name="School A",
                                                           entry_date=dt.date(2021, 9, 1),
                                                           leaving_date=dt.date(2026, 11, 19)),))
    parsed = ctf.parse(_ctf([pupil]), name="9312001_CTF_XXXXXXX_001.xml", on=ON)
    item = parsed.accepted[0]
    assert item.record.source == "ctf" and item.record.upn == UPN  # type: ignore[union-attr]
    assert item.facts[0] == RollFact(kind="left", record=("ctf", f"9312001-{UPN}-XXXXXXX"), laestab="9312001",
                                     start=dt.date(2021, 9, 1), end=dt.date(2026, 11, 19),
                                     destination_laestab="XXXXXXX")


def test_a_broken_ctf_is_a_clear_error() -> None:
    with pytest.raises(FileError, match="ctf.xml"):
        ctf.parse(b"<CTfile><Header></Header></CTfile>", name="ctf.xml", on=ON)


def test_a_ctf_pupil_without_a_date_of_birth_or_ids_is_rejected() -> None:
    pupil = CTFPupil(upn="", surname="Thompson", forename="Amelia", dob=None)
    parsed = ctf.parse(_ctf([pupil], dest=("931", "2002")), name="c.xml", on=ON)
    assert "nothing to identify the child by" in parsed.rejected[0].reasons[0]

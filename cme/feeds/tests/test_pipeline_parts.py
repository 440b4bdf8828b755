"""PERF-4: a run stored in parts (`_UPSERT_PART` rows at a time, the parsed rows let go once stored) and rolls
applied a group of schools at a time give exactly what one part gives; a malformed file after a stored part
keeps nothing; received files are read from disk when needed, not held."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from cme.audit.models import AuditEvent
from cme.children.models import Child, Enrolment, School
from cme.children.tests.factories import ChildFactory, EnrolmentFactory, SchoolFactory
from cme.core.models import LocalAuthority
from cme.feeds import services
from cme.feeds.models import AttendanceSession, FeedRun, FeedSource, RejectedRow
from cme.feeds.services import ReceivedFile, feed_run_execute
from cme.feeds.sources.base import Accepted, ParsedFile, Rejection
from cme.feeds.tests.factories import mark, page, student
from cme.feeds.tests.test_pipeline import ACTOR, ON, upn
from cme.matching.models import SourceRecord
from cme.matching.services import RecordsImport


@pytest.fixture
def pupils(la: LocalAuthority, school: School) -> list[Child]:
    SchoolFactory(local_authority=la, laestab="9312002", name="Second school")
    children = [ChildFactory(local_authority=la, legal_forename=f"Pupil{i}", upn=upn(i)) for i in range(1, 7)]
    EnrolmentFactory(child=children[0], school=school, start=dt.date(2021, 9, 1))
    EnrolmentFactory(child=children[5], school=school, start=dt.date(2019, 9, 3), end=dt.date(2025, 7, 18))
    return children


def day_files() -> list[ReceivedFile]:
    """Pupils on roll over two pages (pupil 3 on both, renamed on the second) and at a second school (pupil 4), a
    leaver, a newcomer the engine makes a new child of, marks and a deletion."""
    first = [student(f"A{i}", upn=upn(i), forename=f"Pupil{i}") for i in (1, 2, 3)]
    second = [student("A3", upn=upn(3), forename="Pupil3", surname="Thompson-Reid"),
              student("Z9", forename="Newcomer", surname="Zielinska", dob=dt.date(2017, 2, 3), admitted=ON)]
    leavers = [student("A5", upn=upn(5), forename="Pupil5", admitted=dt.date(2020, 9, 2), left=dt.date(2026, 10, 9))]
    marks = [mark(f"A{i}", ON, s, c) for i in (1, 2, 3) for s, c in (("AM", "/"), ("PM", "N"))]
    deletions = [{"id": "A6", "type": "student", "deleted_at": {"date": "2026-11-20 00:00:00.000000"}}]
    return [
        ReceivedFile("9312001/students/0001.json", page(first)),
        ReceivedFile("9312001/students/0002.json", page(second)),
        ReceivedFile("9312002/students/0001.json", page([student("A4", upn=upn(4), forename="Pupil4")])),
        ReceivedFile("9312001/students-leaver/0001.json", page(leavers)),
        ReceivedFile("9312001/attendance-session/0001.json", page(marks)),
        ReceivedFile("9312002/attendance-session/0001.json", page([mark("A4", ON, "AM", "/")])),
        ReceivedFile("9312001/deletions/0001.json", page(deletions)),
    ]


def outcome(feed: FeedSource, files: list[ReceivedFile]) -> dict[str, Any]:
    """What a run leaves, without ids (the run is rolled back after, so the next variant starts the same)."""
    savepoint = transaction.savepoint()
    result = feed_run_execute(actor=ACTOR, source=feed, on=ON, files=files)
    summary = {
        "run": (result.status, result.error, result.received, result.accepted, result.rejected, result.new,
                result.changed),
        "details": result.details,
        "records": sorted(SourceRecord.objects.values_list("source_record_id", "surname", "upn", "link_status",
                                                          "child__legal_forename")),
        "enrolments": sorted(Enrolment.objects.values_list("child__legal_forename", "start", "end",
                                                          "nc_year_actual")),
        "marks": sorted(AttendanceSession.objects.values_list("child__legal_forename", "session", "code")),
        "children": sorted(Child.objects.values_list("legal_forename", flat=True)),
        "upsert_events": list(AuditEvent.objects.filter(object_type="matching.sourcerecord")
                              .values_list("summary", flat=True)),
        "roll_events": sorted(AuditEvent.objects.filter(object_type="children.enrolment")
                              .values_list("action", "summary")),
        "rejected": sorted(RejectedRow.objects.values_list("row_number", "reasons")),
    }
    transaction.savepoint_rollback(savepoint)
    return summary


def test_a_run_in_parts_and_school_groups_leaves_what_one_part_leaves(
        feed: FeedSource, pupils: list[Child], monkeypatch: pytest.MonkeyPatch) -> None:
    parts: list[int] = []
    groups: list[list[int]] = []
    add, apply = RecordsImport.add, services._enrolments_apply
    monkeypatch.setattr(RecordsImport, "add", lambda self, records: (parts.append(len(records)), add(self, records)))
    monkeypatch.setattr(services, "_enrolments_apply",
                        lambda **kwargs: (groups.append(list(kwargs["schools"])), apply(**kwargs)))
    whole = outcome(feed, day_files())
    assert whole["run"][0] == FeedRun.Status.SUCCEEDED, whole["run"]
    assert [n for n in parts if n] == [7] and [len(g) for g in groups] == [2]  # one part, one group
    parts.clear()
    groups.clear()
    monkeypatch.setattr(services, "_UPSERT_PART", 1)
    monkeypatch.setattr(services, "_ROLL_GROUP", 1)
    assert outcome(feed, day_files()) == whole
    assert [n for n in parts if n] == [3, 2, 1, 1]  # a part per file: a file's rows are parsed together
    assert [len(g) for g in groups] == [1, 1]  # a group per school

    # What it leaves (so the comparison above is about something):
    assert whole["run"][2:5] == (7 + 7 + 1, 15, 0)
    assert whole["details"]["records"] == {"created": 6, "changed": 0, "unchanged": 0}  # pupil 3 once
    assert ("9312001:A3", "Thompson-Reid", upn(3), "linked", "Pupil3") in whole["records"]
    assert whole["details"]["linkage"]["new_children"] == 1 and "Newcomer" in whole["children"]
    assert whole["upsert_events"] == ["linkage: 5 linked, 0 for review (0 pairs), 1 new children, 0 not linked",
                                      "school_feed: 6 new, 0 changed, 0 unchanged records"]  # one of each
    assert whole["details"]["facts_waiting_for_linkage"] == 1  # the deletion: no record of pupil A6 yet
    assert len(whole["marks"]) == 7
    assert ("Pupil4", dt.date(2021, 9, 1), None, 0) in whole["enrolments"]  # at the second school


def test_a_malformed_file_after_a_stored_part_keeps_nothing_and_every_bad_file_is_reported(
        feed: FeedSource, pupils: list[Child], dump: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "_UPSERT_PART", 1)
    before = dump()
    bad = [ReceivedFile("9319999/students/0001.json", page([student("B1", upn=upn(1))])),
           ReceivedFile("9312001/attendance-session/0002.json", page([{"student": "A1", "session": "XX"}] * 2))]
    files = day_files()
    result = feed_run_execute(actor=ACTOR, source=feed, on=ON, files=[*files[:2], *bad, files[5]])
    assert result.status == FeedRun.Status.FAILED
    assert "9319999/students/0001.json: 1 of 1 rows" in result.error
    assert "9312001/attendance-session/0002.json: 2 of 2 rows" in result.error
    assert RejectedRow.objects.filter(run=result).count() == 3
    assert (result.received, result.accepted, result.rejected) == (3 + 2 + 1 + 2 + 1, 0, 3)  # the last file read too
    assert dump() == before


def test_parsed_rows_are_let_go_once_stored_and_the_counts_stay() -> None:
    parsed = ParsedFile(name="x", items=[
        Accepted(1, record=object(), facts=("fact",), warnings=("w",)),  # type: ignore[arg-type]
        Rejection(2, {"a": 1}, ("bad",)),
        Accepted(3, facts=("mark",))])  # type: ignore[arg-type]
    parsed.drop_records()
    assert [(i.row_number, i.record, i.facts, i.warnings) for i in parsed.accepted] == [
        (1, None, ("fact",), ("w",)), (3, None, ("mark",), ())]
    assert [r.reasons for r in parsed.rejected] == [("bad",)]


def test_a_folder_day_is_read_from_disk_when_needed(la: LocalAuthority, feed: FeedSource, pupils: list[Child],
                                                     tmp_path: Path) -> None:
    day = tmp_path / ON.isoformat()
    for received in day_files():
        (day / received.name).parent.mkdir(parents=True, exist_ok=True)
        (day / received.name).write_bytes(received.data)
    feed.transport, feed.folder_path = FeedSource.Transport.FOLDER, str(tmp_path)
    feed.save()
    [batch] = services.source_batches(source=feed, on=ON)
    files = batch.files()
    assert files and all(f.data == b"" and f.path is not None for f in files)  # paths, not bytes
    assert feed_run_execute(actor=ACTOR, source=feed, on=ON, files=files).accepted == 15

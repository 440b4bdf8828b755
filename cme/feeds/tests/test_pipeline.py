"""Import runs: accepted/rejected accounting, upserts, idempotency, crash injection, malformed files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from cme.audit.services import Auditor
from cme.children.models import Child, Enrolment, School
from cme.children.tests.factories import ChildFactory, EnrolmentFactory, SchoolFactory
from cme.core.models import LocalAuthority
from cme.feeds import services
from cme.feeds.models import AttendanceSession, FeedFile, FeedRun, FeedSource, PlaceAllocation, RejectedRow
from cme.feeds.services import ReceivedFile, feed_run_execute
from cme.feeds.tests.factories import FeedSourceFactory, csv_bytes, mark, page, student
from cme.law import nhs_number
from cme.law import upn as upns
from cme.matching.models import SourceRecord

ON = dt.date(2026, 11, 27)
ACTOR = Auditor.system("tests")


def upn(n: int) -> str:
    return upns.make_upn("931", "2001", 20, n)


@pytest.fixture
def pupils(la: LocalAuthority, school: School) -> list[Child]:
    children = [ChildFactory(local_authority=la, legal_forename=f"Pupil{i}", upn=upn(i)) for i in range(1, 6)]
    EnrolmentFactory(child=children[0], school=school, start=dt.date(2021, 9, 1))
    return children


def school_feed(*, day: dt.date = ON, codes: tuple[str, str] = ("/", "\\")) -> list[ReceivedFile]:
    students = [student(f"A{i}", upn=upn(i), forename=f"Pupil{i}", admitted=dt.date(2021, 9, 1)) for i in range(1, 5)]
    leavers = [student("A5", upn=upn(5), forename="Pupil5", admitted=dt.date(2020, 9, 2), left=dt.date(2026, 10, 9))]
    marks = [mark(f"A{i}", day, s, c) for i in range(1, 5) for s, c in zip(("AM", "PM"), codes, strict=True)]
    return [
        ReceivedFile("9312001/students/0001.json", page(students)),
        ReceivedFile("9312001/students-leaver/0001.json", page(leavers)),
        ReceivedFile("9312001/attendance-session/0001.json", page(marks)),
    ]


def run(feed: FeedSource, files: list[ReceivedFile], on: dt.date = ON) -> FeedRun:
    return feed_run_execute(actor=ACTOR, source=feed, on=on, files=files)


def test_a_school_feed_run_links_pupils_and_updates_rolls_and_registers(feed: FeedSource, pupils: list[Child],
                                                                        school: School) -> None:
    result = run(feed, school_feed())
    assert result.status == FeedRun.Status.SUCCEEDED, result.error
    assert (result.received, result.accepted, result.rejected) == (13, 13, 0)
    assert result.details["linkage"]["auto_linked"] == 5
    assert SourceRecord.objects.filter(source="school_feed", child__isnull=False).count() == 5
    rolls = {e.child_id: e for e in Enrolment.objects.filter(school=school)}
    assert len(rolls) == 5
    assert rolls[pupils[1].pk].start == dt.date(2021, 9, 1) and rolls[pupils[1].pk].end is None
    assert rolls[pupils[1].pk].nc_year_actual == 0  # Year 5 now, admitted five school years ago
    assert rolls[pupils[4].pk].end == dt.date(2026, 10, 9)
    assert AttendanceSession.objects.filter(child=pupils[0], date=ON).count() == 2
    assert result.new == 5 + 4 + 8  # records, new enrolments (pupil 1 was already on roll), marks
    assert FeedFile.objects.filter(run=result, status=FeedFile.Status.IMPORTED).count() == 3


def test_the_same_files_again_change_nothing(feed: FeedSource, pupils: list[Child], dump: Callable[[], Any]) -> None:
    run(feed, school_feed())
    before = dump()
    again = run(feed, school_feed())
    assert again.status == FeedRun.Status.SUCCEEDED
    assert (again.received, again.new, again.changed, again.skipped_files) == (0, 0, 0, 3)
    assert dump() == before


def test_the_same_rows_in_a_new_file_change_nothing(feed: FeedSource, pupils: list[Child],
                                                    dump: Callable[[], Any]) -> None:
    run(feed, school_feed())
    before = dump()
    files = [ReceivedFile(f.name, f.data.replace(b'"more": false', b'"more": false, "note": 1'))
             for f in school_feed()]
    again = run(feed, files)
    assert (again.received, again.new, again.changed, again.skipped_files) == (13, 0, 0, 0)
    assert {k: v for k, v in dump().items() if k != "audit"} == {k: v for k, v in before.items() if k != "audit"}


@pytest.mark.parametrize("read_all_above", [5000, 0])  # 0: rolls and links read per school / whole source
def test_a_changed_mark_and_a_leaver_update_in_place(feed: FeedSource, pupils: list[Child], read_all_above: int,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "_READ_ALL_ABOVE", read_all_above)
    run(feed, school_feed(codes=("N", "N")))
    later = run(feed, school_feed(codes=("I", "I")) + [ReceivedFile("9312001/students-leaver/0002.json", page(
        [student("A2", upn=upn(2), forename="Pupil2", admitted=dt.date(2021, 9, 1), left=dt.date(2026, 11, 26))]))])
    assert later.changed >= 9
    assert set(AttendanceSession.objects.values_list("code", flat=True)) == {"I"}
    assert Enrolment.objects.get(child=pupils[1]).end == dt.date(2026, 11, 26)


def test_a_leaver_record_keeps_the_ground_and_destination_already_known(feed: FeedSource, pupils: list[Child],
                                                                        school: School) -> None:
    EnrolmentFactory(child=pupils[4], school=school, start=dt.date(2020, 9, 2), end=dt.date(2026, 10, 9),
                     deletion_ground="I", destination_laestab="XXXXXXX")
    run(feed, school_feed())
    left = Enrolment.objects.get(child=pupils[4])
    assert (left.deletion_ground, left.destination_laestab) == ("I", "XXXXXXX")


def test_pages_for_a_school_the_la_does_not_hold_are_rejected(feed: FeedSource, pupils: list[Child],
                                                               dump: Callable[[], Any]) -> None:
    before = dump()
    files = [*school_feed(), ReceivedFile("9319999/students/0001.json", page([student("B1", upn=upn(1))]))]
    result = run(feed, files)
    assert result.status == FeedRun.Status.FAILED and "9319999/students/0001.json: 1 of 1 rows" in result.error
    assert "not one of the LA's schools" in RejectedRow.objects.get().reasons[0]
    assert dump() == before


def test_an_unknown_pupil_on_the_feed_becomes_a_new_child(feed: FeedSource, pupils: list[Child]) -> None:
    files = [ReceivedFile("9312001/students/0001.json", page([student(
        "Z1", upn=upn(77), forename="Newcomer", surname="Zielinska", dob=dt.date(2017, 2, 3), admitted=ON)]))]
    result = run(feed, files)
    assert result.details["linkage"]["new_children"] == 1
    child = Child.objects.get(legal_forename="Newcomer")
    assert Enrolment.objects.get(child=child).start == ON


def test_admissions_offers_are_kept_as_place_allocations(la: LocalAuthority, pupils: list[Child]) -> None:
    offers = FeedSourceFactory(local_authority=la, source="admissions")
    data = csv_bytes([["Application ID", "Forename", "Surname", "DOB", "UPN", "Offered School LAESTAB",
                       "Start Date"], ["A1", "Pupil2", "Thompson", "2016-05-14", upn(2), "9312001", "2026-09-03"]])
    result = run(offers, [ReceivedFile("offers.csv", data)])
    assert result.status == FeedRun.Status.SUCCEEDED, result.error
    allocation = PlaceAllocation.objects.get()
    assert (allocation.kind, allocation.laestab, allocation.start) == ("offer", "9312001", dt.date(2026, 9, 3))


CRASH_POINTS = [("row", 0), ("row", 6), ("row", 12), ("upserted", 0), ("linked", 0), ("written", 0),
                ("finished", 0)]


@pytest.mark.parametrize(("stage", "index"), CRASH_POINTS)
def test_a_crash_anywhere_leaves_the_database_unchanged_and_the_run_failed(
        feed: FeedSource, pupils: list[Child], dump: Callable[[], Any], monkeypatch: pytest.MonkeyPatch,
        stage: str, index: int) -> None:
    before = dump()

    def crash(at: str, i: int) -> None:
        if (at, i) == (stage, index):
            raise RuntimeError(f"injected crash at {at} {i}")

    monkeypatch.setattr(services, "_checkpoint", crash)
    result = run(feed, school_feed())
    assert result.status == FeedRun.Status.FAILED and "injected crash" in result.error
    assert dump() == before
    assert set(FeedFile.objects.filter(run=result).values_list("status", flat=True)) == {"failed"}
    monkeypatch.setattr(services, "_checkpoint", lambda at, i: None)
    assert run(feed, school_feed()).status == FeedRun.Status.SUCCEEDED  # and the files import next time


def test_a_malformed_file_fails_the_run_with_its_rejected_rows_and_stores_nothing(
        la: LocalAuthority, pupils: list[Child], dump: Callable[[], Any]) -> None:
    source = FeedSourceFactory(local_authority=la, source="health")
    before = dump()
    rows = [["Patient ID", "Forename", "Surname", "DOB"], ["GP1", "Amelia", "Thompson", "14/05/2016"],
            *[[f"GP{i}", "Amelia", "Thompson", "not a date"] for i in range(2, 6)]]
    result = run(source, [ReceivedFile("gp.csv", csv_bytes(rows))])
    assert result.status == FeedRun.Status.FAILED and "4 of 5 rows were rejected" in result.error
    assert (result.received, result.accepted, result.rejected) == (5, 0, 4)
    assert RejectedRow.objects.filter(run=result).count() == 4
    assert dump() == before


@pytest.mark.parametrize(("data", "message"), [
    ("Patient ID,Forename\r\n".encode("utf-16"), "UTF-16"),
    (b"Patient ID\rForename,Surname,DOB\nGP1,Amelia,Thompson,14/05/2016\n", "carriage return"),  # IMP-4 finding 1
], ids=["utf-16", "bare-carriage-return-in-header"])
def test_an_unreadable_file_fails_the_run_with_a_clear_error(la: LocalAuthority, dump: Callable[[], Any],
                                                             data: bytes, message: str) -> None:
    source = FeedSourceFactory(local_authority=la, source="health")
    before = dump()
    result = run(source, [ReceivedFile("gp.csv", data)])
    assert result.status == FeedRun.Status.FAILED and message in result.error
    assert dump() == before


def test_a_partner_extract_links_by_nhs_number(la: LocalAuthority) -> None:
    nhs = nhs_number.generate(1, seed=4)[0]
    child = ChildFactory(local_authority=la, nhs_number=nhs)
    source = FeedSourceFactory(local_authority=la, source="health")
    data = csv_bytes([["Patient ID", "NHS Number", "Forename", "Surname", "DOB"],
                      ["GP1", nhs, "Amy", "Thomson", "14/05/2016"]])
    result = run(source, [ReceivedFile("gp.csv", data)])
    assert result.status == FeedRun.Status.SUCCEEDED
    assert SourceRecord.objects.get(source="health").child == child


def test_an_interrupted_run_is_closed_by_the_next(feed: FeedSource, pupils: list[Child]) -> None:
    stale = FeedRun.objects.create(source=feed, on=ON, started_at=dt.datetime(2026, 11, 27, 6, tzinfo=dt.UTC),
                                   triggered_by="killed")
    run(feed, school_feed())
    stale.refresh_from_db()
    assert stale.status == FeedRun.Status.FAILED and "Interrupted" in stale.error


def test_folder_sources_give_one_run_per_day_and_skip_days_already_imported(la: LocalAuthority, pupils: list[Child],
                                                                            tmp_path: Any) -> None:
    for day in (dt.date(2026, 11, 26), ON):
        for f in school_feed(day=day):
            path = tmp_path / day.isoformat() / f.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f.data)
    source = FeedSourceFactory(local_authority=la, kind=FeedSource.Kind.WONDE, source="school_feed",
                               transport=FeedSource.Transport.FOLDER, folder_path=str(tmp_path))
    runs = services.feeds_run_all(actor=ACTOR, local_authority=la, on=ON)
    assert [(r.on, r.status) for r in runs] == [(dt.date(2026, 11, 26), "succeeded"), (ON, "succeeded")]
    assert services.feeds_run_all(actor=ACTOR, local_authority=la, on=ON) == []
    assert AttendanceSession.objects.count() == 16
    assert source.runs.count() == 2


def test_a_missing_folder_is_reported_as_a_failed_run(la: LocalAuthority, tmp_path: Any) -> None:
    FeedSourceFactory(local_authority=la, transport=FeedSource.Transport.FOLDER, folder_path=str(tmp_path / "no"),
                      in_daily_run=True)
    (result,) = services.feeds_run_all(actor=ACTOR, local_authority=la, on=ON)
    assert result.status == FeedRun.Status.FAILED and "does not exist" in result.error


def test_other_las_schools_are_not_matched(other_la: LocalAuthority, feed: FeedSource, pupils: list[Child]) -> None:
    SchoolFactory(local_authority=other_la, laestab="8252001")
    result = run(feed, [ReceivedFile("8252001/students/0001.json", page([student("A1", upn=upn(1))]))])
    assert result.status == FeedRun.Status.FAILED  # every row rejected: the file looks malformed
    assert "not one of the LA's schools" in RejectedRow.objects.get(run=result).reasons[0]


def test_a_pupil_linked_by_an_officer_later_gets_their_roll_from_the_stored_record(
        feed: FeedSource, pupils: list[Child], school: School) -> None:
    run(feed, school_feed())
    record = SourceRecord.objects.get(source_record_id="9312001:A2")
    Enrolment.objects.filter(child=pupils[1]).delete()
    stranger = ChildFactory(local_authority=feed.local_authority, legal_forename="Stranger", upn="")
    SourceRecord.objects.filter(pk=record.pk).update(child=stranger, link_method="reviewed",
                                                     linked_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    later = run(feed, [ReceivedFile("9312001/attendance-session/0009.json", page([mark("A1", ON, "AM", "I")]))])
    assert later.details["facts_applied_after_review"] == 1
    assert Enrolment.objects.get(child=stranger).start == dt.date(2021, 9, 1)


def test_a_roll_observed_before_a_known_leaving_date_is_left_as_it_is(feed: FeedSource, pupils: list[Child],
                                                                       school: School) -> None:
    enrolment = Enrolment.objects.get(child=pupils[0])
    enrolment.end, enrolment.deletion_ground, enrolment.destination_laestab = dt.date(2026, 12, 4), "I", "XXXXXXX"
    enrolment.save()
    run(feed, school_feed())  # on roll on 27 November: consistent with leaving on 4 December
    enrolment.refresh_from_db()
    assert (enrolment.end, enrolment.deletion_ground) == (dt.date(2026, 12, 4), "I")
    later = [ReceivedFile(f.name, f.data.replace(b'"more": false', b'"more": false, "sync": 2'))
             for f in school_feed(day=dt.date(2026, 12, 7))]
    run(feed, later, on=dt.date(2026, 12, 7))  # on the register after it: back on roll
    enrolment.refresh_from_db()
    assert (enrolment.end, enrolment.deletion_ground) == (None, "")


def test_partner_extracts_in_the_daily_run_are_linked_together_after_the_imports(
        la: LocalAuthority, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    numbers = nhs_number.generate(2, seed=11)
    children = [ChildFactory(local_authority=la, nhs_number=n, legal_forename=f"Kid{i}")
                for i, n in enumerate(numbers)]
    for slug in ("health", "dwp"):
        folder = tmp_path / slug / ON.isoformat()
        folder.mkdir(parents=True)
        (folder / "x.csv").write_bytes(csv_bytes([["ID", "NHS Number", "Forename", "Surname", "DOB"], *[
            [f"{slug}{i}", n, f"Kid{i}", "Thompson", "14/05/2016"] for i, n in enumerate(numbers)]]))
        FeedSourceFactory(local_authority=la, slug=slug, source=slug, transport=FeedSource.Transport.FOLDER,
                          folder_path=str(tmp_path / slug))

    def crash(at: str, i: int) -> None:
        if at == "linked-pending":
            raise RuntimeError("killed while linking")

    monkeypatch.setattr(services, "_checkpoint", crash)
    with pytest.raises(RuntimeError):
        services.feeds_run_all(actor=ACTOR, local_authority=la, on=ON)
    assert SourceRecord.objects.filter(child__isnull=True).count() == 4  # imported, not yet linked
    monkeypatch.setattr(services, "_checkpoint", lambda at, i: None)
    assert services.feeds_run_all(actor=ACTOR, local_authority=la, on=ON) == []  # nothing new to import...
    assert {r.child_id for r in SourceRecord.objects.all()} == {c.pk for c in children}  # ...but linked now
    report = FeedRun.objects.filter(source__slug="health").get()
    assert report.details["linkage"] == {"auto_linked": 2, "queued_for_review": 0, "new_children": 0, "unlinked": 0}
    assert report.details["linkage_deferred"] is False


def test_xml3_a_ctf_that_fails_the_schema_is_refused_with_the_reason_and_nothing_is_imported(
        la: LocalAuthority) -> None:
    """XML-3: the CTF reader validates against the project's CTF-subset schema; the file is kept (quarantined) as
    failed with the reason, and no record comes from it."""
    from cme.law.ctf import CTFHeader, CTFPupil, build_ctf

    source = FeedSourceFactory(local_authority=la, slug="ctf-in", kind=FeedSource.Kind.CTF, source="ctf")
    good = build_ctf(CTFHeader(source_lea="931", source_estab="2001", source_school_name="School A",
                               dest_lea="XXX", dest_estab="XXXX", generated_at=dt.datetime(2026, 11, 20, 9, 0)),
                     [CTFPupil(upn=upn(1), surname="Thompson", forename="Amelia", dob=dt.date(2016, 5, 14))])
    bad = good.replace(b"<DOB>2016-05-14</DOB>", b"<DOB>14/05/2016</DOB>")
    run = feed_run_execute(actor=ACTOR, source=source, on=ON,
                           files=[ReceivedFile("9312001_CTF_XXXXXXX_001.xml", bad)])
    assert run.status == FeedRun.Status.FAILED
    assert "does not follow the CTF structure" in run.error and "Pupil/DOB: must be a date" in run.error
    assert FeedFile.objects.get(run=run).status == FeedFile.Status.FAILED
    assert SourceRecord.objects.count() == 0 and run.accepted == 0

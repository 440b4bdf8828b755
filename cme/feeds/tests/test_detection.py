"""Detection over the database: facts loaded in bulk, hits kept, found again, cleared; the run lock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cme.audit.services import Auditor
from cme.children.models import Child, EducationOtherwise, Enrolment, Residence, School
from cme.children.tests.factories import ChildFactory, EnrolmentFactory, SchoolFactory
from cme.core.calendar import default_term_calendar
from cme.core.models import LocalAuthority
from cme.feeds import services
from cme.feeds.detection import children_facts, detection_rules_ensure, detection_run, truth_score
from cme.feeds.models import AttendanceSession, DetectionHit, FeedLock, PlaceAllocation
from cme.matching.services import RecordIn, source_records_link, source_records_upsert

ON = dt.date(2026, 11, 27)
ACTOR = Auditor.system("tests")
CALENDAR = default_term_calendar(2025, 2026)


def missing_child(la: LocalAuthority, school: School, **kwargs: Any) -> Child:
    child = ChildFactory(local_authority=la, date_of_birth=dt.date(2015, 3, 10), **kwargs)
    EnrolmentFactory(child=child, school=school, start=dt.date(2019, 9, 4), end=dt.date(2026, 11, 13),
                     deletion_ground="G", destination_laestab="XXXXXXX", nc_year_actual=0)
    Residence.objects.create(child=child, in_area=True, start=child.date_of_birth)
    return child


def test_a_child_who_left_with_no_destination_is_found_once(la: LocalAuthority, school: School) -> None:
    child = missing_child(la, school)
    on_roll = ChildFactory(local_authority=la, legal_forename="Present")
    EnrolmentFactory(child=on_roll, school=school)
    summary = detection_run(actor=ACTOR, local_authority=la, on=ON)
    hit = DetectionHit.objects.get()
    assert (hit.child, hit.rule.code, hit.route, hit.first_found) == (child, "left_no_destination", "cme", ON)
    assert hit.evidence["summary"].startswith("Left School A Primary on 13 November 2026 with no known destination")
    assert summary.new == 1 and summary.by_rule == {"left_no_destination": 1}
    again = detection_run(actor=ACTOR, local_authority=la, on=ON + dt.timedelta(days=3))
    assert again.new == 0 and DetectionHit.objects.count() == 1
    assert DetectionHit.objects.get().last_found == ON + dt.timedelta(days=3)


def test_a_rerun_on_the_same_day_changes_nothing(la: LocalAuthority, school: School,
                                                 dump: Callable[[], Any]) -> None:
    missing_child(la, school)
    detection_run(actor=ACTOR, local_authority=la, on=ON)
    before = dump()
    detection_run(actor=ACTOR, local_authority=la, on=ON)
    assert {k: v for k, v in dump().items() if k != "audit"} == {k: v for k, v in before.items() if k != "audit"}


def test_a_hit_is_cleared_when_the_child_is_back_on_a_roll(la: LocalAuthority, school: School,
                                                           other_school: School) -> None:
    child = missing_child(la, school)
    detection_run(actor=ACTOR, local_authority=la, on=ON)
    Enrolment.objects.create(child=child, school=other_school, start=ON)
    summary = detection_run(actor=ACTOR, local_authority=la, on=ON + dt.timedelta(days=3))
    assert summary.cleared == 1
    assert DetectionHit.objects.get().cleared_on == ON + dt.timedelta(days=3)


def test_a_disabled_rule_finds_nothing(la: LocalAuthority, school: School) -> None:
    missing_child(la, school)
    rule = detection_rules_ensure(local_authority=la)["left_no_destination"]
    rule.enabled = False
    rule.save()
    detection_run(actor=ACTOR, local_authority=la, on=ON)
    assert not DetectionHit.objects.exists()


def test_children_known_only_to_partners_are_found_through_linked_records(la: LocalAuthority) -> None:
    child = ChildFactory(local_authority=la, date_of_birth=dt.date(2016, 5, 14), upn="")
    records = [RecordIn(source="health", source_record_id="GP1", forename="Amelia", surname="Thompson",
                        date_of_birth=dt.date(2016, 5, 14), nhs_number=""),
               RecordIn(source="hmrc_child_benefit", source_record_id="CHB1", forename="Amelia",
                        surname="Thompson", date_of_birth=dt.date(2016, 5, 14))]
    created = source_records_upsert(actor=ACTOR, local_authority=la, run_id=None, records=records).records
    for record in created:  # link by hand (the engine is tested in matching)
        record.child = child
        record.link_status = "linked"
        record.save()
    assert source_records_link(actor=ACTOR, local_authority=la, records=[]).auto_linked == 0
    detection_run(actor=ACTOR, local_authority=la, on=ON)
    hit = DetectionHit.objects.get()
    assert hit.rule.code == "never_accessed_education"
    assert {r["source"] for r in hit.evidence["records"]} == {"health", "hmrc_child_benefit"}


def test_an_allocation_never_taken_up_is_found(la: LocalAuthority) -> None:
    child = ChildFactory(local_authority=la, date_of_birth=dt.date(2015, 3, 10))
    source_records_upsert(actor=ACTOR, local_authority=la, run_id=None, records=[
        RecordIn(source="admissions", source_record_id="A1", forename="Amelia", surname="Thompson",
                 date_of_birth=dt.date(2015, 3, 10), upn=child.upn)])
    from cme.matching.models import SourceRecord

    SourceRecord.objects.filter(source_record_id="A1").update(child=child, link_status="linked")
    PlaceAllocation.objects.create(local_authority=la, kind="offer", source="admissions", source_record_id="A1",
                                   laestab="9314001", start=dt.date(2026, 9, 3))
    detection_run(actor=ACTOR, local_authority=la, on=ON)
    assert DetectionHit.objects.get().rule.code == "allocated_never_attended"


def test_ten_school_days_of_unexplained_absence_is_an_attendance_matter(la: LocalAuthority, school: School) -> None:
    child = ChildFactory(local_authority=la, date_of_birth=dt.date(2015, 3, 10))
    EnrolmentFactory(child=child, school=school, start=dt.date(2019, 9, 4))
    days = CALENDAR.school_days(dt.date(2026, 11, 2), ON)
    AttendanceSession.objects.bulk_create([
        AttendanceSession(child=child, school=school, date=d, session=s, code="/" if d < days[-11] else "N")
        for d in days for s in ("AM", "PM")])
    detection_run(actor=ACTOR, local_authority=la, on=ON)
    hit = DetectionHit.objects.get()
    assert (hit.rule.code, hit.route) == ("unexplained_absence", "attendance_matter")
    assert hit.evidence["consecutive_school_days"] == 11


def test_ehe_withdrawal_goes_to_the_ehe_team_and_an_ehe_record_settles_it(la: LocalAuthority,
                                                                          school: School) -> None:
    child = ChildFactory(local_authority=la, date_of_birth=dt.date(2015, 3, 10))
    EnrolmentFactory(child=child, school=school, start=dt.date(2019, 9, 4), end=dt.date(2026, 11, 13),
                     deletion_ground="F")
    detection_run(actor=ACTOR, local_authority=la, on=ON)
    assert DetectionHit.objects.get().route == "ehe_team"
    EducationOtherwise.objects.create(child=child, kind="ehe", start=dt.date(2026, 11, 14))
    assert detection_run(actor=ACTOR, local_authority=la, on=ON).cleared == 1


def test_facts_are_read_in_a_fixed_number_of_queries(la: LocalAuthority, school: School) -> None:
    for _ in range(2):
        missing_child(la, school)
    with CaptureQueriesContext(connection) as small:
        children_facts(local_authority=la, on=ON)
    for _ in range(6):
        missing_child(la, SchoolFactory(local_authority=la))
    with CaptureQueriesContext(connection) as big:
        children_facts(local_authority=la, on=ON)
    assert len(small.captured_queries) == len(big.captured_queries)


def test_the_truth_score_counts_found_and_false_concerns(la: LocalAuthority, school: School, tmp_path: Any) -> None:
    missing = missing_child(la, school)
    other = missing_child(la, school, legal_forename="Other")
    detection_run(actor=ACTOR, local_authority=la, on=ON)
    truth = tmp_path / "truth.csv"
    truth.write_text(f"child_id,status,since\n{missing.pk},cme_left_no_destination,2026-11-13\n"
                     f"{other.pk},on_roll,\n99999,cme_never_started,\n", encoding="utf-8")
    score = truth_score(local_authority=la, path=truth)
    assert (score.missing, score.found, score.concerns, score.false_concerns) == (2, 1, 2, 1)
    assert "recall 50.0%" in score.line()


def test_the_run_lock_lets_one_run_at_a_time(db: None) -> None:
    assert services.lock_acquire(holder="first")
    assert not services.lock_acquire(holder="second")
    assert services.lock_holder().holder == "first"  # type: ignore[union-attr]
    services.lock_release(holder="second")  # not theirs: nothing happens
    assert FeedLock.objects.get().holder == "first"
    services.lock_release(holder="first")
    assert services.lock_acquire(holder="second")


def test_a_stale_lock_is_taken_over(db: None) -> None:
    FeedLock.objects.create(name=services.DAILY_LOCK, holder="dead",
                            acquired_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert services.lock_acquire(holder="alive")


@pytest.mark.parametrize("code", ["931"])
def test_other_las_children_are_not_read(la: LocalAuthority, other_la: LocalAuthority, school: School,
                                         code: str) -> None:
    missing_child(la, school)
    other_school = SchoolFactory(local_authority=other_la, laestab="8252001")
    missing_child(other_la, other_school)
    detection_run(actor=ACTOR, local_authority=la, on=ON)
    assert DetectionHit.objects.get().local_authority.code == code

"""Concerns from the daily data (cme.notifications.detection): hits become notifications once, de-duplicated
against open notifications and open cases; the daily run, its lock, the task and `run_feeds`."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from cme.audit.services import Auditor
from cme.children.models import Child, Enrolment, Residence, School
from cme.children.tests.factories import ChildFactory, EnrolmentFactory
from cme.core.models import LocalAuthority
from cme.feeds.detection import detection_run
from cme.feeds.models import DailyRun, DetectionHit
from cme.feeds.services import FeedBusyError, lock_acquire, lock_release
from cme.notifications.detection import daily_run, detection_hits_convert
from cme.notifications.models import Notification
from cme.notifications.tests.conftest import TODAY
from cme.notifications.tests.factories import NotificationFactory

ACTOR = Auditor.system("tests")


def missing_child(la: LocalAuthority, school: School, name: str = "Amelia") -> Child:
    child = ChildFactory(local_authority=la, legal_forename=name, date_of_birth=dt.date(2015, 3, 10))
    EnrolmentFactory(child=child, school=school, start=dt.date(2019, 9, 4), end=dt.date(2026, 11, 13),
                     deletion_ground="G", destination_laestab="XXXXXXX", nc_year_actual=0)
    Residence.objects.create(child=child, in_area=True, start=child.date_of_birth)
    return child


def test_a_hit_becomes_a_detection_alert_with_its_evidence(la: LocalAuthority, school: School) -> None:
    child = missing_child(la, school)
    detection_run(actor=ACTOR, local_authority=la, on=TODAY)
    summary = detection_hits_convert(actor=ACTOR, local_authority=la)
    assert summary.raised == 1
    alert = Notification.objects.get()
    assert (alert.kind, alert.child, alert.detection_rule, alert.dedupe_key) == (
        "detection_alert", child, "left_no_destination", f"left_no_destination:{child.pk}")
    assert alert.summary.startswith("Left School A Primary on 13 November 2026 with no known destination")
    assert alert.details["suggested_outcome"] == "new_case" and alert.details["enrolment"]["laestab"] == "9312001"
    assert (alert.forename, alert.upn, alert.school_laestab) == ("Amelia", child.upn, "9312001")
    assert alert.status == "new" and alert.triage_due == dt.date(2026, 11, 26)
    assert DetectionHit.objects.get().converted_notification_id == alert.pk


def test_a_concern_is_raised_once_however_often_the_rule_finds_it(la: LocalAuthority, school: School) -> None:
    missing_child(la, school)
    for day in (TODAY, TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=2)):
        detection_run(actor=ACTOR, local_authority=la, on=day)
        detection_hits_convert(actor=ACTOR, local_authority=la)
    assert Notification.objects.count() == 1


def test_a_new_hit_joins_the_concern_still_awaiting_triage(la: LocalAuthority, school: School) -> None:
    child = missing_child(la, school)
    waiting = NotificationFactory(local_authority=la, kind="detection_alert", child=child,
                                  dedupe_key=f"left_no_destination:{child.pk}")
    detection_run(actor=ACTOR, local_authority=la, on=TODAY)
    summary = detection_hits_convert(actor=ACTOR, local_authority=la)
    assert (summary.raised, summary.attached_to_open) == (0, 1)
    assert DetectionHit.objects.get().converted_notification_id == waiting.pk


def test_a_child_with_an_open_case_gets_no_new_concern(la: LocalAuthority, school: School, officer) -> None:  # type: ignore[no-untyped-def]
    child = missing_child(la, school)
    case = NotificationFactory(local_authority=la, child=child, status="triaged", outcome="new_case",
                               triaged_at=timezone.now() - dt.timedelta(days=5), triaged_by=officer)
    detection_run(actor=ACTOR, local_authority=la, on=TODAY)
    summary = detection_hits_convert(actor=ACTOR, local_authority=la)
    assert (summary.raised, summary.attached_to_case) == (0, 1)
    assert DetectionHit.objects.get().converted_notification_id == case.pk


def test_a_case_closed_by_a_new_school_place_does_not_hide_a_new_concern(la: LocalAuthority, school: School,
                                                                         other_school: School, officer) -> None:  # type: ignore[no-untyped-def]
    child = missing_child(la, school)
    NotificationFactory(local_authority=la, child=child, status="triaged", outcome="new_case",
                        triaged_at=timezone.now() - dt.timedelta(days=60), triaged_by=officer)
    Enrolment.objects.create(child=child, school=other_school, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 20),
                             deletion_ground="G", destination_laestab="XXXXXXX")
    Enrolment.objects.filter(child=child, school=school).update(end=dt.date(2026, 9, 30))
    detection_run(actor=ACTOR, local_authority=la, on=TODAY)
    assert detection_hits_convert(actor=ACTOR, local_authority=la).raised == 1


def test_routes_suggest_the_ehe_team_and_attendance_outcomes(la: LocalAuthority, school: School) -> None:
    child = ChildFactory(local_authority=la, date_of_birth=dt.date(2015, 3, 10))
    EnrolmentFactory(child=child, school=school, start=dt.date(2019, 9, 4), end=dt.date(2026, 11, 13),
                     deletion_ground="F")
    detection_run(actor=ACTOR, local_authority=la, on=TODAY)
    detection_hits_convert(actor=ACTOR, local_authority=la)
    assert Notification.objects.get().details["suggested_outcome"] == "ehe_team"


def test_the_daily_run_records_itself_and_raises_concerns(la: LocalAuthority, school: School) -> None:
    missing_child(la, school)
    result = daily_run(actor=ACTOR, local_authority=la, on=TODAY)
    record = DailyRun.objects.get()
    assert record.status == "succeeded" and record.summary["concerns"]["raised"] == 1
    assert "concerns raised: 1" in result.line()


def test_a_second_daily_run_at_the_same_time_does_nothing(la: LocalAuthority, school: School) -> None:
    missing_child(la, school)
    assert lock_acquire(holder="another-host:1:run")
    try:
        with pytest.raises(FeedBusyError, match="Another run is in progress"):
            daily_run(actor=ACTOR, local_authority=la, on=TODAY)
        out = StringIO()
        call_command("run_feeds", "--la", "931", stdout=out, verbosity=0)
        assert "Another run is in progress" in out.getvalue()
    finally:
        lock_release(holder="another-host:1:run")
    assert not Notification.objects.exists() and not DailyRun.objects.exists()


def test_run_feeds_prints_a_summary_and_the_truth_figures(la: LocalAuthority, school: School,
                                                          tmp_path: Path) -> None:
    child = missing_child(la, school)
    truth = tmp_path / "demo-truth.csv"
    truth.write_text(f"child_id,status,since\n{child.pk},cme_left_no_destination,2026-11-13\n", encoding="utf-8")
    out = StringIO()
    call_command("run_feeds", "--on", "2026-11-25", "--truth", str(truth), stdout=out, verbosity=0)
    text = out.getvalue()
    assert "Daily run finished in" in text and "concerns raised: 1" in text
    assert "hidden missing children 1; found 1 (recall 100.0%)" in text


def test_the_background_task_runs_the_daily_run(la: LocalAuthority, school: School) -> None:
    from cme.notifications.tasks import feeds_daily_run

    missing_child(la, school)
    result = feeds_daily_run.enqueue(la.pk, "2026-11-25")
    assert "concerns raised: 1" in result.return_value
    out = StringIO()
    call_command("run_feeds", "--enqueue", stdout=out)
    assert "queued" in out.getvalue()

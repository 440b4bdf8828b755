"""Submitting and reviewing part-time timetables (R4.2): checks, review dates through the LA's term dates,
extensions, consent, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import School
from cme.children.tests.factories import ChildFactory, EnrolmentFactory
from cme.core.models import LocalAuthority
from cme.timetables import services
from cme.timetables.models import PartTimeTimetable
from cme.timetables.tests.factories import pupil, submit

ACTOR = Auditor.system("test")


def review(t: PartTimeTimetable, on: dt.date, outcome: str = "continue", new_end: dt.date | None = None,
           today: dt.date = dt.date(2026, 7, 1)) -> PartTimeTimetable:
    services.timetable_review(actor=ACTOR, user=None, timetable=t, reviewed_on=on, outcome=outcome,
                              new_end_date=new_end, today=today)
    return PartTimeTimetable.objects.get(pk=t.pk)


def test_R4_2_submission_sets_the_first_review_a_cycle_after_the_start(terms: LocalAuthority, school: School,
                                                                       school_user) -> None:  # type: ignore[no-untyped-def]
    t = submit(school, user=school_user, start=dt.date(2026, 1, 5))
    assert t.next_review_due == dt.date(2026, 2, 23)  # 16 Feb is half-term
    assert t.full_time_hours == Decimal("32.5") and t.consent_given and t.submitted_by == school_user
    event = AuditEvent.objects.get(object_type="timetables.parttimetimetable", action="create")
    assert event.child_id == t.child_id and event.actor == school_user


def test_the_review_cycle_is_the_las_setting(terms: LocalAuthority, school: School) -> None:
    terms.part_time_review_weeks = 8
    terms.save()
    school.local_authority.refresh_from_db()
    t = submit(school, start=dt.date(2026, 1, 12))
    assert t.next_review_due == dt.date(2026, 3, 9)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"hours": "32.5"}, "less than full time"),
        ({"hours": "0"}, "more than 0"),
        ({"end": dt.date(2026, 1, 12)}, "clear end date"),
        ({"reason": "behaviour"}, "Choose the reason"),
    ],
    ids=["R4.2-full-time-is-not-part-time", "no-hours", "R4.2-clear-end-date", "R4.2-not-for-behaviour"],
)
def test_submission_checks(terms: LocalAuthority, school: School, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(services.TimetableError, match=message):
        submit(school, **kwargs)  # type: ignore[arg-type]


def test_only_the_schools_own_pupils_and_one_timetable_at_a_time(terms: LocalAuthority, school: School,
                                                                 other_school: School) -> None:
    outsider_pupil = pupil(other_school)
    with pytest.raises(services.TimetableError, match="on your school's roll"):
        submit(school, outsider_pupil)
    left = ChildFactory(local_authority=school.local_authority)
    EnrolmentFactory(child=left, school=school, start=dt.date(2020, 9, 1), end=dt.date(2025, 7, 18))
    with pytest.raises(services.TimetableError, match="on your school's roll"):
        submit(school, left)
    t = submit(school)
    with pytest.raises(services.TimetableError, match="already has a part-time timetable"):
        submit(school, t.child)


def test_R4_2_continue_sets_the_next_review_from_the_review_date(terms: LocalAuthority, school: School) -> None:
    t = submit(school, start=dt.date(2026, 1, 12))
    t = review(t, dt.date(2026, 2, 25))
    assert t.next_review_due == dt.date(2026, 4, 13)  # 8 April is in the Easter holiday
    assert t.status == "active" and t.extensions == 0
    assert t.reviews.get().by_label == "system:test"


def test_R4_2_extensions_are_counted_and_the_end_date_moves(terms: LocalAuthority, school: School) -> None:
    t = submit(school, start=dt.date(2026, 1, 12), end=dt.date(2026, 3, 20))
    with pytest.raises(services.TimetableError, match="new end date later"):
        review(t, dt.date(2026, 2, 23), "extend", dt.date(2026, 3, 1))
    t = review(t, dt.date(2026, 2, 23), "extend", dt.date(2026, 5, 1))
    t = review(t, dt.date(2026, 4, 13), "extend", dt.date(2026, 6, 12))
    t = review(t, dt.date(2026, 5, 26), "extend", dt.date(2026, 7, 17))
    assert t.extensions == 3 and t.planned_end_date == dt.date(2026, 7, 17)
    changes = AuditEvent.objects.filter(action="update", object_type="timetables.parttimetimetable").first().changes
    assert changes["planned_end_date"] == ["2026-06-12", "2026-07-17"]


@pytest.mark.parametrize("outcome, status", [("full_time", "full_time"), ("end", "ended")])
def test_ending_at_review(terms: LocalAuthority, school: School, outcome: str, status: str) -> None:
    t = review(submit(school), dt.date(2026, 2, 23), outcome)
    assert t.status == status and t.ended_on == dt.date(2026, 2, 23)
    with pytest.raises(services.TimetableError, match="has ended"):
        review(t, dt.date(2026, 2, 24))


def test_review_dates_must_be_in_order_and_not_in_the_future(terms: LocalAuthority, school: School) -> None:
    t = submit(school, start=dt.date(2026, 1, 12))
    with pytest.raises(services.TimetableError, match="on or after the start"):
        review(t, dt.date(2026, 1, 9))
    with pytest.raises(services.TimetableError, match="today or in the past"):
        review(t, dt.date(2026, 2, 23), today=dt.date(2026, 2, 20))
    t = review(t, dt.date(2026, 2, 23))
    with pytest.raises(services.TimetableError, match="cannot be earlier"):
        review(t, dt.date(2026, 2, 20))
    with pytest.raises(services.TimetableError, match="only when the timetable is extended"):
        review(t, dt.date(2026, 2, 24), "continue", dt.date(2026, 5, 1))


def test_consent_recorded_later_clears_the_flag(terms: LocalAuthority, school: School) -> None:
    t = submit(school, consent=False)
    assert not t.consent_given
    mother = t.child.child_contacts.get().contact
    other = pupil(school).child_contacts.get().contact
    with pytest.raises(services.TimetableError, match="parent or carer of this pupil"):
        services.timetable_consent_record(actor=ACTOR, user=None, timetable=t, consent=services.Consent(
            given=True, by_contact=other, on=dt.date(2026, 1, 13), how="email"))
    services.timetable_consent_record(actor=ACTOR, user=None, timetable=t, consent=services.Consent(
        given=True, by_contact=mother, on=dt.date(2026, 1, 13), how="email"))
    t.refresh_from_db()
    assert t.consent_given and t.consent_by == mother and t.consent_by_name == f"Sara {t.child.legal_surname}"


def test_settings_for_full_time_hours_and_extension_limit(la: LocalAuthority, settings) -> None:  # type: ignore[no-untyped-def]
    assert services.full_time_hours(la) == Decimal("32.5") and services.max_extensions(la) == 2
    settings.CME_FULL_TIME_HOURS = "25"
    settings.CME_PART_TIME_MAX_EXTENSIONS = 3
    assert services.full_time_hours(la) == Decimal("25") and services.max_extensions(la) == 3

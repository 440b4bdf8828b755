"""Part-time timetable pages: a school submits for its own pupils; the team reviews; scope, audit, exports."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.children.models import School
from cme.core.models import LocalAuthority
from cme.timetables.models import PartTimeTimetable
from cme.timetables.tests.factories import pupil, submit

NOW = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
pytestmark = pytest.mark.usefixtures("terms")


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "reason": "mental_health", "not_for_behaviour": "on", "hours_per_week": "15",
        "reintegration_plan": "Add a morning a fortnight", "consent_given": "yes", "consent_by_name": "Sara Smith",
        "consent_how": "meeting", **date_fields("start_date", dt.date(2026, 3, 2)),
        **date_fields("planned_end_date", dt.date(2026, 4, 24)), **date_fields("consent_on", dt.date(2026, 2, 27)),
    }
    data.update(overrides)
    return data


@time_machine.travel(NOW)
def test_school_submits_a_timetable_by_upn(client_for, school_user: User, school: School) -> None:  # type: ignore[no-untyped-def]
    child = pupil(school)
    client = client_for(school_user)
    assert "Tell us about a part-time timetable" in client.get(reverse("core:home")).content.decode()
    page = client.get(reverse("timetables:new"))
    assert page.status_code == 200 and child.upn in page.content.decode()
    response = client.post(reverse("timetables:new"), form(upn=child.upn))
    assert response.status_code == 302
    t = PartTimeTimetable.objects.get()
    assert t.child == child and t.school == school and t.consent_given and t.submitted_by == school_user
    assert t.next_review_due == dt.date(2026, 4, 13)  # 13 April: 6 weeks on is in the Easter holiday
    html = client.get(response["Location"]).content.decode()
    assert "13 April 2026" in html and "Review the timetable" not in html


@time_machine.travel(NOW)
def test_school_picks_a_pupil_from_its_roll_and_must_confirm_not_for_behaviour(client_for, school_user: User,  # type: ignore[no-untyped-def]
                                                                               school: School) -> None:
    child = pupil(school)
    client = client_for(school_user)
    response = client.post(reverse("timetables:new"), form(pupil=str(child.pk), not_for_behaviour=""))
    assert response.status_code == 200 and "not to manage behaviour" in response.content.decode()
    response = client.post(reverse("timetables:new"), form(pupil=str(child.pk), consent_given="no"))
    assert response.status_code == 302
    assert not PartTimeTimetable.objects.get().consent_given


@time_machine.travel(NOW)
def test_a_school_cannot_submit_for_another_schools_pupil(client_for, school_user: User, school: School,  # type: ignore[no-untyped-def]
                                                          other_school: School) -> None:
    stranger = pupil(other_school)
    client = client_for(school_user)
    response = client.post(reverse("timetables:new"), form(upn=stranger.upn))
    assert "No pupil with that UPN is on your school" in response.content.decode()
    response = client.post(reverse("timetables:new"), form(pupil=str(stranger.pk)))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not PartTimeTimetable.objects.exists()


@time_machine.travel(NOW)
def test_scope_other_school_and_other_la_get_404(client_for, school: School, school_user: User,  # type: ignore[no-untyped-def]
                                                 other_school_user: User, outsider: User, officer: User,
                                                 partner_user: User) -> None:
    t = submit(school)
    url = reverse("timetables:detail", args=[t.pk])
    assert client_for(school_user).get(url).status_code == 200
    assert client_for(officer).get(url).status_code == 200
    assert client_for(other_school_user).get(url).status_code == 404
    assert client_for(other_school_user).get(reverse("timetables:consent", args=[t.pk])).status_code == 404
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(partner_user).get(url).status_code == 403
    assert AuditEvent.objects.filter(action="view", object_type="timetables.parttimetimetable",
                                     child_id=t.child_id).count() == 2


@time_machine.travel(NOW)
def test_the_team_reviews_and_the_school_cannot(client_for, school: School, school_user: User,  # type: ignore[no-untyped-def]
                                                officer: User) -> None:
    t = submit(school, start=dt.date(2026, 1, 12))
    url = reverse("timetables:review", args=[t.pk])
    assert client_for(school_user).get(url).status_code == 403
    assert client_for(officer).get(reverse("timetables:new")).status_code == 403
    client = client_for(officer)
    assert "Review the timetable" in client.get(reverse("timetables:detail", args=[t.pk])).content.decode()
    response = client.post(url, {"outcome": "extend", **date_fields("reviewed_on", dt.date(2026, 2, 23))})
    assert "Enter the new end date" in response.content.decode()
    response = client.post(url, {"outcome": "extend", "pupil_and_parents_involved": "on", "notes": "Going well",
                                 **date_fields("reviewed_on", dt.date(2026, 2, 23)),
                                 **date_fields("new_end_date", dt.date(2026, 5, 22))})
    assert response.status_code == 302
    t.refresh_from_db()
    assert t.extensions == 1 and t.planned_end_date == dt.date(2026, 5, 22)
    assert t.next_review_due == dt.date(2026, 4, 13)
    assert t.reviews.get().by_label == officer.email


@time_machine.travel(NOW)
def test_school_records_consent_later(client_for, school: School, school_user: User) -> None:  # type: ignore[no-untyped-def]
    t = submit(school, consent=False)
    client = client_for(school_user)
    mother = t.child.child_contacts.get().contact
    response = client.post(reverse("timetables:consent", args=[t.pk]), {
        "by": str(mother.pk), "how": "writing", **date_fields("on", dt.date(2026, 3, 1))})
    assert response.status_code == 302
    t.refresh_from_db()
    assert t.consent_given and t.consent_by == mother


@time_machine.travel(NOW)
def test_list_query_count_is_independent_of_rows_and_shows_flags(client_for, officer: User, school: School) -> None:  # type: ignore[no-untyped-def]
    client = client_for(officer)
    submit(school)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("timetables:list")).status_code == 200
    for i in range(8):
        submit(school, start=dt.date(2025, 11, 3), end=dt.date(2026, 1, 16), consent=i % 2 == 0)
    with CaptureQueriesContext(connection) as big:
        response = client.get(reverse("timetables:list"))
    assert len(small.captured_queries) == len(big.captured_queries)
    html = response.content.decode()
    assert "Review overdue" in html and "No parental consent recorded" in html and "Past its planned end date" in html


@time_machine.travel(NOW)
def test_filters_by_flag_and_school(client_for, officer: User, school: School, other_school: School) -> None:  # type: ignore[no-untyped-def]
    overdue = submit(school, start=dt.date(2025, 11, 3), end=dt.date(2026, 4, 24))
    fine = submit(other_school, start=dt.date(2026, 2, 23), end=dt.date(2026, 4, 24))
    client = client_for(officer)
    html = client.get(reverse("timetables:list"), {"flag": "review_overdue"}).content.decode()
    assert reverse("timetables:detail", args=[overdue.pk]) in html
    assert reverse("timetables:detail", args=[fine.pk]) not in html
    html = client.get(reverse("timetables:list"), {"school": str(other_school.pk)}).content.decode()
    assert reverse("timetables:detail", args=[fine.pk]) in html
    assert reverse("timetables:detail", args=[overdue.pk]) not in html


@time_machine.travel(NOW)
def test_exports_are_scoped_by_role_and_audited(client_for, school: School, other_school: School,  # type: ignore[no-untyped-def]
                                                school_user: User, officer: User) -> None:
    submit(school, pupil(school, legal_surname="Ours"))
    submit(other_school, pupil(other_school, legal_surname="Theirs"))
    body = client_for(school_user).get(reverse("timetables:export-csv")).content.decode("utf-8-sig")
    assert "Ours" in body and "Theirs" not in body
    body = client_for(officer).get(reverse("timetables:export-csv")).content.decode("utf-8-sig")
    assert "Ours" in body and "Theirs" in body and "Hours missed to date" in body
    xlsx = client_for(officer).get(reverse("timetables:export-xlsx"))
    assert xlsx.content[:2] == b"PK" and "spreadsheetml" in xlsx["Content-Type"]
    assert AuditEvent.objects.filter(action="export", object_type="timetables.parttimetimetable").count() == 3


@time_machine.travel(NOW)
def test_register_report_adds_up_hours_missed(client_for, officer: User, school: School,  # type: ignore[no-untyped-def]
                                              terms: LocalAuthority) -> None:
    # 9 Feb to 2 March: 9-13 Feb, (half-term), 23-27 Feb, 2 March = 11 school days x (32.5 - 12.5) / 5 = 44 hours.
    submit(school, start=dt.date(2026, 2, 9), end=dt.date(2026, 4, 24))
    html = client_for(officer).get(reverse("timetables:report")).content.decode()
    assert "44.0" in html and "20.0" in html and "School A Primary" in html

"""EHE register pages: roles, scope (other LA 404), audit of reads and exports, query counts, journeys."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.tests.factories import EnrolmentFactory, SchoolFactory
from cme.ehe import presenters, services
from cme.ehe.models import EHEConcern, EHERecord
from cme.ehe.tests.factories import child_with_parents, open_record
from cme.notifications.services import Reported, notification_receive, notification_triage

NOW = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def test_list_query_count_does_not_grow_with_rows(client_for, ehe_officer: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(ehe_officer)
    open_record(ehe_officer)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("ehe:list")).status_code == 200
    for _ in range(6):
        record = open_record(ehe_officer)
        services.ehe_concern_record(actor=Auditor.for_user(ehe_officer), user=ehe_officer, record=record,
                                    kind="safety", raised_on=dt.date(2026, 2, 1), description="x",
                                    mash_referral_on=dt.date(2026, 2, 1))
    with CaptureQueriesContext(connection) as big:
        response = client.get(reverse("ehe:list"), {"status": "all", "concern": "any"})
    assert response.status_code == 200 and "Awaiting MASH outcome" in response.content.decode()
    assert len(small.captured_queries) == len(big.captured_queries)


@pytest.mark.parametrize("persona, status", [("officer", 200), ("manager", 200), ("ehe_officer", 200),
                                             ("school_user", 403), ("partner_user", 403), ("readonly_manager", 403),
                                             ("panel_member", 403)])
def test_who_sees_the_register(request: pytest.FixtureRequest, client_for, persona: str, status: int) -> None:  # type: ignore[no-untyped-def]
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("ehe:list")).status_code == status
    assert client.get(reverse("ehe:notifications")).status_code == status


def test_record_page_is_audited_and_hidden_from_other_las(client_for, ehe_officer: User, outsider: User,  # type: ignore[no-untyped-def]
                                                          school_user: User) -> None:
    record = open_record(ehe_officer)
    url = reverse("ehe:detail", args=[record.pk])
    response = client_for(ehe_officer).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Amelia Thompson" in html and "Sara Thompson" in html
    assert AuditEvent.objects.filter(action="view", object_type="ehe.eherecord", object_id=str(record.pk),
                                     child_id=record.child_id).exists()
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(outsider).get(reverse("ehe:edit", args=[record.pk])).status_code == 403  # no ehe.work
    assert client_for(school_user).get(url).status_code == 403


def test_other_la_ehe_officer_gets_404(client_for, ehe_officer: User, other_la) -> None:  # type: ignore[no-untyped-def]
    from cme.accounts.tests.factories import UserFactory

    foreign = UserFactory(role="ehe_officer", local_authority=other_la)
    record = open_record(ehe_officer)
    client = client_for(foreign)
    assert client.get(reverse("ehe:detail", args=[record.pk])).status_code == 404
    assert client.post(reverse("ehe:concern-new", args=[record.pk]), {}).status_code == 404


@time_machine.travel(NOW)
def test_ehe_officer_records_a_safety_concern_and_its_mash_route(client_for, ehe_officer: User) -> None:  # type: ignore[no-untyped-def]
    record = open_record(ehe_officer)
    client = client_for(ehe_officer)
    url = reverse("ehe:concern-new", args=[record.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "safety", "description": "Child seen with injuries",
                                 **date_fields("raised_on", dt.date(2026, 3, 1))})
    assert response.status_code == 200 and "Enter the date of the MASH referral" in response.content.decode()
    response = client.post(url, {"kind": "safety", "description": "Child seen with injuries", "mash_reference": "M9",
                                 **date_fields("raised_on", dt.date(2026, 3, 1)),
                                 **date_fields("mash_referral_on", dt.date(2026, 3, 1))})
    assert response.status_code == 302
    concern = EHEConcern.objects.get()
    assert concern.kind == "safety" and concern.social_care_outcome == "awaiting" and concern.mash_reference == "M9"
    page = client.get(reverse("ehe:detail", args=[record.pk])).content.decode()
    assert "MASH referral" in page and "Awaiting the outcome" in page
    response = client.post(reverse("ehe:concern-outcome", args=[concern.pk]),
                           {"outcome": "early_help", **date_fields("outcome_on", dt.date(2026, 3, 2))})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.social_care_outcome == "early_help"


@time_machine.travel(NOW)
def test_quality_concern_goes_to_the_ehe_process(client_for, ehe_officer: User) -> None:  # type: ignore[no-untyped-def]
    record = open_record(ehe_officer)
    client = client_for(ehe_officer)
    response = client.post(reverse("ehe:concern-new", args=[record.pk]),
                           {"kind": "quality", "description": "No maths",
                            **date_fields("raised_on", dt.date(2026, 3, 1))})
    assert response.status_code == 302
    page = client.get(reverse("ehe:detail", args=[record.pk])).content.decode()
    assert "EHE process: suitability enquiry" in page and "Awaiting information" in page


def test_a_cme_officer_may_view_but_not_work_the_register(client_for, officer: User, ehe_officer: User) -> None:  # type: ignore[no-untyped-def]
    record = open_record(ehe_officer)
    client = client_for(officer)
    assert client.get(reverse("ehe:detail", args=[record.pk])).status_code == 200
    assert client.post(reverse("ehe:concern-new", args=[record.pk]), {"kind": "quality"}).status_code == 403


@time_machine.travel(NOW)
def test_unsuitable_with_no_roll_place_offers_a_cme_case(client_for, ehe_officer: User, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(presenters, "reverse", lambda name, kwargs: f"/cases/from-ehe/{kwargs['pk']}/")
    record = open_record(ehe_officer)
    client = client_for(ehe_officer)
    response = client.post(reverse("ehe:decision", args=[record.pk]),
                           {"decision": "not_suitable", "reason": "No information given"})
    assert response.status_code == 302
    html = client.get(reverse("ehe:detail", args=[record.pk])).content.decode()
    assert "they are missing education" in html
    assert f'action="/cases/from-ehe/{record.pk}/"' in html and "Open a CME case" in html


@time_machine.travel(NOW)
def test_no_case_button_without_the_cases_view_or_when_on_roll(client_for, ehe_officer: User, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def missing(name: str, kwargs: dict[str, int]) -> str:
        raise NoReverseMatch(name)

    monkeypatch.setattr(presenters, "reverse", missing)
    record = open_record(ehe_officer)
    services.ehe_mark_unsuitable(actor=Auditor.for_user(ehe_officer), user=ehe_officer, record=record, reason="x")
    client = client_for(ehe_officer)
    html = client.get(reverse("ehe:detail", args=[record.pk])).content.decode()
    assert "Open a CME case" not in html and "they are missing education" in html
    monkeypatch.setattr(presenters, "reverse", lambda name, kwargs: "/cases/x/")
    EnrolmentFactory(child=record.child, school=SchoolFactory(local_authority=ehe_officer.local_authority,
                                                              name="Hill School"), start=dt.date(2026, 2, 20))
    html = client.get(reverse("ehe:detail", args=[record.pk])).content.decode()
    assert "Open a CME case" not in html
    assert "on the roll of Hill School, so they are not missing education" in html


@time_machine.travel(NOW)
def test_sao_step_page_offers_only_the_next_steps(client_for, ehe_officer: User) -> None:  # type: ignore[no-untyped-def]
    record = open_record(ehe_officer)
    services.ehe_mark_unsuitable(actor=Auditor.for_user(ehe_officer), user=ehe_officer, record=record, reason="x")
    client = client_for(ehe_officer)
    url = reverse("ehe:sao-new", args=[record.pk])
    html = client.get(url).content.decode()
    assert 'value="notice_437_1"' in html and 'value="sao_437_3"' not in html and "15 days" in html
    response = client.post(url, {"stage": "notice_437_1", **date_fields("served_on", dt.date(2026, 3, 2))})
    assert response.status_code == 302
    response = client.post(url, {"stage": "intention_438", **date_fields("served_on", dt.date(2026, 3, 2))})
    assert "has until 17 March 2026" in response.content.decode()


def test_export_is_scoped_audited_and_neutralises_formulas(client_for, ehe_officer: User, outsider: User) -> None:  # type: ignore[no-untyped-def]
    child = child_with_parents(ehe_officer.local_authority, legal_forename="=HYPERLINK(\"x\")")
    open_record(ehe_officer, child)
    response = client_for(ehe_officer).get(reverse("ehe:export-csv"))
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in body and "Thompson" in body
    assert AuditEvent.objects.filter(action="export", object_type="ehe.eherecord").count() == 1
    outsider_body = client_for(outsider).get(reverse("ehe:export-csv")).content.decode("utf-8-sig")
    assert "Thompson" not in outsider_body
    xlsx = client_for(ehe_officer).get(reverse("ehe:export-xlsx"))
    assert xlsx.content[:2] == b"PK"


@time_machine.travel(NOW)
def test_ground_f_deletion_is_listed_and_opens_an_ehe_record(client_for, ehe_officer: User) -> None:  # type: ignore[no-untyped-def]
    child = child_with_parents(ehe_officer.local_authority)
    notification = notification_receive(
        actor=Auditor.system("test"), local_authority=ehe_officer.local_authority, kind="deletion_return",
        reported=Reported(forename="Amelia", surname="Thompson", upn=child.upn), deletion_ground="F",
        deletion_date=dt.date(2026, 2, 27),
    )
    client = client_for(ehe_officer)
    html = client.get(reverse("ehe:notifications")).content.decode()
    assert notification.reference in html and "Open an EHE record" in html
    url = reverse("ehe:notification-open", args=[notification.pk])
    assert client.get(url).status_code == 200
    mother = child.child_contacts.get(relationship="mother").contact
    response = client.post(url, {"source": "school_deletion", "reason": "dissatisfaction",
                                 "educating_parents": [str(mother.pk)],
                                 **date_fields("start_date", dt.date(2026, 2, 28))})
    assert response.status_code == 302
    record = EHERecord.objects.get()
    assert record.notification == notification and record.officer == ehe_officer
    assert list(record.educating_parents.all()) == [mother]
    assert notification.reference not in client.get(reverse("ehe:notifications")).content.decode()


@time_machine.travel(NOW)
def test_unmatched_notification_asks_which_child(client_for, ehe_officer: User) -> None:  # type: ignore[no-untyped-def]
    child = child_with_parents(ehe_officer.local_authority, legal_forename="Zainab", legal_surname="Hussain")
    notification = notification_receive(
        actor=Auditor.system("test"), local_authority=ehe_officer.local_authority, kind="la_enquiry",
        reported=Reported(forename="Zainab", surname="Hussain"),
    )
    notification_triage(actor=Auditor.for_user(ehe_officer), user=ehe_officer, notification=notification,
                    outcome="ehe_team")
    client = client_for(ehe_officer)
    url = reverse("ehe:notification-open", args=[notification.pk])
    assert "Which child is this?" in client.get(url).content.decode()
    response = client.post(url, {"child": str(child.pk), "source": "other_la", "reason": "not_given",
                                 **date_fields("start_date", dt.date(2026, 2, 1))})
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.child == child and EHERecord.objects.get().child == child


@time_machine.travel(NOW)
def test_find_by_upn_then_open_a_record(client_for, ehe_officer: User) -> None:  # type: ignore[no-untyped-def]
    child = child_with_parents(ehe_officer.local_authority)
    client = client_for(ehe_officer)
    response = client.post(reverse("ehe:find"), {"upn": child.upn})
    assert response["Location"] == reverse("ehe:new", args=[child.pk])
    response = client.post(response["Location"], {"source": "parent", "reason": "bullying",
                                                   **date_fields("start_date", dt.date(2026, 2, 2))})
    assert response.status_code == 302
    assert EHERecord.objects.get().reason == "bullying"
    assert client.post(reverse("ehe:find"), {"upn": "A931200099001"}).status_code == 400


def test_record_page_links_to_the_child_and_escapes_names(client_for, ehe_officer: User) -> None:  # type: ignore[no-untyped-def]
    child = child_with_parents(ehe_officer.local_authority, legal_forename="<script>x</script>")
    record = open_record(ehe_officer, child)
    html = client_for(ehe_officer).get(reverse("ehe:detail", args=[record.pk])).content.decode()
    assert f'<a class="govuk-link" href="{reverse("children:detail", args=[child.pk])}">' in html
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html

"""Restricted records need a reason before any page shows them (SECURITY-PLAN DP-6, UK GDPR Art 18).

The sweep over every route and role is `tests/security/test_read_audit.py::test_dp6_*`; these pin the behaviour of
the mechanism: the reason form, the way back, the API header, htmx, and the lists that mask the name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cme.accounts.models import User
from cme.api.services import api_token_issue
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.cases.tests.factories import open_case
from cme.children.restriction import API_HEADER, SUMMARY
from cme.children.tests.factories import ChildFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

REASON = "Home visit planned today"


@pytest.fixture
def hidden_case(officer: User):  # type: ignore[no-untyped-def]
    child = ChildFactory(local_authority=officer.local_authority, is_restricted=True, legal_forename="Zephyrine",
                         legal_surname="Quillfeather")
    return open_case(user=officer, child=child)


def test_a_restricted_childs_case_asks_for_the_reason_then_comes_back(client_for, officer: User,  # type: ignore[no-untyped-def]
                                                                        hidden_case) -> None:
    client = client_for(officer)
    case_url = reverse("cases:detail", args=[hidden_case.pk])
    reason_url = reverse("children:reason", args=[hidden_case.child_id])

    asked = client.get(case_url)
    assert asked.status_code == 302 and asked.url == reason_url
    form = client.get(reason_url).content.decode()
    assert "This record is restricted" in form and "Quillfeather" not in form
    assert "govuk-error-summary" in client.post(reason_url, {"reason": ""}).content.decode()
    back = client.post(reason_url, {"reason": REASON})
    assert back.status_code == 302 and back.url == case_url
    assert "Quillfeather" in client.get(case_url).content.decode()
    event = AuditEvent.objects.get(child_id=hidden_case.child_id, summary=SUMMARY)
    assert (event.reason, event.actor) == (REASON, officer)
    # Once per child per session: the child page opens without asking again.
    assert client.get(reverse("children:detail", args=[hidden_case.child_id])).status_code == 200
    assert AuditEvent.objects.filter(summary=SUMMARY).count() == 1


def test_the_reason_form_opens_only_for_the_child_a_page_just_asked_about(client_for, officer: User,  # type: ignore[no-untyped-def]
                                                                           hidden_case) -> None:
    client = client_for(officer)
    reason_url = reverse("children:reason", args=[hidden_case.child_id])
    assert client.get(reason_url).status_code == 404  # no page asked: the form cannot be used to probe ids
    assert client.post(reason_url, {"reason": REASON}).status_code == 404
    other = ChildFactory(local_authority=officer.local_authority, is_restricted=True)
    client.get(reverse("children:detail", args=[other.pk]))  # asks about the other child
    assert client.get(reason_url).status_code == 404
    assert not AuditEvent.objects.filter(summary=SUMMARY).exists()


def test_a_new_session_must_give_the_reason_again(client_for, officer: User, hidden_case) -> None:  # type: ignore[no-untyped-def]
    case_url = reverse("cases:detail", args=[hidden_case.pk])
    first = client_for(officer)
    first.get(case_url)
    first.post(reverse("children:reason", args=[hidden_case.child_id]), {"reason": REASON})
    assert first.get(case_url).status_code == 200
    assert client_for(officer).get(case_url).status_code == 302


def test_an_htmx_request_is_sent_to_the_reason_form_as_a_whole_page(client_for, officer: User,  # type: ignore[no-untyped-def]
                                                                     hidden_case) -> None:
    response = client_for(officer).get(reverse("cases:detail", args=[hidden_case.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("children:reason", args=[hidden_case.child_id])


def test_lists_show_restricted_record_instead_of_the_name_until_a_reason_is_given(client_for, officer: User,  # type: ignore[no-untyped-def]
                                                                                   hidden_case) -> None:
    client = client_for(officer)
    open_case(user=officer, child=ChildFactory(local_authority=officer.local_authority, legal_surname="Openshaw"))
    listing = client.get(reverse("cases:list"), {"view": "team"}).content.decode()
    assert "Restricted record" in listing and "Quillfeather" not in listing and "Openshaw" in listing
    found = client.post(reverse("children:search"), {"name": "Zephyrine"}).content.decode()
    assert "Restricted record" in found and "Quillfeather" not in found
    client.get(reverse("cases:detail", args=[hidden_case.pk]))
    client.post(reverse("children:reason", args=[hidden_case.child_id]), {"reason": REASON})
    assert "Quillfeather" in client.get(reverse("cases:list"), {"view": "team"}).content.decode()


def test_the_api_needs_the_reason_header_and_audits_each_read(school_user: User, la_admin: User,  # type: ignore[no-untyped-def]
                                                               school, client) -> None:
    child = ChildFactory(local_authority=school_user.local_authority, is_restricted=True, legal_surname="Quillfeather")
    EnrolmentFactory(child=child, school=school)
    _, token = api_token_issue(actor=Auditor.for_user(la_admin), created_by=la_admin, service_account=school_user,
                               name="School MIS")
    url = f"/api/v1/children/{child.pk}"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    refused = client.get(url, **auth)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "reason_required"
    assert API_HEADER in refused.json()["error"]["message"] and "Quillfeather" not in refused.content.decode()
    assert client.get(url, headers={API_HEADER: "too short"}, **auth).status_code == 422  # a reason, not a token
    for _ in range(2):
        shown = client.get(url, headers={API_HEADER: "Pupil transfer check for admissions"}, **auth)
        assert shown.status_code == 200 and "Quillfeather" in shown.content.decode()
    events = AuditEvent.objects.filter(child_id=child.pk, summary=SUMMARY)
    assert [e.reason for e in events] == ["Pupil transfer check for admissions"] * 2


def test_api_search_leaves_out_a_restricted_child(school_user: User, la_admin: User, school,  # type: ignore[no-untyped-def]
                                                             client) -> None:
    import json

    hidden = ChildFactory(local_authority=school_user.local_authority, is_restricted=True, legal_forename="Ava",
                          legal_surname="Quillfeather")
    shown = ChildFactory(local_authority=school_user.local_authority, legal_forename="Ava", legal_surname="Pearce")
    for child in (hidden, shown):
        EnrolmentFactory(child=child, school=school)
    _, token = api_token_issue(actor=Auditor.for_user(la_admin), created_by=la_admin, service_account=school_user,
                               name="School MIS")
    found = client.post("/api/v1/children/search", json.dumps({"name": "Ava"}), content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {token}")
    assert found.status_code == 200 and "Quillfeather" not in found.content.decode()
    assert [(r["id"], r["legal_surname"]) for r in found.json()["results"]] == [(shown.pk, "Pearce")]
    assert found.json()["count"] == 1
    doc = client.get("/api/v1/openapi.json").json()
    params = doc["paths"]["/api/v1/children/{child_id}"]["get"]["parameters"]
    assert API_HEADER in {p["name"] for p in params}

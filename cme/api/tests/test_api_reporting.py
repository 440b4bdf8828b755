"""Cases, referrals and returns, feed files and reports through the JSON API (issue 9 item 4)."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cme.accounts.models import User
from cme.api.services import api_token_issue
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.cases.tests.factories import open_case
from cme.children.tests.factories import ChildFactory
from cme.feeds.models import FeedRun, FeedSource
from cme.notifications.models import Notification
from cme.reports import selectors


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def token_for(user: User, admin: User) -> str:
    _, full = api_token_issue(actor=Auditor.for_user(admin), created_by=admin, service_account=user, name="System")
    return full


REFERRAL = {"referrer_agency": "police", "referrer_name": "PC Jones", "concern": "whereabouts_unknown",
            "forename": "Amelia", "surname": "Thompson", "date_of_birth": "2016-05-14",
            "what_is_known": "Family moved out; not at school."}


def test_a_partner_token_submits_a_referral_and_cannot_read_any_child(partner_user: User, la_admin: User,
                                                                      officer: User) -> None:
    token = token_for(partner_user, la_admin)
    client = Client()
    response = client.post("/api/v1/referrals", json.dumps(REFERRAL), content_type="application/json",
                           **bearer(token))
    assert response.status_code == 201, response.content
    reference = response.json()["reference"]
    notification = Notification.objects.get(reference=reference)
    assert notification.kind == Notification.Kind.PARTNER_REFERRAL and notification.submitted_by == partner_user
    child = ChildFactory(local_authority=officer.local_authority)
    assert client.get(f"/api/v1/children/{child.pk}", **bearer(token)).status_code == 403
    assert client.post("/api/v1/children/search", json.dumps({"name": "Amelia"}), content_type="application/json",
                       **bearer(token)).status_code == 403
    assert client.get("/api/v1/cases", **bearer(token)).status_code == 403
    assert client.get("/api/v1/reports/kpis", **bearer(token)).status_code == 403


def test_an_invalid_referral_gets_422_with_field_details(partner_user: User, la_admin: User) -> None:
    token = token_for(partner_user, la_admin)
    response = Client().post("/api/v1/referrals", json.dumps({**REFERRAL, "referrer_agency": "martians"}),
                             content_type="application/json", **bearer(token))
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [{"field": "referrer_agency",
                                                   "message": "Select the agency you work for"}]
    wrong_type = Client().post("/api/v1/referrals", json.dumps({**REFERRAL, "safeguarding_concern": "yes"}),
                               content_type="application/json", **bearer(token))
    assert wrong_type.status_code == 422  # never coerced


def test_a_school_token_submits_returns_but_not_referrals(school_user: User, la_admin: User) -> None:
    token = token_for(school_user, la_admin)
    client = Client()
    deletion = {"school_laestab": "9312001", "forename": "Amelia", "surname": "Thompson",
                "date_of_birth": "2016-05-14", "sex": "F", "address": "12 Cowley Road, Oxford", "postcode": "OX4 1AB",
                "parent1_name": "Sarah Thompson", "parent1_phone": "07700 900982", "ground": "A",
                "deletion_date": "2026-11-20", "new_school_name": "Cherwell Primary", "new_school_laestab": "9312100"}
    response = client.post("/api/v1/returns/deletions", json.dumps(deletion), content_type="application/json",
                           **bearer(token))
    assert response.status_code in (201, 422), response.content
    if response.status_code == 201:
        assert Notification.objects.get(reference=response.json()["reference"]).kind == "deletion_return"
    entrant = {"forename": "Leo", "surname": "Okafor", "date_of_birth": "2015-02-03", "sex": "M",
               "address": "4 Iffley Road", "postcode": "OX4 1EA", "parent1_name": "Grace Okafor",
               "parent1_phone": "01632 960001", "start_date": "2026-11-20", "nc_year": 6}
    response = client.post("/api/v1/returns/new-entrants", json.dumps(entrant), content_type="application/json",
                           **bearer(token))
    assert response.status_code == 201, response.content
    assert client.post("/api/v1/referrals", json.dumps(REFERRAL), content_type="application/json",
                       **bearer(token)).status_code == 403


def test_cases_are_listed_paginated_and_read_within_scope(officer: User, manager: User, outsider: User,
                                                          la_admin: User) -> None:
    cases = [open_case(user=officer) for _ in range(3)]
    token = token_for(manager, la_admin)
    client = Client()
    listed = client.get("/api/v1/cases", {"page_size": 2}, **bearer(token)).json()
    assert listed["count"] == 3 and len(listed["items"]) == 2
    detail = client.get(f"/api/v1/cases/{cases[0].pk}", **bearer(token))
    assert detail.status_code == 200
    body = detail.json()
    assert body["reference"] == cases[0].reference and body["status"] == "open" and body["history"][0]["status"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="cases.case").exists()
    other = Client().get(f"/api/v1/cases/{cases[0].pk}", **bearer(token_for(outsider, outsider)))
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/cases", {"page": 0}, **bearer(token)).status_code == 422


def test_reports_kpis_match_the_dashboard_and_are_suppressed_for_read_only(officer: User, manager: User,
                                                                            readonly_manager: User,
                                                                            la_admin: User) -> None:
    for _ in range(3):
        open_case(user=officer)
    full = Client().get("/api/v1/reports/kpis", **bearer(token_for(manager, la_admin))).json()
    figures = {f["key"]: f["value"] for f in full["figures"]}
    assert figures["open_cases"] == selectors.dashboard(user=manager).figure("open_cases").value == 3
    limited = Client().get("/api/v1/reports/kpis", **bearer(token_for(readonly_manager, la_admin))).json()
    assert limited["aggregate_only"] and {f["key"]: f["value"] for f in limited["figures"]}["open_cases"] is None


def test_a_manager_posts_a_feed_file_and_others_cannot(manager: User, officer: User, la_admin: User) -> None:
    FeedSource.objects.create(local_authority=manager.local_authority, slug="health", name="Health",
                              kind=FeedSource.Kind.CSV, source="health", transport=FeedSource.Transport.UPLOAD)
    upload = SimpleUploadedFile("health.csv", b"nhs_number,forename\n", content_type="text/csv")
    response = Client().post("/api/v1/feeds/health/files", {"file": upload}, **bearer(token_for(manager, la_admin)))
    assert response.status_code == 201, response.content
    assert FeedRun.objects.filter(pk=response.json()["id"]).exists()
    missing = Client().post("/api/v1/feeds/nope/files", {"file": SimpleUploadedFile("a.csv", b"x")},
                            **bearer(token_for(manager, la_admin)))
    assert missing.status_code == 404
    refused = Client().post("/api/v1/feeds/health/files", {"file": SimpleUploadedFile("a.csv", b"x")},
                            **bearer(token_for(officer, la_admin)))
    assert refused.status_code == 403
    sources = Client().get("/api/v1/feeds/sources", **bearer(token_for(officer, la_admin))).json()
    assert [s["slug"] for s in sources] == ["health"]


def test_a_feed_file_that_is_not_what_its_name_says_is_refused(manager: User, la_admin: User) -> None:
    """FILE-2: the API checks the content against the name and the source's kind, before any run."""
    FeedSource.objects.create(local_authority=manager.local_authority, slug="health", name="Health",
                              kind=FeedSource.Kind.CSV, source="health", transport=FeedSource.Transport.UPLOAD)
    for name, data in (("health.csv", b"%PDF-1.7\n"), ("health.json", b'{"data": []}')):
        response = Client().post("/api/v1/feeds/health/files", {"file": SimpleUploadedFile(name, data)},
                                 **bearer(token_for(manager, la_admin)))
        assert response.status_code == 422, response.content
        assert "The selected file must be" in response.json()["error"]["details"][0]["message"]
    assert not FeedRun.objects.exists()


def test_a_school_id_too_large_for_the_database_is_refused_not_a_server_error(manager: User, la_admin: User) -> None:
    """Found by the contract test: ?school_id=53888307305427959808 gave a 500 (SQLite integer overflow)."""
    response = Client().get("/api/v1/reports/kpis", {"school_id": "53888307305427959808"},
                            **bearer(token_for(manager, la_admin)))
    assert response.status_code == 422

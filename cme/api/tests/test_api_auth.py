from __future__ import annotations

import json

import pytest
from django.test import Client

from cme.accounts.models import User
from cme.api.models import ApiToken
from cme.api.services import api_token_issue, api_token_revoke
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.tests.factories import ChildFactory, EnrolmentFactory


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def school_token(school_user: User, la_admin: User) -> str:
    _, full = api_token_issue(actor=Auditor.for_user(la_admin), created_by=la_admin, service_account=school_user,
                              name="School MIS")
    return full


@pytest.fixture
def partner_token(partner_user: User, la_admin: User) -> str:
    _, full = api_token_issue(actor=Auditor.for_user(la_admin), created_by=la_admin, service_account=partner_user,
                              name="Police system")
    return full


def test_openapi_document_is_served_without_sign_in(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.") and "/api/v1/children/search" in doc["paths"]


def test_no_credentials_get_a_401_error_body(db: None) -> None:
    response = Client().post("/api/v1/children/search", json.dumps({"name": "x"}), content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_tokens_are_hashed_at_rest(school_token: str) -> None:
    stored = ApiToken.objects.get()
    assert school_token not in (stored.token_hash, stored.prefix)
    assert len(stored.token_hash) == 64


def test_a_school_token_reads_only_its_own_pupils(school_token: str, school, officer: User) -> None:  # type: ignore[no-untyped-def]
    mine = ChildFactory(local_authority=officer.local_authority, legal_forename="Ava", legal_surname="Pearce")
    EnrolmentFactory(child=mine, school=school)
    other = ChildFactory(local_authority=officer.local_authority, legal_forename="Ava", legal_surname="Pearson")
    client = Client()
    found = client.post("/api/v1/children/search", json.dumps({"name": "Ava Pearce"}),
                        content_type="application/json", **bearer(school_token)).json()
    assert [c["id"] for c in found["results"]] == [mine.pk]
    assert client.get(f"/api/v1/children/{mine.pk}", **bearer(school_token)).status_code == 200
    missing = client.get(f"/api/v1/children/{other.pk}", **bearer(school_token))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, child_id=mine.pk).exists()


def test_a_partner_token_cannot_read_any_child(partner_token: str, officer: User) -> None:
    child = ChildFactory(local_authority=officer.local_authority)
    client = Client()
    assert client.get(f"/api/v1/children/{child.pk}", **bearer(partner_token)).status_code == 403
    search = client.post("/api/v1/children/search", json.dumps({"name": "Amelia"}), content_type="application/json",
                         **bearer(partner_token))
    assert search.status_code == 403 and search.json()["error"]["code"] == "forbidden"


def test_a_revoked_token_is_refused(school_token: str, la_admin: User) -> None:
    api_token_revoke(actor=Auditor.for_user(la_admin), token=ApiToken.objects.get())
    response = Client().get("/api/v1/children/1", **bearer(school_token))
    assert response.status_code == 401


def test_validation_errors_have_the_common_body(school_token: str) -> None:
    response = Client().post("/api/v1/children/search", json.dumps({"date_of_birth": "not a date"}),
                             content_type="application/json", **bearer(school_token))
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "invalid" and body["details"][0]["field"] == "date_of_birth"


def test_session_auth_needs_two_factor_for_la_staff(officer: User) -> None:
    client = Client()
    client.force_login(officer)  # password only, no two-factor
    response = client.post("/api/v1/children/search", json.dumps({"name": "x"}), content_type="application/json")
    assert response.status_code == 401

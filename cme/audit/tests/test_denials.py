"""LOG-3: every authorisation denial of a signed-in user writes exactly one ACCESS_DENIED audit event.

A 403 from the role check, and a 404 from a lookup scoped to the user's organisation, each give one event with
the actor, the route and ids, and the outcome. Anonymous requests (redirect to sign-in, API 401) are not audited
as denials (see `audit.services.denial_record`). The access matrix (tests/security) checks 100% over every route.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from cme.accounts.models import User
from cme.api.services import api_token_issue
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.tests.factories import ChildFactory

DENIED = AuditEvent.Action.ACCESS_DENIED


def test_a_403_from_the_role_check_writes_one_event(client_for: Callable[[User], Client], school_user: User) -> None:
    response = client_for(school_user).get(reverse("audit:list"))
    assert response.status_code == 403
    event = AuditEvent.objects.get(action=DENIED)
    assert event.actor == school_user and event.actor_role == school_user.role
    assert event.local_authority_id == school_user.local_authority_id
    assert event.object_type == "audit:list" and event.path == "/audit/"
    assert event.changes == {"status": 403, "method": "GET"}
    assert event.summary == "403 refused: GET audit:list (Your role cannot audit.view.)"


def test_a_404_for_a_record_outside_the_users_scope_writes_one_event(client_for: Callable[[User], Client],
                                                                     officer: User, outsider: User) -> None:
    foreign = ChildFactory(local_authority=outsider.local_authority)
    response = client_for(officer).post(reverse("privacy:rectify", args=[foreign.pk]), {"legal_surname": "X"})
    assert response.status_code == 404
    event = AuditEvent.objects.get(action=DENIED)
    assert event.actor == officer
    assert (event.object_type, event.object_id) == ("privacy:rectify", f"pk={foreign.pk}")
    assert event.summary.startswith("404 not found in the user's scope: POST privacy:rectify")
    assert event.changes["status"] == 404


def test_allowed_requests_and_unknown_addresses_write_no_denial(client_for: Callable[[User], Client],
                                                                officer: User) -> None:
    client = client_for(officer)
    own = ChildFactory(local_authority=officer.local_authority)
    assert client.get(reverse("children:detail", args=[own.pk])).status_code == 200
    assert client.get("/no-such-page/").status_code == 404  # no route: not an authorisation decision
    assert not AuditEvent.objects.filter(action=DENIED).exists()


def test_anonymous_requests_are_not_audited_as_denials(db: None) -> None:
    client = Client()
    assert client.get(reverse("audit:list")).status_code == 302
    assert client.get("/api/v1/cases").status_code == 401
    assert not AuditEvent.objects.filter(action=DENIED).exists()


def test_api_denials_are_audited(school_user: User, la_admin: User, outsider: User) -> None:
    cache.clear()
    _, token = api_token_issue(actor=Auditor.for_user(la_admin), created_by=la_admin, service_account=school_user,
                               name="School MIS")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert Client().get("/api/v1/cases", **auth).status_code == 403
    foreign = ChildFactory(local_authority=outsider.local_authority)
    assert Client().get(f"/api/v1/children/{foreign.pk}", **auth).status_code == 404
    events = list(AuditEvent.objects.filter(action=DENIED).order_by("pk"))
    assert [(e.actor, e.changes["status"]) for e in events] == [(school_user, 403), (school_user, 404)]
    assert events[1].object_id == f"child_id={foreign.pk}"

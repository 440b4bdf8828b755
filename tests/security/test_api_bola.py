"""AC-9 (SECURITY-PLAN; ASVS v5.0.0 8.2.2): automated BOLA and authentication fuzz of the JSON API, with schemathesis.

Two users' bearer tokens from two different councils (attendance managers of A and B), and two school users of
two schools of one council. Schemathesis (in-process, on the OpenAPI document) sends every request and validates
every response with its checks `ignored_auth`, `not_a_server_error`, `status_code_conformance`,
`content_type_conformance` and `response_schema_conformance`.

- **Object level (BOLA)**: every operation that takes an id (a path parameter, or a query parameter named `*_id`,
  found in the document) is sent, as the peer, every id the owner reached through the API (its own searches, case
  list and feed source list; school ids from the seed). The owner gets 200 on each (so the ids are real); the peer
  must get 403 or 404; a query id (the reports' `school_id`) must give the peer exactly what a school id that
  does not exist gives (nothing of the owner's). Lists and searches are checked too: the peer's search for the
  owner's children by name and UPN finds 0; its case list and feed sources hold none of the owner's.
  Schemathesis 4.32's own `object_level_authorization` check needs its engine (`schemathesis run` with a WFC auth
  document naming peers), which sends requests from worker threads that cannot see the test's database
  transaction, so the same check is made here explicitly, with schemathesis cases and checks.
- **Authentication (`ignored_auth`)**: every operation is sent one request that succeeds (2xx) with a token of a
  role holding its permission; the check then re-sends it with no credentials and with invalid ones (bearer token,
  session cookie), which must be refused (401).
Run with `-s` for the figures.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from cme.accounts.roles import Role
from cme.notifications.tests.factories import deletion_input, new_entrant_input, referral_input
from tests.security.api_world import REQUESTS, Council, councils_built, schema

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          ignored_auth]
NO_SUCH_SCHOOL = 2**62  # a valid id that no school has
BOUNDARY = "cme-ac9-boundary"
#: a small CSV extract as a multipart body (schemathesis names a generated file part after its field, "file",
#: which the upload check refuses: a feed file must be named .csv, .txt or .xlsx)
CSV = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="extract.csv"\r\n'
       f"Content-Type: text/csv\r\n\r\nnhs_number,forename\r\n\r\n--{BOUNDARY}--\r\n").encode()

#: id parameter -> the kind of object it names (how the owner's ids are found)
ID_KINDS = {"child_id": "children", "case_id": "cases", "slug": "feed sources", "school_id": "schools"}
TALLY: Counter[str] = Counter()


@pytest.fixture(scope="module")
def councils(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Council]]:
    with councils_built(django_db_blocker) as built:
        yield built


def operations() -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def id_parameters(operation: Any) -> list[tuple[str, str]]:
    """(location, name) of the parameters of `operation` that name an object."""
    found = [("path", p.name) for p in operation.path_parameters]
    found += [("query", p.name) for p in operation.query if p.name.endswith("_id")]
    return found


def call(operation: Any, headers: dict[str, str], *, location: str = "", name: str = "", value: Any = None,
         body: Any = None, media_type: str | None = None) -> Any:
    kwargs: dict[str, Any] = {}
    if location == "path":
        kwargs["path_parameters"] = {name: value}
    elif location == "query":
        kwargs["query"] = {name: value}
    if body is not None:
        kwargs["body"] = body
        kwargs["media_type"] = media_type or "application/json"
    cache.clear()  # rate-limit counters: this test sends more than a minute's allowance
    if media_type == "multipart/form-data":
        kwargs["headers"] = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    case = operation.Case(**kwargs)
    response = case.call_and_validate(headers=headers, checks=CHECKS)
    TALLY["schemathesis calls"] += 1
    return response


def op(method: str, path: str) -> Any:
    return schema[f"/api/v1{path}"][method]


def owned(headers: dict[str, str], surname: str, school_ids: list[int]) -> dict[str, list[Any]]:
    """The ids the owner reaches through the API (a role without the permission reaches none of that kind)."""
    ids: dict[str, list[Any]] = {"schools": school_ids}
    search = call(op("POST", "/children/search"), headers, body={"name": surname, "limit": 200})
    ids["children"] = [c["id"] for c in search.json()["results"]] if search.status_code == 200 else []
    cases = call(op("GET", "/cases"), headers, location="query", name="page_size", value=200)
    ids["cases"] = [c["id"] for c in cases.json()["items"]] if cases.status_code == 200 else []
    sources = call(op("GET", "/feeds/sources"), headers)
    ids["feed sources"] = [s["slug"] for s in sources.json()] if sources.status_code == 200 else []
    return ids


def pairs(councils: dict[str, Council]) -> list[tuple[str, dict[str, str], Council, str, dict[str, str]]]:
    """(owner label, owner headers, owner council, peer label, peer headers)."""
    a, b = councils["A"], councils["B"]
    manager = Role.ATTENDANCE_MANAGER.value
    school_1, school_2 = a.headers(Role.SCHOOL_USER), {"Authorization": f"Bearer {a.second_school_token}"}
    return [
        ("council A manager", a.headers(manager), a, "council B manager", b.headers(manager)),
        ("council B manager", b.headers(manager), b, "council A manager", a.headers(manager)),
        ("school 1 of A", school_1, a, "school 2 of A", school_2),
        ("school 2 of A", school_2, a, "school 1 of A", school_1),
    ]


def _owner_schools(council: Council, label: str) -> list[int]:
    if label.startswith("school 2"):
        return [council.schools[1].pk]
    if label.startswith("school 1"):
        return [council.schools[0].pk]
    return [school.pk for school in council.schools]


def test_ac9_every_id_parameter_has_a_source_of_ids() -> None:
    unknown = [(operation.label, name) for operation in operations() for _loc, name in id_parameters(operation)
               if name not in ID_KINDS]
    assert not unknown, f"Add these id parameters to ID_KINDS (and how the owner's ids are found): {unknown}"


def test_ac9_no_user_reaches_another_organisations_objects(councils: dict[str, Council], db: None) -> None:
    leaks: list[str] = []
    tried: set[str] = set()
    start = REQUESTS["all"]
    for owner_label, owner, council, peer_label, peer in pairs(councils):
        surname = council.children[0].legal_surname
        ids = owned(owner, surname, _owner_schools(council, owner_label))
        peer_slugs = set(owned(peer, "nobody", [])["feed sources"])
        ids["feed sources"] = [slug for slug in ids["feed sources"] if slug not in peer_slugs]  # names, not objects
        assert ids["children"], f"{owner_label} found none of its children"
        for operation in operations():
            for location, name in id_parameters(operation):
                for value in ids[ID_KINDS[name]]:
                    tried.add(operation.label)
                    TALLY["owner ids tried by a peer"] += 1
                    leaks += _probe(operation, location, name, value, owner, peer,
                                    f"{peer_label} -> {owner_label}'s {name}={value}")
        leaks += _lists(council, ids, peer, f"{peer_label} -> {owner_label}")
    print(f"\nAC-9 BOLA: {len(tried)} operations with an id ({', '.join(sorted(tried))}); 4 owner/peer pairs "  # noqa: T201
          f"(2 councils, 2 schools); {TALLY['owner ids tried by a peer']} owner ids tried by the peer, "
          f"{TALLY['list checks']} list/search checks; {TALLY['schemathesis calls']} schemathesis calls, "
          f"{REQUESTS['all'] - start} requests (with the checks' own); leaks {len(leaks)}")
    assert tried == {o.label for o in operations() if id_parameters(o)}
    assert not leaks, "\n".join(leaks)


def _probe(operation: Any, location: str, name: str, value: Any, owner: dict[str, str], peer: dict[str, str],
           cell: str) -> list[str]:
    if operation.method.upper() == "GET" and location == "path":
        assert call(operation, owner, location=location, name=name, value=value).status_code == 200, cell
    body, media_type = (CSV, "multipart/form-data") if operation.method.upper() == "POST" else (None, None)
    response = call(operation, peer, location=location, name=name, value=value, body=body, media_type=media_type)
    if location == "query":  # a filter: the peer must get what an id of nothing gives it
        mine = call(operation, owner, location=location, name=name, value=value)
        if mine.status_code == 403:  # the owner's role cannot use this operation: nothing of its to reach
            return [] if response.status_code == 403 else [f"{cell}: {response.status_code}"]
        control = call(operation, peer, location=location, name=name, value=NO_SUCH_SCHOOL)
        assert mine.json() != call(operation, owner, location=location, name=name, value=NO_SUCH_SCHOOL).json(), (
            f"control: the owner's own {name} changes nothing ({cell})")
        return [] if (response.status_code, response.json()) == (200, control.json()) else [
            f"{cell}: {response.status_code} differs from an id of nothing"]
    return [] if response.status_code in (403, 404) else [f"{cell}: {response.status_code} {response.text[:200]}"]


def _lists(council: Council, ids: dict[str, list[Any]], peer: dict[str, str], cell: str) -> list[str]:
    leaks = []
    children = [c for c in council.children if c.pk in ids["children"]]
    for body in [{"name": children[0].legal_surname, "limit": 200}, *({"upn": c.upn} for c in children)]:
        response = call(op("POST", "/children/search"), peer, body=body)
        TALLY["list checks"] += 1
        found = {c["id"] for c in response.json()["results"]} if response.status_code == 200 else set()
        if found & set(ids["children"]):
            leaks.append(f"{cell}: search {body} found {found & set(ids['children'])}")
    cases = call(op("GET", "/cases"), peer, location="query", name="page_size", value=200)
    TALLY["list checks"] += 1
    if cases.status_code == 200 and {c["id"] for c in cases.json()["items"]} & set(ids["cases"]):
        leaks.append(f"{cell}: case list holds the owner's cases")
    sources = call(op("GET", "/feeds/sources"), peer)
    TALLY["list checks"] += 1
    if sources.status_code == 200 and {s["slug"] for s in sources.json()} & set(ids["feed sources"]):
        leaks.append(f"{cell}: feed sources hold the owner's")
    return leaks


#: operationId -> (role holding its permission, request that succeeds). The document's operation list must match.
GOOD_REQUESTS: dict[str, tuple[str, dict[str, Any]]] = {
    "cme_children_api_search_children": (Role.CME_OFFICER, {"body": {"name": "Aldous"}}),
    "cme_children_api_read_child": (Role.CME_OFFICER, {"path": ("child_id", "child")}),
    "cme_api_routers_cases_list_cases": (Role.CME_OFFICER, {}),
    "cme_api_routers_cases_read_case": (Role.CME_OFFICER, {"path": ("case_id", "case")}),
    "cme_api_routers_notifications_submit_referral": (Role.PARTNER_USER, {"body": referral_input}),
    "cme_api_routers_notifications_submit_deletion_return": (Role.SCHOOL_USER, {"body": deletion_input}),
    "cme_api_routers_notifications_submit_new_entrant_return": (Role.SCHOOL_USER, {"body": new_entrant_input}),
    "cme_api_routers_feeds_list_sources": (Role.ATTENDANCE_MANAGER, {}),
    "cme_api_routers_feeds_post_feed_file": (Role.ATTENDANCE_MANAGER, {"path": ("slug", "health"),
                                                                       "file": CSV}),
    "cme_reports_api_read_kpis": (Role.READONLY_MANAGER, {}),
}


def _json(data: Any) -> dict[str, Any]:
    values = data.__dict__ if hasattr(data, "__dict__") else dict(data)
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items() if v not in (None, "")}


def test_ac9_ignored_auth_every_operation_refuses_missing_and_invalid_credentials(councils: dict[str, Council],
                                                                                  db: None) -> None:
    a = councils["A"]
    ops = {o.definition.raw["operationId"]: o for o in operations()}
    assert set(ops) == set(GOOD_REQUESTS), "add the new operation to GOOD_REQUESTS"
    probes = 0
    for op_id, (role, request) in GOOD_REQUESTS.items():
        operation = ops[op_id]
        kwargs: dict[str, Any] = {}
        if "path" in request:
            name, kind = request["path"]
            value = {"child": a.children[0].pk, "case": a.cases[0].pk}.get(kind, kind)
            kwargs.update(location="path", name=name, value=value)
        if "body" in request:
            body = request["body"]
            kwargs["body"] = _json(body()) if callable(body) else body
        if "file" in request:
            kwargs.update(body=request["file"], media_type="multipart/form-data")
        before = REQUESTS["all"]
        response = call(operation, a.headers(role), **kwargs)
        assert 200 <= response.status_code < 300, (op_id, response.status_code, response.text[:300])
        sent = REQUESTS["all"] - before
        assert sent >= 3, f"{op_id}: ignored_auth sent no probe"  # the request, then no and invalid credentials
        probes += sent - 1
    print(f"\nAC-9 ignored_auth: {len(ops)} of {len(ops)} operations answered 2xx with a token and were "  # noqa: T201
          f"re-sent {probes} times without or with invalid credentials (bearer, session cookie): all refused")


def test_ac9_the_schema_has_no_unauthenticated_operation() -> None:
    raw = schema.raw_schema
    for path, item in raw["paths"].items():
        for method, operation in item.items():
            assert operation.get("security"), f"{method} {path} declares no authentication"
            assert re.fullmatch(r"/api/v1/.+", path)

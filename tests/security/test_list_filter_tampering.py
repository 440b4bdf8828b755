"""AC-3, the two parts the id matrix leaves (SECURITY-PLAN; ASVS v5 8.2.2): list-filter tampering, and refused bodies.

The other organisation is the crawl's council (LA 931, tests/security/crawl.py): every identifier, contact and
free-text field of its records carries a sentinel. The personas work for LA 825, which holds no sentinel at all, so
any sentinel in a response to them is a field of a foreign record.

- List-filter tampering: every GET route without an id that a role may open (the URL configuration's list pages,
  plus the API's list operations) is requested with each filter parameter its page offers (its GET forms) and
  the usual names (`school`, `officer`, `la`, `child`, `case`...), set to the id of a record of LA 931 of the
  matching kind. The response must not be a 5xx and must hold no sentinel.
- Refused bodies: every GET route with an id, with the id of a LA 931 record (FOREIGN_OBJECTS), must be refused
  (403/404) with a body that holds no sentinel (no field of the foreign record).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.db import transaction

from cme.accounts.models import User
from cme.accounts.policy import PERMISSIONS
from cme.accounts.roles import LA_CASEWORK_ROLES, Role
from cme.accounts.tests.factories import UserFactory
from cme.children.tests.factories import SchoolFactory
from cme.core.models import LocalAuthority, Organisation
from cme.core.tests.factories import LocalAuthorityFactory, OrganisationFactory
from tests.security.crawl import SKIP_ROUTES, _Links, found_tokens, seed_world, sentinelise, signed_in
from tests.security.test_access_matrix import (
    API_ACTIONS,
    FOREIGN_LA,
    FOREIGN_OBJECTS,
    GUARDED,
    HOME_LA,
    OWN_LA_KEYED,
    Route,
    _top_up,
    api_operations,
)

pytestmark = pytest.mark.django_db

#: filter parameter -> the kind of foreign record whose id it gets
PARAM_KINDS = {
    "school": "children.School", "officer": "accounts.User", "assignee": "accounts.User",
    "la": "core.LocalAuthority", "organisation": "core.Organisation", "child": "children.Child",
    "child_id": "children.Child", "case": "cases.Case", "notification": "notifications.Notification",
    "source": "feeds.FeedSource",
}
LA_PATHS = {"accounts.User": "local_authority__code", "core.LocalAuthority": "code",
            "core.Organisation": "local_authority__code", "feeds.FeedSource": "local_authority__code"}


def _foreign_id(kind: str) -> str:
    model = apps.get_model(kind)
    path = LA_PATHS.get(kind, "local_authority__code")
    value = model.objects.filter(**{path: FOREIGN_LA}).order_by("pk").values_list("pk", flat=True).first()
    assert value is not None, f"no {kind} in the foreign council"
    return str(value)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, User]]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            seed_world(children=80)
            _top_up()  # the access matrix's extra records (a CNIS entry, a merge, a transfer...)
            sentinelise()  # again, so the topped-up records carry sentinels too
            home: LocalAuthority = LocalAuthorityFactory(code=HOME_LA, name="Otherton", cnis_register_enabled=True)
            school = SchoolFactory(local_authority=home, organisation=OrganisationFactory(
                local_authority=home, kind=Organisation.Kind.SCHOOL, partner_type="", laestab="8252001"),
                laestab="8252001")
            partner = OrganisationFactory(local_authority=home, name="Otherton Police")
            users: dict[str, User] = {}
            for role in Role:
                org = {Role.SCHOOL_USER: school.organisation, Role.PARTNER_USER: partner}.get(role)
                users[role.value] = UserFactory(email=f"{role.value}@otherton.example.org", role=role,
                                                local_authority=home, organisation=org)
            yield users
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _list_routes() -> list[tuple[str, str, str]]:
    """(route name, path, permission) of every GET page without an id, and the API's GET operations without one."""
    out = [(r.name, Route.path(r, {}), str(r.permission)) for r in GUARDED
           if not r.args and r.name not in SKIP_ROUTES]
    for op_id, (method, path) in api_operations().items():
        if method == "get" and "{" not in path and op_id in API_ACTIONS:
            out.append((op_id, path, API_ACTIONS[op_id]))
    return out


def test_ac3_list_filters_set_to_another_organisations_ids_show_none_of_its_records(
        world: dict[str, User]) -> None:
    foreign = {kind: _foreign_id(kind) for kind in set(PARAM_KINDS.values())}
    leaks: list[str] = []
    attempts = routes = 0
    for _name, path, permission in _list_routes():
        holders = [role for role in world if role in PERMISSIONS[permission]]
        # one LA-wide casework role and one narrower role per route (their scopes differ; the others repeat them)
        roles = [r for r in holders if r in LA_CASEWORK_ROLES][:1] + [r for r in holders
                                                                      if r not in LA_CASEWORK_ROLES][:1]
        if not roles:
            continue
        routes += 1
        for role in roles:
            client = signed_in(world[role])
            client.raise_request_exception = False
            first = client.get(path)
            params = set(PARAM_KINDS)
            if "html" in first.get("Content-Type", ""):
                parser = _Links()
                parser.feed(first.content.decode("utf-8", "replace"))
                params |= {i for method, action, inputs in parser.forms if method == "get"
                           and urlsplit(action or path).path == path for i in inputs}
            for param in sorted(params):
                kind = PARAM_KINDS.get(param, "children.Child")  # an unknown filter gets a foreign child's id
                attempts += 1
                response = client.get(f"{path}?{urlencode({param: foreign[kind]})}")
                body = response.content.decode("utf-8", "replace") if not getattr(response, "streaming", False) \
                    else b"".join(response.streaming_content).decode("utf-8", "replace")  # type: ignore[attr-defined]
                if response.status_code >= 500:
                    leaks.append(f"{role} {path}?{param}= -> {response.status_code}")
                elif found_tokens(body):
                    leaks.append(f"{role} {path}?{param}={foreign[kind]} shows {sorted(found_tokens(body))[:5]}")
    # control: the foreign council's own officer does see sentinels on these list pages
    own = signed_in(User.objects.get(local_authority__code=FOREIGN_LA, role=Role.CME_OFFICER,
                                     email__endswith="@demo.example.org"))
    seen = sum(bool(found_tokens(own.get(path).content.decode("utf-8", "replace")))
               for name, path, permission in _list_routes() if Role.CME_OFFICER in PERMISSIONS[permission]
               and not name.endswith("export"))
    print(f"\nAC-3 list filters: {routes} list routes, {attempts} tampered requests, {len(leaks)} leaks "
          f"(the foreign council's officer sees its records on {seen} of them)")
    assert routes >= 20 and seen >= 5
    assert not leaks, "\n".join(leaks[:40])


def test_ac3_refused_bodies_hold_no_field_of_the_foreign_record(world: dict[str, User]) -> None:
    ops = api_operations()
    leaks: list[str] = []
    refusals = 0
    clients = {role: signed_in(user) for role, user in world.items()}
    for client in clients.values():
        client.raise_request_exception = False
    targets: list[tuple[str, str]] = []
    missing: list[str] = []
    for route in GUARDED:
        if route.args and route.name not in OWN_LA_KEYED and route.name not in SKIP_ROUTES:
            values = FOREIGN_OBJECTS[route.name]()
            if values:
                targets.append((route.name, Route.path(route, values)))
            else:
                missing.append(route.name)
    for op_id in ("cme_children_api_read_child", "cme_api_routers_cases_read_case"):
        values = FOREIGN_OBJECTS[op_id]()
        if values:
            targets.append((op_id, ops[op_id][1].format(**values)))
    for name, path in targets:
        for role, client in clients.items():
            response = client.get(path)
            if response.status_code in (403, 404, 405):
                refusals += 1
                tokens = found_tokens(response.content.decode("utf-8", "replace"))
                if tokens:
                    leaks.append(f"{role} {name} {path} -> {response.status_code} shows {sorted(tokens)[:5]}")
            else:
                leaks.append(f"{role} {name} {path} -> {response.status_code} (not refused)")
    print(f"\nAC-3 refused bodies: {len(targets)} routes x {len(clients)} roles, {refusals} refusals, "
          f"{len(leaks)} with a foreign field; no foreign record for {missing}")
    assert not missing and len(targets) >= 70, missing
    assert not leaks, "\n".join(leaks[:40])

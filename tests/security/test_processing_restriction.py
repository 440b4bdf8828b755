"""DP-6 (SECURITY-PLAN; UK GDPR Art 18): a record under restriction of processing is hidden from every role except
the data protection officer, and still retained.

The routes are generated from the URL configuration (`test_access_matrix.GUARDED`, as LOG-2 does): every GET route
the role may open, with the ids of the demo council's records (FOREIGN_OBJECTS, here inside the council's own users'
scope), every list, queue, register, dashboard and export without an id, the child search (page and API) and the
API reads. The council's children carry a surname sentinel each (tests/security/crawl.py), so a response that
contains one shows that child. Each read is made before and after every child of the council is restricted (through
`privacy.services.processing_restriction_place`, as the DPO). After: no response to any role but the DPO contains
a child's sentinel, and each route keyed on a child's record answers 404. The DPO still opens the child page and the
privacy pages. Then one restriction is lifted: the child is shown again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from cme.accounts.policy import PERMISSIONS
from cme.accounts.roles import Role
from cme.audit.services import Auditor
from tests.security.crawl import SKIP_ROUTES, World, found_tokens, seed_world, sentinelise, signed_in
from tests.security.test_access_matrix import GUARDED, OWN_LA_KEYED, Route, _top_up, api_operations
from tests.security.test_read_audit import CHILD_OF, _api_paths, _id_paths

pytestmark = pytest.mark.django_db

DPO = str(Role.DATA_PROTECTION_OFFICER)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = seed_world(children=80)
            _top_up()
            tokens, _, surnames = sentinelise()
            world.tokens, world.surnames = tokens, surnames
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _list_paths() -> list[tuple[str, str, str]]:
    """(role, route name, path) for every GET route without an id (lists, queues, registers, dashboards, exports)
    and the routes keyed inside the user's own LA (the CME list export)."""
    out: list[tuple[str, str, str]] = []
    for route in GUARDED:
        if route.name in SKIP_ROUTES or (route.args and route.name not in OWN_LA_KEYED):
            continue
        path = Route.path(route, OWN_LA_KEYED.get(route.name, {}))
        out += [(str(role), route.name, path) for role in PERMISSIONS[route.permission]]  # type: ignore[index]
    ops = api_operations()
    for op_id, action in (("cme_api_routers_cases_list_cases", "case.view"),):
        out += [(str(role), op_id, ops[op_id][1]) for role in PERMISSIONS[action]]
    return out


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _shown(client: Client, path: str, world: World) -> tuple[int, set[int]]:
    """(status, the children whose surname sentinel the response shows)."""
    response = client.get(path)
    return response.status_code, {world.surnames[t] for t in found_tokens(_body(response)) if t in world.surnames}


def _searches(client: Client, world: World) -> set[int]:
    """The children a search finds (the page posts; the API takes JSON), one search per child's date of birth (the
    sentinel surnames carry no search keys). A hit is a link to the child's record (page) or its id (API)."""
    from cme.children.models import Child

    found: set[int] = set()
    for pk, born in Child.objects.filter(pk__in=list(world.surnames.values())[:20]).values_list("pk", "date_of_birth"):
        page = client.post("/children/find/", {"date_of_birth-day": born.day, "date_of_birth-month": born.month,
                                               "date_of_birth-year": born.year})
        if f'href="/children/{pk}/"' in _body(page):
            found.add(pk)
        api = client.post("/api/v1/children/search", {"date_of_birth": born.isoformat()},
                          content_type="application/json")
        if api.status_code == 200:
            found |= {row["id"] for row in api.json()["results"]}
    return found


def test_dp6_art18_a_restricted_child_is_shown_by_no_route_to_any_role_but_the_dpo(world: World) -> None:
    from cme.cases.models import Case
    from cme.children.models import Child
    from cme.feeds.models import AttendanceSession
    from cme.privacy.models import ProcessingRestriction
    from cme.privacy.services import processing_restriction_lift, processing_restriction_place

    assert DPO in world.users, "the demo council has a data protection officer"
    clients = {role: signed_in(user) for role, user in world.users.items()}
    reads = [r for r in _id_paths() + _api_paths() + _list_paths() if r[0] in clients]
    before: dict[tuple[str, str], tuple[int, set[int]]] = {(role, path): _shown(clients[role], path, world)
                                                           for role, _name, path in reads}
    showing = [(role, name, path) for role, name, path in reads if before[(role, path)][1]]
    searching = {role: _searches(clients[role], world) for role in clients
                 if role in PERMISSIONS["child.search"]}
    assert len({name for _, name, _ in showing}) >= 30  # the sweep reaches the pages that show a child
    assert searching[str(Role.CME_OFFICER)] and searching[DPO]  # the search finds children by their sentinel

    dpo = world.users[DPO]
    children = list(Child.objects.filter(local_authority=dpo.local_authority, merged_into__isnull=True))
    for child in children:
        processing_restriction_place(actor=Auditor.for_user(dpo), user=dpo, child=child,
                                     ground=ProcessingRestriction.Ground.OBJECTION_PENDING,
                                     requested_by="Parent", requested_on=timezone.localdate())
    clients = {role: signed_in(user) for role, user in world.users.items()}

    leaks: list[str] = []
    not_404: list[str] = []
    others = [r for r in reads if r[0] != DPO]
    for role, name, path in others:
        status, shown = _shown(clients[role], path, world)
        if shown:
            leaks.append(f"{role} {name} {path} shows {sorted(shown)[:3]}")
        child_keyed = CHILD_OF.get(name) is not None
        if child_keyed and before[(role, path)][0] == 200 and status != 404:
            not_404.append(f"{role} {name} {path} {status}")
    for role in searching:
        if role != DPO and (found := _searches(clients[role], world)):
            leaks.append(f"{role} search shows {sorted(found)[:3]}")
    routes = {name for _, name, _ in others}
    roles = {role for role, _, _ in others}
    keyed = [(role, path) for role, name, path in others
             if CHILD_OF.get(name) is not None and before[(role, path)][0] == 200]
    searchers = [role for role in searching if role != DPO]
    print(f"\nDP-6 (Art 18): {len(routes)} routes x {len(roles)} roles other than the DPO ({len(others)} reads, "
          f"{len([r for r in showing if r[0] != DPO])} of which showed a child before; and the search, page and API, "
          f"for {len(searchers)} roles): with every child restricted {len(leaks)} show one; {len(keyed)} reads "
          f"keyed on a child's record answered 200 before and {len(keyed) - len(not_404)} answer 404 now")
    assert not leaks, "A restricted child is shown:\n" + "\n".join(leaks)
    assert not not_404, "Not 404 for a restricted child's record:\n" + "\n".join(not_404)

    # The DPO still sees every child: the child page, the privacy pages and the search.
    dpo_client = clients[DPO]
    dpo_reads = [(name, path) for role, name, path in reads if role == DPO]
    hidden_from_dpo = [f"{name} {path}" for name, path in dpo_reads
                       if before[(DPO, path)][1] and not _shown(dpo_client, path, world)[1]]
    assert not hidden_from_dpo, hidden_from_dpo
    assert _searches(dpo_client, world)
    print(f"DP-6 (Art 18): the DPO still sees the child on {len([1 for n, p in dpo_reads if before[(DPO, p)][1]])} "
          f"routes and in the search")

    # Each DPO read of a restricted child is audited (LOG-2 checks every read of every role; here the Art 18 ones).
    from cme.audit.models import AuditEvent

    ids = [c.pk for c in children]
    assert AuditEvent.objects.filter(actor=dpo, action=AuditEvent.Action.VIEW, child_id__in=ids).exists()

    # Still retained: 40 years on, the purge would destroy nothing of a restricted child (Art 18(2)).
    import datetime as dt

    from cme.privacy.models import RetentionRule
    from cme.privacy.services import CATEGORIES

    later = timezone.localdate() + dt.timedelta(days=40 * 366)
    path = {"child_record": "pk__in", "closed_case": "child_id__in", "attendance_session": "child_id__in"}
    rules = list(RetentionRule.objects.filter(active=True, category__in=path))
    due = {r.category: CATEGORIES[r.category](r, later).filter(**{path[r.category]: ids}).count() for r in rules}
    kept = {"children": len(ids), "cases": Case.objects.filter(child_id__in=ids).count(),
            "attendance sessions": AttendanceSession.objects.filter(child_id__in=ids).count()}
    from cme.privacy.services import years_before

    child_rule = next(r for r in rules if r.category == "child_record")
    by_age = Child.objects.filter(pk__in=ids, date_of_birth__lte=years_before(later, child_rule.years)).count()
    print(f"DP-6 (Art 18): 40 years on, {by_age} restricted children are past their retention date; the purge "
          f"keeps {kept}; due for destruction: {due}")
    assert by_age == len(ids)  # every one would be due, were it not restricted
    assert len(rules) == 3 and not any(due.values()) and kept["cases"] and kept["attendance sessions"]

    # Lifted (the data subject told first, Art 18(3)): the child is shown again.
    child = children[0]
    processing_restriction_lift(actor=Auditor.for_user(dpo), user=dpo,
                                restriction=ProcessingRestriction.objects.get(child=child, lifted_at__isnull=True),
                                reason="Objection decided", subject_told_on=timezone.localdate(),
                                subject_told_how="Letter")
    officer = signed_in(world.users[str(Role.CME_OFFICER)])
    assert officer.get(f"/children/{child.pk}/").status_code in (200, 302)  # 302: break-glass reason (is_restricted)

"""LOG-2 (SECURITY-PLAN; ASVS v4 8.3.5, v5 16.3.2): every read of a child's personal record is audited.

The route list is generated from the URL configuration (`test_access_matrix.GUARDED`): every GET route with an id,
opened by every role that holds its permission, with the ids of the demo council's records (FOREIGN_OBJECTS, here
used inside the council's own users' scope), plus the API's child and case reads. The demo council's children carry
a surname sentinel each (tests/security/crawl.py), so a page that shows a child's name is a page that shows the
child's record. Each such successful GET must write a VIEW (or EXPORT) audit event naming one of the children it
shows (`child_id`), with the actor and role. A new child view that does not audit fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction

from cme.accounts.policy import PERMISSIONS
from cme.audit.models import AuditEvent
from tests.security.crawl import SKIP_ROUTES, World, found_tokens, seed_world, sentinelise, signed_in
from tests.security.test_access_matrix import (
    FOREIGN_OBJECTS,
    GUARDED,
    OWN_LA_KEYED,
    Route,
    _top_up,
    api_operations,
)

pytestmark = pytest.mark.django_db

NO_RECORD: list[str] = []
CHILD_OF: dict[str, int | None] = {}
READ_ACTIONS = {AuditEvent.Action.VIEW, AuditEvent.Action.EXPORT}


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The crawl's council, topped up with the access matrix's extra records (a CNIS entry, a merge, a mailbox
    attachment...), sentinels laid again so the new children carry theirs."""
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


def _last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _model_label(finder: Any) -> str | None:
    """The model label of a `pk(label, ...)` finder (read from its closure); None for other finders."""
    for cell in getattr(finder, "__closure__", None) or ():
        value = cell.cell_contents
        if isinstance(value, str) and value.count(".") == 1:
            return value
    return None


def _child_of(label: str | None, pk: int) -> int | None:
    """The child a record belongs to (the route's id is child-related), or None."""
    if label is None:
        return None
    model = apps.get_model(label)
    names = {f.name for f in model._meta.get_fields()}
    if label == "children.Child":
        return pk
    for path in ("child_id", "case__child_id", "record__child_id", "notification__child_id"):
        if path.split("__")[0].removesuffix("_id") in names:
            return model._default_manager.filter(pk=pk).values_list(path, flat=True).first()
    return None


def _id_paths() -> list[tuple[str, str, str]]:
    """(role, route name, path) for every GET route with an id that the role may open."""
    out: list[tuple[str, str, str]] = []
    for route in GUARDED:
        if not route.args or route.name in SKIP_ROUTES or route.name in OWN_LA_KEYED:
            continue
        values = FOREIGN_OBJECTS[route.name]()
        if not values:
            NO_RECORD.append(route.name)
            continue
        if "pk" in values:
            CHILD_OF[route.name] = _child_of(_model_label(FOREIGN_OBJECTS[route.name]), values["pk"])
        for role in PERMISSIONS[route.permission]:  # type: ignore[index]
            out.append((str(role), route.name, Route.path(route, values)))
    return out


def _api_paths() -> list[tuple[str, str, str]]:
    ops = api_operations()
    out: list[tuple[str, str, str]] = []
    reads = (("cme_children_api_read_child", "child.view"), ("cme_api_routers_cases_read_case", "case.view"))
    for op_id, action in reads:
        method, path = ops[op_id]
        values = FOREIGN_OBJECTS[op_id]()
        assert values and method == "get"
        path = path.format(**values)
        label = "children.Child" if "child_id" in values else "cases.Case"
        CHILD_OF[op_id] = _child_of(label, next(iter(values.values())))
        out += [(str(role), op_id, path) for role in PERMISSIONS[action]]  # type: ignore[index]
    return out


def test_log2_every_successful_read_of_a_childs_record_is_audited(world: World) -> None:
    clients = {role: signed_in(user) for role, user in world.users.items()}
    child_views: set[str] = set()
    audited: set[str] = set()
    unaudited: list[str] = []
    reads = 0
    for role, name, path in _id_paths() + _api_paths():
        if role not in clients:
            continue
        before = _last_event_id()
        response = clients[role].get(path)
        assert response.status_code < 500, (role, path)
        if response.status_code != 200 or getattr(response, "streaming", False):
            continue
        shown = {world.surnames[t] for t in found_tokens(response.content.decode("utf-8", "replace"))
                 if t in world.surnames}
        child = CHILD_OF.get(name)
        if child is not None:
            shown.add(child)
        if not shown:
            continue
        reads += 1
        child_views.add(name)
        events = AuditEvent.objects.filter(pk__gt=before, action__in=READ_ACTIONS, child_id__in=shown,
                                           actor=world.users[role], actor_role=role)
        if events.exists():
            audited.add(name)
        else:
            unaudited.append(f"{role} GET {name} {path} shows children {sorted(shown)[:5]}")
    print(f"\nLOG-2: {len(audited - {u.split()[2] for u in unaudited})} of {len(child_views)} child views audited "
          f"for every role; {reads - len(unaudited)} of {reads} reads audited: {sorted(child_views)}")
    assert not NO_RECORD, f"routes with no record to open in the seeded council: {NO_RECORD}"
    assert len(child_views) >= 35  # the sweep reaches the child pages (the sentinels and ids work)
    assert not unaudited, "Reads of a child's record without a VIEW audit event:\n" + "\n".join(unaudited)


def _shows_a_name(response: Any, world: World) -> bool:
    return response.status_code == 200 and not getattr(response, "streaming", False) and \
        any(t in world.surnames for t in found_tokens(response.content.decode("utf-8", "replace")))


#: The downloads that list children by name (DP-6: they mask a restricted child as the list pages do).
EXPORTS = [("ehe:export-csv", {}), ("cnis:export-csv", {}), ("timetables:export-csv", {}),
           ("reports:cme-list-export", {"fmt": "csv"})]


def test_dp6_a_restricted_childs_record_is_shown_nowhere_without_a_reason(world: World) -> None:
    """DP-6 (Art 18; the issue's break-glass): every route that shows a child's name, for every role that may open
    it, is first opened normally; then every child of the council is marked restricted. No page or API read may
    then show a name: each page sends the user to the reason form, and the API answers 403 `reason_required`. After
    the reason (form, or the API header) the same page shows the record again, and the reason is audited.
    Runs last: it changes the world."""
    from django.urls import reverse

    from cme.children.models import Child
    from cme.children.restriction import API_HEADER, SUMMARY

    clients = {role: signed_in(user) for role, user in world.users.items()}

    def shows_a_name(role: str, path: str) -> bool:  # the page itself, not a message left by the page before
        clients[role].get(path)
        return _shows_a_name(clients[role].get(path), world)

    reads = [(role, name, path) for role, name, path in _id_paths() + _api_paths()
             if role in clients and shows_a_name(role, path)]
    assert len({name for _, name, _ in reads}) >= 28  # the sweep reaches the pages that show a child

    export_paths = [reverse(name, kwargs=kwargs) for name, kwargs in EXPORTS]
    exports = [(role, path) for role in clients for path in export_paths if shows_a_name(role, path)]
    assert {path for _, path in exports} == set(export_paths)  # each export lists children by name before

    Child.objects.filter(pk__in=world.surnames.values()).update(is_restricted=True)
    clients = {role: signed_in(user) for role, user in world.users.items()}  # new sessions: no reasons given yet
    # Register and list exports keep each row (with its record number) but leave out the restricted child's
    # name, date of birth, UPN and address: "Restricted record" instead.
    exported_names = [f"{role} {path}" for role, path in exports if _shows_a_name(clients[role].get(path), world)]
    unmasked = [f"{role} {path}" for role, path in exports
                if b"Restricted record" not in clients[role].get(path).content]
    print(f"\nDP-6: {len(exports)} exports ({len(export_paths)} kinds x roles): {len(exported_names)} show a "
          f"restricted child's name")
    assert not exported_names and not unmasked, (exported_names, unmasked)
    shown_without_reason: set[str] = set()
    not_asked: list[str] = []
    masked: set[tuple[str, str]] = set()  # lists of several children (a panel agenda) mask the names instead
    for role, name, path in reads:
        response = clients[role].get(path)
        if _shows_a_name(response, world):
            shown_without_reason.add(name)
        elif response.status_code == 200 and b"Restricted record" in response.content:
            masked.add((role, path))
        elif path.startswith("/api/"):
            if response.status_code != 403 or response.json()["error"]["code"] != "reason_required":
                not_asked.append(f"{role} {name} {response.status_code}")
        elif response.status_code != 302 or not response.url.endswith("/reason/"):
            not_asked.append(f"{role} {name} {response.status_code} {getattr(response, 'url', '')}")
    print(f"\nDP-6: {len(reads)} reads of {len({n for _, n, _ in reads})} routes, each role that may open them; "
          f"{len(masked)} lists mask the names; {len(shown_without_reason)} show a restricted child's name "
          f"without a reason: {sorted(shown_without_reason)}")
    assert not shown_without_reason
    assert not not_asked, "Refused without asking for a reason:\n" + "\n".join(not_asked)

    # With the reason given, each page shows the record again (a page about two children asks twice).
    before = AuditEvent.objects.filter(summary=SUMMARY).count()
    still_hidden: list[str] = []
    for role, name, path in reads:
        client = clients[role]
        if (role, path) in masked:
            continue
        if path.startswith("/api/"):
            response = client.get(path, headers={API_HEADER: "Safeguarding check before a home visit"})
        else:
            response = client.get(path)
            for _ in range(3):
                if response.status_code != 302 or not response.url.endswith("/reason/"):
                    break
                assert client.get(response.url).status_code == 200
                back = client.post(response.url, {"reason": "Safeguarding check before a home visit"})
                assert back.status_code == 302 and back.url == path, (role, name, back.status_code)
                response = client.get(path)
        if not _shows_a_name(response, world):
            still_hidden.append(f"{role} {name} {response.status_code}")
    assert not still_hidden, "Still hidden after the reason:\n" + "\n".join(still_hidden)
    reasons = AuditEvent.objects.filter(summary=SUMMARY, pk__gt=0).count() - before
    print(f"DP-6: {len(reads) - len(masked)} reads shown after a reason; {reasons} reasons audited")
    assert reasons >= len(clients)
    # The reason form names no one and opens only for a child a permitted page has just asked about.
    stranger = next(iter(world.surnames.values()))
    fresh = signed_in(next(iter(world.users.values())))
    assert fresh.get(reverse("children:reason", args=[stranger])).status_code == 404

"""AC-1/AC-2/AC-3 (SECURITY-PLAN): the access-control matrix, generated from the URL configuration.

- AC-1: every view either carries `cme_permission` (set by `accounts.policy.permission_required`) or is in
  ALLOWLIST below; every API operation is in API_ACTIONS. A new route with neither fails `test_every_route_*`.
- AC-2: each persona role x each route, GET and an empty POST: a role without the action gets 403, never 500.
- AC-3 (IDOR): the routes' object ids point at records of ANOTHER local authority (the synthetic demo council,
  LA 931, seeded once for this module with every app's `demo_seed`); the personas work for LA 825. Every role
  must get 403/404 and never 2xx/3xx. FOREIGN_OBJECTS maps each route with an id to how its foreign object is
  found; a route with an id and no entry fails `test_every_route_with_an_id_has_a_foreign_object_rule`.
A school user of the demo council is also tried against a pupil of another school of the same LA.
- LOG-3: every 403/404 of the matrix must have written exactly one ACCESS_DENIED audit event (and no other
  response any): denials audited / denials = 100%.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cme.accounts.models import User
from cme.accounts.policy import PERMISSIONS
from cme.accounts.reauth import REAUTH_SESSION_KEY
from cme.accounts.roles import Role
from cme.accounts.tests.factories import UserFactory
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.tests.factories import SchoolFactory
from cme.core.models import LocalAuthority, Organisation
from cme.core.tests.factories import LocalAuthorityFactory, OrganisationFactory
from cme.personas import sign_in

#: Views reachable without a `cme_permission`, and why (AC-1 allow-list).
ALLOWLIST: dict[str, str] = {
    "core:home": "any signed-in user: routes each role to its own home page",
    "core:health": "monitoring: no data, anonymous",
    "core:contact": "public page",
    "core:accessibility": "public page",
    "core:privacy": "public privacy notice",
    "accounts:sign-in": "sign-in",
    "accounts:sign-out": "sign-out",
    "accounts:two-factor": "second factor step",
    "accounts:two-factor-setup": "second factor enrolment",
    "accounts:two-factor-qr": "second factor enrolment (QR image)",
    "accounts:password-reset": "password reset",
    "accounts:password-reset-sent": "password reset",
    "accounts:password-reset-confirm": "password reset (single-use token)",
    "accounts:password-reset-complete": "password reset",
    "accounts:reauth": "re-authentication step (any signed-in user)",
    "accounts:two-factor-security-key": "second factor step with a security key (AC-8)",
    "accounts:security-keys": "the user's own security keys (AC-8; users with two-factor, else 404)",
    "accounts:security-key-remove": "removes one of the user's own keys; another's is a 404 (test_security_key_views)",
    "accounts:security-key-required": "tells a system admin that the admin needs a security key (AC-8)",
    "children:reason": "reason form for a restricted record that a permitted page just asked about (DP-6); shows "
                       "nothing about the child, and 404 unless that page named the child in this session",
    "notifications:public-report": "public: a resident reports a child (R2.x)",
    "notifications:public-report-sent": "public: confirmation page",
    "api:openapi-json": "API description (no data)",
    "api:openapi-view": "API documentation page (no data)",
    "api:api-root": "API root (no data)",
}
ADMIN_NAMESPACE = "admin:"  # Django's own staff check (+ the service's sign-in and two-factor)

#: API operations (ninja, listed from the OpenAPI document): operationId -> the action the endpoint requires.
API_ACTIONS: dict[str, str] = {
    "cme_children_api_search_children": "child.search",
    "cme_children_api_read_child": "child.view",
    "cme_api_routers_cases_list_cases": "case.view",
    "cme_api_routers_cases_read_case": "case.view",
    "cme_api_routers_notifications_submit_referral": "referral.submit_partner",
    "cme_api_routers_notifications_submit_deletion_return": "return.submit",
    "cme_api_routers_notifications_submit_new_entrant_return": "return.submit",
    "cme_api_routers_feeds_list_sources": "feeds.view",
    "cme_api_routers_feeds_post_feed_file": "feeds.run",
    "cme_reports_api_read_kpis": "reports.aggregate",
}

ROLES = [r.value for r in Role]

FOREIGN_LA = "931"  # the demo council: the "other organisation"
HOME_LA = "825"  # where the personas work


def _first(label: str, la_path: str = "local_authority__code", **extra: Any) -> int | None:
    model: type[Model] = apps.get_model(label)
    return model.objects.filter(**{la_path: FOREIGN_LA}, **extra).order_by("pk").values_list("pk", flat=True).first()


Finder = Callable[[], dict[str, Any] | None]


def pk(label: str, la_path: str = "local_authority__code", **extra: Any) -> Finder:
    def find() -> dict[str, Any] | None:
        value = _first(label, la_path, **extra)
        return None if value is None else {"pk": value}

    return find


def two_children() -> dict[str, Any] | None:
    ids = list(apps.get_model("children.Child").objects.filter(local_authority__code=FOREIGN_LA)
               .order_by("pk").values_list("pk", flat=True)[:2])
    return {"keep": ids[0], "merge": ids[1]} if len(ids) == 2 else None


#: url name -> how to find a record of the OTHER local authority for its id arguments (AC-3).
FOREIGN_OBJECTS: dict[str, Finder] = {
    "children:detail": pk("children.Child"),
    "children:school-detail": pk("children.School"),
    "notifications:triage-detail": pk("notifications.Notification"),
    "notifications:triage-outcome": pk("notifications.Notification"),
    "notifications:triage-link": pk("notifications.Notification"),
    "notifications:attachment-download": pk("notifications.NotificationAttachment",
                                            "notification__local_authority__code"),
    "notifications:submission-detail": pk("notifications.Notification"),
    "notifications:enquiry-detail": pk("notifications.LAEnquiry"),
    "notifications:enquiry-response": pk("notifications.LAEnquiry"),
    "cases:detail": pk("cases.Case"),
    "cases:edit": pk("cases.Case"),
    "cases:transition": pk("cases.Case"),
    "cases:allocate": pk("cases.Case"),
    "cases:close": pk("cases.Case"),
    "cases:reopen": pk("cases.Case"),
    "cases:note-add": pk("cases.Case"),
    "cases:contact-new": pk("cases.Case"),
    "cases:document-new": pk("cases.Case"),
    "cases:task-new": pk("cases.Case"),
    "cases:ctf-generate": pk("cases.Case"),
    "cases:transfer-new": pk("cases.Case"),
    "cases:open": pk("children.Child"),
    "cases:enquiry": pk("cases.Enquiry", "case__local_authority__code"),
    "cases:task-done": pk("cases.Task"),
    "cases:document": pk("cases.Document"),
    "cases:ctf-download": pk("cases.CTFFile"),
    "cases:ctf-s2s": pk("cases.CTFFile"),
    "cases:transfer-respond": pk("cases.CaseTransfer", "case__local_authority__code"),
    "cases:open-from-notification": pk("notifications.Notification"),
    "cases:add-notification": pk("notifications.Notification"),
    "cases:open-from-ehe": pk("ehe.EHERecord"),
    "panels:detail": pk("panels.PanelMeeting"),
    "panels:edit": pk("panels.PanelMeeting"),
    "panels:agenda-build": pk("panels.PanelMeeting"),
    "panels:item-add": pk("panels.PanelMeeting"),
    "panels:attendee-add": pk("panels.PanelMeeting"),
    "panels:held": pk("panels.PanelMeeting"),
    "panels:minutes": pk("panels.PanelMeeting"),
    "panels:terms-of-reference": pk("panels.PanelMeeting"),
    "panels:attendee-remove": pk("panels.PanelAttendee", "meeting__local_authority__code"),
    "panels:item": pk("panels.PanelItem", "meeting__local_authority__code"),
    "panels:item-remove": pk("panels.PanelItem", "meeting__local_authority__code"),
    "feeds:run-detail": pk("feeds.FeedRun", "source__local_authority__code"),
    "matching:review": pk("matching.MatchCandidate"),
    "matching:merge-confirm": two_children,
    "matching:merge-detail": pk("matching.MergeRecord"),
    "ehe:notification-open": pk("notifications.Notification"),
    "ehe:new": pk("children.Child"),
    "ehe:detail": pk("ehe.EHERecord"),
    "ehe:edit": pk("ehe.EHERecord"),
    "ehe:end": pk("ehe.EHERecord"),
    "ehe:decision": pk("ehe.EHERecord"),
    "ehe:contact-new": pk("ehe.EHERecord"),
    "ehe:enquiry-new": pk("ehe.EHERecord"),
    "ehe:sao-new": pk("ehe.EHERecord"),
    "ehe:concern-new": pk("ehe.EHERecord"),
    "ehe:enquiry-outcome": pk("ehe.SuitabilityEnquiry", "record__local_authority__code"),
    "ehe:concern-outcome": pk("ehe.EHEConcern", "record__local_authority__code"),
    "timetables:detail": pk("timetables.PartTimeTimetable"),
    "timetables:review": pk("timetables.PartTimeTimetable"),
    "timetables:consent": pk("timetables.PartTimeTimetable"),
    "cnis:new": pk("children.Child"),
    "cnis:request-new": pk("cnis.OutOfSchoolSetting"),
    "cnis:detail": pk("cnis.CNISEntry"),
    "cnis:parent-new": pk("cnis.CNISEntry"),
    "cnis:provider-new": pk("cnis.CNISEntry"),
    "cnis:remove": pk("cnis.CNISEntry"),
    "privacy:sar": pk("children.Child"),
    "privacy:sar-download": pk("children.Child"),
    "privacy:rectify": pk("children.Child"),
    "privacy:hold-new": pk("children.Child"),
    "privacy:restriction": pk("children.Child"),
    "cme_children_api_read_child": lambda: (lambda v: None if v is None else {"child_id": v})(
        _first("children.Child")),
    "cme_api_routers_cases_read_case": lambda: (lambda v: None if v is None else {"case_id": v})(
        _first("cases.Case")),
}

#: Routes whose argument is not an object of another organisation (keyed inside the user's own LA).
OWN_LA_KEYED: dict[str, dict[str, Any]] = {
    "feeds:rule-edit": {"code": "no-such-rule"},  # rule codes are looked up within the user's own LA
    "accounts:password-reset-confirm": {"uidb64": "MQ", "token": "set-password"},
    "reports:table-export": {"key": "figures", "fmt": "csv"},  # aggregates of the user's own LA
    "reports:cme-list-export": {"fmt": "csv"},  # the user's own LA's list (scoped by the selector)
    "cme_api_routers_feeds_post_feed_file": {"slug": "school-mis"},  # feed sources are per LA: own LA only
}


# --- the route inventory --------------------------------------------------------------------------------------

class Route:
    def __init__(self, name: str, route: str, callback: Any) -> None:
        self.name, self.route, self.callback = name, route, callback
        self.args = re.findall(r"<(?:\w+:)?(\w+)>", route)
        self.permission: str | None = getattr(callback, "cme_permission", None)

    def path(self, values: dict[str, Any]) -> str:
        def sub(match: re.Match[str]) -> str:
            return str(values[match.group(1)])

        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", sub, self.route).lstrip("/")

    def __repr__(self) -> str:
        return self.name


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield Route(name, prefix + str(pattern.pattern), pattern.callback)


def routes() -> list[Route]:
    found = [r for r in _walk(get_resolver().url_patterns) if not r.name.startswith(ADMIN_NAMESPACE)]
    # ninja operations are listed from the OpenAPI document (API_ACTIONS), not from their wrapper views
    return [r for r in found if r.callback.__module__ != "ninja.operation"]


def api_operations() -> dict[str, tuple[str, str]]:
    """operationId -> (method, path) from the API's OpenAPI document."""
    import cme.urls  # noqa: F401 - registers the routers
    from cme.api.base import api

    schema = api.get_openapi_schema()
    return {op["operationId"]: (method, path) for path, item in schema["paths"].items()
            for method, op in item.items()}


ROUTES = routes()
GUARDED = [r for r in ROUTES if r.permission]


def test_every_route_has_a_permission_or_is_allowlisted() -> None:
    unruled = [f"{r.name} ({r.route})" for r in ROUTES if not r.permission and r.name not in ALLOWLIST]
    assert not unruled, f"Views without @permission_required and not in ALLOWLIST: {unruled}"
    unknown = [r.name for r in GUARDED if r.permission not in PERMISSIONS]
    assert not unknown


def test_every_route_with_an_id_has_a_foreign_object_rule() -> None:
    missing = [r.name for r in GUARDED if r.args and r.name not in FOREIGN_OBJECTS and r.name not in OWN_LA_KEYED]
    assert not missing, f"Add these to FOREIGN_OBJECTS (how to build another organisation's record): {missing}"


def test_every_route_with_an_id_is_tried_against_a_real_foreign_record(world: dict[str, Any], db: None) -> None:
    """AC-3: no id-route falls back to a missing id (which would test only the 404 of an absent record)."""
    ops = api_operations()
    with_ids = [r.name for r in GUARDED if r.args and r.name not in OWN_LA_KEYED]
    with_ids += [op for op, (_m, path) in ops.items() if "{" in path and op not in OWN_LA_KEYED]
    without = sorted(name for name in with_ids if world["foreign"].get(name) is None)
    assert not without and not TOP_UP_ERRORS, f"no record of the other LA for {without}; top-up: {TOP_UP_ERRORS}"


def test_every_api_operation_is_in_the_matrix() -> None:
    operations = api_operations()
    missing = sorted(set(operations) - set(API_ACTIONS))
    assert not missing, f"Add new API operations to API_ACTIONS (and FOREIGN_OBJECTS if they take an id): {missing}"
    assert all(action in PERMISSIONS for action in API_ACTIONS.values())
    with_ids = [op for op, (_m, path) in operations.items() if "{" in path
                and op not in FOREIGN_OBJECTS and op not in OWN_LA_KEYED]
    assert not with_ids, f"Add to FOREIGN_OBJECTS: {with_ids}"


# --- the matrix ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo council (LA 931) with every app's records, and one persona per role in LA 825. Built once for the
    module inside a transaction that is rolled back at the end (so other tests see an empty database)."""
    from cme.demo.services import demo_council_seed

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo_council_seed(children=80, seed=11, on=dt.date(2026, 11, 20), progress=lambda stage, n: None)
            _top_up()
            # the register of children not in school is turned on so its views reach their object lookups (R6.1)
            home: LocalAuthority = LocalAuthorityFactory(code=HOME_LA, name="Otherton", cnis_register_enabled=True)
            school = SchoolFactory(local_authority=home, organisation=OrganisationFactory(
                local_authority=home, kind=Organisation.Kind.SCHOOL, partner_type="", laestab="8252001"),
                laestab="8252001")
            partner = OrganisationFactory(local_authority=home, name="Otherton Police")
            users: dict[str, User] = {}
            for role in ROLES:
                org = {Role.SCHOOL_USER: school.organisation, Role.PARTNER_USER: partner}.get(role)
                users[role] = UserFactory(email=f"{role}@otherton.example.org", role=role, local_authority=home,
                                          organisation=org)
            foreign = {name: finder() for name, finder in FOREIGN_OBJECTS.items()}
            yield {"users": users, "foreign": foreign}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _top_up() -> None:
    """Records the small demo seed may not hold, built with the apps' own test helpers (each step independent:
    an app whose helper is broken leaves its routes tried with a missing id, listed by the figures test)."""
    foreign = LocalAuthority.objects.get(code=FOREIGN_LA)
    officer = User.objects.filter(local_authority=foreign, role=Role.ATTENDANCE_MANAGER).first() or UserFactory(
        email="manager@demo-931.example.org", role=Role.ATTENDANCE_MANAGER, local_authority=foreign)

    def step(build: Callable[[], Any]) -> None:
        try:
            with transaction.atomic():
                build()
        except Exception as error:  # noqa: BLE001 - reported through WITHOUT_OBJECT
            TOP_UP_ERRORS.append(f"{build.__name__}: {error!r}"[:200])

    actor = Auditor.for_user(officer)

    def cases() -> None:
        from cme.cases.tests.factories import lost_pupil_ready, open_case

        case = open_case(user=officer)
        lost_pupil_ready(case, officer)

    def case_records() -> None:
        """A task, a document and a transfer (to the personas' own LA: the sending LA records the response)."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from cme.cases import services
        from cme.cases.tests.factories import open_case

        case = open_case(user=officer)
        services.task_create(actor=actor, local_authority_id=foreign.pk, title="Visit the last address",
                             due=dt.date(2026, 12, 4), case=case, assignee=officer)
        services.document_store(actor=actor, user=officer, local_authority_id=foreign.pk, case=case,
                                upload=SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n%%EOF\n"), title="Letter")
        services.case_transfer_request(actor=actor, user=officer, case=open_case(user=officer),
                                       receiving_la_code=HOME_LA, contact="cme@otherton.example.org")

    def panel_items() -> None:
        from cme.cases.tests.factories import open_case
        from cme.panels import services

        meeting = services.panel_meeting_create(actor=actor, user=officer, local_authority=foreign,
                                                held_on=dt.date(2026, 12, 9), term="Autumn term 2026")
        services.panel_item_add(actor=actor, meeting=meeting, case=open_case(user=officer))

    def merges() -> None:
        from cme.children.tests.factories import ChildFactory
        from cme.matching.merging import child_merge

        child_merge(actor=actor, user=officer, keep=ChildFactory(local_authority=foreign),
                    merge=ChildFactory(local_authority=foreign), reason="The same child, recorded twice")

    def attachments() -> None:
        from cme.notifications import services
        from cme.notifications.inputs import MailboxInput

        raw = b"From: school@demo-931.example.org\r\nSubject: Pupil left\r\n\r\nAmelia has not been seen.\r\n"
        services.mailbox_log(actor=actor, user=officer, notify=False, data=MailboxInput(
            sender="school@demo-931.example.org", subject="Pupil left", body="Amelia has not been seen.", raw=raw,
            filename="message.eml", forename="Amelia", surname="Mailbox"))

    def cnis() -> None:
        from decimal import Decimal

        from cme.children.tests.factories import ChildFactory
        from cme.cnis import services

        foreign.cnis_register_enabled = True
        foreign.save()
        child = ChildFactory(local_authority=foreign, date_of_birth=dt.date(2015, 6, 1))
        services.cnis_entry_create(actor=Auditor.system("test"), user=None, child=child,
                                   registered_on=dt.date(2026, 3, 2), home_address="1 High Street",
                                   postcode="OX1 1AA", lives_in_area=True, condition_c="a",
                                   hours_with_parents=Decimal("20"))
        services.out_of_school_setting_create(actor=actor, local_authority=foreign, name="Riverside tuition",
                                              provider_type="tutor")

    def timetables() -> None:
        from cme.children.models import School
        from cme.timetables.tests.factories import submit

        submit(School.objects.filter(local_authority=foreign).exclude(organisation=None).first())

    for build in (cases, case_records, panel_items, merges, attachments, cnis, timetables):
        step(build)


TOP_UP_ERRORS: list[str] = []
MISSING_PK = 987_654_321
TALLY: Counter[str] = Counter()
WITHOUT_OBJECT: set[str] = set()


def signed_in(user: User) -> Client:
    """A persona's client, signed in with two-factor and recently re-authenticated (so export views run)."""
    import time

    client = sign_in(Client(raise_request_exception=False), user)
    session = client.session
    session[REAUTH_SESSION_KEY] = int(time.time())
    session.save()
    return client


def _args_for(route: Route, world: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """(values for the route's arguments, whether they point at a real record of the other LA)."""
    if not route.args:
        return {}, False
    if route.name in OWN_LA_KEYED:
        return OWN_LA_KEYED[route.name], False
    values = world["foreign"].get(route.name)
    if values is None:
        WITHOUT_OBJECT.add(route.name)
        return {arg: MISSING_PK for arg in route.args}, False
    return values, True


DENIED = {403}
NOT_FOUND_OR_DENIED = {403, 404, 405}


def _denials() -> int:
    return AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_DENIED).count()


def _check_denial_logged(status: int, logged: int, cell: str) -> list[str]:
    """LOG-3: a 403 or 404 of a signed-in user writes exactly one ACCESS_DENIED event; anything else none."""
    expected = 1 if status in (403, 404) else 0
    TALLY["denials"] += expected
    TALLY["denials_logged"] += min(logged, expected)
    return [] if logged == expected else [f"LOG-3: {logged} denial event(s), expected {expected}: {cell}"]


@pytest.mark.parametrize("route", GUARDED, ids=lambda r: r.name)
def test_role_matrix(route: Route, world: dict[str, Any], db: None) -> None:
    values, real_foreign = _args_for(route, world)
    path = route.path(values)
    failures: list[str] = []
    for role, user in world["users"].items():
        client = signed_in(user)
        allowed = user.role in PERMISSIONS[route.permission]  # type: ignore[index]
        for method in ("get", "post"):
            before = _denials()
            status = getattr(client, method)(path).status_code
            TALLY["requests"] += 1
            cell = f"{role} {method.upper()} {path} -> {status}"
            failures += _check_denial_logged(status, _denials() - before, cell)
            if status >= 500:
                failures.append(f"server error: {cell}")
            elif not allowed and status not in DENIED | ({405} if method == "get" else set()):
                failures.append(f"role without {route.permission} not refused: {cell}")
            elif route.args and route.name not in OWN_LA_KEYED and status not in NOT_FOUND_OR_DENIED:
                TALLY["leaks"] += 1
                failures.append(f"IDOR (other LA's record reachable): {cell}")
            if route.args and real_foreign:
                TALLY["idor_attempts"] += 1
    TALLY["routes"] += 1
    TALLY["idor_routes_with_real_object" if real_foreign else ("idor_routes_without_object" if route.args
                                                               and route.name not in OWN_LA_KEYED else "plain")] += 1
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("op_id", sorted(API_ACTIONS))
def test_api_role_matrix(op_id: str, world: dict[str, Any], db: None) -> None:
    """Each role x each API operation (empty JSON body on writes): refused without the action (403, or 422 when
    ninja rejects the body before the endpoint runs), never 5xx; ids of another LA's records: 403/404."""
    operations = api_operations()
    if op_id not in operations:
        pytest.skip("operation removed")
    method, template = operations[op_id]
    action = API_ACTIONS[op_id]
    names = re.findall(r"{(\w+)}", template)
    values = OWN_LA_KEYED.get(op_id) or world["foreign"].get(op_id) or {}
    path = template.format(**{k: values.get(k, MISSING_PK) for k in names})
    foreign_id = bool(names) and op_id not in OWN_LA_KEYED
    failures = []
    for role, user in world["users"].items():
        client = signed_in(user)
        before = _denials()
        if method == "get":
            response = client.get(path)
        else:
            response = getattr(client, method)(path, {}, content_type="application/json")
        status = response.status_code
        TALLY["api_requests"] += 1
        failures += _check_denial_logged(status, _denials() - before, f"{role} {method} {path} -> {status}")
        allowed = user.role in PERMISSIONS[action]
        if status >= 500:
            failures.append(f"server error: {role} {method} {path} -> {status}")
        elif not allowed and status not in {403, 422}:
            failures.append(f"{role} without {action}: {method} {path} -> {status}")
        elif foreign_id and status not in NOT_FOUND_OR_DENIED:
            TALLY["leaks"] += 1
            failures.append(f"IDOR {role} {method} {path} -> {status}")
    assert not failures, "\n".join(failures)


def test_school_user_cannot_reach_another_schools_pupil(world: dict[str, Any], db: None) -> None:
    """AC-3 within one LA: a school user sees its own pupils only (R-scope: organisation)."""
    child_model = apps.get_model("children.Child")
    enrolment = apps.get_model("children.Enrolment")
    first = enrolment.objects.filter(child__local_authority__code=FOREIGN_LA).select_related("school").first()
    assert first is not None
    user = UserFactory(email="school-a@demo.example.org", role=Role.SCHOOL_USER,
                       local_authority=first.school.local_authority, organisation=first.school.organisation)
    others = child_model.objects.filter(local_authority__code=FOREIGN_LA).exclude(
        enrolments__school__organisation=first.school.organisation).values_list("pk", flat=True)[:20]
    client = sign_in(Client(raise_request_exception=False), user)
    assert client.get(f"/children/{first.child_id}/").status_code == 200
    statuses = Counter(client.get(f"/children/{pk_}/").status_code for pk_ in others)
    assert set(statuses) <= {404}, statuses


def test_anonymous_reaches_only_the_allowlist(world: dict[str, Any], db: None) -> None:
    client = Client(raise_request_exception=False)
    for route in GUARDED:
        values, _ = _args_for(route, world)
        response = client.get(route.path(values))
        assert response.status_code in (302, 401, 403, 405), (route.name, response.status_code)
        if response.status_code == 302:
            assert "/account/sign-in/" in response["Location"], route.name


def test_zz_print_matrix_figures() -> None:
    """Printed for SECURITY.md (run with -s). Runs last in this module (alphabetical within the file order)."""
    print(  # noqa: T201
        f"\nAC matrix: {len(ROLES)} roles x {len(GUARDED)} guarded routes + {len(API_ACTIONS)} API operations; "
        f"{TALLY['requests']} HTML requests, {TALLY['api_requests']} API requests; "
        f"IDOR routes with a real other-LA record: {TALLY['idor_routes_with_real_object']}, "
        f"without one (missing pk tried): {TALLY['idor_routes_without_object']}; "
        f"IDOR attempts {TALLY['idor_attempts']}; leaks {TALLY['leaks']}; "
        f"denials (403/404) {TALLY['denials']}, audited {TALLY['denials_logged']}\n"
        f"routes tried with a missing id only: {sorted(WITHOUT_OBJECT)}; top-up errors: {TOP_UP_ERRORS}"
    )

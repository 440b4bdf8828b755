"""AC-4 (SECURITY-PLAN; ASVS v5.0.0-8.2.3, 15.3.1; UK GDPR Art 25): field-level access (BOPLA), per role.

The demo council is seeded and every text field the data inventory (DP-1) classifies as identifier, contact, risk
flag, special category or free text is overwritten with a sentinel unique to the field (tests/security/crawl.py).
Each role then opens every page it may open and follows every link it is shown (GET); the fields whose sentinel is
on a page are the fields that role is shown. They must be inside the role's allow-list below (unexpected fields =
0). The allow-lists say what each role needs:

- LA casework roles (CME, attendance, EHE officers) work on children: no field limit (their figures are printed);
- school users see their own pupils' identity, address and parents, and what their school itself submitted
  (returns, part-time timetables); never risk flags or the NHS number (accounts.policy.RESTRICTED_CHILD_FIELDS);
- partner users see only what they submitted themselves;
- panel members see the identity and contacts of the children on their meetings' agendas and the panel's own
  discussion and decisions; never risk flags;
- read-only managers see aggregates only: no identifier, contact or free text; the risk flag types appear only as
  the row labels of the (suppressed, AC-7) "by risk group" table on the reports page;
- system administrators see feed runs and settings: no child's identity.
A child's surname carries a token of its own, so a restricted role shown the name of a child outside its scope
(for example a sibling at another school) fails too. The JSON API is checked the same way, with its output keys
compared to an explicit allow-list per operation. PDFs (the panel minutes) and spreadsheets are read as text.
Booleans and choices of the sensitive classes cannot carry a sentinel: each is set on every row to each of its
values in turn and the role's pages that change show it (tests/security/flags.py); FLAGS_ALLOWED is their
allow-list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from cme.accounts.roles import LA_CASEWORK_ROLES, Role
from cme.children.models import Child
from cme.privacy.inventory import DIRECT_IDENTIFIERS, SENSITIVE, DataClass
from tests.security.crawl import (
    CHILD_SURNAME,
    RISK_FLAG_TYPE_FIELD,
    Crawl,
    World,
    classes_of,
    crawl,
    found_tokens,
    signed_in,
    tokens_in,
    world_in_rollback,
)
from tests.security.headers import PRODUCTION_HSTS, missing_headers

pytestmark = pytest.mark.django_db

ANY = None  # allowed on any page
PUPIL_IDENTITY = {
    "children.Child.legal_forename": ANY, "children.Child.legal_middle_names": ANY, CHILD_SURNAME: ANY,
    "children.Child.preferred_forename": ANY, "children.Child.preferred_surname": ANY, "children.Child.upn": ANY,
    "children.ChildName.forename": ANY, "children.ChildName.middle_names": ANY, "children.ChildName.surname": ANY,
    "children.Address.line1": ANY, "children.Address.line2": ANY, "children.Address.town": ANY,
    "children.Address.postcode": ANY, "children.Child.current_postcode": ANY, "children.Contact.title": ANY,
    "children.Contact.forename": ANY,
    "children.Contact.surname": ANY, "children.Contact.phone": ANY, "children.Contact.mobile": ANY,
    "children.Contact.email": ANY,
}
OWN_SUBMISSIONS = {f"notifications.Notification.{name}": {"notifications:my-submissions",
                                                          "notifications:submission-detail"}
                   for name in ("forename", "surname", "upn", "address", "postcode", "summary", "reporter_name",
                                "reporter_contact", "safeguarding_detail", "urgent_reason")}

#: role -> field ("app.Model.field") -> the routes it may be shown on (None: any page of the role).
ALLOWED: dict[str, dict[str, set[str] | None]] = {
    Role.SCHOOL_USER: {
        **PUPIL_IDENTITY, **OWN_SUBMISSIONS,
        # the school's own part-time timetables (R4.2): it wrote the reason, plan and parent's agreement
        "timetables.PartTimeTimetable.reason_detail": {"timetables:detail"},
        "timetables.PartTimeTimetable.reintegration_plan": {"timetables:detail"},
        "timetables.PartTimeTimetable.consent_by_name": {"timetables:detail", "timetables:export-csv",
                                                         "timetables:export-xlsx"},
        "timetables.TimetableReview.notes": {"timetables:detail"},
    },
    Role.PARTNER_USER: dict(OWN_SUBMISSIONS),
    Role.PANEL_MEMBER: {
        **PUPIL_IDENTITY,
        # the panel's own record: on the item page and in the minutes (PDF)
        "panels.PanelItem.discussion": {"panels:item", "panels:minutes"},
        "panels.Decision.text": {"panels:item", "panels:minutes"},
        "cases.Task.title": {"panels:item", "panels:minutes"},
    },
    Role.READONLY_MANAGER: {RISK_FLAG_TYPE_FIELD: {"reports:dashboard"}},
    Role.SYSTEM_ADMIN: {
        "feeds.FeedFile.warnings": {"feeds:run-detail"}, "feeds.RejectedRow.raw": {"feeds:run-detail"},
        "feeds.RejectedRow.reasons": {"feeds:run-detail"}, "feeds.FeedRun.error": {"feeds:run-detail"},
        "feeds.DailyRun.error": {"feeds:run-detail", "feeds:runs"},
    },
}
RESTRICTED = [Role.SCHOOL_USER, Role.PARTNER_USER, Role.PANEL_MEMBER, Role.READONLY_MANAGER, Role.SYSTEM_ADMIN]


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with override_settings(**PRODUCTION_HSTS):  # CFG-2 checks HSTS on the same crawl
        yield from world_in_rollback(django_db_blocker)


CRAWLS: dict[str, Crawl] = {}


def crawled(world: World, role: str) -> Crawl:
    if role not in CRAWLS:
        CRAWLS[role] = crawl(world.users[role])
    return CRAWLS[role]


def shown(world: World, result: Crawl) -> dict[str, set[str]]:
    """field -> the routes whose pages showed it."""
    out: dict[str, set[str]] = {}
    for page in result.pages:
        for key in tokens_in(page.body, world.tokens):
            out.setdefault(key, set()).add(page.route)
    return out


FIGURES: dict[str, str] = {}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_ac4_each_role_is_shown_only_its_allowed_fields(world: World, role: str) -> None:
    result = crawled(world, role)
    assert result.statuses[500] == 0, [p.url for p in result.pages if p.status >= 500]
    fields = shown(world, result)
    classes = classes_of(set(fields))
    allowed = ALLOWED.get(role)
    unexpected: list[str] = []
    if allowed is not None:
        for key, routes in sorted(fields.items()):
            if key not in allowed:
                unexpected.append(f"{key} on {sorted(routes)}")
            elif allowed[key] is not None and not routes <= allowed[key]:  # type: ignore[operator]
                unexpected.append(f"{key} on {sorted(routes - allowed[key])}")  # type: ignore[operator]
    FIGURES[role] = (f"{len(result.pages)} pages, {len(fields)} fields shown "
                     f"({', '.join(f'{c.value} {n}' for c, n in sorted(classes.items()))}), "
                     f"allowed {'any' if allowed is None else len(allowed)}, unexpected {len(unexpected)}")
    assert not unexpected, f"{role} is shown fields outside its allow-list:\n" + "\n".join(unexpected)
    if role in LA_CASEWORK_ROLES:
        assert classes[DataClass.RISK_FLAG] >= 1  # the sentinels work: casework does see the risk flags
    else:
        assert not {c for c in classes if c in SENSITIVE} - {DataClass.FREE_TEXT, DataClass.RISK_FLAG}


@pytest.mark.parametrize("role", [r.value for r in RESTRICTED])
def test_ac4_restricted_roles_never_see_a_childs_risk_flags_or_nhs_number(world: World, role: str) -> None:
    fields = shown(world, crawled(world, role))
    flags = {"children.RiskFlag.flag_type", "children.RiskFlag.note", "children.RiskFlag.source",
             "children.Child.nhs_number", "children.Child.ethnicity"}
    on_child_pages = {k for k, routes in fields.items() if k in flags and routes - {"reports:dashboard"}}
    assert on_child_pages == set()


@pytest.mark.parametrize("role", [Role.SCHOOL_USER.value, Role.PANEL_MEMBER.value, Role.PARTNER_USER.value])
def test_ac4_no_child_outside_the_roles_scope_is_named(world: World, role: str) -> None:
    user = world.users[role]
    in_scope = set(Child.objects.for_user(user).values_list("pk", flat=True))
    named = Counter()
    for page in crawled(world, role).pages:
        for token in found_tokens(page.body):
            child_id = world.surnames.get(token)
            if child_id is not None and child_id not in in_scope:
                named[f"child {child_id} on {page.route}"] += 1
    assert not named, named


@pytest.mark.parametrize("role", [Role.READONLY_MANAGER.value, Role.SYSTEM_ADMIN.value])
def test_ac4_aggregate_and_admin_roles_see_no_identifier_or_contact(world: World, role: str) -> None:
    classes = classes_of(set(shown(world, crawled(world, role))))
    assert not set(classes) & DIRECT_IDENTIFIERS


def test_ac4_sentinels_cover_the_sensitive_text_fields(world: World) -> None:
    """The check means something only if the sentinels are in place: every text field of the sensitive classes
    has one (except the append-only audit log and fields too short for a token)."""
    assert len(set(world.tokens.values())) > 100
    assert "children.RiskFlag.note" in world.tokens.values()
    assert "notifications.Notification.safeguarding_detail" in world.tokens.values()
    assert set(world.skipped) <= {"audit.AuditEvent.summary", "audit.AuditEvent.reason",
                                  "children.Child.surname_prefix"}


# --- the JSON API -------------------------------------------------------------------------------------------------

#: Output schema -> property -> the stored field it carries ("app.Model.field"), or "derived:<class>" for a value
#: computed from other fields. A new property fails `test_ac4_api_output_schemas_are_explicit_allow_lists` until it
#: is listed here (and so classified).
API_OUTPUT_FIELDS: dict[str, dict[str, str]] = {
    "ChildOut": {
        "id": "children.Child.id", "legal_forename": "children.Child.legal_forename",
        "legal_surname": CHILD_SURNAME, "preferred_forename": "children.Child.preferred_forename",
        "date_of_birth": "children.Child.date_of_birth", "sex": "children.Child.sex", "upn": "children.Child.upn",
        "postcode": "children.Child.current_postcode", "education_status": "derived:personal",
        "current_school_laestab": "children.Enrolment.school",
    },
    "ChildSearchOut": {"count": "derived:operational", "results": "derived:operational"},
    "CaseOut": {
        "id": "cases.Case.id", "reference": "derived:operational", "child_id": "cases.Case.child",
        "case_type": "cases.Case.case_type", "status": "cases.Case.status", "status_label": "derived:personal",
        "priority": "cases.Case.priority", "opened_on": "cases.Case.opened_on",
        "allocated_to": "cases.Case.allocated_to", "closed_at": "cases.Case.closed_at",
        "closure_outcome": "cases.Case.closure_outcome",
    },
    "PagedCaseOut": {"count": "derived:operational", "items": "derived:operational"},
    "CaseStatusOut": {"status": "cases.CaseStatus.status", "at": "cases.CaseStatus.at",
                      "by": "cases.CaseStatus.by_label", "reason": "cases.CaseStatus.reason"},
    "ReceiptOut": {"reference": "notifications.Notification.reference", "kind": "notifications.Notification.kind",
                   "status": "notifications.Notification.status",
                   "received_at": "notifications.Notification.received_at",
                   "triage_due": "notifications.Notification.triage_due"},
    "FeedSourceOut": {name: f"feeds.FeedSource.{name}" for name in ("slug", "name", "kind", "source", "enabled")},
    "FeedRunOut": {**{name: f"feeds.FeedRun.{name}" for name in (
        "id", "on", "status", "received", "accepted", "rejected", "new", "changed", "skipped_files", "error")},
        "source": "feeds.FeedSource.slug"},
    "ReportOut": {name: "derived:operational" for name in ("start", "end", "today", "aggregate_only", "figures",
                                                          "tables")},
    "FigureOut": {name: "derived:operational" for name in ("key", "label", "value", "definition")},
    "TableOut": {name: "derived:operational" for name in ("key", "title", "label_header", "columns", "rows",
                                                         "totals", "suppressed", "note")},
    "RowOut": {"label": "derived:operational", "values": "derived:operational"},
    "ErrorOut": {"error": "derived:operational"}, "ErrorDetail": {name: "derived:operational" for name in
                                                                  ("code", "message", "details")},
}
CaseDetailOut = {**API_OUTPUT_FIELDS["CaseOut"], "history": "derived:operational"}
API_OUTPUT_FIELDS["CaseDetailOut"] = CaseDetailOut
#: DP-2: what list operations return (one item per record): no special-category, risk or free-text field.
LIST_SCHEMAS = {"ChildOut", "CaseOut", "FeedSourceOut"}


def _class_of(source: str) -> DataClass:
    if source.startswith("derived:"):
        return DataClass(source.split(":", 1)[1])
    label, name = source.rsplit(".", 1)
    from cme.privacy.inventory import classify

    return classify(label, name)


def _openapi_schemas() -> dict[str, Any]:
    import cme.urls  # noqa: F401 - mounts the routers
    from cme.api.base import api

    return api.get_openapi_schema()["components"]["schemas"]  # type: ignore[no-any-return]


def test_ac4_api_output_schemas_are_explicit_allow_lists() -> None:
    components = _openapi_schemas()
    outputs = {name: sorted(c.get("properties", {})) for name, c in components.items()
               if name.endswith(("Out", "OutPaged")) or name in ("ErrorDetail",)}
    assert set(outputs) == set(API_OUTPUT_FIELDS), "list new API output schemas in API_OUTPUT_FIELDS"
    for name, properties in outputs.items():
        assert properties == sorted(API_OUTPUT_FIELDS[name]), f"{name}: classify its properties in API_OUTPUT_FIELDS"
    for mapping in API_OUTPUT_FIELDS.values():
        for source in mapping.values():
            _class_of(source)  # every source is a classified field


def test_dp2_api_list_operations_carry_no_special_category_risk_or_free_text_field() -> None:
    for name in LIST_SCHEMAS:
        sensitive = {prop: _class_of(src).value for prop, src in API_OUTPUT_FIELDS[name].items()
                     if _class_of(src) in SENSITIVE}
        assert sensitive == {}, f"{name} is a list item and carries {sensitive}"


def _api_calls(world: World, role: str) -> dict[str, tuple[int, str]]:
    client = signed_in(world.users[role])
    child_id = Child.objects.for_user(world.users[role]).order_by("pk").values_list("pk", flat=True).first() or 1
    from cme.cases.models import Case

    case_id = Case.objects.order_by("pk").values_list("pk", flat=True).first() or 1
    calls = {
        "children.search": client.post("/api/v1/children/search", {"born_from": "2000-01-01",
                                       "born_to": "2025-01-01", "limit": 200}, content_type="application/json"),
        "children.read": client.get(f"/api/v1/children/{child_id}"),
        "cases.list": client.get("/api/v1/cases?page_size=200"),
        "cases.read": client.get(f"/api/v1/cases/{case_id}"),
        "feeds.sources": client.get("/api/v1/feeds/sources"),
        "reports.kpis": client.get("/api/v1/reports/kpis"),
    }
    return {name: (r.status_code, r.content.decode()) for name, r in calls.items()}


API_FIGURES: dict[str, str] = {}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_ac4_api_answers_carry_only_allowed_fields_per_role(world: World, role: str) -> None:
    answers = _api_calls(world, role)
    assert all(status < 500 for status, _ in answers.values()), answers
    fields: dict[str, set[str]] = {}
    for name, (status, body) in answers.items():
        if status == 200:
            for key in tokens_in(body, world.tokens):
                fields.setdefault(key, set()).add(name)
    allowed = ALLOWED.get(role)
    api_allowed = None if allowed is None else {**{k: None for k in PUPIL_IDENTITY if k in allowed},
                                                 RISK_FLAG_TYPE_FIELD: {"reports.kpis"}}
    unexpected = [] if api_allowed is None else [
        f"{key} in {sorted(calls)}" for key, calls in fields.items()
        if key not in api_allowed or (api_allowed[key] is not None and not calls <= api_allowed[key])]
    API_FIGURES[role] = (f"{sum(1 for s, _ in answers.values() if s == 200)} of {len(answers)} operations answered, "
                         f"{len(fields)} fields, unexpected {len(unexpected)}")
    assert not unexpected, unexpected
    if allowed is not None:
        assert not {_class_of(k) for k in fields} & (SENSITIVE - {DataClass.RISK_FLAG})
    if role == Role.READONLY_MANAGER:
        assert answers["reports.kpis"][0] == 200 and set(fields) <= {RISK_FLAG_TYPE_FIELD}


CFG2_FIGURES: dict[str, str] = {}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_cfg2_every_response_of_every_role_carries_the_security_headers(world: World, role: str) -> None:
    """CFG-2: CSP (object-src, base-uri, frame-ancestors 'none'; a nonce and no 'unsafe-inline' for scripts), HSTS
    of a year with subdomains, nosniff, Referrer-Policy, COOP same-origin, X-Frame-Options DENY and
    Cache-Control no-store on every response of the role's crawl (all of them are signed in)."""
    responses = crawled(world, role).responses
    missing: Counter[str] = Counter()
    where: dict[str, str] = {}
    for route, path, status, headers in responses:
        for rule in missing_headers(headers):
            missing[rule] += 1
            where.setdefault(rule, f"{status} {route} {path}")
    nonces = sum("'nonce-" in headers.get("Content-Security-Policy", "") for *_, headers in responses)
    CFG2_FIGURES[role] = f"{len(responses)} responses ({nonces} with a script nonce), missing {dict(missing) or 0}"
    assert len(responses) > 5
    assert not missing, where


# --- booleans and choices (no sentinel possible) and the PDF minutes ---------------------------------------------

_TIMETABLE_FLAGS = ("reason", "has_social_worker", "social_worker_involved", "has_ehcp", "ehcp_involved")
#: role -> sensitive boolean/choice field -> the routes it may be shown on (tests/security/flags.py).
FLAGS_ALLOWED: dict[str, dict[str, set[str]]] = {
    # the school's own part-time timetables (R4.2): it declared the reason, the social worker and the EHCP; and what
    # it ticked on its own notifications
    Role.SCHOOL_USER: {**{f"timetables.PartTimeTimetable.{name}": {
        "timetables:detail", "timetables:list", "timetables:export-csv", "timetables:export-xlsx"}
        for name in _TIMETABLE_FLAGS},
        "notifications.Notification.safeguarding_concern": {"notifications:submission-detail"}},
    # what the partner itself ticked on its referral
    Role.PARTNER_USER: {"notifications.Notification.safeguarding_concern": {"notifications:submission-detail"}},
    # the panel's own decisions: on the meeting's agenda, the item page and in the minutes
    Role.PANEL_MEMBER: {"panels.Decision.outcome": {"panels:detail", "panels:item", "panels:minutes"}},
    Role.READONLY_MANAGER: {},
    Role.SYSTEM_ADMIN: {},
}
FLAG_FIGURES: dict[str, str] = {}


@pytest.mark.parametrize("role", [*[r.value for r in RESTRICTED], Role.CME_OFFICER.value])
def test_ac4_boolean_and_choice_fields_only_where_the_role_is_allowed_them(world: World, role: str) -> None:
    """Each sensitive boolean/choice field is set on every row to each of its values in turn; a page of the role's
    crawl that changes shows the field. A CME officer (no field limit) must be shown some: the check can fail."""
    from tests.security.flags import flag_fields, flags_shown

    fields = flag_fields()
    shown, fetches = flags_shown(world.users[role], crawled(world, role), fields)
    allowed = FLAGS_ALLOWED.get(role)
    unexpected = [] if allowed is None else [
        f"{key} on {sorted(routes - allowed.get(key, set()))}" for key, routes in sorted(shown.items())
        if routes - allowed.get(key, set())]
    where = ", ".join(f"{key.split('.', 1)[1]} on {sorted(routes)}" for key, routes in sorted(shown.items()))
    FLAG_FIGURES[role] = (f"{len(fields)} fields flipped, {fetches} page fetches, shown {len(shown)} ({where}), "
                          f"allowed {'any' if allowed is None else len(allowed)}, unexpected {len(unexpected)}")
    assert not unexpected, f"{role} is shown boolean/choice fields outside its allow-list:\n" + "\n".join(unexpected)
    if allowed is None:
        assert len(shown) >= 3, shown
    if role == Role.PANEL_MEMBER:  # the decision's outcome is found on the item page and in the PDF minutes
        assert shown.get("panels.Decision.outcome", set()) >= {"panels:item", "panels:minutes"}, shown


def test_ac4_the_panel_minutes_pdf_is_read_and_checked(world: World) -> None:
    """The minutes PDF's text is in the panel member's crawl (so the allow-list applies to it): it names the
    children on the agenda (their surname sentinels) and carries the panel's discussion."""
    minutes = [p for p in crawled(world, Role.PANEL_MEMBER).pages if p.route == "panels:minutes" and p.status == 200]
    assert minutes
    fields = set().union(*(tokens_in(p.body, world.tokens) for p in minutes))
    assert {CHILD_SURNAME, "panels.PanelItem.discussion", "panels.Decision.text"} <= fields, fields
    FIGURES["panel minutes (PDF)"] = f"{len(minutes)} PDF(s), fields {sorted(fields)}"


def test_zz_print_ac4_figures() -> None:
    print("\nAC-4 booleans and choices per role:\n" + "\n".join(  # noqa: T201
        f"  {r}: {f}" for r, f in FLAG_FIGURES.items()))
    print("\nCFG-2 headers per role:\n" + "\n".join(f"  {r}: {f}" for r, f in CFG2_FIGURES.items()))  # noqa: T201
    print("\nAC-4 API per role:\n" + "\n".join(f"  {r}: {f}" for r, f in API_FIGURES.items()))  # noqa: T201
    print("\nAC-4 fields shown per role:\n" + "\n".join(f"  {r}: {f}" for r, f in FIGURES.items()))  # noqa: T201

"""AC-5 (SECURITY-PLAN; ASVS 5.0.0 15.3.3): mass assignment, swept over every write endpoint.

The write endpoints come from the URL configuration (every guarded view that accepts POST, or that has no method
decorator) and from the API's OpenAPI document (every POST/PUT/PATCH operation). For each one, a user of the
demo council whose role has the action submits what a browser would (the form on the page, filled in), plus
fields outside the action's allow-list (the form's own fields):

    school, organisation, local_authority, owner, created_by -> records of a decoy council nothing refers to
    risk_level, status -> "zz-injected";  version -> 999999;  is_staff, is_superuser -> "on";  id -> 987654321

Pass: after every request no row anywhere refers to a decoy record, has one of those values, or has id
987654321, and no user became a superuser: the extra fields were ignored or refused and the DB is unchanged by
them. POST-only views are submitted from the page that shows their form (HOST_PAGES) or with a body
(BODIES); a new POST-only view with neither fails `test_every_post_only_view_has_a_form_page_or_a_body`, and a
new API write operation without a body in API_BODIES fails `test_every_api_write_operation_has_a_body`.
Every HTML write view must also do its legitimate write in the same request (an audited create/update/delete,
or the action or next step in AUDITED_AS/NEXT_STEP): where the demo council's first record is in the wrong state
or the filled-in form lacks a value, STATE makes a record in the right state and SET gives the fields.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from cme.accounts.models import User
from cme.accounts.policy import PERMISSIONS
from cme.accounts.roles import Role
from cme.api.services import api_token_issue
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import School
from cme.children.tests.factories import SchoolFactory
from cme.core.models import LocalAuthority, Organisation
from cme.core.tests.factories import LocalAuthorityFactory, OrganisationFactory
from tests.security.htmlforms import Form, post_forms, submission
from tests.security.test_access_matrix import (
    API_ACTIONS,
    FOREIGN_LA,
    FOREIGN_OBJECTS,
    GUARDED,
    OWN_LA_KEYED,
    TOP_UP_ERRORS,
    Route,
    _top_up,
    api_operations,
    signed_in,
)

INJECTED_ID = 987_654_321
INJECTED_TEXT = "zz-injected"
INJECTED_VERSION = 999_999
FK_NAMES = ("school", "organisation", "local_authority", "owner", "created_by")
VALUE_NAMES = {"risk_level": INJECTED_TEXT, "status": INJECTED_TEXT, "version": str(INJECTED_VERSION),
               "is_staff": "on", "is_superuser": "on", "id": str(INJECTED_ID)}
INJECTED_NAMES = (*FK_NAMES, *VALUE_NAMES)

#: Roles tried first when several have the action (the busiest users of each page).
ROLE_ORDER = [Role.ATTENDANCE_MANAGER, Role.CME_OFFICER, Role.EHE_OFFICER, Role.SYSTEM_ADMIN, Role.SCHOOL_USER,
              Role.PARTNER_USER, Role.PANEL_MEMBER, Role.READONLY_MANAGER, Role.DATA_PROTECTION_OFFICER]


def _methods(callback: Any) -> tuple[str, ...] | None:
    """The methods a view's `require_http_methods` allows (None: no method decorator, so any)."""
    function, depth = callback, 0
    while function is not None and depth < 10:
        for cell in getattr(function, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, list | tuple) and value and all(isinstance(m, str) and m.isupper() for m in value):
                return tuple(value)
        function, depth = getattr(function, "__wrapped__", None), depth + 1
    return None


WRITE_ROUTES = [r for r in GUARDED if "POST" in (_methods(r.callback) or ())]
POST_ONLY = [r for r in WRITE_ROUTES if _methods(r.callback) == ("POST",)]
#: Views with no method decorator take a POST like a GET: the extra fields are posted to them alone.
ANY_METHOD = [r for r in GUARDED if _methods(r.callback) is None]


def _model(label: str, pk: Any) -> Any:
    return apps.get_model(label).objects.get(pk=pk)


def page(name: str, via: tuple[str, str] | None = None) -> Callable[[dict[str, Any]], str]:
    """The page showing a POST-only view's form: `name` with the route's pk, or with `via` = (model, attribute)
    giving the pk of the page's object (a task's case, an agenda item's meeting)."""

    def build(values: dict[str, Any]) -> str:
        pk = values["pk"]
        if via is not None:
            pk = getattr(_model(via[0], pk), via[1])
        return reverse(name, args=[pk])

    return build


#: POST-only view -> the page that shows its form.
HOST_PAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "notifications:triage-outcome": page("notifications:triage-detail"),
    "notifications:triage-link": page("notifications:triage-detail"),
    "notifications:enquiry-response": page("notifications:enquiry-detail"),
    "cases:transition": page("cases:detail"),
    "cases:allocate": page("cases:detail"),
    "cases:close": page("cases:detail"),
    "cases:note-add": page("cases:detail"),
    "cases:ctf-generate": page("cases:detail"),
    "cases:task-done": lambda v: reverse("cases:my-tasks"),
    "cases:ctf-s2s": page("cases:detail", ("cases.CTFFile", "case_id")),
    "cases:open-from-notification": page("notifications:triage-detail"),
    "cases:add-notification": page("notifications:triage-detail"),
    "cases:open-from-ehe": page("ehe:detail"),
    "panels:agenda-build": page("panels:detail"),
    "panels:item-add": page("panels:detail"),
    "panels:attendee-remove": page("panels:detail", ("panels.PanelAttendee", "meeting_id")),
    "panels:item-remove": page("panels:item"),
    "ehe:find": lambda v: reverse("ehe:list"),
    "cnis:find": lambda v: reverse("cnis:list"),
    "privacy:sar-download": page("privacy:sar"),
}
#: Write views with no form on any page (or whose form needs a file): the fields to send.
BODIES: dict[str, Callable[[], dict[str, Any]]] = {
    "privacy:hold-new": lambda: {"reason": "Sweep: a claim is expected"},
    "cases:document-new": lambda: {"title": "Sweep", "file": SimpleUploadedFile("sweep.pdf", b"%PDF-1.4\n%%EOF\n")},
    "notifications:return-upload": lambda: {"kind": "deletion_return", "file": SimpleUploadedFile(
        "returns.csv", _return_csv())},
    "feeds:upload": lambda: {"source": "health", "file": SimpleUploadedFile(
        "gp.csv", b"Patient ID,Forename,Surname,DOB\nGP1,Amelia,Thompson,14/05/2016\n")},
    "cases:ctf-import": lambda: {"file": SimpleUploadedFile("8254001_CTF_931LLLL_001.xml", _ctf())},
}

#: Write views the generic filled-in form does not carry to a write (the demo council's first record is in the wrong
#: state, or a field needs a value the filler cannot guess): a record in the right state (the route's values, from
#: the world and the persona) and the fields to set over the filled-in form (from those values). With them every
#: write view's POST does its legitimate write, so the sweep shows injected fields ignored *while* the write happened.
STATE: dict[str, Callable[[dict[str, Any], User], dict[str, Any]]] = {
    "notifications:triage-link": lambda w, u: {"pk": _untriaged_notification(u, child__isnull=True)},
    "cases:add-notification": lambda w, u: {"pk": _untriaged_notification(u, child__isnull=True)},
    "cases:close": lambda w, u: {"pk": _located_case(u).pk},
    "cases:reopen": lambda w, u: {"pk": _closed_case(u)},
    "cases:ctf-s2s": lambda w, u: {"pk": _generated_ctf(u)},
    "ehe:notification-open": lambda w, u: {"pk": _ehe_notification(u)},
    "ehe:concern-outcome": lambda w, u: {"pk": _mash_concern(u)},
    "timetables:consent": lambda w, u: {"pk": _timetable_without_consent(u)},
    "cnis:new": lambda w, u: {"pk": _cnis_child(u)},
}
SET: dict[str, Callable[[dict[str, Any], User], dict[str, Any]]] = {
    "children:search": lambda v, u: {"name": _any_child(u).legal_forename, **_date("born_from", None),
                                     **_date("born_to", None), "postcode": "", "date_of_birth-day": "",
                                     "date_of_birth-month": "", "date_of_birth-year": ""},
    "notifications:triage-link": lambda v, u: {"child": _any_child(u).pk},
    "notifications:enquiry-new": lambda v, u: _date("response_due", _days_ago(-14)),
    "cases:close": lambda v, u: _closing(v, u),
    "cases:ctf-s2s": lambda v, u: _date("uploaded_on", _days_ago(0)),
    "cases:add-notification": lambda v, u: {"case": _open_case(u).reference},
    "panels:item-add": lambda v, u: {"reference": _open_case(u, not_on_meeting=v["pk"]).reference},
    "matching:merge-start": lambda v, u: dict(zip(("keep", "merge"), _two_children(u), strict=True)),
    "ehe:find": lambda v, u: {"upn": _any_child(u, upn__gt="").upn},
    "cnis:find": lambda v, u: {"upn": _any_child(u, upn__gt="").upn},
    "ehe:concern-new": lambda v, u: _date("mash_referral_on", _days_ago(0)),
    "timetables:new": lambda v, u: {"not_for_behaviour": "on", **_date("start_date", _days_ago(0)),
                                    **_date("planned_end_date", _days_ago(-42)), **_date("consent_on", _days_ago(0))},
    "timetables:review": lambda v, u: _date("new_end_date", None),
}
#: How a write view's success shows when it is not an audited create/update/delete: the audited action it records
#: (a search, a generated or downloaded export), or the next step it redirects to (a lookup before a write).
AUDITED_AS = {"children:search": AuditEvent.Action.SEARCH, "cases:ctf-generate": AuditEvent.Action.EXPORT,
              "privacy:sar-download": AuditEvent.Action.EXPORT}
NEXT_STEP = {"matching:merge-start": "matching:merge-confirm", "ehe:find": "ehe:new", "cnis:find": "cnis:new"}


#: API write operations (operationId) -> a valid JSON body (or a multipart body for files).
API_BODIES: dict[str, Callable[[], dict[str, Any]]] = {
    "cme_api_routers_notifications_submit_referral": lambda: {
        "referrer_agency": "police", "referrer_name": "PC Jones", "concern": "whereabouts_unknown",
        "forename": "Amelia", "surname": "Sweep", "date_of_birth": "2016-05-14",
        "what_is_known": "Family moved out; not at school."},
    "cme_api_routers_notifications_submit_deletion_return": lambda: {
        "forename": "Amelia", "surname": "Sweep", "date_of_birth": "2016-05-14", "sex": "F",
        "address": "12 Cowley Road, Oxford", "postcode": "OX4 1AB", "parent1_name": "Sarah Sweep",
        "parent1_phone": "07700 900982", "ground": "A", "deletion_date": _days_ago(3).isoformat(),
        "new_school_name": "Cherwell Primary"},
    "cme_api_routers_notifications_submit_new_entrant_return": lambda: {
        "forename": "Leo", "surname": "Sweep", "date_of_birth": "2015-02-03", "sex": "M", "address": "4 Iffley Road",
        "postcode": "OX4 1EA", "parent1_name": "Grace Sweep", "parent1_phone": "01632 960001",
        "start_date": _days_ago(3).isoformat(), "nc_year": 6},
    "cme_children_api_search_children": lambda: {"name": "Amelia"},
    "cme_api_routers_feeds_post_feed_file": lambda: {"file": SimpleUploadedFile(
        "gp.csv", b"Patient ID,Forename,Surname,DOB\nGP1,Amelia,Thompson,14/05/2016\n")},
}
API_ROLES = {"referral.submit_partner": Role.PARTNER_USER, "return.submit": Role.SCHOOL_USER,
             "child.search": Role.CME_OFFICER, "feeds.run": Role.ATTENDANCE_MANAGER}

TALLY: Counter[str] = Counter()
ALLOW_LISTED: dict[str, list[str]] = {}
NO_FORM: list[str] = []
WROTE: dict[str, int] = {}
DID_NOT_WRITE: dict[str, int] = {}


def _days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _return_csv() -> bytes:
    return ("forename,surname,date_of_birth,address,postcode,parent1_name,parent1_phone,ground,deletion_date,"
            f"new_school_name\nAmelia,Sweep,2016-05-14,12 Cowley Road,OX4 1AB,Sarah Sweep,07700 900982,A,"
            f"{_days_ago(3).isoformat()},Cherwell Primary\n").encode()


def _ctf() -> bytes:
    from cme.law.ctf import CTFPupil, build_lost_pupil_ctf

    pupil = CTFPupil(upn="", surname="Sweep", forename="Known", dob=dt.date(2015, 2, 3))
    return build_lost_pupil_ctf(source_la="825", source_estab="4001", source_school_name="Otherton High",
                                pupil=pupil, generated_at=timezone.now())[1]


# --- records in the right state ------------------------------------------------------------------------------


def _date(name: str, day: dt.date | None) -> dict[str, str]:
    parts = ("", "", "") if day is None else (str(day.day), str(day.month), str(day.year))
    return dict(zip((f"{name}-day", f"{name}-month", f"{name}-year"), parts, strict=True))


def _first(label: str, user: User, **filters: Any) -> int:
    pk = (apps.get_model(label).objects.filter(local_authority=user.local_authority, **filters).order_by("pk")
          .values_list("pk", flat=True).first())
    assert pk is not None, f"the demo council has no {label} with {filters}"
    return int(pk)


def _any_child(user: User, **filters: Any) -> Any:
    from cme.children.models import Child

    return Child.objects.filter(local_authority=user.local_authority, **filters).order_by("pk").first()


def _two_children(user: User) -> list[int]:
    from cme.children.models import Child

    return list(Child.objects.filter(local_authority=user.local_authority).order_by("-pk")
                .values_list("pk", flat=True)[:2])


def _open_case(user: User, not_on_meeting: int | None = None) -> Any:
    from cme.cases.models import Case

    cases = Case.objects.open().filter(local_authority=user.local_authority)
    if not_on_meeting is not None:
        cases = cases.exclude(panel_items__meeting_id=not_on_meeting)
    return cases.order_by("pk").first()


def _untriaged_notification(user: User, **filters: Any) -> int:
    return _first("notifications.Notification", user, triaged_at__isnull=True, **filters)


def _generated_ctf(user: User) -> int:
    from cme.cases.ctf import ctf_lost_pupil_generate

    case = _open_case(user)
    return ctf_lost_pupil_generate(actor=Auditor.for_user(user), user=user, case=case).pk


def _ehe_notification(user: User) -> int:
    from cme.notifications.models import Notification

    notification = Notification.objects.get(pk=_untriaged_notification(user, child__isnull=False))
    Notification.objects.filter(pk=notification.pk).update(outcome=Notification.Outcome.EHE_TEAM)
    return notification.pk


def _located_case(user: User) -> Any:
    """An open case whose child has been located (open -> enquiries -> located), so it may close as on roll."""
    from cme.cases.models import Case
    from cme.cases.services import case_transition

    case = _open_case(user)
    for step in ("enquiries", "located"):
        if case.status != "located":
            case = case_transition(actor=Auditor.for_user(user), user=user, case=case, to=step, reason="Sweep")
    return Case.objects.get(pk=case.pk)


def _closed_case(user: User) -> int:
    from cme.cases.services import ClosureEvidence, case_close

    found = apps.get_model("cases.Case").objects.filter(local_authority=user.local_authority, status="closed").first()
    if found is not None:
        return int(found.pk)
    case = _located_case(user)
    school = School.objects.filter(local_authority=user.local_authority).order_by("pk").first()
    assert school is not None
    case_close(actor=Auditor.for_user(user), user=user, case=case, outcome="on_roll",
               evidence=ClosureEvidence(school_where="in_la", school_id=school.pk, start_date=_days_ago(3),
                                        confirmed_by="The school"))
    return int(case.pk)


def _mash_concern(user: User) -> int:
    from cme.ehe.models import EHERecord
    from cme.ehe.services import ehe_concern_record

    record = EHERecord.objects.filter(local_authority=user.local_authority).order_by("pk").first()
    assert record is not None, "the demo council has no EHE record"
    return ehe_concern_record(actor=Auditor.for_user(user), user=user, record=record, kind="safety",
                              raised_on=_days_ago(1), description="Sweep: a safety concern",
                              mash_referral_on=_days_ago(1)).pk


def _timetable_without_consent(user: User) -> int:
    """A timetable the user's school sent without the parent's agreement yet (R4.2: recorded later)."""
    from cme.timetables.tests.factories import pupil, submit

    school = School.objects.filter(organisation=user.organisation, local_authority=user.local_authority).first()
    assert school is not None
    today = timezone.localdate()
    return submit(school, pupil(school), user=user, consent=False, start=today, end=today + dt.timedelta(weeks=6),
                  today=today).pk


def _cnis_child(user: User) -> int:
    from cme.children.models import Child

    today = timezone.localdate()
    child = Child.objects.filter(local_authority=user.local_authority, cnis_entries__isnull=True,
                                 date_of_birth__range=(today - dt.timedelta(days=15 * 365),
                                                       today - dt.timedelta(days=6 * 365))).order_by("pk").first()
    assert child is not None
    return child.pk


def _closing(values: dict[str, Any], user: User) -> dict[str, Any]:
    from cme.cases.models import Case

    case = Case.objects.get(pk=values["pk"])
    school = School.objects.filter(local_authority=user.local_authority).order_by("pk").first()
    assert school is not None
    return {"outcome": "on_roll", "school_where": "in_la", "school": school.pk, "version": case.version,
            **_date("start_date", _days_ago(3)), "confirmed_by": "The school's admissions officer"}


# --- the world and the decoys --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweep_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo council (LA 931, with the access matrix's top-up), its own users for each role, and a decoy
    council with an organisation, a school and a user that nothing refers to. Rolled back at the end."""
    from cme.demo.services import demo_council_seed

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo_council_seed(children=80, seed=11, on=dt.date(2026, 11, 20), progress=lambda stage, n: None)
            _top_up()
            la = LocalAuthority.objects.get(code=FOREIGN_LA)
            la.cnis_register_enabled = True
            la.save()
            users = {role: _user_for(la, role) for role in Role}
            decoy_la = LocalAuthorityFactory(code="989", name="Decoy council")
            decoy_org = OrganisationFactory(local_authority=decoy_la, kind=Organisation.Kind.SCHOOL, laestab="9892001")
            decoy_school = SchoolFactory(local_authority=decoy_la, organisation=decoy_org, laestab="9892001")
            decoy_user = User.objects.create_user(email="decoy@decoy.example.org", full_name="Decoy",
                                                  role=Role.CME_OFFICER, local_authority=decoy_la)
            decoys = {LocalAuthority: decoy_la.pk, Organisation: decoy_org.pk, School: decoy_school.pk,
                      User: decoy_user.pk}
            injected = {"school": decoy_school.pk, "organisation": decoy_org.pk, "local_authority": decoy_la.pk,
                        "owner": decoy_user.pk, "created_by": decoy_user.pk, **VALUE_NAMES}
            probe = Probe(decoys)
            yield {"users": users, "injected": injected, "probe": probe, "baseline": probe.counts(), "la": la}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _user_for(la: LocalAuthority, role: str) -> User:
    user = User.objects.filter(local_authority=la, role=role, is_active=True).order_by("pk").first()
    if user is not None:
        return user
    organisation = None
    if role == Role.SCHOOL_USER:
        organisation = Organisation.objects.filter(local_authority=la, kind=Organisation.Kind.SCHOOL).first()
    elif role == Role.PARTNER_USER:
        organisation = Organisation.objects.filter(local_authority=la, kind=Organisation.Kind.PARTNER).first()
    return User.objects.create_user(email=f"sweep-{role}@demo-931.example.org", full_name=f"Sweep {role}",
                                    role=role, local_authority=la, organisation=organisation)


class Probe:
    """Counts, per model, the rows that carry an injected value: a reference to a decoy record, a
    `status`/`risk_level` of "zz-injected", a `version` of 999999, the id 987654321, `is_superuser` true."""

    def __init__(self, decoys: dict[type[models.Model], int]) -> None:
        self.queries: list[tuple[type[models.Model], models.Q]] = []
        for model in apps.get_models():
            integer_pk = isinstance(model._meta.pk, models.IntegerField | models.AutoField)
            conditions = models.Q(pk=INJECTED_ID) if integer_pk else models.Q(pk__in=[])
            for f in model._meta.concrete_fields:
                target = getattr(f, "related_model", None)
                if f.is_relation and target in decoys:
                    conditions |= models.Q(**{f.attname: decoys[target]})  # type: ignore[index]
                elif f.name in ("local_authority_id", "organisation_id", "school_id") and not f.is_relation:
                    key = {"local_authority_id": LocalAuthority, "organisation_id": Organisation,
                           "school_id": School}[f.name]
                    conditions |= models.Q(**{f.name: decoys[key]})  # type: ignore[index]
                elif f.name in ("status", "risk_level") and isinstance(f, models.CharField):
                    conditions |= models.Q(**{f.name: INJECTED_TEXT})
                elif f.name == "version" and isinstance(f, models.IntegerField):
                    conditions |= models.Q(version=INJECTED_VERSION)
                elif f.name == "is_superuser":
                    conditions |= models.Q(is_superuser=True)
            self.queries.append((model, conditions))

    def counts(self) -> dict[str, int]:
        return {model._meta.label: model._default_manager.filter(q).count() for model, q in self.queries}


def _changed(world: dict[str, Any]) -> dict[str, tuple[int, int]]:
    after = world["probe"].counts()
    return {label: (world["baseline"][label], n) for label, n in after.items() if n != world["baseline"][label]}


def _writes(name: str) -> int:
    actions = [AUDITED_AS[name]] if name in AUDITED_AS else ["create", "update", "delete"]
    return AuditEvent.objects.filter(action__in=actions).count()


def _succeeded(name: str, response: Any, writes: int) -> bool:
    """The write happened: an audited create/update/delete (or the view's own audited action), or, for a lookup
    step, the redirect to the step that writes."""
    if name in NEXT_STEP:
        return response.status_code == 302 and resolve(response["Location"].split("?")[0]).view_name == NEXT_STEP[name]
    return _writes(name) > writes


# --- inventory checks ----------------------------------------------------------------------------------------


def test_every_post_only_view_has_a_form_page_or_a_body() -> None:
    missing = [r.name for r in POST_ONLY if r.name not in HOST_PAGES and r.name not in BODIES]
    assert not missing, f"Add these write views to HOST_PAGES (the page with their form) or BODIES: {missing}"
    stale = sorted((set(HOST_PAGES) | set(BODIES)) - {r.name for r in WRITE_ROUTES})
    assert not stale, f"No longer write views: {stale}"


def test_every_api_write_operation_has_a_body() -> None:
    writes = {op for op, (method, _) in api_operations().items() if method in ("post", "put", "patch")}
    assert writes == set(API_BODIES), f"API write operations without a body: {sorted(writes - set(API_BODIES))}"


# --- the sweep -----------------------------------------------------------------------------------------------


def _values(route: Route, world: dict[str, Any]) -> dict[str, Any]:
    if not route.args:
        return {}
    if route.name == "feeds:rule-edit":
        from cme.feeds.rules import RULES_BY_CODE

        return {"code": next(iter(RULES_BY_CODE))}
    if route.name in OWN_LA_KEYED:
        return OWN_LA_KEYED[route.name]
    found = FOREIGN_OBJECTS[route.name]()  # the demo council's records: the sweep's users work there
    assert found is not None, (route.name, TOP_UP_ERRORS)
    return found


def _form_for(client: Client, route: Route, path: str, values: dict[str, Any]) -> Form | None:
    host = HOST_PAGES[route.name](values) if route.name in HOST_PAGES else path
    response = client.get(host)
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return None
    return next((form for form in post_forms(response.content.decode())
                 if (form.action or host).split("?")[0] == path), None)


def _persona(world: dict[str, Any], action: str) -> User:
    role = next(r for r in ROLE_ORDER if r in PERMISSIONS[action])
    return world["users"][role]  # type: ignore[no-any-return]


@pytest.mark.parametrize("route", WRITE_ROUTES + ANY_METHOD, ids=lambda r: r.name)
def test_extra_fields_are_ignored_or_refused(route: Route, sweep_world: dict[str, Any], db: None) -> None:
    user = _persona(sweep_world, route.permission)  # type: ignore[arg-type]
    client = signed_in(user)
    client.raise_request_exception = False
    values = STATE[route.name](sweep_world, user) if route.name in STATE else _values(route, sweep_world)
    path = route.path(values)
    today = timezone.localdate()
    if route.name in BODIES:
        body: dict[str, Any] = BODIES[route.name]()
        allowed = set(body)
    else:
        form = _form_for(client, route, path, values) if route in WRITE_ROUTES else None
        if form is None:
            if route in WRITE_ROUTES:
                NO_FORM.append(route.name)
            body, allowed = {}, set()
        else:
            body, allowed = dict(submission(form, today=today)), form.names
    if route.name in SET:
        fields = SET[route.name](values, user)
        body.update({k: str(v) for k, v in fields.items()})
        allowed |= set(fields)
    ALLOW_LISTED[route.name] = sorted(allowed & set(INJECTED_NAMES))
    body.update({k: str(v) for k, v in sweep_world["injected"].items() if k not in allowed})
    writes = _writes(route.name)
    response = client.post(path, body)
    TALLY["html posts"] += 1
    TALLY["injected fields"] += len([k for k in INJECTED_NAMES if k not in allowed])
    if route in WRITE_ROUTES:
        (WROTE if _succeeded(route.name, response, writes) else DID_NOT_WRITE)[route.name] = response.status_code
    assert response.status_code < 500, f"{route.name}: {response.status_code}"
    changed = _changed(sweep_world)
    assert not changed, f"{route.name}: injected values stored (model: before, after): {changed}"
    assert route not in WRITE_ROUTES or route.name in WROTE, (
        f"{route.name} did not do its write ({response.status_code}): give it a record in the right state (STATE) "
        "or the fields it needs (SET), so the sweep shows the injected fields ignored while the write happens")


@pytest.mark.parametrize("op_id", sorted(API_BODIES))
def test_api_extra_fields_are_ignored_or_refused(op_id: str, sweep_world: dict[str, Any], db: None) -> None:
    cache.clear()  # rate limits
    method, template = api_operations()[op_id]
    user = sweep_world["users"][API_ROLES[API_ACTIONS[op_id]]]
    admin = sweep_world["users"][Role.SYSTEM_ADMIN]
    _, token = api_token_issue(actor=Auditor.for_user(admin), created_by=admin, service_account=user, name="Sweep")
    path = template.format(slug=_feed_slug(sweep_world["la"])) if "{" in template else template
    body = API_BODIES[op_id]()
    body.update({k: v for k, v in sweep_world["injected"].items() if k not in body})
    if "file" in body:
        response = getattr(Client(), method)(path, {k: str(v) if k != "file" else v for k, v in body.items()},
                                             HTTP_AUTHORIZATION=f"Bearer {token}")
    else:
        response = getattr(Client(), method)(path, json.dumps(body), content_type="application/json",
                                             HTTP_AUTHORIZATION=f"Bearer {token}")
    TALLY["api requests"] += 1
    TALLY[f"api {response.status_code}"] += 1
    assert response.status_code < 500, response.content
    assert response.status_code in (200, 201, 422), (op_id, response.status_code, response.content)
    changed = _changed(sweep_world)
    assert not changed, f"{op_id}: injected values stored: {changed}"


def _feed_slug(la: LocalAuthority) -> str:
    from cme.feeds.models import FeedSource

    source, _ = FeedSource.objects.get_or_create(local_authority=la, slug="sweep-health", defaults={
        "name": "Health (sweep)", "kind": FeedSource.Kind.CSV, "source": "health",
        "transport": FeedSource.Transport.UPLOAD})
    return source.slug


def test_zz_print_mass_assignment_figures() -> None:
    allow_listed = {name: fields for name, fields in ALLOW_LISTED.items() if fields}
    print(  # noqa: T201
        f"\nAC-5 sweep: {len(WRITE_ROUTES)} HTML write views ({len(POST_ONLY)} POST-only), {len(ANY_METHOD)} views "
        f"without a method decorator, {len(API_BODIES)} API write operations; {dict(TALLY)}; "
        f"write views whose POST did its write (an audited create/update/delete; {sorted(AUDITED_AS)}: their own "
        f"audited action; {sorted(NEXT_STEP)}: the redirect to the step that writes): {len(WROTE)} of "
        f"{len(WRITE_ROUTES)}, {len(STATE)} with a record put in the right state, {len(SET)} with fields set; "
        "did not write (status): "
        f"{DID_NOT_WRITE}; write views whose form was not found (extra fields posted alone): "
        f"{sorted(NO_FORM)}; injected names the form itself declares (not injected there): {allow_listed}"
    )

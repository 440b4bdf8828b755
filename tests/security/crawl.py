"""A small seeded council with sentinel values, and a crawler that signs in as each role and follows links.

Used by AC-4 (field-level: which fields each role is shown, `test_field_level.py`) and DP-7 (no personal data in
URLs, `test_no_pii_in_urls.py`).

- `seed_world()` builds the demo council (LA 931, every app's `demo_seed`, the demo users: one per role) and then
  overwrites every text field the data inventory (DP-1, `cme.privacy.inventory`) classifies as identifier, contact,
  risk flag, special category, criminal offence or free text with a sentinel token unique to that field
  ("zqf0042q"). The risk flag types' labels get sentinels too, standing for `children.RiskFlag.flag_type`.
  A page or a URL that contains a token shows that field. Dates of birth stay real (DP-7 looks for them).
- `crawl(user)` starts from every page the role may open (the URL patterns whose permission the role has, with the
  ids of the council's first records) and follows the links of every page it gets, GET only, bounded per route.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from django.db import models
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from cme.accounts.models import User
from cme.accounts.policy import PERMISSIONS
from cme.accounts.reauth import REAUTH_SESSION_KEY
from cme.personas import sign_in
from cme.privacy.inventory import DIRECT_IDENTIFIERS, INVENTORY, SENSITIVE, DataClass
from tests.security.test_access_matrix import FOREIGN_LA, FOREIGN_OBJECTS, GUARDED, OWN_LA_KEYED, Route

LA_CODE = FOREIGN_LA  # the demo council
SENTINEL = re.compile(r"zq[a-z]\d{4,}q", re.IGNORECASE)
#: Fields whose values are replaced by sentinels: text fields of these classes.
SENTINEL_CLASSES = SENSITIVE | DIRECT_IDENTIFIERS
RISK_FLAG_TYPE_FIELD = "children.RiskFlag.flag_type"
CHILD_SURNAME = "children.Child.legal_surname"
#: Append-only tables (LOG-4): their text cannot be overwritten, so they carry no sentinel.
IMMUTABLE = {"audit.AuditEvent"}

#: Never followed: they end the session, change state on GET, or are not pages of the service.
SKIP_ROUTES = {"accounts:sign-out", "accounts:reauth", "api:openapi-view", "api:openapi-json", "api:api-root"}
MAX_PER_ROUTE = 3
MAX_PAGES = 150


@dataclass
class World:
    users: dict[str, User]
    tokens: dict[str, str]  # sentinel token (lower case) -> "app.Model.field"
    skipped: list[str]  # text fields too short for a token
    dates_of_birth: set[dt.date]
    surnames: dict[str, int]  # per-child surname token -> child id


def _text_fields(model: type[models.Model]) -> Iterator[models.Field[Any, Any]]:
    for f in model._meta.concrete_fields:
        if isinstance(f, models.CharField | models.TextField) and not f.choices and not f.primary_key:
            yield f


def sentinelise() -> tuple[dict[str, str], list[str], dict[str, int]]:
    """Overwrite every sentinel-class text field of every row with its field's token (QuerySet.update: no save()).
    A child's legal surname gets a token of its own ("zqs0042q" for child 42), to catch names shown out of scope."""
    from django.apps import apps

    tokens: dict[str, str] = {}
    skipped: list[str] = []
    surnames: dict[str, int] = {}
    number = 0
    for model in apps.get_models():
        label = model._meta.label
        entry = INVENTORY[label]
        for f in _text_fields(model):
            if entry.fields[f.name] not in SENTINEL_CLASSES:
                continue
            key = f"{label}.{f.name}"
            number += 1
            token = f"zqf{number:04d}q"
            if f.max_length is not None and f.max_length < len(token):
                skipped.append(key)
                continue
            if label in IMMUTABLE:
                skipped.append(key)
                continue
            model._default_manager.all().update(**{f.name: token})  # type: ignore[attr-defined]
            tokens[token] = key
    from cme.children.models import Child, RiskFlagType

    for child_pk in Child.objects.values_list("pk", flat=True):
        token = f"zqs{child_pk:04d}q"
        Child.objects.filter(pk=child_pk).update(legal_surname=token)
        tokens[token] = CHILD_SURNAME
        surnames[token] = child_pk
    for flag_type in RiskFlagType.objects.all():
        number += 1
        token = f"zqt{number:04d}q"
        RiskFlagType.objects.filter(pk=flag_type.pk).update(label=token)
        tokens[token] = RISK_FLAG_TYPE_FIELD
    return tokens, skipped, surnames


def seed_world(*, children: int = 60, seed: int = 11) -> World:
    from cme.children.models import Child
    from cme.demo.services import demo_council_seed

    demo_council_seed(children=children, seed=seed, on=timezone.localdate(), progress=lambda stage, n: None)
    users: dict[str, User] = {}
    for user in User.objects.filter(local_authority__code=LA_CODE, email__endswith="@demo.example.org").order_by("pk"):
        users.setdefault(user.role, user)
    top_up(users)
    tokens, skipped, surnames = sentinelise()
    dobs = set(Child.objects.filter(local_authority__code=LA_CODE).values_list("date_of_birth", flat=True))
    return World(users=users, tokens=tokens, skipped=skipped, dates_of_birth=dobs, surnames=surnames)


def top_up(users: dict[str, User]) -> None:
    """Make sure the restricted roles have sensitive records in their own scope (so the field check means something):
    a pupil of the school user's school with a risk flag, a parent contact and a part-time timetable that records a
    social worker and an EHCP; a risk flag on every child of the panel's agenda, and a decision on its first item."""
    from cme.audit.services import Auditor
    from cme.cases.models import Case
    from cme.cases.services import case_open
    from cme.children.models import Child, ChildContact, Contact, RiskFlag, RiskFlagType
    from cme.panels.models import PanelItem, PanelMeeting
    from cme.panels.services import panel_decision_record, panel_item_add
    from cme.timetables.tests.factories import submit

    flag_type = RiskFlagType.objects.filter(code="trafficked").first() or RiskFlagType.objects.first()
    assert flag_type is not None
    school_user = users["school_user"]
    pupil = Child.objects.for_user(school_user).filter(
        enrolments__school__organisation=school_user.organisation, enrolments__end__isnull=True,
        date_of_birth__lte=timezone.localdate() - dt.timedelta(days=6 * 365)).order_by("pk").first()
    assert pupil is not None, "the demo school has no pupils"
    la = school_user.local_authority
    meeting = PanelMeeting.objects.filter(local_authority=la).order_by("-held_on").first()
    assert meeting is not None, "the demo council has no panel meeting"
    officer = users["cme_officer"]
    for child in Child.objects.filter(local_authority=la).exclude(pk=pupil.pk).exclude(
            pk__in=Case.objects.open().values("child_id")).order_by("pk")[:2]:
        case_open(actor=Auditor.for_user(officer), user=officer, child=child, summary="case summary")
    for case in Case.objects.open().filter(local_authority=la).exclude(
            pk__in=meeting.items.values("case_id")).order_by("pk")[:2]:
        panel_item_add(actor=Auditor.system("test"), meeting=meeting, case=case, reasons="High risk")
    first_item = PanelItem.objects.filter(meeting=meeting).order_by("pk").first()
    assert first_item is not None
    panel_decision_record(actor=Auditor.system("test"), user=None, item=first_item, outcome="continue_enquiries",
                          text="Keep looking")  # the panel's decision: on its item page and in the minutes
    children = [pupil, *Child.objects.filter(pk__in=PanelItem.objects.filter(meeting=meeting).values("case__child_id"))]
    for child in children:
        RiskFlag.objects.create(child=child, flag_type=flag_type, source="Police", identified_on=timezone.localdate(),
                                note="risk note", recorded_by_label="test")
    contact = Contact.objects.create(forename="Parent", surname="Example", mobile="07700900000",
                                     email="parent@example.invalid")
    ChildContact.objects.create(child=pupil, contact=contact, relationship="Mother", parental_responsibility=True)
    school = pupil.enrolments.filter(school__organisation=school_user.organisation, end__isnull=True).first().school
    today = timezone.localdate()
    submit(school, pupil, user=school_user, start=today, end=today + dt.timedelta(weeks=6), today=today,
           has_social_worker=True, social_worker_involved=True, has_ehcp=True, ehcp_involved=False,
           reason_detail="detail")


def scoped_pages(user: User) -> list[str]:
    """Detail pages of records inside the user's own scope (the first few of each kind)."""
    from django.urls import reverse

    from cme.cases.models import Case
    from cme.children.models import Child
    from cme.notifications.models import Notification
    from cme.panels.models import PanelItem, PanelMeeting
    from cme.timetables.models import PartTimeTimetable

    pages: list[str] = []
    flagged = Child.objects.for_user(user).filter(risk_flags__isnull=False).distinct().order_by("pk")[:2]
    pages += [reverse("children:detail", args=[pk]) for pk in flagged.values_list("pk", flat=True)]
    pages += [reverse("timetables:detail", args=[pk]) for pk in
              PartTimeTimetable.objects.for_user(user).order_by("-pk").values_list("pk", flat=True)[:2]]
    pages += [reverse("notifications:submission-detail", args=[pk]) for pk in
              Notification.objects.filter(submitted_by=user).order_by("-pk").values_list("pk", flat=True)[:3]]
    pages += [reverse("panels:detail", args=[pk]) for pk in
              PanelMeeting.objects.for_user(user).order_by("-pk").values_list("pk", flat=True)[:1]]
    pages += [reverse("panels:item", args=[pk]) for pk in
              PanelItem.objects.for_user(user).order_by("pk").values_list("pk", flat=True)[:2]]
    pages += [reverse("cases:detail", args=[pk]) for pk in
              Case.objects.for_user(user).order_by("pk").values_list("pk", flat=True)[:2]]
    return pages


# --- the crawler ------------------------------------------------------------------------------------------------

class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, str, list[str]]] = []  # (method, action, input names)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        elif tag == "form":
            self.forms.append((values.get("method", "get").lower(), values.get("action", ""), []))
        elif tag in ("input", "select", "textarea") and self.forms and values.get("name"):
            self.forms[-1][2].append(values["name"])


@dataclass
class Page:
    url: str
    route: str
    status: int
    body: str


@dataclass
class Crawl:
    role: str
    pages: list[Page] = field(default_factory=list)
    urls: set[str] = field(default_factory=set)  # every URL seen: links, form actions, redirects, requested
    get_forms: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (page, action, inputs)
    statuses: Counter[int] = field(default_factory=Counter)
    #: every response (redirects, files and JSON included): (route, path, status, headers) for the CFG-2 check
    responses: list[tuple[str, str, int, dict[str, str]]] = field(default_factory=list)


def signed_in(user: User) -> Client:
    client = sign_in(Client(raise_request_exception=False), user)
    session = client.session
    session[REAUTH_SESSION_KEY] = int(time.time())
    session.save()
    return client


def _route_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def start_pages(user: User) -> list[str]:
    """Every page the role may open: routes with its permission, ids of the council's first records."""
    paths = ["/"]
    for route in GUARDED:
        if user.role not in PERMISSIONS[route.permission]:  # type: ignore[index]
            continue
        if route.name in SKIP_ROUTES or route.name in OWN_LA_KEYED:
            continue
        values = FOREIGN_OBJECTS[route.name]() if route.args else {}
        if route.args and not values:
            continue
        paths.append(Route.path(route, values or {}))
    return paths


def crawl(user: User, *, max_pages: int = MAX_PAGES) -> Crawl:
    client = signed_in(user)
    result = Crawl(role=user.role)
    queue = scoped_pages(user) + start_pages(user)
    seen: set[str] = set()
    per_route: Counter[str] = Counter()
    not_crawled = ("/static/", reverse("admin:index"))  # the admin is AC-8's
    while queue and len(result.pages) < max_pages:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != "testserver":
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in seen or not parts.path.startswith("/") or parts.path.startswith(not_crawled):
            continue
        seen.add(path)
        route = _route_name(parts.path)
        if route is None or route in SKIP_ROUTES or per_route[route] >= MAX_PER_ROUTE:
            continue
        per_route[route] += 1
        result.urls.add(path)
        response = client.get(path, secure=True)  # over HTTPS, as in production (HSTS is sent only then)
        result.statuses[response.status_code] += 1
        result.responses.append((route, path, response.status_code, dict(response.headers.items())))
        if response.status_code in (301, 302, 303):
            location = response["Location"]
            result.urls.add(location)
            queue.append(urljoin(path, location))
            continue
        content_type = response.get("Content-Type", "")
        body = page_text(response)
        result.pages.append(Page(url=path, route=route, status=response.status_code, body=body))
        if "html" not in content_type:
            continue
        parser = _Links()
        parser.feed(body)
        for method, action, inputs in parser.forms:
            if action:
                result.urls.add(action)
            if method == "get":
                result.get_forms.append((path, action or path, inputs))
        for href in parser.links:
            absolute = urljoin(path, href)
            result.urls.add(absolute)
            queue.append(absolute)
    return result


_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_PDF_STRING = re.compile(rb"\(((?:\\.|[^\\)])*)\)", re.S)
_PDF_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)
_PDF_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def pdf_text(content: bytes) -> str:
    """The text a PDF shows (the service's PDFs are fpdf2's: core fonts, Latin-1 literal strings in Flate-compressed
    content streams; no PDF library is locked, so the streams are inflated with zlib and their strings read)."""
    import zlib

    def unescape(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        return bytes([int(code, 8) & 0xFF]) if code[:1].isdigit() else _PDF_ESCAPES.get(code, code)

    strings: list[str] = []
    for stream in _PDF_STREAM.findall(content):
        try:
            data = zlib.decompress(stream)
        except zlib.error:
            data = stream
        if b"BT" not in data:
            continue
        strings += [_PDF_ESCAPE.sub(unescape, s).decode("latin-1") for s in _PDF_STRING.findall(data)]
    return " ".join(" ".join(strings).split())


def xlsx_text(content: bytes) -> str:
    """The cells of a spreadsheet (the workbook's XML parts; not its properties, which carry the creation time)."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return "\n".join(book.read(name).decode("utf-8", "replace") for name in sorted(book.namelist())
                         if name.startswith("xl/") and name.endswith(".xml"))


def page_text(response: Any) -> str:
    """What a response shows: the text of a PDF, the cells of a spreadsheet, the body of anything else (streamed
    files are not read)."""
    if getattr(response, "streaming", False):
        return ""
    content_type = response.get("Content-Type", "")
    if content_type.startswith("application/pdf"):
        return pdf_text(response.content)
    if content_type.startswith("application/vnd.openxmlformats") and response.content[:2] == b"PK":
        return xlsx_text(response.content)
    return str(response.content.decode("utf-8", "replace"))


def found_tokens(text: str) -> set[str]:
    return {m.lower() for m in SENTINEL.findall(unquote(text))}


def tokens_in(text: str, tokens: dict[str, str]) -> set[str]:
    """The fields (app.Model.field) whose sentinel appears in `text`."""
    return {tokens[m] for m in found_tokens(text) if m in tokens}


def classes_of(fields: set[str]) -> Counter[DataClass]:
    out: Counter[DataClass] = Counter()
    for key in fields:
        label, name = key.rsplit(".", 1)
        out[INVENTORY[label].fields[name]] += 1
    return out


def world_in_rollback(django_db_blocker: Any) -> Iterator[World]:
    """Body of a module-scoped fixture: the world, built inside a transaction rolled back at the end."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield seed_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)

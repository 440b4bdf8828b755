"""Children in the JSON API: search (POST, so no personal data in URLs) and read one child, within scope."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Router, Schema
from ninja.errors import HttpError
from pydantic import StrictInt, StrictStr

from cme.api.base import require
from cme.api.routers import ApiDate
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children import restriction, selectors
from cme.children.models import Child
from cme.children.status import status_on

router = Router(tags=["children"])


class ChildSearchIn(Schema):
    upn: StrictStr = ""
    name: StrictStr = ""
    date_of_birth: ApiDate | None = None
    born_from: ApiDate | None = None
    born_to: ApiDate | None = None
    postcode: StrictStr = ""
    limit: StrictInt = 50


class ChildOut(Schema):
    id: int
    legal_forename: str
    legal_surname: str
    preferred_forename: str
    date_of_birth: dt.date
    sex: str
    upn: str
    postcode: str
    education_status: str
    current_school_laestab: str | None


class ChildSearchOut(Schema):
    count: int
    results: list[ChildOut]


def _out(child: Child, today: dt.date) -> ChildOut:
    current = next((e for e in child.enrolments.all() if e.start <= today and (e.end is None or e.end >= today)), None)
    return ChildOut(
        id=child.pk, legal_forename=child.legal_forename, legal_surname=child.legal_surname,
        preferred_forename=child.preferred_forename, date_of_birth=child.date_of_birth, sex=child.sex, upn=child.upn,
        postcode=child.current_postcode, education_status=status_on(selectors.child_facts(child), today).value,
        current_school_laestab=current.school.laestab if current else None,
    )


@router.post("/search", response=ChildSearchOut, summary="Search children within your scope",
             description="Restricted records (a child at risk of being traced) are left out of the results: find "
                         "and open them in the service, where a reason is asked for and logged.")
def search_children(request: HttpRequest, body: ChildSearchIn) -> ChildSearchOut:
    require(request, "child.search")
    query = selectors.ChildSearch(upn=body.upn, name=body.name, date_of_birth=body.date_of_birth,
                                  born_from=body.born_from, born_to=body.born_to, postcode=body.postcode)
    if query.is_empty:
        raise HttpError(422, "Give a UPN, a name, a date of birth or a postcode.")
    hits = selectors.child_search(user=request.user, search=query, limit=max(1, min(body.limit, 200)))  # type: ignore[arg-type]
    Auditor.from_request(request).record(AuditEvent.Action.SEARCH, object_type="children.child",
                                         summary=f"API search, {len(hits)} results")
    today = timezone.localdate()
    # A restricted record (DP-6) is not given to machines: no name, and no flag that would say the child is at risk;
    # it is found and opened, with a reason, in the service.
    shown = [hit.child for hit in hits if not restriction.needs_reason(request, hit.child)]
    return ChildSearchOut(count=len(shown), results=[_out(child, today) for child in shown])


@router.get("/{child_id}", response=ChildOut, summary="Read one child within your scope")
def read_child(request: HttpRequest, child_id: int, reason: str | None = Header(
        None, alias=restriction.API_HEADER, min_length=restriction.MIN_API_REASON, max_length=500,
        description="Why you need a restricted child's record (logged and reported). Without it a restricted record "
                    "is refused with 403 reason_required.")) -> ChildOut:
    require(request, "child.view")
    child = selectors.child_detail(user=request.user, pk=child_id)  # type: ignore[arg-type]
    restriction.require_reason(request, child)  # DP-6: 403 unless the X-CME-Access-Reason header gives one
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, child, child_id=child.pk, summary="API read")
    return _out(child, timezone.localdate())

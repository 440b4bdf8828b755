"""Cases in the JSON API: list (paginated) and read one case with its status history, within the user's scope."""


import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from cme.api.base import require
from cme.api.routers import Pagination
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.cases import selectors
from cme.cases.models import Case, CaseStatusChoice

router = Router(tags=["cases"])


class CaseStatusOut(Schema):
    status: str
    at: dt.datetime
    by: str
    reason: str


class CaseOut(Schema):
    id: int
    reference: str
    child_id: int
    case_type: str
    status: str
    status_label: str
    priority: int
    opened_on: dt.date
    allocated_to: str | None
    closed_at: dt.datetime | None
    closure_outcome: str

    @staticmethod
    def resolve_status_label(case: Case) -> str:
        return case.get_status_display()

    @staticmethod
    def resolve_allocated_to(case: Case) -> str | None:
        return case.allocated_to.full_name if case.allocated_to else None


class CaseDetailOut(CaseOut):
    history: list[CaseStatusOut]

    @staticmethod
    def resolve_history(case: Case) -> list[CaseStatusOut]:
        return [CaseStatusOut(status=row.status, at=row.at, by=row.by_label, reason=row.reason)
                for row in case.status_history.order_by("at", "id")]


class CaseListQuery(Schema):
    status: CaseStatusChoice | None = None
    open: bool | None = None


@router.get("", response=list[CaseOut], summary="List cases within your scope")
@paginate(Pagination)
def list_cases(request: HttpRequest, filters: Query[CaseListQuery]) -> QuerySet[Case]:
    require(request, "case.view")
    cases = Case.objects.for_user(request.user).select_related("allocated_to")  # type: ignore[arg-type]
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.open is True:
        cases = cases.open()
    elif filters.open is False:
        cases = cases.closed()
    Auditor.from_request(request).record(AuditEvent.Action.SEARCH, object_type="cases.case", summary="API case list")
    return cases.order_by("-opened_at", "-pk")


@router.get("/{case_id}", response=CaseDetailOut, summary="Read one case and its status history")
def read_case(request: HttpRequest, case_id: int) -> Case:
    require(request, "case.view")
    case = selectors.case_get(user=request.user, pk=case_id)  # type: ignore[arg-type]
    Auditor.from_request(request).record(AuditEvent.Action.VIEW, case, child_id=case.child_id, summary="API read")
    return case

"""Reports in the JSON API: the same KPI figures and tables as the dashboard (cme.reports.kpis), suppressed for
aggregate-only roles exactly as on the page."""


import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from cme.api.base import require
from cme.api.routers import ApiDate
from cme.reports import selectors

router = Router(tags=["reports"])


class ReportQuery(Schema):
    date_from: ApiDate | None = None
    date_to: ApiDate | None = None
    school_id: int | None = Field(None, ge=1, le=2**63 - 1)  # a database id (a larger one gave a 500 on SQLite)


class FigureOut(Schema):
    key: str
    label: str
    value: float | None
    definition: str


class RowOut(Schema):
    label: str
    values: list[int | None]


class TableOut(Schema):
    key: str
    title: str
    label_header: str
    columns: list[str]
    rows: list[RowOut]
    totals: list[int | None]
    suppressed: bool
    note: str


class ReportOut(Schema):
    start: dt.date
    end: dt.date
    today: dt.date
    aggregate_only: bool
    figures: list[FigureOut]
    tables: list[TableOut]


@router.get("/kpis", response=ReportOut, summary="Read the KPI figures and report tables")
def read_kpis(request: HttpRequest, filters: Query[ReportQuery]) -> ReportOut:
    require(request, "reports.aggregate")
    report = selectors.dashboard(user=request.user, filters=selectors.ReportFilter(  # type: ignore[arg-type]
        date_from=filters.date_from, date_to=filters.date_to, school_id=filters.school_id))
    return ReportOut(
        start=report.start, end=report.end, today=report.today, aggregate_only=report.aggregate_only,
        figures=[FigureOut(key=f.key, label=f.label, value=f.value, definition=f.definition) for f in report.figures],
        tables=[TableOut(key=t.key, title=t.title, label_header=t.label_header, columns=t.columns,
                         rows=[RowOut(label=label, values=values) for label, values in t.rows], totals=t.totals,
                         suppressed=t.suppressed, note=t.note) for t in report.tables],
    )

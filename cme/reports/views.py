"""Reporting pages: the dashboard (charts with tables), report downloads, the children missing education list.

Thin: parse the filters, call a selector, render. Exports are audited (AuditEvent action export).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cme.accounts.policy import has_permission, permission_required
from cme.accounts.reauth import reauth_required
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children import restriction
from cme.core.exports import FORMATS, export_response
from cme.reports import charts, selectors, suppression
from cme.reports.forms import ReportFilterForm

PAGE_SIZE = 50


def _filters(request: HttpRequest) -> tuple[ReportFilterForm, selectors.ReportFilter]:
    schools = [(s.pk, s.name) for s in selectors.schools_for_filter(user=request.user)]  # type: ignore[arg-type]
    form = ReportFilterForm(request.GET or None, schools=schools)
    return form, form.report_filter()


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Http404("Unknown format")


@permission_required("reports.aggregate")
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    report = selectors.dashboard(user=request.user, filters=filters)  # type: ignore[arg-type]
    return render(request, "reports/dashboard.html", {
        "title": "Reports", "form": form, "report": report, "chart_for": charts.chart_for,
        "query": request.GET.urlencode(), "explanation": suppression.EXPLANATION,
        "can_see_personal": has_permission(request.user, "reports.export_personal"),
    })


@permission_required("reports.aggregate")
@require_GET
def table_export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    _check_format(fmt)
    _, filters = _filters(request)
    report = selectors.dashboard(user=request.user, filters=filters)  # type: ignore[arg-type]
    if key == "figures":
        columns: list[str] = ["Measure", "Value"]
        rows: list[list[Any]] = [[f.label, "*" if f.value is None and f.display == "1–5" else f.value]
                                 for f in report.figures]
    else:
        table = next((t for t in report.tables if t.key == key), None)
        if table is None:
            raise Http404("No such report")
        columns = [table.label_header, *table.columns]
        rows = [*table.as_rows(), ["Total", *("*" if t is None else t for t in table.totals)]]
    Auditor.from_request(request).record(AuditEvent.Action.EXPORT, object_type="reports.report", object_id=key,
                                         summary=f"report export {key} ({fmt}), {report.start} to {report.end}",
                                         changes={"filters": request.GET.urlencode()})
    return export_response(rows, columns, f"{key}-{report.today:%Y-%m-%d}", fmt)


@permission_required("reports.export_personal")
@require_GET
def cme_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    cases = selectors.cme_list(user=request.user, filters=filters)  # type: ignore[arg-type]
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    Auditor.from_request(request).record_many(AuditEvent.Action.VIEW, page.object_list, child_id_attr="child_id",
                                              summary="children missing education report")
    return render(request, "reports/cme_list.html", {
        "title": "Children missing education", "form": form, "page": page, "query": request.GET.urlencode(),
        "today": timezone.localdate(),
    })


@permission_required("reports.export_personal")
@reauth_required()
@require_GET
def cme_list_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _check_format(fmt)
    _, filters = _filters(request)
    today = timezone.localdate()
    rows = selectors.cme_list_rows(selectors.cme_list(user=request.user, filters=filters),  # type: ignore[arg-type]
                                   today=today, masked=restriction.masker(request))
    Auditor.from_request(request).record(AuditEvent.Action.EXPORT, object_type="cases.case",
                                         summary=f"children missing education export ({fmt}): {len(rows)} rows",
                                         changes={"filters": request.GET.urlencode()})
    return export_response(rows, selectors.CME_LIST_COLUMNS, f"children-missing-education-{today:%Y-%m-%d}", fmt)

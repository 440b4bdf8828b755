"""The dashboard renders every chart with its table; filters; exports (audited, formula injection neutralised,
suppressed for aggregate-only roles); the personal-data list for casework roles only; a fixed query budget."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.cases.models import Case
from cme.children.models import Child
from cme.reports.tests.helpers import build_caseload

TABLE_KEYS = ["open_cases_by_stage", "open_cases_by_age", "referrals_by_source", "referrals_per_week",
              "cme_by_nc_year", "cme_by_key_stage", "cme_by_risk_group", "cme_by_district", "outcomes",
              "time_to_locate"]


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def caseload(officer: User) -> list[Case]:
    return build_caseload(officer, n=7)


def test_the_dashboard_shows_each_chart_with_its_table(caseload: list[Case], manager: User, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(manager).get(reverse("reports:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    for key in TABLE_KEYS:
        assert f'id="table-{key}"' in html, key
        assert '<svg xmlns="http://www.w3.org/2000/svg" class="cme-chart" role="img"' in html
        assert f'aria-labelledby="chart-{key}-title chart-{key}-desc"' in html, key
    assert 'data-key="open_cases">7<' in html
    assert "style=" not in html.split("<main", 1)[1]  # CSP: no inline styles


def test_chart_labels_are_escaped(manager: User, client_for) -> None:  # type: ignore[no-untyped-def]
    from cme.reports.charts import bar_chart
    from cme.reports.kpis import Table

    svg = str(bar_chart(Table("x", "<b>T</b>", "G", ["N"], [("<script>alert(1)</script>", [3])])))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_the_date_filter_is_validated(manager: User, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(manager).get(reverse("reports:dashboard"), {
        "date_from-day": "10", "date_from-month": "11", "date_from-year": "2026",
        "date_to-day": "1", "date_to-month": "11", "date_to-year": "2026"})
    assert response.status_code == 200
    assert "The end date must be the same as or after the start date" in response.content.decode()


@pytest.mark.parametrize("persona", ["partner_user", "school_user", "panel_member"])
def test_roles_without_reports_get_403(persona: str, request, client_for) -> None:  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("reports:dashboard")).status_code == 403
    assert client_for(user).get(reverse("reports:table-export", args=["outcomes", "csv"])).status_code == 403


def test_an_outsider_sees_only_their_own_las_figures(caseload: list[Case], outsider: User, client_for) -> None:  # type: ignore[no-untyped-def]
    html = client_for(outsider).get(reverse("reports:dashboard")).content.decode()
    assert 'data-key="open_cases">0<' in html
    list_page = client_for(outsider).get(reverse("reports:cme-list")).content.decode()
    assert caseload[0].child.legal_surname not in list_page and "No children." in list_page


def test_the_read_only_manager_sees_suppressed_counts_and_no_personal_list(caseload: list[Case],
                                                                             readonly_manager: User,
                                                                             client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(readonly_manager)
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert "1–5" in html and "rounded to the nearest 5" in html
    assert client.get(reverse("reports:cme-list")).status_code == 403
    assert client.get(reverse("reports:cme-list-export", args=["csv"])).status_code == 403
    rows = _csv(client.get(reverse("reports:table-export", args=["open_cases_by_stage", "csv"])))
    assert ["Open", "*"] in rows and ["Total", "5"] in rows


def test_report_exports_are_csv_and_excel_and_audited(caseload: list[Case], manager: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(manager)
    response = client.get(reverse("reports:table-export", args=["open_cases_by_stage", "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    assert ["Total", "7"] in _csv(response)
    xlsx = client.get(reverse("reports:table-export", args=["figures", "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="reports.report").count() == 2
    assert client.get(reverse("reports:table-export", args=["nonsense", "csv"])).status_code == 404
    assert client.get(reverse("reports:table-export", args=["outcomes", "pdf"])).status_code == 404


def test_the_personal_list_export_neutralises_formulas_and_is_audited(caseload: list[Case], manager: User,
                                                                       client_for) -> None:  # type: ignore[no-untyped-def]
    Child.objects.filter(pk=caseload[0].child_id).update(legal_surname="=HYPERLINK(\"http://x\")")
    client = client_for(manager)
    page = client.get(reverse("reports:cme-list"))
    assert page.status_code == 200 and "7 children" in page.content.decode()
    rows = _csv(client.get(reverse("reports:cme-list-export", args=["csv"])))
    assert len(rows) == 8
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="cases.case").exists()


def test_the_dashboard_runs_a_fixed_number_of_queries(officer: User, manager: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(manager)
    build_caseload(officer, n=3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("reports:dashboard")).status_code == 200
    build_caseload(officer, n=12, start=3)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("reports:dashboard")).status_code == 200
    assert len(small) == len(large)


def test_the_personal_list_runs_a_fixed_number_of_queries(officer: User, manager: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(manager)
    build_caseload(officer, n=2)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("reports:cme-list"))
    build_caseload(officer, n=6, start=2)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("reports:cme-list"))
    assert len(small) == len(large)

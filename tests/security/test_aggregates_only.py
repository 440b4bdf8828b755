"""AC-7 (SECURITY-PLAN; UK GDPR Art 5(1)(c), 25): the aggregate-only role gets suppressed aggregates only.

The read-only manager (accounts.policy: scope "none", "reports.aggregate" and "school.list" only) opens the
reports dashboard, downloads every report table and the headline figures as CSV, reads the reports API and the
school list. In all of them: no child's name, UPN or postcode; every count is 0, suppressed ("1–5", "*" or null)
or at least 6 (cme.core.suppression.LOWEST_SHOWN); a table with a suppressed cell has its totals rounded to 5.
The same data seen by an attendance manager does hold counts of 1 to 5, so the checks can fail.
Run with `-s` for the figures.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cme.accounts.models import User
from cme.api.services import api_token_issue
from cme.audit.services import Auditor
from cme.cases.models import Case
from cme.children.models import Child, School
from cme.children.tests.factories import EnrolmentFactory
from cme.core.suppression import LOWEST_SHOWN
from cme.reports import selectors
from cme.reports.tests.helpers import build_caseload

SUPPRESSED = {"*", "1–5", None}
MEASURES_NOT_COUNTS = {"median_days_to_locate", "percent_located_in_time"}  # medians, percentages


@pytest.fixture
def data(officer: User, school: School, other_school: School) -> list[Case]:
    cases = build_caseload(officer, n=20)
    children = [c.child for c in cases]
    for child in children[:3]:
        EnrolmentFactory(child=child, school=school, end=None)
    for child in children[3:10]:
        EnrolmentFactory(child=child, school=other_school, end=None)
    return cases


def _identifiers(la_id: int) -> set[str]:
    values: set[str] = set()
    for row in Child.objects.filter(local_authority_id=la_id).values("legal_forename", "legal_surname", "upn",
                                                                      "current_postcode"):
        values |= {v for v in row.values() if v and len(v) >= 4}
    return values


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


class Cells:
    """Counts seen by one role: how many, how many unsuppressed, the smallest unsuppressed positive one."""

    def __init__(self) -> None:
        self.checked = 0
        self.small: list[str] = []
        self.positive: list[int] = []

    def add(self, where: str, value: Any) -> None:
        self.checked += 1
        if value in SUPPRESSED or value == "":
            return
        number = int(float(value))
        if number > 0:
            self.positive.append(number)
        if 0 < number < LOWEST_SHOWN:
            self.small.append(f"{where}={value}")


def _report_cells(client: Client, user: User, headers: dict[str, str]) -> tuple[Cells, list[str]]:
    """Every count of the table exports, the figures export and the reports API, and any table whose totals are not
    rounded although a cell is suppressed."""
    cells = Cells()
    unrounded: list[str] = []
    tables = selectors.dashboard(user=user).tables
    for table in tables:
        rows = _csv(client.get(reverse("reports:table-export", args=[table.key, "csv"])).content)
        body = rows[1:]
        for row in body:
            for value in row[1:]:
                cells.add(table.key, value)
        if any(v == "*" for row in body for v in row[1:]) and any(
                v not in SUPPRESSED and int(v) % 5 for v in body[-1][1:]):
            unrounded.append(table.key)
    figures = _csv(client.get(reverse("reports:table-export", args=["figures", "csv"])).content)[1:]
    report = selectors.dashboard(user=user)
    count_labels = {f.label for f in report.figures if f.key not in MEASURES_NOT_COUNTS}
    for label, value in figures:
        if label in count_labels:
            cells.add(f"figure {label}", value)
    api = client.get("/api/v1/reports/kpis", **headers).json()
    for figure in api["figures"]:
        if figure["key"] not in MEASURES_NOT_COUNTS:
            cells.add(f"api {figure['key']}", figure["value"])
    for table in api["tables"]:
        for row in table["rows"]:
            for value in row["values"]:
                cells.add(f"api {table['key']}", value)
        for value in table["totals"]:
            cells.add(f"api {table['key']} total", value)
        if table["suppressed"] and any(t is not None and t % 5 for t in table["totals"]):
            unrounded.append(f"api {table['key']}")
    return cells, unrounded


def _bearer(user: User, admin: User) -> dict[str, str]:
    _, token = api_token_issue(actor=Auditor.for_user(admin), created_by=admin, service_account=user, name="AC-7")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_ac7_the_read_only_manager_gets_only_suppressed_aggregates(data: list[Case], readonly_manager: User,
                                                                   manager: User, la_admin: User,
                                                                   client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(readonly_manager)
    identifiers = _identifiers(readonly_manager.local_authority_id)
    bodies: dict[str, str] = {}
    for name in ("core:home", "reports:dashboard", "children:school-list"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        bodies[name] = response.content.decode()
    cells, unrounded = _report_cells(client, readonly_manager, _bearer(readonly_manager, la_admin))
    # the school list: rolls of 3 and 7 -> "1–5" and 7
    rolls = re.findall(r'govuk-table__cell--numeric">([^<]*)<', bodies["children:school-list"])
    for roll in rolls:
        cells.add("school roll", None if roll == "1–5" else roll.replace(",", ""))
    assert "1–5" in rolls and "7" in rolls
    found = [(name, value) for name, body in bodies.items() for value in identifiers if value in body]
    personal = {name: client.get(reverse(name, args=args)).status_code for name, args in
                [("reports:cme-list", []), ("reports:cme-list-export", ["csv"]), ("children:search", [])]}
    print(f"\nAC-7: read-only manager: {cells.checked} counts checked (tables, figures, API, school rolls); "
          f"min unsuppressed positive count {min(cells.positive)}; counts 1-5 shown {len(cells.small)}; "
          f"identifiers {len(found)} (of {len(identifiers)} names/UPNs/postcodes); tables not rounded "
          f"{len(unrounded)}; personal pages {personal}")
    assert cells.small == []
    assert min(cells.positive) >= LOWEST_SHOWN
    assert unrounded == []
    assert found == []
    assert set(personal.values()) == {403}
    # The same data for a role with personal access does hold small counts: the check above can fail.
    manager_cells, _ = _report_cells(client_for(manager), manager, _bearer(manager, la_admin))
    assert manager_cells.small


def test_ac7_the_api_report_holds_no_field_but_the_aggregate_ones(data: list[Case], readonly_manager: User,
                                                                 la_admin: User) -> None:
    report = Client().get("/api/v1/reports/kpis", **_bearer(readonly_manager, la_admin)).json()
    assert report["aggregate_only"] is True
    assert set(report) == {"start", "end", "today", "aggregate_only", "figures", "tables"}
    assert {k for f in report["figures"] for k in f} == {"key", "label", "value", "definition"}
    assert {k for t in report["tables"] for k in t} == {"key", "title", "label_header", "columns", "rows", "totals",
                                                        "suppressed", "note"}
    assert {k for t in report["tables"] for r in t["rows"] for k in r} == {"label", "values"}

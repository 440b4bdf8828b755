"""The feeds pages: run list, run report, upload, rule settings; scope (404), roles (403), query counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cme.accounts.models import User
from cme.audit.services import Auditor
from cme.core.models import LocalAuthority
from cme.feeds.models import DetectionRule, FeedRun, FeedSource
from cme.feeds.services import ReceivedFile, feed_run_execute, lock_acquire, lock_release
from cme.feeds.tests.factories import ColumnMappingFactory, FeedSourceFactory, csv_bytes
from cme.law import nhs_number

Clients = Callable[[User], Client]
ON = dt.date(2026, 11, 27)


def extract(rows: int, bad: int = 0) -> bytes:
    numbers = nhs_number.generate(rows, seed=9)
    body = [[f"GP{i}", numbers[i], "Amelia", f"Thompson{i}", "14/05/2016"] for i in range(rows)]
    body += [[f"BAD{i}", "", "Amelia", "Thompson", "31/02/2016"] for i in range(bad)]
    return csv_bytes([["Patient ID", "NHS Number", "Forename", "Surname", "DOB"], *body])


def a_run(la: LocalAuthority, rows: int = 3, bad: int = 1) -> FeedRun:
    source = FeedSourceFactory(local_authority=la, source="health")
    return feed_run_execute(actor=Auditor.system("tests"), source=source, on=ON,
                            files=[ReceivedFile("gp.csv", extract(rows, bad))])


def test_the_run_list_shows_runs_with_their_counts(client_for: Clients, officer: User) -> None:
    run = a_run(officer.local_authority)
    html = client_for(officer).get(reverse("feeds:run-list")).content.decode()
    assert run.source.name in html and "Imported" in html
    assert reverse("feeds:run-detail", args=[run.pk]) in html


def test_the_run_report_shows_files_checksums_and_rejected_rows(client_for: Clients, officer: User) -> None:
    run = a_run(officer.local_authority)
    html = client_for(officer).get(reverse("feeds:run-detail", args=[run.pk])).content.decode()
    sha = run.files.get().sha256
    assert sha[:16] in html and "gp.csv" in html
    assert "date of birth: &#39;31/02/2016&#39; is not a date we can read" in html
    assert "BAD0" in html


@pytest.mark.parametrize("url_name", ["feeds:run-list", "feeds:run-detail"])
def test_query_counts_do_not_grow_with_rows(client_for: Clients, officer: User, url_name: str) -> None:
    client = client_for(officer)
    counts = []
    for rows, bad in ((2, 1), (20, 9)):
        run = a_run(officer.local_authority, rows, bad)
        args = [run.pk] if url_name == "feeds:run-detail" else []
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(url_name, args=args)).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_another_las_run_is_not_found(client_for: Clients, officer: User, outsider: User) -> None:
    run = a_run(officer.local_authority)
    assert client_for(outsider).get(reverse("feeds:run-detail", args=[run.pk])).status_code == 404
    assert run.source.name not in client_for(outsider).get(reverse("feeds:run-list")).content.decode()


@pytest.mark.parametrize("persona", ["school_user", "partner_user", "readonly_manager", "panel_member"])
def test_roles_without_feeds_access_are_refused(request: pytest.FixtureRequest, client_for: Clients,
                                                officer: User, persona: str) -> None:
    run = a_run(officer.local_authority)
    client = client_for(request.getfixturevalue(persona))
    for url in (reverse("feeds:run-list"), reverse("feeds:run-detail", args=[run.pk]), reverse("feeds:upload"),
                reverse("feeds:rule-list")):
        assert client.get(url).status_code == 403


def test_an_officer_may_look_but_not_upload_or_change_rules(client_for: Clients, officer: User) -> None:
    client = client_for(officer)
    assert client.get(reverse("feeds:upload")).status_code == 403
    assert client.get(reverse("feeds:rule-list")).status_code == 200
    assert client.get(reverse("feeds:rule-edit", args=["left_no_destination"])).status_code == 403


def test_a_manager_uploads_an_extract_with_a_mapping_profile(client_for: Clients, manager: User) -> None:
    la = manager.local_authority
    mapping = ColumnMappingFactory(local_authority=la, source="health", columns={
        "Ref": "source_record_id", "Given": "forename", "Family": "surname", "Born": "date_of_birth"})
    data = csv_bytes([["Ref", "Given", "Family", "Born"], ["X1", "Amelia", "Thompson", "14/05/2016"]])
    client = client_for(manager)
    assert "Upload a partner extract" in client.get(reverse("feeds:upload")).content.decode()
    response = client.post(reverse("feeds:upload"), {
        "source": "health", "mapping": str(mapping.pk), "file": SimpleUploadedFile("gp.csv", data)})
    run = FeedRun.objects.get()
    assert response["Location"] == reverse("feeds:run-detail", args=[run.pk])
    assert (run.status, run.accepted, run.source.mapping) == ("succeeded", 1, mapping)
    again = client.post(reverse("feeds:upload"), {
        "source": "health", "mapping": str(mapping.pk), "file": SimpleUploadedFile("gp.csv", data)})
    assert FeedRun.objects.order_by("-pk").first().skipped_files == 1  # type: ignore[union-attr]
    assert again.status_code == 302


def test_the_upload_form_explains_its_errors(client_for: Clients, manager: User, outsider: User) -> None:
    other = ColumnMappingFactory(local_authority=outsider.local_authority, source="health")
    client = client_for(manager)
    html = client.post(reverse("feeds:upload"), {"mapping": str(other.pk)}).content.decode()
    assert "Select what is in the file" in html and "Select a file" in html
    wrong = ColumnMappingFactory(local_authority=manager.local_authority, source="hmrc_child_benefit")
    html = client.post(reverse("feeds:upload"), {"source": "health", "mapping": str(wrong.pk),
                                                 "file": SimpleUploadedFile("x.csv", b"a")}).content.decode()
    assert "That profile is for a different kind of extract" in html


def test_an_upload_during_the_daily_run_is_refused_politely(client_for: Clients, manager: User) -> None:
    assert lock_acquire(holder="daily")
    try:
        html = client_for(manager).post(reverse("feeds:upload"), {
            "source": "health", "file": SimpleUploadedFile("gp.csv", extract(1))}).content.decode()
    finally:
        lock_release(holder="daily")
    assert "The daily run is importing data now" in html
    assert not FeedRun.objects.exists()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("gp.csv", b"%PDF-1.7\n1 0 obj\n", "must be a CSV file: its name ends .csv but it is a PDF"),
    ("gp.xlsx", b"Patient ID,Forename\n", "must be an Excel workbook: its name ends .xlsx but it is text"),
    ("gp.pdf", b"%PDF-1.7\n", "must be a CSV file, a plain text file or an Excel workbook"),
], ids=["pdf-named-csv", "text-named-xlsx", "pdf"])
def test_a_renamed_file_is_refused_before_any_run(client_for: Clients, manager: User, name: str, data: bytes,
                                                  message: str) -> None:
    html = client_for(manager).post(reverse("feeds:upload"), {
        "source": "health", "file": SimpleUploadedFile(name, data)}).content.decode()
    assert message in html
    assert not FeedRun.objects.exists()


def test_a_malformed_upload_shows_the_failure_and_the_rejected_rows(client_for: Clients, manager: User) -> None:
    client = client_for(manager)
    response = client.post(reverse("feeds:upload"), {"source": "health",
                                                     "file": SimpleUploadedFile("gp.csv", extract(1, 3))})
    html = client.get(response["Location"]).content.decode()
    assert "Nothing from this run was imported" in html and "3 of 4 rows were rejected" in html
    assert "BAD2" in html


def test_rule_settings_are_listed_and_a_manager_changes_them(client_for: Clients, manager: User) -> None:
    client = client_for(manager)
    html = client.get(reverse("feeds:rule-list")).content.decode()
    assert "Left a school roll with no known destination" in html and "R2.4, R2.7, R7.2" in html
    url = reverse("feeds:rule-edit", args=["never_accessed_education"])
    assert "Min sources" in client.get(url).content.decode()
    response = client.post(url, {"enabled": "", "p_min_sources": "1", "p_only_current_records": "on",
                                 "p_use_residence_records": "on", "p_sources": "health, dwp"})
    assert response.status_code == 302
    rule = DetectionRule.objects.get(local_authority=manager.local_authority, code="never_accessed_education")
    assert rule.enabled is False
    assert rule.parameters == {"min_sources": 1, "only_current_records": True, "use_residence_records": True,
                               "sources": ["health", "dwp"]}
    bad = client.post(url, {"enabled": "on", "p_min_sources": "lots"})
    assert bad.status_code == 200 and "Enter a whole number" in bad.content.decode()


def test_another_las_rule_is_not_found(client_for: Clients, la_admin: User, outsider: User) -> None:
    client_for(outsider).get(reverse("feeds:rule-list"))  # creates the outsider LA's rules
    assert client_for(la_admin).get(reverse("feeds:rule-edit", args=["no_such_rule"])).status_code == 404


def test_feed_sources_are_kept_per_la(officer: User, outsider: User) -> None:
    a_run(officer.local_authority)
    assert FeedSource.objects.filter(local_authority=outsider.local_authority).count() == 0

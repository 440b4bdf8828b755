"""Case pages in the browser: caseload, case page, each closure outcome run end to end, blocked closures naming the
failed guard, the optimistic lock, tasks, chronology and documents; scope (404) and role (403) for every page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertInHTML

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.cases import services
from cme.cases.models import Case, CaseStatusChoice, CTFFile, Document, Task
from cme.cases.tests.factories import open_case
from cme.children.models import EducationOtherwise
from cme.children.tests.factories import ChildFactory, RiskFlagFactory

S = CaseStatusChoice
TODAY = timezone.localdate


def date_fields(name: str, day: dt.date) -> dict[str, int]:
    return {f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year}


def step(client, case: Case, to: str) -> None:  # type: ignore[no-untyped-def]
    case.refresh_from_db()
    response = client.post(reverse("cases:transition", args=[case.pk]), {"to": to, "version": case.version})
    assert response.status_code == 302, response.content.decode()[:2000]


def close(client, case: Case, **fields):  # type: ignore[no-untyped-def]
    case.refresh_from_db()
    return client.post(reverse("cases:close", args=[case.pk]), {"version": case.version, **fields})


# --- Caseload ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["mine", "team", "unallocated", "overdue", "closed"])
def test_caseload_query_count_does_not_grow_with_rows(client_for, manager: User, view: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(manager)
    url = reverse("cases:list") + f"?view={view}"
    open_case(user=manager, allocated_to=manager)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for _ in range(12):
        case = open_case(user=manager, allocated_to=manager)
        RiskFlagFactory(child=case.child)
    with CaptureQueriesContext(connection) as big:
        assert client.get(url).status_code == 200
    assert len(small.captured_queries) == len(big.captured_queries)


def test_caseload_views_and_filters(client_for, officer: User, manager: User) -> None:  # type: ignore[no-untyped-def]
    mine = open_case(user=officer, allocated_to=officer, child=ChildFactory(local_authority=officer.local_authority,
                                                                            legal_forename="Mine"))
    open_case(user=officer, child=ChildFactory(local_authority=officer.local_authority, legal_forename="Nobodys"))
    client = client_for(officer)
    html = client.get(reverse("cases:list")).content.decode()
    assert "Mine Thompson" in html and "Nobodys" not in html
    html = client.get(reverse("cases:list") + "?view=unallocated").content.decode()
    assert "Nobodys Thompson" in html and "Mine Thompson" not in html
    html = client.get(reverse("cases:list") + "?view=team&status=enquiries").content.decode()
    assert "No cases." in html
    services.case_transition(actor=Auditor.for_user(officer), user=officer, case=mine, to=S.ENQUIRIES)
    html = client.get(reverse("cases:list") + "?view=team&status=enquiries").content.decode()
    assert "Mine Thompson" in html


@pytest.mark.parametrize("persona", ["school_user", "partner_user", "readonly_manager", "panel_member", "la_admin"])
def test_roles_without_case_view_get_403(request: pytest.FixtureRequest, client_for, officer: User,  # type: ignore[no-untyped-def]
                                         persona: str) -> None:
    case = open_case(user=officer)
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("cases:list")).status_code == 403
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 403


def test_outsider_gets_404_on_every_case_page(client_for, officer: User, outsider: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer)
    enquiry = case.enquiries.first()
    client = client_for(outsider)
    for name in ("cases:detail", "cases:edit", "cases:contact-new", "cases:document-new",
                 "cases:task-new", "cases:transfer-new"):
        assert client.get(reverse(name, args=[case.pk])).status_code == 404, name
    for name in ("cases:transition", "cases:close", "cases:note-add", "cases:ctf-generate"):
        assert client.post(reverse(name, args=[case.pk]), {"version": 1, "to": "enquiries"}).status_code == 404, name
    assert client.get(reverse("cases:enquiry", args=[enquiry.pk])).status_code == 404
    assert client.get(reverse("cases:open", args=[case.child_id])).status_code == 404
    assert "No cases." in client.get(reverse("cases:list") + "?view=team").content.decode()


def test_case_page_shows_status_checklist_and_is_audited(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer, summary="Ground I deletion")
    response = client_for(officer).get(reverse("cases:detail", args=[case.pk]))
    html = response.content.decode()
    for text in (case.reference, "Amelia Thompson", "Start enquiries", "Home visit", "Reasonable enquiries",
                 "Ground I deletion", "Status history"):
        assert text in html
    assert AuditEvent.objects.filter(action="view", child_id=case.child_id, summary="case page").exists()


def test_case_page_query_count_does_not_grow_with_the_case(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(officer)
    counts = []
    for extra in (1, 8):
        case = open_case(user=officer)
        for n in range(extra):
            services.note_add(actor=Auditor.for_user(officer), user=officer, case=case, text=f"note {n}")
            services.task_create(actor=Auditor.for_user(officer), local_authority_id=case.local_authority_id,
                                 case=case, title=f"task {n}", due=TODAY(), assignee=officer)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# --- Each closure outcome, end to end in the browser -------------------------------------------------------------


def test_open_to_on_roll_in_the_browser(client_for, officer: User, school) -> None:  # type: ignore[no-untyped-def]
    child = ChildFactory(local_authority=officer.local_authority)
    client = client_for(officer)
    response = client.post(reverse("cases:open", args=[child.pk]), {"case_type": "whereabouts_unknown",
                                                                     "summary": "Deletion return, ground I"})
    case = Case.objects.get(child=child)
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    step(client, case, S.ENQUIRIES)
    step(client, case, S.LOCATED)
    response = close(client, case, outcome="on_roll", school_where="in_la", school=school.pk,
                     confirmed_by="Admissions", **date_fields("start_date", TODAY()))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.CLOSED and case.closure_school == school
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f"On roll at {school.name}" in html


def test_a_blocked_closure_names_the_failed_guard_in_an_error_summary(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer)
    client = client_for(officer)
    step(client, case, S.ENQUIRIES)
    step(client, case, S.NOT_LOCATED)
    response = close(client, case, outcome="not_located")
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "The case has not been reviewed at the multi-agency panel." in html
    assert "Enquiry not done or marked not applicable with a reason: Home visit." in html
    assert "Generate the child&#39;s lost-pupil CTF (destination XXXXXXX)." in html
    case.refresh_from_db()
    assert case.status == S.NOT_LOCATED


def test_closing_from_the_wrong_status_says_so(client_for, officer: User, school) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer)
    response = close(client_for(officer), case, outcome="on_roll", school_where="in_la", school=school.pk,
                     confirmed_by="x", **date_fields("start_date", TODAY()))
    assert response.status_code == 400
    assert "Record the child as located before closing the case as on roll." in response.content.decode()


def test_open_to_ehe_suitable_in_the_browser(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer)
    client = client_for(officer)
    step(client, case, S.ENQUIRIES)
    step(client, case, S.LOCATED)
    blocked = close(client, case, outcome="ehe_suitable", confirmed_by="EHE adviser")
    assert "has not confirmed that the child&#39;s home education appears suitable" in blocked.content.decode()
    EducationOtherwise.objects.create(child=case.child, kind="ehe", start=TODAY(), suitability="suitable")
    assert close(client, case, outcome="ehe_suitable", confirmed_by="EHE adviser").status_code == 302
    case.refresh_from_db()
    assert case.closure_outcome == "ehe_suitable"


def test_open_to_not_located_in_the_browser(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer)
    client = client_for(officer)
    step(client, case, S.ENQUIRIES)
    for index, enquiry in enumerate(case.enquiries.all()):
        url = reverse("cases:enquiry", args=[enquiry.pk])
        if index % 4 == 0:
            response = client.post(url, {"action": "not_applicable", "reason": "Does not apply to this family"})
        else:
            response = client.post(url, {"action": "record", "method": "phone", "person": "Office",
                                         "outcome": "Not known", **date_fields("done_on", TODAY())})
        assert response.status_code == 302, response.content.decode()[:3000]
    step(client, case, S.NOT_LOCATED)
    services.case_panel_review_record(actor=Auditor.for_user(officer), case=case, decided_on=TODAY(),
                                      outcome_label="Agree to close as not located")
    client.post(reverse("cases:ctf-generate", args=[case.pk]))
    ctf = CTFFile.objects.get(case=case)
    assert close(client, case, outcome="not_located").status_code == 400  # not uploaded to S2S yet
    client.post(reverse("cases:ctf-s2s", args=[ctf.pk]), date_fields("uploaded_on", TODAY()))
    assert close(client, case, outcome="not_located", note="Exhausted").status_code == 302
    case.refresh_from_db()
    assert case.closure_outcome == "not_located"


def test_open_to_moved_la_in_the_browser(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer)
    client = client_for(officer)
    step(client, case, S.ENQUIRIES)
    response = client.post(reverse("cases:transfer-new", args=[case.pk]), {"receiving_la_code": "825",
                                                                            "contact": "cme@otherton.example.org"})
    assert response.status_code == 302
    transfer = case.transfers.get()
    response = client.post(reverse("cases:transfer-respond", args=[transfer.pk]), {"response": "accepted"})
    assert "Enter the date the receiving local authority confirmed" in response.content.decode()
    response = client.post(reverse("cases:transfer-respond", args=[transfer.pk]),
                           {"response": "accepted", "confirmed_by": "J Smith", **date_fields("confirmed_on", TODAY())})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.CLOSED and case.closure_outcome == "moved_la"


def test_reopen_in_the_browser_is_for_managers(client_for, officer: User, manager: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer)
    client = client_for(officer)
    step(client, case, S.ENQUIRIES)
    EducationOtherwise.objects.create(child=case.child, kind="ehe", start=TODAY(), suitability="suitable")
    step(client, case, S.LOCATED)
    close(client, case, outcome="ehe_suitable", confirmed_by="EHE adviser")
    case.refresh_from_db()
    assert client.get(reverse("cases:reopen", args=[case.pk])).status_code == 403
    manager_client = client_for(manager)
    response = manager_client.post(reverse("cases:reopen", args=[case.pk]), {"version": case.version, "reason": ""})
    assert "Give the reason for re-opening the case" in response.content.decode()
    response = manager_client.post(reverse("cases:reopen", args=[case.pk]),
                                   {"version": case.version, "reason": "EHE ended"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.ENQUIRIES


def test_a_second_editor_with_a_stale_version_is_told_who_changed_the_case(client_for, officer: User,  # type: ignore[no-untyped-def]
                                                                           manager: User) -> None:
    case = open_case(user=officer)
    stale = case.version
    step(client_for(manager), case, S.ENQUIRIES)
    response = client_for(officer).post(reverse("cases:edit", args=[case.pk]),
                                        {"version": stale, "case_type": "not_on_roll", "summary": "Mine"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "manager@example.org changed this case at" in html
    case.refresh_from_db()
    assert case.case_type == "whereabouts_unknown"
    response = client_for(officer).post(reverse("cases:transition", args=[case.pk]),
                                        {"to": "located", "version": stale})
    assert response.status_code == 409 and "changed this case at" in response.content.decode()


def test_allocation_is_for_managers(client_for, officer: User, manager: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer)
    data = {"officer": officer.pk, "version": case.version}
    assert client_for(officer).post(reverse("cases:allocate", args=[case.pk]), data).status_code == 403
    assert client_for(manager).post(reverse("cases:allocate", args=[case.pk]), data).status_code == 302
    case.refresh_from_db()
    assert case.allocated_to == officer


# --- Tasks, chronology, documents ---------------------------------------------------------------------------


def test_tasks_overdue_highlighting_and_done(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer)
    client = client_for(officer)
    response = client.post(reverse("cases:task-new", args=[case.pk]), {
        "title": "Chase the GP", "assignee": officer.pk, **date_fields("due", TODAY() - dt.timedelta(days=2))})
    assert response.status_code == 302
    html = client.get(reverse("cases:my-tasks")).content.decode()
    assert "Chase the GP" in html and "Overdue" in html
    task = Task.objects.get()
    client.post(reverse("cases:task-done", args=[task.pk]), {"next": "tasks"})
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == officer
    assert "Task done: Chase the GP" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_the_timeline_merges_notes_contacts_documents_statuses_enquiries_and_tasks(client_for,  # type: ignore[no-untyped-def]
                                                                                   officer: User) -> None:
    case = open_case(user=officer)
    client = client_for(officer)
    client.post(reverse("cases:note-add", args=[case.pk]), {"text": "Spoke to the head"})
    client.post(reverse("cases:contact-new", args=[case.pk]), {
        "method": "visit", "direction": "out", "with_whom": "Neighbour", "summary": "Moved out in June",
        **date_fields("occurred_on", TODAY())})
    client.post(reverse("cases:document-new", args=[case.pk]), {
        "title": "Letter", "file": SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    for text in ("Spoke to the head", "Home visit (We contacted them)", "Document: Letter", "Status: Open"):
        assert text in html


def test_documents_are_sniffed_size_limited_and_served_safely(client_for, officer: User, outsider: User,  # type: ignore[no-untyped-def]
                                                              settings) -> None:
    case = open_case(user=officer)
    client = client_for(officer)
    response = client.post(reverse("cases:document-new", args=[case.pk]), {
        "title": "Evil", "file": SimpleUploadedFile("evil.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200,
                                                    "application/pdf")})
    assert "The selected file must be a PDF: its name ends .pdf but it is a file of another type (exe)" in \
        response.content.decode()
    response = client.post(reverse("cases:document-new", args=[case.pk]), {  # FILE-2 finding 2 (fixed)
        "title": "Page", "file": SimpleUploadedFile("page.pdf", b"<html><script>alert(1)</script></html>",
                                                    "application/pdf")})
    assert "The selected file must be a PDF: its name ends .pdf but it is a web page (HTML or SVG)" in \
        response.content.decode()
    assert 'class="govuk-error-summary' in response.content.decode()
    assert not Document.objects.exists()
    settings.CME_MAX_UPLOAD_BYTES = 100
    response = client.post(reverse("cases:document-new", args=[case.pk]), {
        "title": "Big", "file": SimpleUploadedFile("big.txt", b"a" * 200, "text/plain")})
    assert "must be smaller than" in response.content.decode()
    settings.CME_MAX_UPLOAD_BYTES = 1024 * 1024
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    client.post(reverse("cases:document-new", args=[case.pk]), {
        "title": "Photo of the door", "file": SimpleUploadedFile("../../etc/x.png", png, "text/html")})
    document = Document.objects.get()
    assert document.content_type == "image/png" and "etc" not in document.file.name
    assert document.file.name.startswith("documents/")
    response = client.get(reverse("cases:document", args=[document.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png
    assert AuditEvent.objects.filter(action="export", object_type="cases.document").count() == 1
    assert client_for(outsider).get(reverse("cases:document", args=[document.pk])).status_code == 404


def test_enquiry_evidence_with_an_attachment(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer)
    visit = case.enquiries.get(code="home_visit")
    response = client_for(officer).post(reverse("cases:enquiry", args=[visit.pk]), {
        "action": "record", "method": "visit", "person": "Neighbour", "outcome": "Nobody home",
        "attachment": SimpleUploadedFile("note.txt", b"Card left at the door", "text/plain"),
        **date_fields("done_on", TODAY())})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.attachment is not None and visit.attachment.case == case


def test_future_enquiry_dates_are_refused(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer)
    visit = case.enquiries.get(code="home_visit")
    response = client_for(officer).post(reverse("cases:enquiry", args=[visit.pk]), {
        "action": "record", "method": "visit", "person": "x", "outcome": "y",
        **date_fields("done_on", TODAY() + dt.timedelta(days=3))})
    assert "must be today or in the past" in response.content.decode()


def test_ehe_officer_can_view_but_not_work_a_case(client_for, officer: User, ehe_officer: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer)
    client = client_for(ehe_officer)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert client.post(reverse("cases:note-add", args=[case.pk]), {"text": "x"}).status_code == 403
    visit = case.enquiries.get(code="home_visit")
    assert client.post(reverse("cases:enquiry", args=[visit.pk]), {"action": "not_applicable",
                                                                    "reason": "x"}).status_code == 404


def test_the_officer_home_shows_caseload_and_tasks(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer, allocated_to=officer)
    services.task_create(actor=Auditor.for_user(officer), local_authority_id=case.local_authority_id, case=case,
                         title="Ring the school", due=TODAY(), assignee=officer)
    html = client_for(officer).get(reverse("core:home")).content.decode()
    assert "Your caseload" in html and "Ring the school" in html


def test_every_case_and_panel_page_needs_a_signed_in_user(db) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client()
    checked = 0
    for prefix, app in (("/cases/", "cme.cases.urls"), ("/panels/", "cme.panels.urls")):
        module = __import__(app, fromlist=["urlpatterns"])
        for pattern in module.urlpatterns:
            path = prefix + str(pattern.pattern).replace("<int:pk>", "1")
            response = client.get(path)
            assert response.status_code == 302 and "/account/sign-in/" in response["Location"], path
            checked += 1
    assert checked >= 35


def test_the_enquiry_evidence_is_a_link_and_its_title_stays_text(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer)
    visit = case.enquiries.get(code="home_visit")
    client = client_for(officer)
    client.post(reverse("cases:enquiry", args=[visit.pk]), {
        "action": "record", "method": "visit", "person": "Neighbour", "outcome": "Nobody home",
        "attachment": SimpleUploadedFile("note.txt", b"Card left at the door", "text/plain"),
        **date_fields("done_on", TODAY())})
    visit.refresh_from_db()
    Document.objects.filter(pk=visit.attachment_id).update(title="<script>alert(1)</script> card")
    html = client.get(reverse("cases:enquiry", args=[visit.pk])).content.decode()
    assertInHTML(f'<a class="govuk-link" href="{reverse("cases:document", args=[visit.attachment_id])}">'
                 "&lt;script&gt;alert(1)&lt;/script&gt; card</a>", html)
    assert "<script>alert(1)" not in html and "&lt;a class" not in html

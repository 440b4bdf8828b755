"""Each route end to end from its role in the browser, the queue and the triage page, and who may see what."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertInHTML

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.tests.factories import ChildFactory
from cme.notifications import services
from cme.notifications.models import LAEnquiry, Notification
from cme.notifications.tests.factories import NotificationFactory, referral_input


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


DELETION_POST = {
    "ground": "A", **date_fields("deletion_date", dt.date(2026, 11, 25)), "forename": "Amelia", "surname": "Thompson",
    **date_fields("date_of_birth", dt.date(2016, 5, 14)), "address": "12 Cowley Road", "postcode": "OX4 1AB",
    "parent1_name": "Sarah Thompson", "parent1_phone": "07700 900982", "new_school_name": "Cherwell Primary",
}


# --- Queue -------------------------------------------------------------------------------------------------


def test_queue_shows_counts_overdue_and_urgent_first(client_for: Any, officer: User, la: Any) -> None:
    old = NotificationFactory(local_authority=la, reference="CME-26-000001", triage_due=dt.date(2026, 11, 20),
                              received_at=timezone.now() - dt.timedelta(days=7))
    urgent = NotificationFactory(local_authority=la, reference="CME-26-000002", is_urgent=True,
                                 kind=Notification.Kind.RESIDENT_REPORT)
    NotificationFactory(local_authority=la, reference="CME-26-000003", status="triaged", outcome="not_cme")
    response = client_for(officer).get(reverse("notifications:queue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(urgent.reference) < html.index(old.reference)
    assert "CME-26-000003" not in html
    assert 'id="count-total">2<' in html and "Overdue by 3 working days" in html
    assert '<strong class="govuk-tag govuk-tag--red">1</strong>' in html  # overdue count highlighted
    assert 'id="count-urgent">1<' in html
    assert '?kind=resident_report">Report from a member of the public</a></th><td class="govuk-table__cell ' \
           'govuk-table__cell--numeric">1<' in html


@pytest.mark.parametrize("query, expected", [
    ("?kind=resident_report", {"CME-26-000002"}),
    ("?overdue=on", {"CME-26-000001"}),
    ("?safeguarding=on", {"CME-26-000002"}),
])
def test_queue_filters(client_for: Any, officer: User, la: Any, query: str, expected: set[str]) -> None:
    NotificationFactory(local_authority=la, reference="CME-26-000001", triage_due=dt.date(2026, 11, 20))
    NotificationFactory(local_authority=la, reference="CME-26-000002", kind="resident_report",
                        safeguarding_concern=True)
    html = client_for(officer).get(reverse("notifications:queue") + query).content.decode()
    shown = {ref for ref in ("CME-26-000001", "CME-26-000002") if f">{ref}</a>" in html}
    assert shown == expected


def test_queue_query_count_does_not_grow_with_rows(client_for: Any, officer: User, la: Any, school: Any) -> None:
    client = client_for(officer)

    def make(n: int) -> None:
        for _ in range(n):
            child = ChildFactory(local_authority=la)
            NotificationFactory(local_authority=la, child=child, source_organisation=school.organisation)

    make(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("notifications:queue")).status_code == 200
    make(20)
    with CaptureQueriesContext(connection) as big:
        assert client.get(reverse("notifications:queue")).status_code == 200
    assert len(small.captured_queries) == len(big.captured_queries)


@pytest.mark.parametrize("persona, status", [("school_user", 403), ("partner_user", 403), ("readonly_manager", 403),
                                             ("panel_member", 403), ("la_admin", 403)])
def test_queue_is_for_la_casework_only(request: pytest.FixtureRequest, client_for: Any, persona: str,
                                       status: int) -> None:
    assert client_for(request.getfixturevalue(persona)).get(reverse("notifications:queue")).status_code == status


def test_outsider_sees_nothing_of_another_las_queue(client_for: Any, outsider: User, la: Any) -> None:
    n = NotificationFactory(local_authority=la)
    client = client_for(outsider)
    assert n.reference not in client.get(reverse("notifications:queue")).content.decode()
    assert client.get(reverse("notifications:triage-detail", args=[n.pk])).status_code == 404
    assert client.post(reverse("notifications:triage-outcome", args=[n.pk]),
                       {"outcome": "ehe_team"}).status_code == 404


# --- Triage page -------------------------------------------------------------------------------------------


def test_triage_page_shows_the_notification_matches_with_reasons_and_is_audited(client_for: Any, officer: User,
                                                                                 partner_user: User, la: Any) -> None:
    child = ChildFactory(local_authority=la)
    n = services.partner_referral_submit(actor=Auditor.for_user(partner_user), user=partner_user,
                                         data=referral_input(), notify=False)
    response = client_for(officer).get(reverse("notifications:triage-detail", args=[n.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Family moved out; not at school." in html and "Possible matches" in html
    assert "name, date of birth" in html and "This is the child" in html
    assert AuditEvent.objects.filter(child_id=child.pk, action="view").exists()


@override_settings(ROOT_URLCONF="cme.notifications.tests.urls_cases_stub")
def test_triage_page_offers_the_case_outcomes_when_cases_exist(client_for: Any, officer: User, la: Any) -> None:
    n = NotificationFactory(local_authority=la)
    html = client_for(officer).get(reverse("notifications:triage-detail", args=[n.pk])).content.decode()
    assert f'action="/stub-cases/open-from-notification/{n.pk}/"' in html
    assert f'action="/stub-cases/add-notification/{n.pk}/"' in html and 'name="case"' in html


@override_settings(ROOT_URLCONF="cme.notifications.tests.urls_no_cases")
def test_triage_page_works_before_case_work_exists(client_for: Any, officer: User, la: Any) -> None:
    n = NotificationFactory(local_authority=la)
    response = client_for(officer).get(reverse("notifications:triage-detail", args=[n.pk]))
    assert response.status_code == 200
    assert "appear here once case work is available" in response.content.decode()


def test_officer_links_the_child_and_records_an_outcome(client_for: Any, officer: User, la: Any) -> None:
    n = NotificationFactory(local_authority=la)
    child = ChildFactory(local_authority=la)
    client = client_for(officer)
    response = client.post(reverse("notifications:triage-link", args=[n.pk]), {"child": child.pk})
    assert response.status_code == 302
    n.refresh_from_db()
    assert n.child == child
    refused = client.post(reverse("notifications:triage-outcome", args=[n.pk]), {"outcome": "not_cme"})
    assert refused.status_code == 400 and "Give the reason" in refused.content.decode()
    done = client.post(reverse("notifications:triage-outcome", args=[n.pk]),
                       {"outcome": "not_cme", "reason": "On roll in Wales"})
    assert done.status_code == 302 and done["Location"] == reverse("notifications:queue")
    n.refresh_from_db()
    assert (n.status, n.outcome, n.outcome_reason) == ("triaged", "not_cme", "On roll in Wales")
    again = client.post(reverse("notifications:triage-outcome", args=[n.pk]), {"outcome": "ehe_team"})
    assert again.status_code == 400 and "already triaged" in again.content.decode()


def test_linking_a_child_outside_scope_is_404(client_for: Any, officer: User, la: Any, other_la: Any) -> None:
    n = NotificationFactory(local_authority=la)
    stranger = ChildFactory(local_authority=other_la)
    assert client_for(officer).post(reverse("notifications:triage-link", args=[n.pk]),
                                    {"child": stranger.pk}).status_code == 404


# --- School returns ----------------------------------------------------------------------------------------


def test_school_sends_a_deletion_return_in_the_browser(client_for: Any, school_user: User, school: Any,
                                                       django_capture_on_commit_callbacks: Any) -> None:
    client = client_for(school_user)
    assert client.get(reverse("notifications:return-start")).status_code == 200
    assert client.get(reverse("notifications:deletion-return-new")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:deletion-return-new"), DELETION_POST, follow=True)
    n = Notification.objects.get()
    assert response.redirect_chain[-1][0] == reverse("notifications:submission-detail", args=[n.pk])
    html = response.content.decode()
    assert f"Your reference is {n.reference}" in html and "Cherwell Primary" in html
    assert mail.outbox[0].to == [school_user.email]


def test_deletion_return_errors_are_shown_the_govuk_way(client_for: Any, school_user: User) -> None:
    post = {**DELETION_POST, "ground": "I", "new_school_name": ""}
    response = client_for(school_user).post(reverse("notifications:deletion-return-new"), post)
    html = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in html
    assert "Enter the first day of the pupil&#39;s continuous absence" in html
    assert 'href="#id_first_day_of_absence-day"' in html
    assert not Notification.objects.exists()


def test_school_sends_a_new_pupil_return(client_for: Any, school_user: User) -> None:
    post = {**date_fields("start_date", dt.date(2026, 11, 24)), "nc_year": "6", "forename": "Leo",
            "surname": "Okafor", **date_fields("date_of_birth", dt.date(2015, 2, 3)), "address": "4 Iffley Road",
            "postcode": "OX4 1EA", "parent1_name": "Grace Okafor", "parent1_phone": "01632 960001"}
    response = client_for(school_user).post(reverse("notifications:new-entrant-return-new"), post)
    assert response.status_code == 302
    assert Notification.objects.get().kind == Notification.Kind.NEW_ENTRANT_RETURN


@pytest.mark.parametrize("persona", ["officer", "partner_user", "readonly_manager"])
def test_only_schools_send_returns(request: pytest.FixtureRequest, client_for: Any, persona: str) -> None:
    client = client_for(request.getfixturevalue(persona))
    for name in ("return-start", "deletion-return-new", "new-entrant-return-new", "return-upload"):
        assert client.get(reverse(f"notifications:{name}")).status_code == 403


# --- Partner referrals and submissions ----------------------------------------------------------------------


def test_partner_refers_a_child_in_the_browser(client_for: Any, partner_user: User) -> None:
    client = client_for(partner_user)
    page = client.get(reverse("notifications:referral-new")).content.decode()
    assert 'value="police" selected' in page  # agency defaults from the organisation's type
    response = client.post(reverse("notifications:referral-new"), {
        "referrer_agency": "police", "referrer_name": "PC Jones", "concern": "whereabouts_unknown",
        "forename": "Amelia", "surname": "Thompson", "what_is_known": "Not seen for a month.",
        "safeguarding_concern": "on", "safeguarding_detail": "Domestic abuse reported at the address."})
    n = Notification.objects.get()
    assert response.status_code == 302 and n.is_urgent and n.kind == Notification.Kind.PARTNER_REFERRAL
    listing = client.get(reverse("notifications:my-submissions")).content.decode()
    assert n.reference in listing and "Received: awaiting triage" in listing
    assert client.get(reverse("notifications:submission-detail", args=[n.pk])).status_code == 200


def test_referral_errors(client_for: Any, partner_user: User) -> None:
    response = client_for(partner_user).post(reverse("notifications:referral-new"), {
        "referrer_agency": "police", "referrer_name": "PC Jones", "concern": "missing_education",
        "safeguarding_concern": "on"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter the child&#39;s first name or last name" in html and "Describe the safeguarding concern" in html


def test_submissions_are_seen_only_by_the_organisation_that_sent_them(client_for: Any, partner_user: User,
                                                                      school_user: User, officer: User) -> None:
    n = services.partner_referral_submit(actor=Auditor.for_user(partner_user), user=partner_user,
                                         data=referral_input(), notify=False)
    url = reverse("notifications:submission-detail", args=[n.pk])
    assert client_for(partner_user).get(url).status_code == 200
    assert client_for(school_user).get(url).status_code == 404
    assert n.reference not in client_for(school_user).get(reverse("notifications:my-submissions")).content.decode()
    assert client_for(officer).get(url).status_code == 403
    assert client_for(school_user).get(reverse("notifications:referral-new")).status_code == 403


# --- Residents -------------------------------------------------------------------------------------------


PUBLIC_POST = {"forename": "Tom", "address": "Cowley Road", "what_is_known": "Not at school for weeks.",
               "reporter_email": "neighbour@example.com"}


def test_resident_reports_without_signing_in_and_gets_a_reference_only(la: Any) -> None:
    client = Client()
    page = client.get(reverse("notifications:public-report"))
    assert page.status_code == 200 and "Test Officer" in page.content.decode()  # named CME officer shown
    response = client.post(reverse("notifications:public-report"), PUBLIC_POST, follow=True)
    n = Notification.objects.get()
    html = response.content.decode()
    assert n.reference in html and "Tom" not in html
    assert n.kind == Notification.Kind.RESIDENT_REPORT
    event = AuditEvent.objects.get(object_id=str(n.pk))
    assert event.actor_label == "system:public.report_a_child" and event.ip_address is None


def test_the_public_answer_is_the_same_whether_or_not_we_know_the_child(la: Any) -> None:
    ChildFactory(local_authority=la, legal_forename="Tom", current_postcode="OX4 1AB")
    known = Client().post(reverse("notifications:public-report"), {**PUBLIC_POST, "postcode": "OX4 1AB"}, follow=True)
    unknown = Client().post(reverse("notifications:public-report"), {**PUBLIC_POST, "forename": "Zebedee"},
                            follow=True)
    refs = [n.reference for n in Notification.objects.order_by("pk")]

    def page(response: Any, reference: str) -> str:
        return re.sub(r'nonce="[^"]*"|value="[^"]*"', "", response.content.decode().replace(reference, "REF"))

    assert page(known, refs[0]) == page(unknown, refs[1])


def test_honeypot_submissions_are_dropped(la: Any) -> None:
    response = Client().post(reverse("notifications:public-report"), {**PUBLIC_POST, "website": "http://spam"},
                             follow=True)
    assert response.status_code == 200 and "Report sent" in response.content.decode()
    assert not Notification.objects.exists()


def test_public_form_is_rate_limited(la: Any) -> None:
    client = Client()
    for _ in range(5):
        assert client.post(reverse("notifications:public-report"), PUBLIC_POST).status_code == 302
    assert client.post(reverse("notifications:public-report"), PUBLIC_POST).status_code == 429
    assert Notification.objects.count() == 5


def test_public_form_errors(la: Any) -> None:
    response = Client().post(reverse("notifications:public-report"), {"reporter_email": "not-an-email"})
    html = response.content.decode()
    assert response.status_code == 400 and "Tell us what you know about the child" in html
    assert "Enter an email address in the correct format" in html


# --- Mailbox -------------------------------------------------------------------------------------------------


EML = (b"From: Head Teacher <head@school.example>\r\nTo: cme@testshire.example.org\r\nSubject: Pupil not seen\r\n"
       b"Date: Tue, 24 Nov 2026 16:05:00 +0000\r\nMessage-ID: <m1@school.example>\r\n"
       b"Content-Type: text/plain; charset=utf-8\r\n\r\nAmelia has not been seen since 2 November.\r\n")


def test_officer_logs_an_eml_into_the_queue(client_for: Any, officer: User, outsider: User,
                                            school_user: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(officer)
    assert client.get(reverse("notifications:mailbox-new")).status_code == 200
    response = client.post(reverse("notifications:mailbox-new"), {
        "eml": SimpleUploadedFile("note.eml", EML, "message/rfc822"), "forename": "Amelia", "surname": "Thompson"})
    n = Notification.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("notifications:triage-detail",
                                                                           args=[n.pk])
    assert n.kind == Notification.Kind.MAILBOX and "not been seen" in n.summary
    assert n.details["subject"] == "Pupil not seen" and n.triage_due == dt.date(2026, 11, 25)
    attachment = n.attachments.get()
    download = client.get(reverse("notifications:attachment-download", args=[attachment.pk]))
    assert download.status_code == 200 and download.content == EML
    assert client_for(outsider).get(reverse("notifications:attachment-download",
                                            args=[attachment.pk])).status_code == 404
    assert client_for(school_user).get(reverse("notifications:mailbox-new")).status_code == 403


def test_officer_pastes_an_email(client_for: Any, officer: User) -> None:
    response = client_for(officer).post(reverse("notifications:mailbox-new"), {
        "sender": "resident@example.com", "subject": "Boy not in school", "body": "He is always at home.",
        **date_fields("sent_on", dt.date(2026, 11, 24)), "sent_time": "9:30"})
    assert response.status_code == 302
    n = Notification.objects.get()
    assert timezone.localtime(n.received_at).strftime("%Y-%m-%d %H:%M") == "2026-11-24 09:30"


def test_mailbox_rejects_a_file_that_is_not_an_email(client_for: Any, officer: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(officer).post(reverse("notifications:mailbox-new"), {
        "eml": SimpleUploadedFile("note.txt", b"hello", "text/plain")})
    assert response.status_code == 400 and ".eml" in response.content.decode()
    response = client_for(officer).post(reverse("notifications:mailbox-new"), {  # FILE-2: by content, not name
        "eml": SimpleUploadedFile("page.eml", b"<html><script>alert(1)</script></html>", "message/rfc822")})
    assert response.status_code == 400
    assert "must be an email saved as a .eml file: its name ends .eml but it is a web page" in \
        response.content.decode()
    assert not Notification.objects.exists()


# --- Other local authorities ---------------------------------------------------------------------------------


def test_officer_records_an_enquiry_and_its_response(client_for: Any, officer: User, outsider: User,
                                                     partner_user: User) -> None:
    client = client_for(officer)
    assert client.get(reverse("notifications:enquiry-new")).status_code == 200
    response = client.post(reverse("notifications:enquiry-new"), {
        "direction": "received", "other_la_code": "825", "other_la_contact_email": "cme@otherton.example",
        "forename": "Amelia", "surname": "Thompson", "question": "Is this child known to you?",
        **date_fields("asked_on", dt.date(2026, 11, 25))})
    enquiry = LAEnquiry.objects.get()
    assert response.status_code == 302 and enquiry.notification.kind == Notification.Kind.LA_ENQUIRY
    listing = client.get(reverse("notifications:enquiry-list")).content.decode()
    assert "Amelia Thompson" in listing and "2 Dec 2026" in listing
    done = client.post(reverse("notifications:enquiry-response", args=[enquiry.pk]),
                       {"answer": "not_known", "response": "Not known to us."})
    assert done.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.answer == "not_known" and not enquiry.is_open
    assert client_for(outsider).get(reverse("notifications:enquiry-detail", args=[enquiry.pk])).status_code == 404
    assert client_for(partner_user).get(reverse("notifications:enquiry-list")).status_code == 403


def test_overdue_enquiries_are_highlighted(client_for: Any, officer: User) -> None:
    services.la_enquiry_record(actor=Auditor.for_user(officer), user=officer, data=services.LAEnquiryInput(
        direction="sent", other_la_code="825", forename="Leo", question="Known?", asked_on=dt.date(2026, 11, 2),
        response_due=dt.date(2026, 11, 9)))
    html = client_for(officer).get(reverse("notifications:enquiry-list")).content.decode()
    assert "Overdue: 9 Nov 2026" in html and "1 overdue" in html


def test_enquiry_can_start_from_a_notification(client_for: Any, officer: User, la: Any) -> None:
    n = NotificationFactory(local_authority=la, forename="Leo", surname="Okafor")
    html = client_for(officer).get(reverse("notifications:enquiry-new") + f"?notification={n.pk}").content.decode()
    assert 'value="Okafor"' in html and f'value="{n.pk}"' in html


# --- Homes ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona, name", [
    ("officer", "notifications:mailbox-new"), ("officer", "notifications:enquiry-list"),
    ("school_user", "notifications:deletion-return-new"),
    ("school_user", "notifications:return-upload"), ("partner_user", "notifications:referral-new"),
    ("partner_user", "notifications:my-submissions"),
])
def test_home_pages_link_to_the_routes_in(request: pytest.FixtureRequest, client_for: Any, persona: str,
                                          name: str) -> None:
    html = client_for(request.getfixturevalue(persona)).get(reverse("core:home")).content.decode()
    assert f'href="{reverse(name)}"' in html


# --- Markup built in templates: a link shows as a link, and what people typed stays text --------------------------


def test_the_triaged_banner_is_markup_and_the_reason_is_escaped(client_for: Any, officer: User, la: Any) -> None:
    n = NotificationFactory(local_authority=la, status="triaged", outcome="not_cme", triaged_by=officer,
                            triaged_at=timezone.now(), outcome_reason="<script>alert(1)</script> moved away")
    html = client_for(officer).get(reverse("notifications:triage-detail", args=[n.pk])).content.decode()
    assert "<strong>Triaged: Not CME" in html, "the banner's <strong> is markup, not text"
    assert "&lt;strong&gt;" not in html
    assert "Reason: &lt;script&gt;alert(1)&lt;/script&gt; moved away" in html
    assert "<script>alert(1)" not in html


def test_an_attached_report_links_to_the_one_to_triage(client_for: Any, officer: User, la: Any) -> None:
    first = NotificationFactory(local_authority=la, reference="CME-26-000010")
    second = NotificationFactory(local_authority=la, status="attached", duplicate_of=first)
    html = client_for(officer).get(reverse("notifications:triage-detail", args=[second.pk])).content.decode()
    assertInHTML(f'<a class="govuk-link" href="{reverse("notifications:triage-detail", args=[first.pk])}">'
                 "CME-26-000010</a>", html)
    assert "&lt;a " not in html

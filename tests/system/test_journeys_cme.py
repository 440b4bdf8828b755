"""The whole CME journey in the browser, each step as the role that does it, signed in with two-factor:
a school deletes a pupil on ground I (R3.6) → the CME officer triages the return into a case → completes or
justifies every reasonable enquiry (R2.5) → puts the case to the panel, which records its decision (R2.7(f)) →
generates the lost-pupil CTF and records its S2S upload (R7.2) → closes the case as not located (R2.7)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from cme.accounts.models import User
from cme.cases.models import Case, CaseStatusChoice, CTFFile
from cme.children.models import School
from cme.notifications.models import Notification
from cme.panels.models import Decision
from tests.system.conftest import Checker, fill_date, give_totp, heading, new_page, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def ground_i_dates(user: User) -> tuple[dt.date, dt.date]:
    """The latest school day (the deletion date, R3.3: never in the future, never retrospective) and a first day of
    absence 25 school days before it (ground I needs 20 or more, R3.6), on the LA's own term calendar."""
    calendar = user.local_authority.term_calendar()
    deletion = timezone.localdate()
    while not calendar.is_school_day(deletion):
        deletion -= dt.timedelta(days=1)
    first = deletion
    for _ in range(25):
        first -= dt.timedelta(days=1)
        while not calendar.is_school_day(first):
            first -= dt.timedelta(days=1)
    return deletion, first


def test_a_ground_i_deletion_becomes_a_case_the_panel_decides_and_it_closes_not_located(  # type: ignore[no-untyped-def]
        browser: Browser, live_server, school_user: User, school: School, officer: User, check: Checker) -> None:
    deletion, first_absent = ground_i_dates(officer)
    today = timezone.localdate()

    # 1. The school sends a deletion return on ground I (R3.6).
    page = new_page(browser)
    sign_in(page, live_server.url, school_user.email)
    page.get_by_role("link", name="A pupil has left your roll: send a deletion return").click()
    assert heading(page) == "A pupil has left your roll"
    check(page, "deletion-return-new")
    page.get_by_label("Ground for deletion").select_option("I")
    fill_date(page, "Date of deletion from the admission register", deletion)
    page.get_by_label("First name").fill("Amelia")
    page.get_by_label("Last name").fill("Thompson")
    fill_date(page, "Date of birth", dt.date(2016, 5, 14))
    page.get_by_label("Home address", exact=True).fill("12 Cowley Road")
    page.get_by_label("Postcode", exact=True).fill("OX4 1AB")
    page.get_by_label("Full name of a parent the pupil normally lives with").fill("Sarah Thompson")
    page.get_by_label("Emergency phone number for that parent").fill("07700 900982")
    fill_date(page, "First day of the pupil's continuous absence", first_absent)
    page.get_by_label("Every session in the absence was recorded as G, N or O").check()
    page.get_by_label("There are no reasonable grounds to believe the absence").check()
    page.get_by_label("The school and the local authority have jointly made reasonable enquiries").check()
    page.get_by_label("Local authority officer you made the enquiries with").fill("Jo Officer")
    with page.expect_navigation():  # the form posts, then the next page is there
        page.get_by_role("button", name="Send deletion return").click()
    notification = Notification.objects.get()
    expect(page.get_by_text(f"Your reference is {notification.reference}")).to_be_visible()
    assert notification.deletion_ground == "I"
    check(page, "deletion-return-sent")
    page.context.close()

    # 2. The CME officer triages it into a new case.
    give_totp(officer)
    page = new_page(browser)
    sign_in(page, live_server.url, officer.email)
    page.get_by_role("link", name="Triage").first.click()
    check(page, "triage-queue")
    page.get_by_role("link", name=notification.reference).click()
    check(page, "triage-detail")
    with page.expect_navigation():
        page.get_by_role("button", name="Open a new CME case").click()
    case = Case.objects.get()
    expect(page.get_by_text(f"Case {case.reference} opened")).to_be_visible()
    check(page, "case-opened")

    # 3. Reasonable enquiries (R2.5): each one recorded with its evidence, or said not to apply, and why.
    page.get_by_role("button", name="Start enquiries").click()
    expect(page.get_by_role("button", name="Record the child as not located")).to_be_visible()
    for index, enquiry in enumerate(case.enquiries.order_by("order")):
        page.get_by_role("link", name=enquiry.label, exact=True).click()
        assert heading(page) == enquiry.label
        if index == 0:
            check(page, "case-enquiry")
        if index % 4 == 3:
            page.get_by_label("Why does this enquiry not apply?").fill("The family has no social worker")
            page.get_by_role("button", name="Mark as not applicable").click()
        else:
            fill_date(page, "Date of the enquiry", today)
            page.get_by_label("How was it made?").select_option(label="Phone call")
            page.get_by_label("Who was contacted or checked?").fill("School office")
            page.get_by_label("What did it find?").fill("No trace of the family")
            page.get_by_role("button", name="Save the enquiry").click()
        assert heading(page) == "Amelia Thompson" or case.reference in page.content()
    page.get_by_role("button", name="Record the child as not located").click()
    expect(page.get_by_role("heading", name="Close the case")).to_be_visible()
    check(page, "case-not-located")

    # 4. The panel reviews the case and records its decision (R2.7(f)).
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Panel meetings").first.click()
    check(page, "panel-list")
    page.get_by_role("link", name="Schedule a meeting").click()
    check(page, "panel-new")
    fill_date(page, "Date of the meeting", today)
    page.get_by_label("Term", exact=True).fill("Autumn term")
    page.get_by_label("Where").fill("County Hall")
    page.get_by_role("button", name="Save").click()
    page.get_by_label("Case reference").fill(case.reference)
    page.get_by_role("button", name="Add the case").click()
    check(page, "panel-meeting")
    page.get_by_role("link", name=case.reference).click()
    check(page, "panel-item")
    page.get_by_label("Agree to close as not located").check()
    page.get_by_label("The decision, as minuted").fill("Enquiries exhausted; close as not located and send the CTF")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("No decision recorded yet.")).to_have_count(0)
    assert Decision.objects.get().outcome == Decision.Outcome.CLOSE_NOT_LOCATED

    # 5. The lost-pupil CTF (R7.2): generated, then its upload to S2S recorded.
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Generate the lost-pupil CTF").click()
    ctf = CTFFile.objects.get(case=case)
    expect(page.get_by_role("link", name=ctf.file_name)).to_be_visible()
    fill_date(page, "Date it was uploaded to S2S", today)
    page.get_by_role("button", name="Record the S2S upload").click()
    expect(page.get_by_text("Uploaded to S2S on")).to_be_visible()
    check(page, "case-ctf")

    # 6. Close as not located (R2.7).
    page.get_by_label("Not located after reasonable enquiries").check()
    page.get_by_label("Closure note").fill("All enquiries exhausted; panel agreed; CTF on S2S")
    with page.expect_navigation():
        page.get_by_role("button", name="Close the case").click()
    case.refresh_from_db()
    assert case.status == CaseStatusChoice.CLOSED and case.closure_outcome == "not_located"
    check(page, "case-closed")

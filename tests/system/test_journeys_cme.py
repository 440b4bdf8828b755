"""The whole CME journey in the browser, each step as the role that does it, signed in with two-factor:
a school deletes a pupil on ground I (R3.6) → the CME officer triages the return into a case → completes or
justifies every reasonable enquiry (R2.5) → puts the case to the panel, which records its decision (R2.7(f)) →
generates the lost-pupil CTF and records its S2S upload (R7.2) → closes the case as not located (R2.7).

Done with the keyboard alone (Tab, Shift+Tab, Enter, Space, arrows), each control reached by Tab with a visible focus
(tests/system/keyboard.py): the same pages with the mouse are covered by the other journeys and the view tests."""

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
from tests.system.conftest import Checker, Keyboard, give_totp, heading, new_page, sign_in

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
    keys = Keyboard(page)
    give_totp(school_user)  # every role signs in with two-factor (AUTH-3)
    sign_in(page, live_server.url, school_user.email, keyboard=True)
    keys.press(page.get_by_role("link", name="A pupil has left your roll: send a deletion return"))
    assert heading(page) == "A pupil has left your roll"
    check(page, "deletion-return-new")
    keys.select(page.get_by_label("Ground for deletion"), "I")  # the option whose value is the ground's letter
    keys.date("Date of deletion from the admission register", deletion)
    keys.type(page.get_by_label("First name"), "Amelia")
    keys.type(page.get_by_label("Last name"), "Thompson")
    keys.date("Date of birth", dt.date(2016, 5, 14))
    keys.type(page.get_by_label("Home address", exact=True), "12 Cowley Road")
    keys.type(page.get_by_label("Postcode", exact=True), "OX4 1AB")
    keys.type(page.get_by_label("Full name of a parent the pupil normally lives with"), "Sarah Thompson")
    keys.type(page.get_by_label("Emergency phone number for that parent"), "07700 900982")
    keys.date("First day of the pupil's continuous absence", first_absent)
    keys.tick(page.get_by_label("Every session in the absence was recorded as G, N or O"))
    keys.tick(page.get_by_label("There are no reasonable grounds to believe the absence"))
    keys.tick(page.get_by_label("The school and the local authority have jointly made reasonable enquiries"))
    keys.type(page.get_by_label("Local authority officer you made the enquiries with"), "Jo Officer")
    keys.press(page.get_by_role("button", name="Send deletion return"))
    notification = Notification.objects.get()
    expect(page.get_by_text(f"Your reference is {notification.reference}")).to_be_visible()
    assert notification.deletion_ground == "I"
    check(page, "deletion-return-sent")
    page.context.close()

    # 2. The CME officer triages it into a new case.
    give_totp(officer)
    page = new_page(browser)
    keys = Keyboard(page)
    sign_in(page, live_server.url, officer.email, keyboard=True)
    keys.press(page.get_by_role("link", name="Triage").first)
    check(page, "triage-queue")
    keys.press(page.get_by_role("link", name=notification.reference))
    check(page, "triage-detail")
    keys.press(page.get_by_role("button", name="Open a new CME case"))
    case = Case.objects.get()
    expect(page.get_by_text(f"Case {case.reference} opened")).to_be_visible()
    check(page, "case-opened")

    # 3. Reasonable enquiries (R2.5): each one recorded with its evidence, or said not to apply, and why.
    keys.press(page.get_by_role("button", name="Start enquiries"))
    expect(page.get_by_role("button", name="Record the child as not located")).to_be_visible()
    for index, enquiry in enumerate(case.enquiries.order_by("order")):
        keys.press(page.get_by_role("link", name=enquiry.label, exact=True))
        assert heading(page) == enquiry.label
        if index == 0:
            check(page, "case-enquiry")
        if index % 4 == 3:
            keys.type(page.get_by_label("Why does this enquiry not apply?"), "The family has no social worker")
            keys.press(page.get_by_role("button", name="Mark as not applicable"))
        else:
            keys.date("Date of the enquiry", today)
            keys.select(page.get_by_label("How was it made?"), "Phone call")
            keys.type(page.get_by_label("Who was contacted or checked?"), "School office")
            keys.type(page.get_by_label("What did it find?"), "No trace of the family")
            keys.press(page.get_by_role("button", name="Save the enquiry"))
        assert heading(page) == "Amelia Thompson" or case.reference in page.content()
    keys.press(page.get_by_role("button", name="Record the child as not located"))
    expect(page.get_by_role("heading", name="Close the case")).to_be_visible()
    check(page, "case-not-located")

    # 4. The panel reviews the case and records its decision (R2.7(f)).
    keys.press(page.get_by_role("link", name="Panel", exact=True))
    check(page, "panel-list")
    keys.press(page.get_by_role("link", name="Schedule a meeting"))
    check(page, "panel-new")
    keys.date("Date of the meeting", today)
    keys.type(page.get_by_label("Term", exact=True), "Autumn term")
    keys.type(page.get_by_label("Where"), "County Hall")
    keys.press(page.get_by_role("button", name="Save"))
    keys.type(page.get_by_label("Case reference"), case.reference)
    keys.press(page.get_by_role("button", name="Add the case"))
    check(page, "panel-meeting")
    keys.press(page.get_by_role("link", name=case.reference))
    check(page, "panel-item")
    keys.choose(page.get_by_label("Agree to close as not located"))
    keys.type(page.get_by_label("The decision, as minuted"),
              "Enquiries exhausted; close as not located and send the CTF")
    keys.press(page.get_by_role("button", name="Record the decision"))
    expect(page.get_by_text("No decision recorded yet.")).to_have_count(0)
    assert Decision.objects.get().outcome == Decision.Outcome.CLOSE_NOT_LOCATED

    # 5. The lost-pupil CTF (R7.2): generated, then its upload to S2S recorded.
    keys.press(page.get_by_role("link", name="Cases", exact=True))
    keys.press(page.get_by_role("link", name="All open cases"))
    keys.press(page.get_by_role("link", name=case.reference))
    keys.press(page.get_by_role("button", name="Generate the lost-pupil CTF"))
    ctf = CTFFile.objects.get(case=case)
    expect(page.get_by_role("link", name=ctf.file_name)).to_be_visible()
    keys.date("Date it was uploaded to S2S", today)
    keys.press(page.get_by_role("button", name="Record the S2S upload"))
    expect(page.get_by_text("Uploaded to S2S on")).to_be_visible()
    check(page, "case-ctf")

    # 6. Close as not located (R2.7).
    keys.choose(page.get_by_label("Not located after reasonable enquiries"))
    keys.type(page.get_by_label("Closure note"), "All enquiries exhausted; panel agreed; CTF on S2S")
    keys.press(page.get_by_role("button", name="Close the case"))
    case.refresh_from_db()
    assert case.status == CaseStatusChoice.CLOSED and case.closure_outcome == "not_located"
    check(page, "case-closed")
    page.context.close()

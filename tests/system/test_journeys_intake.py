"""The ways a child reaches the CME team from outside it, done with the keyboard alone (Tab, Enter, Space, arrows)
from the first page to the triage outcome: a partner agency refers a child who turns out to be on a school's roll,
so triage records an attendance matter (R3.2: on roll is not missing education); a resident reports a child on the
public form, and sees a reference and nothing about the child (R9: nothing is disclosed to the public)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Browser, Page, expect

from cme.accounts.models import User
from cme.children.models import School
from cme.children.tests.factories import ChildFactory, EnrolmentFactory
from cme.notifications.models import Notification
from tests.system.conftest import Checker, Keyboard, give_totp, heading, new_page, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def test_a_partner_refers_a_child_who_is_on_roll_and_triage_says_attendance_matter(  # type: ignore[no-untyped-def]
        browser: Browser, live_server, partner_user: User, officer: User, school: School, check: Checker) -> None:
    child = ChildFactory(local_authority=officer.local_authority, legal_forename="Jayden", legal_surname="Clarke",
                         date_of_birth=dt.date(2015, 9, 2))
    EnrolmentFactory(child=child, school=school, nc_year_actual=6)

    # The police officer refers the child, keyboard only.
    page = new_page(browser)
    keys = Keyboard(page)
    give_totp(partner_user)  # every role signs in with two-factor (AUTH-3)
    sign_in(page, live_server.url, partner_user.email, keyboard=True)
    check(page, "partner-home")
    keys.press(page.get_by_role("link", name="Refer a child").first)
    check(page, "referral-new")
    keys.select(page.get_by_label("Your agency"), "Police")
    keys.type(page.get_by_label("Your name"), "PC Jones")
    keys.choose(page.get_by_label("I believe the child is not in any education"))
    keys.type(page.get_by_label("Child's first name"), "Jayden")
    keys.type(page.get_by_label("Child's last name"), "Clarke")
    keys.date("Child's date of birth, if known", child.date_of_birth)
    keys.type(page.get_by_label("What do you know?"), "Seen in the town centre on school days.")
    keys.press(page.get_by_role("button", name="Send referral"))
    referral = Notification.objects.get()
    assert referral.kind == Notification.Kind.PARTNER_REFERRAL
    assert heading(page) == referral.reference
    check(page, "referral-sent")
    page.context.close()

    # The CME officer finds the child on a school's roll and records an attendance matter, not CME: keyboard only.
    give_totp(officer)
    page = new_page(browser)
    keys = Keyboard(page)
    sign_in(page, live_server.url, officer.email, keyboard=True)
    keys.press(page.get_by_role("link", name="Triage").first)
    keys.press(page.get_by_role("link", name=referral.reference))
    matches = page.get_by_role("table", name="Possible matches, best first")
    expect(matches.get_by_role("row", name="Jayden Clarke")).to_contain_text(school.name)
    keys.press(matches.get_by_role("button", name="This is the child"))
    expect(page.get_by_text(f"{referral.reference} linked to Jayden Clarke")).to_be_visible()
    keys.choose(page.get_by_label("Attendance matter for the school (on roll, not CME)"))
    keys.type(page.get_by_label("Reason"), f"On roll at {school.name}, Year 6: passed to the school's attendance lead")
    keys.press(page.get_by_role("button", name="Record outcome"))
    expect(page.get_by_text(f"{referral.reference} triaged: Attendance matter")).to_be_visible()
    referral.refresh_from_db()
    assert referral.outcome == Notification.Outcome.ATTENDANCE_MATTER and referral.child == child


def test_a_resident_reports_a_child_and_sees_only_a_reference(page: Page, live_server, officer: User,  # type: ignore[no-untyped-def]
                                                              school: School, check: Checker) -> None:
    known = ChildFactory(local_authority=officer.local_authority, legal_forename="Lily", legal_surname="Evans",
                         date_of_birth=dt.date(2017, 1, 30))
    EnrolmentFactory(child=known, school=school)
    keys = Keyboard(page)
    page.goto(f"{live_server.url}/public/report-a-child/")
    assert heading(page) == "Tell us about a child who may be missing education"
    check(page, "public-report")
    keys.type(page.get_by_label("Child's first name (if you know it)"), "Lily")
    keys.type(page.get_by_label("Child's last name (if you know it)"), "Evans")
    keys.type(page.get_by_label("About how old is the child?"), "About 9")
    keys.type(page.get_by_label("Where does the child live or stay?"), "Flat 3, 40 Iffley Road")
    keys.type(page.get_by_label("What do you know about the child?"), "She is at home every weekday, all day.")
    keys.press(page.get_by_role("button", name="Send report"))
    report = Notification.objects.get()
    assert report.kind == Notification.Kind.RESIDENT_REPORT
    expect(page.locator(".govuk-panel__body")).to_contain_text(report.reference)
    text = page.locator("main").inner_text()
    for private in ("Lily", "Evans", school.name, "2017", "Iffley"):  # nothing about the child, known or reported
        assert private not in text, private
    check(page, "public-report-sent")
    page.reload()  # the reference is shown once, then forgotten
    expect(page.get_by_text(report.reference)).to_have_count(0)

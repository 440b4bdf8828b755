"""Browser journeys over the registers (Playwright + axe): a school submits a part-time timetable and the attendance
team reviews it, with the keyboard alone; an EHE officer records a concern and its route (with the mouse).
(One module: Playwright's session fixture.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page

from cme.accounts.models import User
from cme.children.models import School
from cme.ehe.models import EHEConcern
from cme.ehe.tests.factories import open_record
from cme.timetables.models import PartTimeTimetable
from cme.timetables.tests.factories import pupil
from tests.system.conftest import Checker, Keyboard, fill_date, give_totp, heading, new_page, sign_in

#: Browser journeys run in `make test` (CI) and alone with `make test-browser` (`pytest -m system`).
pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def test_school_submits_and_the_team_reviews_with_the_keyboard(browser: Browser, live_server, school_user: User,  # type: ignore[no-untyped-def]
                                                               school: School, manager: User, check: Checker) -> None:
    child = pupil(school, legal_forename="Kai", legal_surname="Okafor")
    today = timezone.localdate()
    page = new_page(browser)
    keys = Keyboard(page)
    give_totp(school_user)  # every role signs in with two-factor (AUTH-3)
    sign_in(page, live_server.url, school_user.email, keyboard=True)
    keys.press(page.get_by_role("link", name="Tell us about a part-time timetable").first)
    assert heading(page) == "Tell us about a part-time timetable"
    check(page, "timetable-new")
    keys.type(page.get_by_label("Pupil's UPN"), child.upn)
    keys.choose(page.get_by_label("Mental health, or emotionally based school avoidance"))
    keys.tick(page.get_by_label("The timetable is in the pupil's best interests"))
    keys.type(page.get_by_label("Hours a week in school"), "15")
    keys.date("Start date", today)
    keys.date("Planned end date", today + dt.timedelta(weeks=8))
    keys.type(page.get_by_label("Plan for returning to full time"), "One more morning each fortnight")
    consent = page.get_by_role("group", name="Has the parent the pupil normally lives with agreed?")
    keys.choose(consent.get_by_label("No"))
    keys.press(page.get_by_role("button", name="Send to the local authority"))
    assert heading(page) == "Kai Okafor"
    assert "No parental consent recorded" in page.content()
    check(page, "timetable-detail-school")
    timetable = PartTimeTimetable.objects.get()
    page.context.close()

    give_totp(manager)
    page = new_page(browser)
    keys = Keyboard(page)
    sign_in(page, live_server.url, manager.email, keyboard=True)
    keys.press(page.get_by_role("link", name="Part-time timetables").first)
    check(page, "timetable-list")
    keys.press(page.get_by_role("link", name="Kai Okafor"))
    keys.press(page.get_by_role("link", name="Review the timetable"))
    check(page, "timetable-review")
    keys.choose(page.get_by_label("Extend to a new end date"))
    keys.date("New end date (if extended)", today + dt.timedelta(weeks=12))
    keys.tick(page.get_by_label("The pupil and parents took part in the review"))
    keys.press(page.get_by_role("button", name="Record the review"))
    assert "Review recorded: extend to a new end date." in page.content()
    timetable.refresh_from_db()
    assert timetable.extensions == 1
    keys.press(page.get_by_role("link", name="Part-time timetables").first)
    keys.press(page.get_by_role("link", name="Register report: hours missed and length"))
    check(page, "timetable-report")
    page.context.close()


def test_ehe_officer_records_a_concern_and_its_route(page: Page, live_server, ehe_officer: User,  # type: ignore[no-untyped-def]
                                                    check: Checker) -> None:
    today = timezone.localdate()
    record = open_record(ehe_officer, start=today - dt.timedelta(days=120))
    give_totp(ehe_officer)
    sign_in(page, live_server.url, ehe_officer.email)
    page.get_by_role("link", name="Home education").first.click()
    assert heading(page) == "Elective home education register"
    check(page, "ehe-list")
    page.get_by_role("link", name=record.child.legal_forename + " " + record.child.legal_surname).click()
    check(page, "ehe-record")
    page.get_by_role("link", name="Record a concern").click()
    check(page, "ehe-concern-new")
    page.get_by_label("Safety or wellbeing concern: refer to the MASH").check()
    fill_date(page, "Date the concern was raised", today)
    page.get_by_label("The concern").fill("Neighbour reports the child has not been seen for weeks")
    fill_date(page, "Date of the MASH referral (safety or wellbeing)", today)
    page.get_by_role("button", name="Save").click()
    assert "Concern recorded: MASH referral." in page.content()
    assert EHEConcern.objects.get().social_care_outcome == "awaiting"
    page.get_by_role("link", name="Record whether the education appears suitable").click()
    page.get_by_label("No: it does not appear suitable").check()
    page.get_by_label("Reasons for the decision").fill("No information provided after two letters")
    page.get_by_role("button", name="Save").click()
    assert "they are missing education" in page.content()
    check(page, "ehe-record-not-suitable")

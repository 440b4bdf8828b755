"""Browser journeys over the registers (Playwright + axe): a school submits a part-time timetable and the attendance
team reviews it; an EHE officer records a concern and its route. (One module: Playwright's session fixture.)"""

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
from tests.system.conftest import Checker, give_totp, heading, sign_in

#: Browser journeys run in `make test` (CI) and alone with `make test-browser` (`pytest -m system`).
pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def fill_date(page: Page, label: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=label)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_school_submits_and_the_team_reviews(browser: Browser, live_server, school_user: User, school: School,  # type: ignore[no-untyped-def]
                                             manager: User, check: Checker) -> None:
    child = pupil(school, legal_forename="Kai", legal_surname="Okafor")
    today = timezone.localdate()
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server.url, school_user.email)
    page.get_by_role("link", name="Tell us about a part-time timetable").first.click()
    assert heading(page) == "Tell us about a part-time timetable"
    check(page, "timetable-new")
    page.get_by_label("Pupil's UPN").fill(child.upn)
    page.get_by_label("Mental health, or emotionally based school avoidance").check()
    page.get_by_label("The timetable is in the pupil's best interests").check()
    page.get_by_label("Hours a week in school").fill("15")
    fill_date(page, "Start date", today)
    fill_date(page, "Planned end date", today + dt.timedelta(weeks=8))
    page.get_by_label("Plan for returning to full time").fill("One more morning each fortnight")
    page.get_by_role("group", name="Has the parent the pupil normally lives with agreed?").get_by_label("No").check()
    page.get_by_role("button", name="Send to the local authority").click()
    assert heading(page) == "Kai Okafor"
    assert "No parental consent recorded" in page.content()
    check(page, "timetable-detail-school")
    timetable = PartTimeTimetable.objects.get()

    give_totp(manager)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server.url, manager.email)
    page.get_by_role("link", name="Part-time timetables").first.click()
    check(page, "timetable-list")
    page.get_by_role("link", name="Kai Okafor").click()
    page.get_by_role("link", name="Review the timetable").click()
    check(page, "timetable-review")
    page.get_by_label("Extend to a new end date").check()
    fill_date(page, "New end date (if extended)", today + dt.timedelta(weeks=12))
    page.get_by_label("The pupil and parents took part in the review").check()
    page.get_by_role("button", name="Record the review").click()
    assert "Review recorded: extend to a new end date." in page.content()
    timetable.refresh_from_db()
    assert timetable.extensions == 1
    page.get_by_role("link", name="Part-time timetables").first.click()
    page.get_by_role("link", name="Register report: hours missed and length").click()
    check(page, "timetable-report")


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

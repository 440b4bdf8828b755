"""LA staff at their desks, keyboard only: a CME officer decides a linkage pair in the review queue (a probable
match is linked only by a person, R6.2); an attendance manager reads the reports dashboard, where every chart has
its numbers in a table (GOV.UK: a chart is never the only way to get the figures)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from cme.accounts.models import User
from cme.cases.tests.factories import open_case
from cme.children.tests.factories import ChildFactory
from cme.matching.models import MatchCandidate, SourceRecord
from cme.matching.tests.factories import MatchCandidateFactory
from cme.notifications.tests.factories import NotificationFactory
from tests.system.conftest import Checker, Keyboard, give_totp, heading, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def test_an_officer_links_a_health_record_to_a_child_with_the_keyboard(page: Page, live_server,  # type: ignore[no-untyped-def]
                                                                        officer: User, check: Checker) -> None:
    child = ChildFactory(local_authority=officer.local_authority, legal_forename="Amelia", legal_surname="Thompson",
                         date_of_birth=dt.date(2016, 5, 14))
    candidate = MatchCandidateFactory(child=child, source_record__forename="Amelia", source_record__surname="Thomson")
    give_totp(officer)
    keys = Keyboard(page)
    sign_in(page, live_server.url, officer.email, keyboard=True)
    keys.press(page.get_by_role("link", name="Linkage review").first)
    assert heading(page) == "Linkage review"
    check(page, "linkage-queue")
    keys.press(page.get_by_role("link", name="Review").last)
    assert heading(page) == "Is this the same child?"
    check(page, "linkage-review")
    keys.choose(page.get_by_label("Yes, the same child: link the record to this child"))
    keys.type(page.get_by_label("Reason"), "Same date of birth and address; surname misspelt by the GP surgery")
    keys.press(page.get_by_role("button", name="Save"))
    expect(page.get_by_text("Linked: the record is now part of the child's record.")).to_be_visible()
    candidate.refresh_from_db()
    assert candidate.source_record.link_status == SourceRecord.LinkStatus.LINKED
    assert candidate.status == MatchCandidate.Status.ACCEPTED


def test_a_manager_reads_the_dashboard_with_the_keyboard(page: Page, live_server, manager: User, officer: User,  # type: ignore[no-untyped-def]
                                                         check: Checker) -> None:
    for _ in range(3):
        open_case(user=officer)
    NotificationFactory(local_authority=manager.local_authority)
    give_totp(manager)
    keys = Keyboard(page)
    sign_in(page, live_server.url, manager.email, keyboard=True)
    keys.press(page.get_by_role("link", name="Reports").first)
    assert heading(page) == "Reports"
    check(page, "reports-dashboard")
    charts = page.locator("section:has(figure.cme-chart-figure)")
    assert charts.count() > 0, "the dashboard shows charts"
    for i in range(charts.count()):  # every chart is followed by a table of its numbers, with a caption
        section = charts.nth(i)
        expect(section.get_by_role("table")).to_have_count(1)
        expect(section.locator("caption")).to_contain_text("the numbers in the chart above")
    keys.tab_to(page.locator("summary", has_text="Filter by dates and school"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Show figures")).to_be_visible()
    keys.press(page.get_by_role("button", name="Show figures"))
    assert heading(page) == "Reports"


def test_an_officer_gives_a_reason_to_open_a_restricted_childs_case_with_the_keyboard(  # type: ignore[no-untyped-def]
        page: Page, live_server, officer: User, check: Checker) -> None:
    """DP-6: the case list shows "Restricted record"; opening the case asks why, and after the reason the case
    page opens with the child's name."""
    child = ChildFactory(local_authority=officer.local_authority, legal_forename="Zephyrine",
                         legal_surname="Quillfeather", is_restricted=True)
    case = open_case(user=officer, child=child)
    give_totp(officer)
    keys = Keyboard(page)
    sign_in(page, live_server.url, officer.email, keyboard=True)
    page.goto(f"{live_server.url}/cases/?view=team")
    expect(page.get_by_role("cell", name="Restricted record")).to_be_visible()
    expect(page.get_by_text("Quillfeather")).to_have_count(0)
    keys.press(page.get_by_role("link", name=case.reference))
    assert heading(page) == "This record is restricted"
    check(page, "restricted-record-reason")
    keys.press(page.get_by_role("button", name="Open the record"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason you need to see this record")
    keys.type(page.get_by_label("Why do you need to see this record?"), "Strategy meeting this afternoon")
    keys.press(page.get_by_role("button", name="Open the record"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Zephyrine Quillfeather")
    assert page.url.split("#")[0].endswith(f"/cases/{case.pk}/")

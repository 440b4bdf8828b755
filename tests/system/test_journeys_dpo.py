"""The data protection officer's Art 18 journey in the browser (DP-6), signed in with two-factor: the DPO opens the
restrictions list, finds a child, sends the restriction form empty first (the GOV.UK error summary shows, takes the
focus and links to each field), records a restriction with its ground (Art 18(1)), sees it in the list, and lifts it
recording when and how the data subject was told (Art 18(3)). Meanwhile a CME officer's search finds nothing while
the record is restricted (Art 18(2): stored only) and finds the child again after the lift.

Every page is checked by the shared checker (axe: 0 serious or critical; reflow at 200% zoom; a screenshot) and,
stricter, by axe with only the WCAG 2.0/2.1/2.2 A and AA rules: 0 violations of any impact."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from cme.accounts.models import User
from cme.children.models import Child
from cme.children.tests.factories import ChildFactory
from cme.privacy.models import ProcessingRestriction
from tests.system.conftest import Checker, fill_date, give_totp, heading, new_page, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BORN = dt.date(2015, 2, 9)


class WcagChecker:
    """The shared checks, then axe again with only the WCAG 2.2 AA rule set: no violation of any impact."""

    def __init__(self, check: Checker) -> None:
        self.check, self.axe, self.pages = check, Axe(), 0

    def __call__(self, page: Page, name: str) -> None:
        self.check(page, name)
        results = self.axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA},
                                              "resultTypes": ["violations"]})
        violations = results.response["violations"]
        assert not violations, f"{name}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']}" for v in violations)
        self.pages += 1


def officer_finds(page: Page, base_url: str) -> int:
    """The number of children the officer's search by date of birth finds (the page says how many)."""
    page.goto(f"{base_url}/children/find/")
    fill_date(page, "Date of birth", BORN)
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    found = page.locator("#results").inner_text()
    return int(found.split()[0])


def test_the_dpo_restricts_and_lifts_processing_and_officers_lose_and_regain_the_child(  # type: ignore[no-untyped-def]
        browser: Browser, live_server, dpo: User, officer: User, check: Checker) -> None:
    axe = WcagChecker(check)
    child = ChildFactory(local_authority=dpo.local_authority, legal_forename="Ottilie", legal_surname="Brackwater",
                         date_of_birth=BORN)
    today = timezone.localdate()
    give_totp(dpo)
    give_totp(officer)
    base = live_server.url

    desk = new_page(browser)  # the officer, at another desk: finds the child before anything is restricted
    sign_in(desk, base, officer.email)
    assert officer_finds(desk, base) == 1
    axe(desk, "dpo-journey-officer-search-before")

    page = new_page(browser)
    sign_in(page, base, dpo.email)
    page.get_by_role("link", name="Data protection").first.click()
    assert heading(page) == "Restrictions of processing"
    expect(page.get_by_role("cell", name="No restrictions are in force.")).to_be_visible()
    axe(page, "dpo-restrictions-empty")

    # Find the child (the list says how), open the record, then its restriction page.
    page.get_by_role("link", name="find the child").click()
    assert heading(page) == "Find a child"
    fill_date(page, "Date of birth", BORN)
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    axe(page, "dpo-search-results")
    page.get_by_role("link", name="Ottilie Brackwater").click()
    assert heading(page) == "Ottilie Brackwater"
    page.get_by_role("link", name="Restriction of processing").click()
    assert heading(page) == "Restriction of processing"
    assert page.url.endswith(f"/privacy/children/{child.pk}/restriction/")
    axe(page, "dpo-restriction-new")

    # Sent empty: the GOV.UK error summary, focused, each error a link to its field; nothing recorded.
    with page.expect_navigation():
        page.get_by_role("button", name="Restrict processing").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend moves the focus to the summary (WCAG 3.3.1)
    links = summary.locator("a")
    assert links.count() >= 3, "ground, who asked and date of the request are required"
    for i in range(links.count()):
        target = links.nth(i).get_attribute("href") or ""
        assert target.startswith("#") and page.locator(target).count() == 1, f"error link {target} has no field"
    assert page.title().startswith("Error: "), page.title()
    axe(page, "dpo-restriction-errors")
    links.first.click()  # the first error link takes the focus to its field
    expect(page.locator(links.first.get_attribute("href") or "#none")).to_be_focused()
    assert not ProcessingRestriction.objects.exists()

    # Now with the ground (Art 18(1)(a)), who asked and when.
    page.get_by_label("The accuracy of the data is contested (Art 18(1)(a))").check()
    page.get_by_label("Who asked for it").fill("The child's mother")
    fill_date(page, "Date of the request", today)
    page.get_by_label("Details (optional)").fill("The mother says the address held is not the family's.")
    with page.expect_navigation():
        page.get_by_role("button", name="Restrict processing").click()
    expect(page.get_by_text("Processing restricted. Only the data protection officer can see")).to_be_visible()
    expect(page.get_by_role("heading", name="Lift the restriction")).to_be_visible()
    axe(page, "dpo-restriction-in-force")
    restriction = ProcessingRestriction.objects.get(child=child, lifted_at__isnull=True)
    assert restriction.ground == ProcessingRestriction.Ground.ACCURACY_CONTESTED
    assert Child.objects.get(pk=child.pk).processing_restricted

    page.get_by_role("link", name="Data protection").first.click()
    row = page.get_by_role("row").filter(has_text=f"record {child.pk}")
    expect(row).to_contain_text("The accuracy of the data is contested (Art 18(1)(a))")
    expect(row).to_contain_text("The child's mother")
    axe(page, "dpo-restrictions-one")

    assert officer_finds(desk, base) == 0  # Art 18(2): hidden from every role but the DPO
    expect(desk.get_by_text("No child matches.")).to_be_visible()
    axe(desk, "dpo-journey-officer-search-restricted")

    # Lift it (Art 18(3)): the reason, when and how the mother was told.
    row.get_by_role("link").click()
    assert heading(page) == "Restriction of processing"
    page.get_by_label("Why is the restriction being lifted?").fill("Address checked with the school; corrected")
    fill_date(page, "Date the data subject was told it will be lifted", today)
    page.get_by_label("How were they told?").fill("Letter to the mother at the corrected address")
    with page.expect_navigation():
        page.get_by_role("button", name="Lift the restriction").click()
    expect(page.get_by_text("Restriction lifted. The record is processed normally again.")).to_be_visible()
    expect(page.get_by_role("cell", name="Letter to the mother at the corrected address")).to_be_visible()
    axe(page, "dpo-restriction-lifted")
    restriction.refresh_from_db()
    assert restriction.lifted_at is not None and restriction.subject_told_on == today
    assert not Child.objects.get(pk=child.pk).processing_restricted

    page.get_by_role("link", name="Data protection").first.click()
    expect(page.get_by_role("cell", name="No restrictions are in force.")).to_be_visible()

    assert officer_finds(desk, base) == 1  # processed normally again
    axe(desk, "dpo-journey-officer-search-after")
    print(f"\nDP-6 browser: Art 18 restriction placed (after an error summary) and lifted with the Art 18(3) notice; "
          f"officer's search 1 -> 0 -> 1; {axe.pages} pages checked with axe (WCAG 2.2 A/AA rules, 0 violations) "
          f"and reflow")
    desk.context.close()
    page.context.close()

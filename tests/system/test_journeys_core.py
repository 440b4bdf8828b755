"""Journeys over the foundation and the children core (issue 12 extends these to every capability)."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page

from cme.accounts.models import User
from cme.children.tests.factories import ChildFactory, EnrolmentFactory
from tests.system.conftest import PASSWORD, Checker, Keyboard, give_totp, heading, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def test_officer_finds_a_child_by_a_misspelt_name_with_the_keyboard(page: Page, live_server, officer: User,  # type: ignore[no-untyped-def]
                                                                    check: Checker) -> None:
    give_totp(officer)
    child = ChildFactory(local_authority=officer.local_authority, legal_forename="Muhammad", legal_surname="Ali",
                         date_of_birth=dt.date(2016, 4, 3))
    keys = Keyboard(page)
    page.goto(f"{live_server.url}/account/sign-in/")
    check(page, "sign-in")
    sign_in(page, live_server.url, officer.email, keyboard=True)
    check(page, "officer-home")
    keys.press(page.get_by_role("link", name="Find a child").first)
    check(page, "find-a-child")
    keys.type(page.get_by_label("Name"), "Mohamed Aly")
    keys.press(page.get_by_role("button", name="Search"))
    assert "1 child found" in page.content()
    check(page, "find-a-child-results")
    keys.press(page.get_by_role("link", name="Muhammad Ali"))
    assert heading(page) == "Muhammad Ali"
    assert f"/children/{child.pk}/" in page.url
    check(page, "child-page")


def test_school_user_sets_up_two_factor_then_sees_their_roll_with_the_keyboard_only(  # type: ignore[no-untyped-def]
        page: Page, live_server, school_user: User, school, check: Checker) -> None:
    """AUTH-3: a school user's first sign-in (no authenticator yet) goes to the two-factor set-up, as LA staff's does:
    the set-up page with its QR image, the code, the recovery codes, then their school's home."""
    EnrolmentFactory(child=ChildFactory(local_authority=school_user.local_authority), school=school, nc_year_actual=4)
    keys = Keyboard(page)
    page.goto(f"{live_server.url}/account/sign-in/")
    keys.type(page.get_by_label("Email address"), school_user.email)
    keys.type(page.get_by_label("Password"), PASSWORD)
    keys.press(page.get_by_role("button", name="Sign in"))
    assert "/account/two-factor/set-up/" in page.url, page.url
    assert heading(page) == "Set up two-factor authentication"
    check(page, "two-factor-setup")
    qr = page.get_by_role("img", name="QR code to add this service to your authenticator app")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    secret = page.locator("main code").inner_text().strip()
    code = f"{totp(base64.b32decode(secret)):06d}"
    keys.type(page.get_by_label("Security code from your app"), code)
    keys.press(page.get_by_role("button", name="Continue"))
    assert heading(page) == "Your recovery codes"
    assert page.locator("main ul code").count() == 10
    check(page, "recovery-codes")
    keys.press(page.get_by_role("link", name="Continue"))
    check(page, "school-home")
    Keyboard(page).press(page.get_by_role("link", name="Your school's roll"))
    assert heading(page) == school.name
    check(page, "school-page")


def test_admin_reads_the_audit_log(page: Page, live_server, la_admin: User, check: Checker) -> None:  # type: ignore[no-untyped-def]
    give_totp(la_admin)
    sign_in(page, live_server.url, la_admin.email)
    page.get_by_role("link", name="Audit log").first.click()
    assert heading(page) == "Audit log"
    assert "Signed in" in page.content()
    check(page, "audit-log")


def test_a_wrong_password_shows_the_error_summary(page: Page, live_server, school_user: User, check: Checker) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Email address").fill(school_user.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator(".govuk-error-summary").is_visible()
    check(page, "sign-in-error")

"""DP-7 (SECURITY-PLAN; ASVS v5.0.0-14.3.3): nothing about a child is kept in the browser's storage.

A CME officer and a school user sign in with Chromium, search for a child by name (POST), open the child's page and
their school's page; localStorage stays empty and sessionStorage holds no name, UPN, postcode or date of birth (GOV.UK
Frontend's accordion may keep which sections are open there, by section id only)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from playwright.sync_api import Browser

from cme.accounts.models import User
from cme.children.models import School
from cme.children.tests.factories import ChildAddressFactory, ChildFactory, EnrolmentFactory
from tests.system.conftest import give_totp, new_page, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]

STORAGE = "() => ({local: Object.assign({}, window.localStorage), session: Object.assign({}, window.sessionStorage)})"


def test_dp7_browser_storage_holds_no_personal_data(browser: Browser, live_server, officer: User,  # type: ignore[no-untyped-def]
                                                     school_user: User, school: School) -> None:
    give_totp(officer)
    give_totp(school_user)  # every role signs in with two-factor (AUTH-3)
    child = ChildFactory(local_authority=officer.local_authority, legal_forename="Zephyrine",
                         legal_surname="Quillfeather", date_of_birth=dt.date(2015, 4, 9))
    EnrolmentFactory(child=child, school=school)
    ChildAddressFactory(child=child)
    secrets = [child.legal_forename, child.legal_surname, child.upn, child.date_of_birth.isoformat(), "09/04/2015"]
    for user in (officer, school_user):
        page = new_page(browser)
        try:
            sign_in(page, live_server.url, user.email)
            page.goto(f"{live_server.url}/children/find/")
            page.get_by_label("Name").fill(f"{child.legal_forename} {child.legal_surname}")
            with page.expect_navigation():
                page.get_by_role("button", name="Search").click()
            assert "Quillfeather" not in page.url
            for path in (f"/children/{child.pk}/", f"/schools/{school.pk}/", "/"):
                page.goto(live_server.url + path)
                storage = page.evaluate(STORAGE)
                assert storage["local"] == {}, (user.role, path, storage)
                kept = json.dumps(storage["session"])
                assert not [s for s in secrets if s.lower() in kept.lower()], (user.role, path, kept)
        finally:
            page.context.close()

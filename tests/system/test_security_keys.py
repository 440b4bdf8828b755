"""AC-8 in the browser: a system administrator adds a security key and signs in with it (WebAuthn), in Chromium
with its DevTools virtual authenticator (CTAP2 over USB, resident keys, user verification) standing in for a
real key. With CME_ADMIN_REQUIRES_SECURITY_KEY on (as in production), the code from the app is not enough for the
admin; the key is. Each page of ours is checked with axe (0 serious or critical) and reflow, as the other journeys.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from cme.accounts.models import SecurityKey, User
from tests.system.conftest import PASSWORD, Checker, give_totp, heading, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]

ADMIN_MARK = "Children missing education: system administration"


def test_a_system_admin_adds_a_security_key_and_signs_in_with_it(  # type: ignore[no-untyped-def]
        page: Page, live_server, la_admin: User, check: Checker, settings) -> None:
    settings.CME_ADMIN_REQUIRES_SECURITY_KEY = True
    settings.CME_WEBAUTHN_RP_ID = "localhost"  # the live server's host
    base = live_server.url.replace("127.0.0.1", "localhost")
    give_totp(la_admin)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})["authenticatorId"]

    sign_in(page, base, la_admin.email)  # the code from the app
    page.goto(f"{base}/admin/")
    assert heading(page) == "You need to use a security key" and ADMIN_MARK not in page.content()
    check(page, "security-key-required")
    page.get_by_role("link", name="your security keys").click()
    assert heading(page) == "Security keys"
    check(page, "security-keys")
    page.get_by_label("Name of the key").fill("Virtual key")
    with page.expect_navigation():
        page.get_by_role("button", name="Add security key").click()
    assert "Security key ‘Virtual key’ added" in page.content()
    check(page, "security-keys-added")
    held = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    key = SecurityKey.objects.get(user=la_admin)
    assert len(held) == 1 and held[0]["credentialId"].rstrip("=").replace("+", "-").replace("/", "_") == \
        key.credential_id

    page.context.clear_cookies()  # signed out; the virtual key stays plugged in
    page.goto(f"{base}/account/sign-in/?next=/admin/")
    page.get_by_label("Email address").fill(la_admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Use your security key instead").click()
    assert heading(page) == "Use your security key"
    check(page, "security-key-sign-in")
    with page.expect_navigation():
        page.get_by_role("button", name="Use security key").click()
    page.wait_for_load_state()
    assert ADMIN_MARK in page.content(), page.url
    key.refresh_from_db()
    held = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert key.last_used_at is not None and key.sign_count == held[0]["signCount"] >= 1
    print(f"\nAC-8 browser: security key added and used in Chromium (virtual CTAP2 USB authenticator); "
          f"admin opened after the key, not after the code; sign count {key.sign_count}; "
          f"{len(check.pages)} pages checked with axe")

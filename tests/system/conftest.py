"""Browser journeys: Playwright (Python) driving Debian's Chromium against the live server on loopback.

Nothing downloads a browser: Chromium comes from apt (`/usr/bin/chromium`). Each page visited is checked
with axe-core (0 serious or critical violations), reflows at 200% zoom without horizontal scrolling,
and is saved as a screenshot under artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, sync_playwright

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.system


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


class Checker:
    """Accessibility and reflow checks on every page a journey visits."""

    def __init__(self) -> None:
        self.axe = Axe()
        self.pages: list[str] = []

    def __call__(self, page: Page, name: str) -> None:
        results = self.axe.run(page)
        serious = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        assert not serious, f"{name}: " + "; ".join(f"{v['id']}: {v['help']}" for v in serious)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        # 200% zoom on a 1280px window is a 640px-wide layout: no horizontal scrolling (WCAG 1.4.10).
        size = page.viewport_size
        page.set_viewport_size({"width": 640, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        page.set_viewport_size(size or {"width": 1280, "height": 900})
        assert overflow <= 1, f"{name}: scrolls horizontally at 200% zoom ({overflow}px)"
        self.pages.append(name)


@pytest.fixture
def check() -> Checker:
    return Checker()


def sign_in(page: Page, base_url: str, email: str, password: str = PASSWORD, *, keyboard: bool = False) -> None:
    page.goto(f"{base_url}/account/sign-in/")
    if keyboard:
        page.keyboard.press("Tab")  # skip link
        page.get_by_label("Email address").focus()
        page.keyboard.type(email)
        page.keyboard.press("Tab")
        page.keyboard.type(password)
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
    if "/account/two-factor/" in page.url:
        from cme.accounts.models import User

        device = TOTPDevice.objects.filter(user=User.objects.get(email=email), confirmed=True).first()
        assert device is not None, "LA staff need a TOTP device"
        code = f"{totp(device.bin_key):06d}"
        field = page.get_by_label("Security code")
        field.fill(code)
        with page.expect_navigation():
            if keyboard:
                field.press("Enter")
            else:
                page.get_by_role("button", name="Continue").click()
    assert "/account/" not in page.url, f"sign-in did not complete: {page.url}"


def give_totp(user: object) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)


def heading(page: Page) -> str:
    return re.sub(r"\s+", " ", page.locator("h1").first.inner_text()).strip()

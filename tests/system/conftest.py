"""Browser journeys: Playwright (Python) driving Debian's Chromium against the live server on loopback.

Nothing downloads a browser: Chromium comes from apt (`/usr/bin/chromium`). Each page visited is checked
with axe-core (0 serious or critical violations), reflows at 200% zoom without horizontal scrolling,
and is saved as a screenshot under artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, sync_playwright

from tests.system.keyboard import Keyboard

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.system


#: One Playwright and one Chromium for the whole run. Other conftests re-export `browser` (e.g. the registers'
#: journeys in cme/timetables), which makes pytest build a second session fixture: a second `sync_playwright()`
#: inside the first one's event loop fails, so the fixture shares a single instance.
_SHARED: dict[str, object] = {}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    if "browser" in _SHARED:
        yield _SHARED["browser"]  # type: ignore[misc]
        return
    playwright = sync_playwright().start()
    shared = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
    _SHARED["browser"] = shared
    try:
        yield shared
    finally:
        _SHARED.clear()
        shared.close()
        playwright.stop()


#: Playwright waits for each element by itself (auto-waiting, `expect`); a page that never comes fails in 10 s.
TIMEOUT_MS = 10_000


def new_page(browser: Browser) -> Page:
    """A fresh tab in its own context (its own cookies), as a second person at another desk."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    page = new_page(browser)
    yield page
    page.context.close()


#: The innermost elements that stick out past the right edge of the window (to say what to fix).
WIDEST = """() => {
  const edge = document.documentElement.clientWidth;
  const out = [...document.querySelectorAll("body *")].filter(el => el.getBoundingClientRect().right > edge + 1);
  return out.filter(el => !out.some(other => other !== el && el.contains(other))).slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + "." + [...el.classList].join(".")
         + " " + (el.innerText || "").slice(0, 40));
}"""


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
        culprits = page.evaluate(WIDEST) if overflow > 1 else []
        page.set_viewport_size(size or {"width": 1280, "height": 900})
        assert overflow <= 1, f"{name}: scrolls horizontally at 200% zoom ({overflow}px): {culprits}"
        self.pages.append(name)


@pytest.fixture
def check() -> Checker:
    return Checker()


def sign_in(page: Page, base_url: str, email: str, password: str = PASSWORD, *, keyboard: bool = False) -> None:
    page.goto(f"{base_url}/account/sign-in/")
    if keyboard:
        keys = Keyboard(page)
        keys.type(page.get_by_label("Email address"), email)
        keys.type(page.get_by_label("Password"), password)
        keys.press(page.get_by_role("button", name="Sign in"))
    else:
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
    if "/account/two-factor/" in page.url:
        from cme.accounts.models import User

        device = TOTPDevice.objects.filter(user=User.objects.get(email=email), confirmed=True).first()
        assert device is not None, "give the user a TOTP device first (give_totp): every role needs two-factor"
        code = f"{totp(device.bin_key):06d}"
        field = page.get_by_label("Security code")
        if keyboard:
            Keyboard(page).type(field, code)
            with page.expect_navigation():
                page.keyboard.press("Enter")
        else:
            field.fill(code)
            with page.expect_navigation():
                page.get_by_role("button", name="Continue").click()
    assert "/account/" not in page.url, f"sign-in did not complete: {page.url}"


def give_totp(user: object) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)


def heading(page: Page) -> str:
    return re.sub(r"\s+", " ", page.locator("h1").first.inner_text()).strip()


# --- Failure evidence ------------------------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    if report.when == "call" and report.failed and "browser" in getattr(item, "funcargs", {}):
        # Save what every open tab showed when a journey failed: the HTML and a screenshot, as CI artefacts.
        out = SCREENSHOTS.parent / "failures" / item.name
        out.mkdir(parents=True, exist_ok=True)
        for i, context in enumerate(item.funcargs["browser"].contexts):
            for j, tab in enumerate(context.pages):
                (out / f"{i}-{j}.html").write_text(tab.content())
                tab.screenshot(path=str(out / f"{i}-{j}.png"), full_page=True)
    return report


# --- Keyboard only (tests/system/keyboard.py) -------------------------------------------------------------------


def keyboard(page: Page) -> Keyboard:
    return Keyboard(page)


def fill_date(page: Page, label: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=label)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))

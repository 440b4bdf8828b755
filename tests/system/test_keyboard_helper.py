"""The keyboard helper fails a journey when a control shows no focus or cannot be reached by Tab (so a keyboard-only
journey that passes means something). Static pages: no server, no database."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.system.keyboard import Keyboard

pytestmark = pytest.mark.system

STYLE = "<style>:focus { outline: none } .govuk:focus { outline: 3px solid #fd0 }</style>"


def test_tab_reaches_a_control_behind_the_focus_with_shift_tab(page: Page) -> None:
    page.set_content(STYLE + '<a class="govuk" href="#a">A</a><input class="govuk"><button class="govuk">C</button>'
                     + '<input class="govuk"><input class="govuk">')
    keys = Keyboard(page)
    keys.tab_to(page.locator("button"))
    assert keys.stops == 3
    keys.tab_to(page.locator("a"))
    assert page.evaluate("document.activeElement.tagName") == "A"
    assert keys.stops == 5, "two steps back (Shift+Tab), not round the page"


def test_a_tab_stop_without_a_visible_focus_fails(page: Page) -> None:
    page.set_content(STYLE + '<a href="#a">no focus style</a><button class="govuk">Go</button>')
    with pytest.raises(AssertionError, match="without a visible focus style: a"):
        Keyboard(page).tab_to(page.locator("button"))


def test_a_control_out_of_the_tab_order_fails(page: Page) -> None:
    page.set_content(STYLE + '<button class="govuk">A</button><button class="govuk" tabindex="-1">B</button>')
    keys = Keyboard(page)
    keys.LIMIT = 5
    with pytest.raises(AssertionError, match="not reachable with the Tab key"):
        keys.tab_to(page.get_by_role("button", name="B"))

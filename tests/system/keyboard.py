"""Keyboard only: Tab, Shift+Tab, Enter, Space and the arrow keys; never a mouse click, never `.fill()`.

Focus starts where a keyboard user's starts: at the top of a freshly loaded page (or on whatever the page moved focus
to, such as an error summary or a success banner). To reach the main content it goes through the skip link, then
Tab (or Shift+Tab for a control behind the focus) moves one stop at a time until the control has focus. Every stop
on the way must show the GOV.UK focus style (WCAG 2.4.7 focus visible, 2.4.13 focus appearance): the yellow focus
colour as an outline, background or box shadow (for radios and checkboxes, on the label's circle or box). A control
that Tab cannot reach, or that shows no focus, fails the journey and says which one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import ElementHandle, Locator, Page

#: What the focus is on, whether it is the target (for a radio: its group, one Tab stop), whether it is visibly
#: focused, and whether the target lies behind it in the Tab order (then Shift+Tab goes back to it).
FOCUS = """(el) => {
  const a = document.activeElement;
  const none = !a || a === document.body || a === document.documentElement;
  const YELLOW = "rgb(255, 221, 0)";
  const styled = s => (s.outlineStyle !== "none" && s.outlineColor === YELLOW && parseFloat(s.outlineWidth) >= 2)
    || s.backgroundColor === YELLOW || s.boxShadow.includes(YELLOW);
  let visible = false, what = "nothing";
  if (!none) {
    const styles = [getComputedStyle(a)];
    if (a.matches(".govuk-radios__input, .govuk-checkboxes__input") && a.labels && a.labels[0]) {
      styles.push(getComputedStyle(a.labels[0], "::before"));
    }
    visible = styles.some(styled);
    const label = (a.labels && a.labels[0] ? a.labels[0].innerText : a.innerText || a.value || "").trim();
    const cls = typeof a.className === "string" && a.className ? "." + a.className.split(" ")[0] : "";
    what = a.tagName.toLowerCase() + (a.id ? "#" + a.id : "") + cls
      + " \\"" + label.replace(/\\s+/g, " ").slice(0, 50) + "\\"";
  }
  const group = el.type === "radio" && !none && a.type === "radio" && a.name === el.name && a.form === el.form;
  return {
    here: el === a || group, none, visible, what,
    behind: !none && !!(el.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING),
    inMain: !!el.closest("main"),
  };
}"""


class Keyboard:
    """Drives a page the way a keyboard user does (see the module's docstring)."""

    #: Tab presses allowed to reach one control: a long page (a case with its checklist) has about 150 stops.
    LIMIT = 400

    def __init__(self, page: Page) -> None:
        self.page = page
        #: How many Tab (or Shift+Tab) presses the journey took.
        self.stops = 0

    def _state(self, target: Locator | ElementHandle) -> dict[str, Any]:
        return target.evaluate(FOCUS)  # type: ignore[no-any-return]

    def skip_to_main(self) -> None:
        """From the top of a page: the first Tab stop is the skip link, and Enter moves focus to the main content."""
        self.page.keyboard.press("Tab")
        skip = self.page.locator(".govuk-skip-link")
        state = self._state(skip)
        assert state["here"], f"the first Tab stop is not the skip link but {state['what']}"
        assert state["visible"], "the skip link shows no focus style"
        self.page.keyboard.press("Enter")
        assert self.page.evaluate("document.activeElement.id") == "main-content", "the skip link did not move focus"

    def tab_to(self, target: Locator) -> None:
        """Tab (or Shift+Tab) until `target` has focus; each stop on the way must show the focus style."""
        target.wait_for()
        element = target.element_handle()  # found once: the page does not change while the focus moves
        state = self._state(element)
        if state["none"] and state["inMain"] and not self.page.evaluate("location.hash"):
            self.skip_to_main()  # (with a #fragment in the URL, the browser's Tab already starts from there)
            state = self._state(element)
        key = "Shift+Tab" if state["behind"] else "Tab"
        for _ in range(self.LIMIT):
            if state["here"]:
                assert state["visible"], f"no visible focus on {state['what']}"
                return
            self.page.keyboard.press(key)
            self.stops += 1
            state = self._state(element)
            assert state["none"] or state["visible"], f"Tab stop without a visible focus style: {state['what']}"
        raise AssertionError(f"not reachable with the {key} key in {self.LIMIT} stops: {target}")

    def type(self, target: Locator, text: str) -> None:
        """A text field: reach it, select what is there, type."""
        self.tab_to(target)
        self.page.keyboard.press("ControlOrMeta+A")
        self.page.keyboard.type(text)

    def date(self, group: str, day: dt.date) -> None:
        """A GOV.UK date input: its Day, Month and Year fields in turn."""
        fieldset = self.page.get_by_role("group", name=group)
        for part, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
            self.type(fieldset.get_by_label(part), str(value))

    def press(self, target: Locator, key: str = "Enter") -> None:
        """Activate a link or button (Enter) and wait for the page it leads to."""
        self.tab_to(target)
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def tick(self, target: Locator) -> None:
        """A checkbox: Space toggles it on."""
        assert target.get_attribute("type") == "checkbox", f"not a checkbox (a radio? use choose): {target}"
        self.tab_to(target)
        if not target.is_checked():
            self.page.keyboard.press("Space")
        assert target.is_checked()

    def choose(self, target: Locator) -> None:
        """A radio: Tab lands on the group (one stop), Space picks the focused one, the arrow keys move the choice."""
        self.tab_to(target)
        if not self.page.evaluate("document.activeElement.checked"):
            self.page.keyboard.press("Space")  # no radio of the group was chosen yet
        for _ in range(50):
            if target.is_checked():
                assert self._state(target)["visible"], "the chosen radio shows no focus style"
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"could not choose {target} with the arrow keys")

    def select(self, target: Locator, option: str) -> None:
        """A select: focus it, then the arrow keys change the option (its text or value) without opening the list."""
        self.tab_to(target)
        options: list[list[str]] = target.evaluate("el => [...el.options].map(o => [o.text.trim(), o.value])")
        wanted = next((i for i, (text, value) in enumerate(options) if option in (text, value)), None)
        assert wanted is not None, f"no option {option!r} in {target}: {options}"
        for _ in range(len(options)):
            current = target.evaluate("el => el.selectedIndex")
            if current == wanted:
                return
            self.page.keyboard.press("ArrowDown" if wanted > current else "ArrowUp")
        raise AssertionError(f"could not choose {option!r} in {target} with the arrow keys")

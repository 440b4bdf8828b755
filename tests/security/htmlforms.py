"""Read the forms on a page and build what a browser would submit (for the AC-5 mass-assignment sweep).

Only the standard library's HTML parser: forms, inputs, selects, textareas and named submit buttons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Control:
    name: str
    kind: str  # input type, "select", "textarea" or "button"
    value: str = ""
    checked: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected) for selects


@dataclass
class Form:
    action: str
    method: str
    controls: list[Control] = field(default_factory=list)

    @property
    def names(self) -> set[str]:
        return {c.name for c in self.controls if c.name}


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Control | None = None
        self._option: list[str] | None = None
        self._textarea: Control | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        if tag == "input" and a.get("name"):
            self._form.controls.append(Control(a["name"], a.get("type", "text").lower(), a.get("value", ""),
                                               "checked" in a))
        elif tag == "button" and a.get("name") and a.get("type", "submit") == "submit":
            self._form.controls.append(Control(a["name"], "button", a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = Control(a["name"], "select")
            self._form.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value", "\0"), "selected" if "selected" in a else ""]
        elif tag == "textarea" and a.get("name"):
            self._textarea = Control(a["name"], "textarea")
            self._form.controls.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None and self._option[0] == "\0":
            self._option.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value = self._option[0] if self._option[0] != "\0" else "".join(self._option[2:]).strip()
            self._select.options.append((value, bool(self._option[1])))
            self._option = None
        elif tag == "textarea":
            self._textarea = None


def post_forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return [f for f in parser.forms if f.method == "post"]


def fill(name: str, *, today: dt.date) -> str:
    """A plausible value for an empty field, from its name (dates a week ago; dates of birth in 2015)."""
    lowered = name.lower()
    day = dt.date(2015, 5, 14) if "birth" in lowered else today - dt.timedelta(days=7)
    for suffix, value in (("-day", day.day), ("-month", day.month), ("-year", day.year)):
        if lowered.endswith(suffix):
            return str(value)
    for part, value in (("email", "sweep@example.org"), ("postcode", "OX4 1AB"), ("phone", "01632 960001"),
                        ("upn", ""), ("nhs", ""), ("laestab", ""), ("time", "10:00"), ("starts_at", "10:00"),
                        ("la_code", "825"), ("hours", "10"), ("weeks", "4"), ("days", "5"), ("nc_year", "6"),
                        ("year_group", "6"), ("age", "9")):
        if part in lowered:
            return value
    return "Sweep test"


def submission(form: Form, *, today: dt.date) -> dict[str, str | list[str]]:
    """What a browser would send for the form, with empty text fields filled and the first choice taken where
    none is chosen (radios and selects). Checkboxes stay as the page has them; file inputs are left out."""
    data: dict[str, str | list[str]] = {}
    radios: dict[str, list[Control]] = {}
    button_done = False
    for control in form.controls:
        if control.kind == "radio":
            radios.setdefault(control.name, []).append(control)
        elif control.kind == "checkbox":
            if control.checked:
                data.setdefault(control.name, [])
                data[control.name].append(control.value or "on")  # type: ignore[union-attr]
        elif control.kind == "select":
            chosen = [v for v, selected in control.options if selected]
            data[control.name] = chosen[0] if chosen else next((v for v, _ in control.options if v), "")
        elif control.kind == "button":
            if not button_done:
                data[control.name] = control.value
                button_done = True
        elif control.kind in ("file", "submit", "reset", "image"):
            continue
        elif control.kind == "hidden":
            data[control.name] = control.value
        else:
            data[control.name] = control.value or fill(control.name, today=today)
    for name, group in radios.items():
        checked = [c.value for c in group if c.checked]
        data[name] = checked[0] if checked else group[0].value
    return data

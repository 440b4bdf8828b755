"""Django forms rendered with the real GOV.UK Design System macros (govuk-frontend-jinja).

Templates call `{{ field(form.name) }}` and `{{ error_summary(form) }}`; no hand-written error markup.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from functools import cache
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.template import engines
from markupsafe import Markup


@cache
def _macro(component: str, name: str) -> Any:
    env = engines["jinja2"].env  # type: ignore[attr-defined]
    return getattr(env.get_template(f"govuk_frontend_jinja/components/{component}/macro.html").module, name)


# A GOV.UK macro is a pure function of its parameters, and rendering one is the costliest part of most pages (a
# select of the council's schools is ~400 options through the attributes macro). Fields a user has not typed into
# (no value, no error) and choice fields render the same markup for the same parameters, so that markup is kept in
# a small per-process LRU keyed by the parameters' repr (PERF-1). Typed values (names, dates of birth, notes) are
# never kept, so the cache holds no personal data a user entered. Only plain values are keyed: an object whose repr
# does not say what it renders (a lazy string, a model) makes the call uncached.
_MEMO_SIZE = 512
_memo: OrderedDict[tuple[str, str, str], Markup] = OrderedDict()
_memo_lock = threading.Lock()
_PLAIN = (str, int, float, bool, type(None), Markup)


def _plain(value: Any) -> bool:
    if type(value) in _PLAIN:
        return True
    if type(value) is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if type(value) in (list, tuple):
        return all(_plain(v) for v in value)
    return False


def _render(component: str, name: str, params: dict[str, Any], *, remember: bool) -> Markup:
    """`_macro(component, name)(params)`, from the LRU when `remember` and the parameters are plain values."""
    if not remember or not _plain(params):
        return _macro(component, name)(params)  # type: ignore[no-any-return]
    key = (component, name, repr(params))
    with _memo_lock:
        html = _memo.get(key)
        if html is not None:
            _memo.move_to_end(key)
            return html
    html = _macro(component, name)(params)
    with _memo_lock:
        _memo[key] = html
        if len(_memo) > _MEMO_SIZE:
            _memo.popitem(last=False)
    return html


class GovUKDateWidget(forms.Widget):
    """Three boxes (day, month, year) as the GOV.UK date input pattern; names are `<name>-day` etc."""

    template_name = ""  # rendered by render_field

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str] | None:
        parts = {part: (data.get(f"{name}-{part}") or "").strip() for part in ("day", "month", "year")}
        if not any(parts.values()):
            return None
        return parts

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return not any(f"{name}-{part}" in data for part in ("day", "month", "year"))


class GovUKDateField(forms.Field):
    widget = GovUKDateWidget
    default_error_messages = {
        "invalid": "Enter a real date",
        "incomplete": "Date must include a day, month and year",
    }

    def to_python(self, value: Any) -> date | None:
        if value in (None, "", {}):
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError as exc:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if not all(value.get(p) for p in ("day", "month", "year")):
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        try:
            year = int(value["year"])
            if year < 1900:
                raise ValueError
            return date(year, int(value["month"]), int(value["day"]))
        except (TypeError, ValueError) as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


def _date_parts(value: Any) -> dict[str, str]:
    if isinstance(value, date):
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
    if isinstance(value, dict):
        return {k: value.get(k, "") for k in ("day", "month", "year")}
    if isinstance(value, str) and value:
        try:
            return _date_parts(date.fromisoformat(value))
        except ValueError:
            pass
    return {"day": "", "month": "", "year": ""}


def field_error_id(bf: BoundField) -> str:
    if isinstance(bf.field.widget, GovUKDateWidget):
        return f"{bf.auto_id}-day"
    if isinstance(bf.field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return bf.auto_id
    return bf.auto_id


def render_field(bf: BoundField, *, label_class: str = "govuk-label--s", page_heading: bool = False,
                 classes: str = "", **extra: Any) -> Markup:
    """Render a bound field with the matching GOV.UK component, its hint and its error message."""
    widget = bf.field.widget
    error = {"text": " ".join(str(e) for e in bf.errors)} if bf.errors else None
    hint = {"text": str(bf.help_text)} if bf.help_text else None
    label = {"text": str(bf.label), "classes": label_class, "isPageHeading": page_heading}
    legend = {"text": str(bf.label), "classes": label_class.replace("label", "fieldset__legend"),
              "isPageHeading": page_heading}
    attrs = {k: v for k, v in widget.attrs.items() if k not in ("class", "id")}
    value = bf.value()

    if isinstance(widget, forms.HiddenInput):
        return Markup(str(bf))  # noqa: S704  # nosec B704 - Django rendered and escaped the widget
    if isinstance(widget, GovUKDateWidget):
        parts = _date_parts(value)
        items = [
            {"name": "day", "label": "Day",
             "classes": "govuk-input--width-2" + (" govuk-input--error" if error else ""), "value": parts["day"]},
            {"name": "month", "label": "Month",
             "classes": "govuk-input--width-2" + (" govuk-input--error" if error else ""), "value": parts["month"]},
            {"name": "year", "label": "Year",
             "classes": "govuk-input--width-4" + (" govuk-input--error" if error else ""), "value": parts["year"]},
        ]
        params = {"id": bf.auto_id, "namePrefix": bf.html_name, "items": items, "hint": hint, "errorMessage": error,
                  "fieldset": {"legend": legend}}
        return _render("date-input", "govukDateInput", params, remember=not error and not any(parts.values()))
    if isinstance(widget, forms.RadioSelect):
        items = [{"value": str(v), "text": str(t), "checked": str(v) == str(value)} for v, t in bf.field.choices]
        params = {"idPrefix": bf.auto_id, "name": bf.html_name, "items": items, "hint": hint, "errorMessage": error,
                  "fieldset": {"legend": legend}, "classes": classes}
        return _render("radios", "govukRadios", params, remember=not error)
    if isinstance(widget, forms.CheckboxSelectMultiple):
        selected = {str(v) for v in (value or [])}
        items = [{"value": str(v), "text": str(t), "checked": str(v) in selected} for v, t in bf.field.choices]
        params = {"idPrefix": bf.auto_id, "name": bf.html_name, "items": items, "hint": hint, "errorMessage": error,
                  "fieldset": {"legend": legend}, "classes": classes}
        return _render("checkboxes", "govukCheckboxes", params, remember=not error)
    if isinstance(widget, forms.CheckboxInput):
        params = {"idPrefix": bf.auto_id, "name": bf.html_name, "errorMessage": error,
                  "items": [{"value": "on", "text": str(bf.label), "checked": bool(value), "hint": hint,
                             "id": bf.auto_id}]}
        return _render("checkboxes", "govukCheckboxes", params, remember=not error)
    if isinstance(widget, forms.Select):
        items = [{"value": str(v), "text": str(t), "selected": str(v) == str(value)} for v, t in bf.field.choices]
        params = {"id": bf.auto_id, "name": bf.html_name, "items": items, "label": label, "hint": hint,
                  "errorMessage": error, "classes": classes}
        return _render("select", "govukSelect", params, remember=not error)
    if isinstance(widget, forms.Textarea):
        params = {"id": bf.auto_id, "name": bf.html_name, "label": label, "hint": hint, "errorMessage": error,
                  "value": value or "", "rows": widget.attrs.get("rows", 5), "classes": classes}
        return _render("textarea", "govukTextarea", params, remember=not error and not value)
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        params = {"id": bf.auto_id, "name": bf.html_name, "label": label, "hint": hint, "errorMessage": error,
                  "attributes": attrs}
        return _render("file-upload", "govukFileUpload", params, remember=not error)
    input_type = getattr(widget, "input_type", "text")
    if isinstance(widget, forms.PasswordInput):
        value = ""
    params = {"id": bf.auto_id, "name": bf.html_name, "type": input_type, "label": label, "hint": hint,
              "errorMessage": error, "value": "" if value is None else str(value), "classes": classes,
              "attributes": attrs, **extra}
    if "autocomplete" in attrs:
        params["autocomplete"] = attrs.pop("autocomplete")
    if "spellcheck" in attrs:
        params["spellcheck"] = attrs.pop("spellcheck") in (True, "true")
    return _render("input", "govukInput", params, remember=not error and not params["value"])


def render_error_summary(form: forms.Form | None, *, extra_errors: list[str] | None = None) -> Markup:
    """The GOV.UK error summary for a form: each error links to its field."""
    if form is None or (not form.errors and not extra_errors):
        return Markup("")
    items: list[dict[str, str]] = []
    for error in form.non_field_errors():
        items.append({"text": str(error)})
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        bf = form[name]
        for error in errors:
            items.append({"text": str(error), "href": f"#{field_error_id(bf)}"})
    for error in extra_errors or []:
        items.append({"text": error})
    return _macro("error-summary", "govukErrorSummary")({"titleText": "There is a problem", "errorList": items})  # type: ignore[no-any-return]

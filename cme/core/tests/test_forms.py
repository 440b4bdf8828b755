"""GOV.UK fields rendered through the macros, and the LRU that keeps the markup of untyped fields (PERF-1)."""

from __future__ import annotations

from django import forms
from markupsafe import Markup

from cme.core import forms as core_forms
from cme.core.forms import GovUKDateField, render_field


class _Form(forms.Form):
    name = forms.CharField(label="Child's name")
    born = GovUKDateField(label="Date of birth")
    school = forms.ChoiceField(label="School", choices=[("", "Choose"), ("1", "Ash Primary"), ("2", "Elm Academy")])
    note = forms.CharField(label="Note", widget=forms.Textarea, required=False)


def _fresh() -> None:
    core_forms._memo.clear()


def _kept() -> list[str]:
    return [component for component, _, _ in core_forms._memo]


def test_untyped_fields_are_rendered_once_and_the_same_markup_is_reused() -> None:
    _fresh()
    first = [render_field(_Form()[name]) for name in ("name", "born", "school", "note")]
    assert sorted(_kept()) == ["date-input", "input", "select", "textarea"]
    second = [render_field(_Form()[name]) for name in ("name", "born", "school", "note")]
    assert first == second and all(isinstance(html, Markup) for html in second)
    assert 'name="born-day"' in second[1] and "Ash Primary" in second[2]


def test_a_chosen_option_is_keyed_by_its_value() -> None:
    _fresh()
    ash = render_field(_Form({"school": "1"})["school"])
    elm = render_field(_Form({"school": "2"})["school"])
    assert 'value="1" selected' in ash and 'value="2" selected' in elm
    assert ash != elm and len(core_forms._memo) == 2


def test_typed_values_and_errors_are_never_kept() -> None:
    """Names, dates of birth and notes a user typed stay out of the cache (no personal data kept between requests)."""
    _fresh()
    form = _Form({"name": "Amelia Okafor", "born-day": "3", "born-month": "4", "born-year": "2015", "note": "Seen"})
    html = [render_field(form[name]) for name in ("name", "born", "note")]
    assert "Amelia Okafor" in html[0] and 'value="2015"' in html[1] and "Seen" in html[2]
    assert _kept() == []
    bad = _Form({"school": "9"})
    assert not bad.is_valid()
    assert "govuk-error-message" in render_field(bad["school"])
    assert _kept() == []
    assert not any("Amelia" in key or "2015" in key for _, _, key in core_forms._memo)


def test_parameters_that_are_not_plain_values_are_rendered_each_time() -> None:
    """An object's repr need not say what it renders (a model, a lazy string), so it is never part of a key."""
    _fresh()

    class Opaque:
        def __str__(self) -> str:
            return "opaque"

    form = _Form()
    assert 'name="name"' in render_field(form["name"], attributes={"data-thing": Opaque()})
    assert _kept() == []
    render_field(form["name"], attributes={"data-thing": "plain"})
    assert _kept() == ["input"]


def test_the_cache_is_bounded(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _fresh()
    monkeypatch.setattr(core_forms, "_MEMO_SIZE", 3)
    for n in range(5):
        field = forms.CharField(label=f"Question {n}")
        render_field(type("F", (forms.Form,), {"q": field})()["q"])
    assert len(core_forms._memo) == 3
    assert [key for _, _, key in core_forms._memo][0].count("Question 2") == 1  # the oldest two were dropped

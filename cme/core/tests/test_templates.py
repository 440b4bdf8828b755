"""Markup built by hand in a template: with autoescape on, `'<a …>' ~ (name | e)` escapes the literal too (Jinja2
joins with Markup as soon as one part is Markup), so the page shows "<a …>" as text. Markup is built in a
`{% set %}…{% endset %}` block (escaped values, real tags) or with `('<a …>%s</a>' | safe) | format(value)`."""

from __future__ import annotations

import re
from pathlib import Path

from django.template import engines

TEMPLATES = sorted((Path(__file__).resolve().parents[2]).glob("*/jinja2/**/*.html"))
EXPRESSION = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
ESCAPED_IN_A_JOIN = re.compile(r"~[^~]*\|\s*(e|escape)\b|\|\s*(e|escape)\s*\)?\s*~")


def test_the_hand_built_link_pattern_shows_tags_as_text_so_templates_do_not_use_it() -> None:
    env = engines["jinja2"].env  # type: ignore[attr-defined]
    broken = env.from_string("""{{ '<a href="/x">' ~ (name | e) ~ '</a>' }}""").render(name="<b>")
    assert broken.startswith("&lt;a"), "Jinja2 escapes the literal when joined to Markup: the reason for this rule"
    fixed = env.from_string("""{% set link %}<a href="/x">{{ name }}</a>{% endset %}{{ link }}""").render(name="<b>")
    assert fixed == '<a href="/x">&lt;b&gt;</a>'


def test_no_template_joins_an_escaped_value_into_hand_built_markup() -> None:
    assert TEMPLATES, "the templates were found"
    offenders = [f"{path.relative_to(path.parents[3])}: {match.group(0)[:80]}"
                 for path in TEMPLATES for match in EXPRESSION.finditer(path.read_text())
                 if ESCAPED_IN_A_JOIN.search(match.group(0))]
    assert not offenders, offenders

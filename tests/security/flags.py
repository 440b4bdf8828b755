"""AC-4 for the fields a sentinel cannot mark: the booleans and choices of the sensitive classes (DP-1 inventory:
risk flag, special category, criminal offence), such as a timetable's "has a social worker", a MASH referral's
social care outcome, a CNIS child's "looked after" or a panel decision's outcome.

Each such field is set to the same value on every row, and the role's crawled pages (HTML and PDF text) are fetched
again with the field set to each of its other values (booleans: no/yes, and unknown where null is allowed; choices:
each choice in turn). A page that changes shows the field; the field is found by changing it alone. What a role is
shown is then compared with its allow-list, as for the text fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.test import Client

from cme.accounts.models import User
from cme.privacy.inventory import INVENTORY, SENSITIVE
from tests.security.crawl import Crawl, page_text, signed_in

#: Sensitive booleans and choices not flipped, and why.
NOT_FLIPPED = {
    # an access switch (DP-6: opening a restricted record needs a reason), not a value shown: flipping it changes
    # which pages open at all; DP-6's own tests cover it
    "children.Child.is_restricted",
}
COMBINATION = "(only with other fields)"


@dataclass(frozen=True)
class FlagField:
    label: str
    name: str
    values: tuple[Any, ...]

    @property
    def key(self) -> str:
        return f"{self.label}.{self.name}"

    def value(self, state: int) -> Any:
        return self.values[state % len(self.values)]

    def set(self, state: int) -> None:
        apps.get_model(self.label)._default_manager.all().update(**{self.name: self.value(state)})


def flag_fields() -> list[FlagField]:
    """Every boolean and choice field the inventory puts in a sensitive class."""
    found: list[FlagField] = []
    for model in apps.get_models():
        entry = INVENTORY[model._meta.label]
        for f in model._meta.concrete_fields:
            if entry.fields.get(f.name) not in SENSITIVE or f"{model._meta.label}.{f.name}" in NOT_FLIPPED:
                continue
            if isinstance(f, models.BooleanField):
                values: tuple[Any, ...] = (False, True, None) if f.null else (False, True)
            elif f.choices and not f.is_relation:
                values = tuple(value for value, _ in f.flatchoices)  # type: ignore[union-attr]
            else:
                continue
            found.append(FlagField(model._meta.label, f.name, values))
    return found


def states(fields: list[FlagField]) -> int:
    return max(len(f.values) for f in fields)


def set_state(fields: list[FlagField], state: int) -> None:
    for f in fields:
        f.set(state)


_NOISE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'nonce="[^"]*"'), "nonce"),
    (re.compile(r'data-webauthn-options="[^"]*"'), "data-webauthn-options"),  # a new random challenge each time
    (re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b"), "hh:mm"),  # clock times (the minutes' "Produced at")
]


def normalised(text: str) -> str:
    for pattern, replacement in _NOISE:
        text = pattern.sub(replacement, text)
    return text


def snapshot(client: Client, urls: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for url in urls:
        response = client.get(url, secure=True)
        out[url] = f"{response.status_code} {normalised(page_text(response))}"
    return out


def flags_shown(user: User, result: Crawl, fields: list[FlagField]) -> tuple[dict[str, set[str]], int]:
    """field key -> the routes whose pages change with it; and the number of page fetches. Leaves the fields in
    state 0 (the caller's transaction rolls them back)."""
    pages = {p.url: p.route for p in result.pages if p.status == 200}
    urls = sorted(pages)
    client = signed_in(user)
    set_state(fields, 0)
    base = snapshot(client, urls)
    fetches = len(urls)
    shown: dict[str, set[str]] = {}
    for state in range(1, states(fields)):
        set_state(fields, state)
        now = snapshot(client, urls)
        fetches += len(urls)
        differing = [u for u in urls if now[u] != base[u]]
        set_state(fields, 0)
        explained: set[str] = set()
        for f in fields:
            if not differing or f.value(state) == f.value(0):
                continue
            f.set(state)
            alone = snapshot(client, differing)
            fetches += len(differing)
            f.set(0)
            for url in differing:
                if alone[url] != base[url]:
                    shown.setdefault(f.key, set()).add(pages[url])
                    explained.add(url)
        for url in set(differing) - explained:
            shown.setdefault(COMBINATION, set()).add(pages[url])
    return shown, fetches

"""VAL-4 (SECURITY-PLAN; ASVS v5 1.2.1/1.2.4): stored injection payloads are shown escaped on every page.

The crawl's council (tests/security/crawl.py) is seeded and every text field the data inventory classifies as an
identifier, contact detail, risk flag, special category or free text (names, addresses, notes, reasons, summaries,
discussions...) gets its sentinel followed by one of three payloads, in turn:

- `<script>alert(1)</script>`
- `{{7*7}}` (a template expression: shown as typed, never evaluated to 49)
- `"'><img src=x onerror=alert(1)>`

Then casework, school, partner and panel users crawl every page they may open (GET, links followed). Every HTML
page must hold no raw payload tag, and where a field's sentinel is shown its template payload must be shown as
typed. The Content-Security-Policy must forbid inline script (the second line of defence).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat

from tests.security.crawl import RISK_FLAG_TYPE_FIELD, World, crawl, found_tokens, seed_world

pytestmark = pytest.mark.django_db

PAYLOADS = ["<script>alert(1)</script>", "{{7*7}}", "\"'><img src=x onerror=alert(1)>"]
RAW = ["<script>alert(1)", "<img src=x onerror", "\"'><img"]
ROLES = ["cme_officer", "ehe_officer", "school_user", "partner_user", "panel_member"]


def _poison(world: World) -> tuple[dict[str, str], list[str]]:
    """Append a payload to every sentinel field; field -> payload, and the fields too short to hold one."""
    payload_of: dict[str, str] = {}
    too_short: list[str] = []
    fields = sorted(set(world.tokens.values()))
    for number, key in enumerate(fields):
        label, name = key.rsplit(".", 1)
        model = apps.get_model(label)
        if key == RISK_FLAG_TYPE_FIELD:  # the token stands on the flag types' labels
            model, name = apps.get_model("children.RiskFlagType"), "label"
        field = model._meta.get_field(name)
        if not hasattr(field, "max_length"):
            continue
        payload = PAYLOADS[number % len(PAYLOADS)]
        if field.max_length is not None and field.max_length < 8 + len(payload):
            too_short.append(key)
            continue
        model._default_manager.exclude(**{name: ""}).update(**{name: Concat(F(name), Value(payload))})
        payload_of[key] = payload
    return payload_of, too_short


@pytest.fixture(scope="module")
def poisoned(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[World, dict[str, str], list[str]]]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = seed_world()
            payload_of, too_short = _poison(world)
            yield world, payload_of, too_short
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_val4_stored_payloads_are_escaped_on_every_page(poisoned: tuple[World, dict[str, str], list[str]]) -> None:
    world, payload_of, too_short = poisoned
    unescaped: list[str] = []
    pages = escaped = 0
    shown: set[str] = set()
    for role in ROLES:
        result = crawl(world.users[role], max_pages=120)
        assert result.statuses[500] == 0
        for page in result.pages:
            if "<html" not in page.body[:500].lower():
                continue
            pages += 1
            escaped += "&lt;script&gt;alert(1)" in page.body
            for raw in RAW:
                if raw in page.body:
                    unescaped.append(f"{role} {page.url}: {raw}")
            for token in found_tokens(page.body):
                key = world.tokens.get(token)
                if key is None or key not in payload_of:
                    continue
                shown.add(key)
                if payload_of[key] == "{{7*7}}" and f"{token}49" in page.body.lower():
                    unescaped.append(f"{role} {page.url}: {key} evaluated as a template")
    templated = {k for k in shown if payload_of[k] == "{{7*7}}"}
    print(f"\nVAL-4: {len(payload_of)} fields x 1 payload each ({len(PAYLOADS)} payloads in turn), "
          f"{len(too_short)} too short; {pages} HTML pages of {len(ROLES)} roles; {len(shown)} poisoned fields "
          f"shown ({len(templated)} with the template payload); unescaped {len(unescaped)}")
    assert len(shown) >= 30 and escaped  # the payloads do reach the pages (escaped)
    assert not unescaped, "\n".join(unescaped[:40])


def test_val4_csp_forbids_inline_script(poisoned: tuple[World, dict[str, str], list[str]]) -> None:
    from tests.security.crawl import signed_in

    response = signed_in(poisoned[0].users["cme_officer"]).get("/")
    policy = response.headers.get("Content-Security-Policy", "")
    script = next((d for d in policy.split(";") if d.strip().startswith(("script-src", "default-src"))), "")
    assert script and "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, policy

"""DP-7 (SECURITY-PLAN; ASVS v5.0.0-14.2.1): no personal data in URLs.

Signed in as each role of the demo council (tests/security/crawl.py: every name, UPN, address and postcode field is
a sentinel token, dates of birth are real), the crawler opens every page the role may open and follows every link.
Every URL it meets (requested, linked, form actions, redirects) is checked: no child's or parent's name, UPN,
address, postcode or date of birth in the path or the query string. Forms that send with GET (filters) must not
ask for names, UPNs, postcodes or dates of birth: searches for a person POST, and records are reached by opaque ids.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from django.urls import reverse

from cme.accounts.roles import Role
from cme.privacy.inventory import DIRECT_IDENTIFIERS, classify
from tests.security.crawl import Crawl, World, crawl, found_tokens, signed_in, world_in_rollback

pytestmark = pytest.mark.django_db

#: GET-form inputs that would put a person's details in the URL.
PII_INPUT = re.compile(r"(^|_)(name|forename|surname|upn|postcode|address|dob|date_of_birth|born|nhs)", re.I)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    yield from world_in_rollback(django_db_blocker)


def _date_forms(day: dt.date) -> set[str]:
    return {day.isoformat(), day.strftime("%d/%m/%Y"), day.strftime("%d-%m-%Y"), day.strftime("%Y%m%d"),
            day.strftime("%d%m%Y")}


def _pii_in(url: str, world: World, dob_forms: set[str]) -> list[str]:
    text = unquote(unquote(url))
    hits = [world.tokens[token] for token in found_tokens(text)
            if token in world.tokens and _is_person_field(world.tokens[token])]
    hits += [f"date of birth {form}" for form in dob_forms if form in text]
    return hits


def _is_person_field(key: str) -> bool:
    label, name = key.rsplit(".", 1)
    return classify(label, name) in DIRECT_IDENTIFIERS


FIGURES: dict[str, str] = {}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_dp7_no_name_upn_postcode_or_date_of_birth_in_any_url(world: World, role: str) -> None:
    result: Crawl = crawl(world.users[role])
    dob_forms = set().union(*(_date_forms(d) for d in world.dates_of_birth))
    with_pii = {url: hits for url in result.urls if (hits := _pii_in(url, world, dob_forms))}
    pii_forms = [(page, action, [i for i in inputs if PII_INPUT.search(i)]) for page, action, inputs in result.get_forms
                 if any(PII_INPUT.search(i) for i in inputs)]
    FIGURES[role] = (f"{len(result.pages)} pages, {len(result.urls)} URLs checked, {len(with_pii)} with personal data, "
                     f"{len(result.get_forms)} GET forms, {len(pii_forms)} asking for personal data")
    assert len(result.pages) >= 8 and len(result.urls) >= 20  # the crawl did reach the role's pages
    assert with_pii == {}
    assert pii_forms == []


def test_dp7_the_detector_finds_personal_data_in_a_url(world: World) -> None:
    """The check can fail: a URL carrying a seeded child's surname token or date of birth is reported."""
    token = next(t for t, key in world.tokens.items() if key == "children.Child.legal_surname")
    dob = next(iter(world.dates_of_birth))
    forms = _date_forms(dob)
    assert _pii_in(f"/children/?q={token.upper()}", world, forms) == ["children.Child.legal_surname"]
    assert _pii_in(f"/x/?born={dob:%d}%2F{dob:%m}%2F{dob:%Y}", world, forms)
    assert _pii_in("/children/12/", world, forms) == []


def test_dp7_child_search_posts_and_its_results_link_by_opaque_id(world: World) -> None:
    client = signed_in(world.users[Role.CME_OFFICER])
    page = client.get(reverse("children:search")).content.decode()
    assert re.search(r'<form[^>]*method="post"', page, re.I)
    dob = min(world.dates_of_birth)
    response = client.post(reverse("children:search"), {
        "date_of_birth-day": dob.day, "date_of_birth-month": dob.month, "date_of_birth-year": dob.year})
    assert response.status_code == 200
    links = re.findall(r'(?:href|action)="([^"]+)"', response.content.decode())
    assert any(re.fullmatch(r"/children/\d+/", link) for link in links)
    assert not [link for link in links if _pii_in(link, world, _date_forms(dob))]


def test_zz_print_dp7_figures() -> None:
    print("\nDP-7 URLs per role:\n" + "\n".join(f"  {r}: {f}" for r, f in FIGURES.items()))  # noqa: T201

"""CFG-2 for the pages outside the role crawl: the anonymous allow-list (AC-1) and the two-factor steps of a user
who has passed the password step only. The role crawl is in test_field_level.py (same check, tests/security/headers)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse

from cme.accounts.models import User
from tests.security.headers import PRODUCTION_HSTS, missing_headers
from tests.security.test_access_matrix import ALLOWLIST


@override_settings(**PRODUCTION_HSTS)
def test_cfg2_anonymous_and_two_factor_pages_carry_the_security_headers(officer: User) -> None:
    checked: dict[str, list[str]] = {}
    anonymous = Client(raise_request_exception=False)
    for name in ALLOWLIST:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # needs ids (the reset link): covered by AUTH-7's flow
        checked[f"anonymous {name}"] = missing_headers(anonymous.get(url, secure=True).headers)
    half = Client(raise_request_exception=False)
    half.force_login(officer)
    for name in ("accounts:two-factor", "accounts:two-factor-setup", "accounts:two-factor-qr",
                 "accounts:two-factor-security-key", "core:home"):
        checked[f"password only {name}"] = missing_headers(half.get(reverse(name), secure=True).headers)
    checked["password only API"] = missing_headers(half.get("/api/v1/cases", secure=True).headers)
    print(f"\nCFG-2: {len(checked)} anonymous / password-only responses, missing "  # noqa: T201
          f"{sum(len(v) for v in checked.values())}")
    assert len(checked) >= 15
    assert {k: v for k, v in checked.items() if v} == {}


@pytest.mark.parametrize("rule", ["CSP", "HSTS", "nosniff", "COOP", "Cache-Control no-store"])
def test_cfg2_the_check_reports_a_missing_header(rule: str) -> None:
    assert rule in missing_headers({})

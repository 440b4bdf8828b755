"""The audited client address: REMOTE_ADDR unless the app is behind the reference TLS proxy (deploy/nginx)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from cme.audit.services import client_ip


def _request(forwarded: str | None) -> object:
    extra = {"REMOTE_ADDR": "127.0.0.1"}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_x_forwarded_for_is_ignored_unless_behind_the_proxy() -> None:
    assert client_ip(_request("203.0.113.9")) == "127.0.0.1"  # type: ignore[arg-type]


@override_settings(CME_TRUST_X_FORWARDED_FOR=True)
@pytest.mark.parametrize(("forwarded", "expected"), [
    ("203.0.113.9", "203.0.113.9"),
    ("198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the last entry is the proxy's: earlier ones are the client's
    ("2001:db8::1", "2001:db8::1"),
    ("not-an-address", "127.0.0.1"),
    ("", "127.0.0.1"),
    (None, "127.0.0.1"),
])
def test_behind_the_proxy_the_last_forwarded_address_is_the_client(forwarded: str | None, expected: str) -> None:
    assert client_ip(_request(forwarded)) == expected  # type: ignore[arg-type]

"""AUTH-3 (SECURITY-PLAN; ASVS v5.0.0 6.3.3, v4.0.3 4.3.1): two-factor is enforced on every route, for every role.

Every URL pattern of the resolver (the service's views, the admin and the API; each filled in with sample
arguments that resolve back to that pattern) is requested, GET and an empty POST, by a user of EACH role (the
policy, `accounts.policy.TWO_FACTOR_ROLES`, is every role: school and partner users included) who has passed the
password step only. Each must be sent to the two-factor step (302 to `accounts:two-factor`; the API answers 401 with
no data), except the routes of MFA_ALLOWLIST. The policy is pinned by a test so that a change to it is seen here.
Run with `-s` for the figures."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.exceptions import NoReverseMatch
from django_otp.plugins.otp_totp.models import TOTPDevice

from cme.accounts.models import User
from cme.accounts.policy import TWO_FACTOR_ROLES
from cme.accounts.roles import Role
from cme.accounts.tests.factories import UserFactory
from cme.core.models import LocalAuthority
from cme.core.tests.factories import OrganisationFactory

PASSWORD = "correct horse battery staple"  # the UserFactory's password

#: Routes a user who has passed only the password step may open, and why.
MFA_ALLOWLIST: dict[str, str] = {
    "accounts:sign-in": "sign-in (the first step itself)",
    "accounts:sign-out": "sign-out",
    "accounts:two-factor": "the second factor step",
    "accounts:two-factor-setup": "second factor enrolment",
    "accounts:two-factor-qr": "second factor enrolment (QR image)",
    "accounts:two-factor-security-key": "the second factor step with a security key (AC-8)",
    "accounts:password-reset": "password reset (public)",
    "accounts:password-reset-sent": "password reset (public)",
    "accounts:password-reset-confirm": "password reset (public, single-use token; the reset does not sign in)",
    "accounts:password-reset-complete": "password reset (public)",
    "core:health": "monitoring (public, no data)",
    "core:contact": "public page",
    "core:accessibility": "public page",
    "core:privacy": "public privacy notice",
    "notifications:public-report": "public: a resident reports a child",
    "notifications:public-report-sent": "public: confirmation page",
}

#: Values tried for a regular-expression argument until one reverses (the admin's app labels, object ids, ...).
REGEX_SAMPLES = ("1", "accounts", "x")


def _walk(patterns: list[Any], namespace: str = "", route: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, ns, route + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if pattern.name and namespace else (pattern.name or "")
            yield name, route + str(pattern.pattern), pattern


def _sample(converter: Any) -> Any:
    if isinstance(converter, IntConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    return "x"


def _path_for(name: str, route: str, pattern: URLPattern) -> str | None:
    """A path that resolves to `pattern`, or None when none of the samples fit."""
    converters = getattr(pattern.pattern, "converters", {})
    groups = list(pattern.pattern.regex.groupindex)
    if not groups:
        candidates: list[dict[str, Any]] = [{}]
    elif converters:
        candidates = [{arg: _sample(conv) for arg, conv in converters.items()}]
    else:
        candidates = [dict.fromkeys(groups, sample) for sample in REGEX_SAMPLES]
    for kwargs in candidates:
        try:
            path = reverse(name, kwargs=kwargs) if name else None
        except NoReverseMatch:
            continue
        if path is None:  # an unnamed pattern (the admin's redirects and catch-all): its own route, filled in
            path = "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route.replace("(?P<url>.*)$", "no-such-page/")).lstrip("/")
        if resolve(path).func == pattern.callback:
            return path
    return None


#: (url name, or the route of an unnamed pattern; url name or ""; route; pattern)
def _patterns() -> list[tuple[str, str, str, URLPattern]]:
    """Read at test time, not import time: another test may have reloaded the URL configuration (the admin's path,
    AC-8), which makes new view functions."""
    return [(name or route, name, route, pattern) for name, route, pattern in _walk(get_resolver().url_patterns)]


#: Every role the service has: the walk does not take the policy's word for which roles need two-factor.
MFA_ROLES = sorted(Role)


def test_auth3_the_policy_needs_two_factor_for_every_role(db: None) -> None:
    """Pinned: every role needs two-factor, school users and partner agency users included (they see children's
    names, addresses and risks too); no role is exempt and no setting can exempt one."""
    needs = {role for role in Role if UserFactory.build(role=role).requires_mfa}
    assert needs == set(TWO_FACTOR_ROLES) == set(Role)
    assert len(needs) == len(Role) >= 8
    assert {Role.SCHOOL_USER, Role.PARTNER_USER} <= needs
    assert UserFactory.build(role="no_such_role").requires_mfa  # a role the service does not know: fail closed


def test_auth3_every_url_pattern_gets_a_path_that_resolves_to_it() -> None:
    patterns = _patterns()
    missing = [key for key, name, route, pattern in patterns if _path_for(name, route, pattern) is None]
    assert not missing, f"Give these patterns a sample path: {missing}"
    assert not set(MFA_ALLOWLIST) - {key for key, *_ in patterns}, "allow-list names a route that is gone"


def _password_only(user: User) -> Client:
    """A client that has passed the password step (the real sign-in form) and nothing else."""
    client = Client(raise_request_exception=False)
    response = client.post(reverse("accounts:sign-in"), {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:two-factor")), user.role
    return client


@pytest.mark.parametrize("role", MFA_ROLES)
def test_auth3_after_the_password_step_every_route_sends_to_two_factor(role: str, db: None) -> None:
    la = LocalAuthority.objects.create(code="931", name="Testshire")
    organisation = OrganisationFactory(local_authority=la) if role in (Role.SCHOOL_USER, Role.PARTNER_USER) else None
    user = UserFactory(email=f"{role}@example.org", role=role, local_authority=la, organisation=organisation)
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client = _password_only(user)
    two_factor = reverse("accounts:two-factor")
    reachable: list[str] = []
    tally: Counter[str] = Counter()
    patterns = _patterns()
    for key, name, route, pattern in patterns:
        path = _path_for(name, route, pattern)
        assert path is not None, key
        for method in ("get", "post"):
            if key in MFA_ALLOWLIST and method == "post":
                continue  # a POST to sign-out would end the walk; the allow-list is opened with GET only
            response = getattr(client, method)(path)
            tally["requests"] += 1
            if key in MFA_ALLOWLIST:
                assert response.status_code < 500, (path, response.status_code)
                continue
            if path.startswith("/api/"):  # 401, or 405 for a method the operation does not have (no data either way)
                blocked = response.status_code in (401, 405)
            else:
                blocked = response.status_code == 302 and response["Location"] == two_factor
            tally["sent to two-factor" if blocked else "reachable"] += 1
            if not blocked:
                reachable.append(f"{method.upper()} {path} ({key}) -> {response.status_code}")
    checked = len(patterns) - len(MFA_ALLOWLIST)
    print(f"\nAUTH-3 {role}: {len(patterns)} URL patterns ({checked} protected, {len(MFA_ALLOWLIST)} allow-listed), "  # noqa: T201
          f"{tally['requests']} requests; reachable without two-factor: {len(reachable)}")
    assert not reachable, "\n".join(reachable)
    # the session is still only half signed in: the allow-listed pages did not complete the second step
    assert client.get(reverse("core:home"))["Location"] == two_factor


def test_auth3_static_files_need_no_second_factor(db: None) -> None:
    la = LocalAuthority.objects.create(code="931", name="Testshire")
    user = UserFactory(email="officer@example.org", role=Role.CME_OFFICER, local_authority=la)
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    response = _password_only(user).get("/static/ninja/swagger-ui-bundle.js")
    assert response.status_code == 200

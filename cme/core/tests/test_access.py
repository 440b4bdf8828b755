"""Every page but the public ones needs a signed-in user; each role lands on its own home page."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cme.accounts.models import User

PUBLIC_PREFIXES = ("/account/sign-in/", "/account/password-reset/", "/health/", "/public/", "/static/",
                   "/api/v1/openapi.json", "/api/v1/docs")


def all_paths() -> list[str]:
    """Every URL in the configuration, with 1 in place of each argument."""
    paths: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            else:
                path = re.sub(r"<[^>]+>", "1", prefix + route)
                if "(?P" in path or "^" in path:
                    continue
                paths.append("/" + path.lstrip("/"))

    walk(get_resolver().url_patterns, "")
    return sorted(set(paths))


def test_anonymous_requests_are_sent_to_sign_in(db: None) -> None:
    client = Client()
    checked = 0
    for path in all_paths():
        if path.startswith(PUBLIC_PREFIXES):
            continue
        response = client.get(path)
        if path.startswith("/api/"):
            # The API never redirects: no credentials, no data (401, or 404/405 for paths without a GET).
            assert response.status_code in (401, 404, 405), path
        else:
            assert response.status_code in (302, 401), path
            assert "/account/sign-in/" in response["Location"] or path.startswith("/admin"), path
        checked += 1
    assert checked >= 8


@pytest.mark.parametrize("path", ["/account/sign-in/", "/health/", "/public/contact/", "/public/accessibility/"])
def test_public_pages_need_no_sign_in(db: None, path: str) -> None:
    assert Client().get(path).status_code == 200


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("officer", "children missing education"),
        ("school_user", "School A"),
        ("partner_user", "Police"),
        ("la_admin", "System administration"),
        ("readonly_manager", "reports"),
        ("panel_member", "Multi-agency CME panel"),
    ],
)
def test_each_role_lands_on_its_own_home(request: pytest.FixtureRequest, client_for, persona: str,  # type: ignore[no-untyped-def]
                                         expected: str) -> None:
    user: User = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("core:home"))
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_navigation_shows_only_what_the_role_may_use(client_for, officer: User, school_user: User) -> None:  # type: ignore[no-untyped-def]
    officer_page = client_for(officer).get(reverse("core:home")).content.decode()
    school_page = client_for(school_user).get(reverse("core:home")).content.decode()
    assert f'href="{reverse("children:school-list")}"' in officer_page
    assert reverse("audit:list") not in officer_page
    assert f'href="{reverse("children:school-list")}"' not in school_page


def test_security_headers(db: None) -> None:
    response = Client().get(reverse("accounts:sign-in"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "'nonce-" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


def test_health_endpoint_reports_database(db: None) -> None:
    assert Client().get("/health/").json() == {"status": "ok", "database": "ok"}


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[3]
    env = {
        "DJANGO_SETTINGS_MODULE": "cme.settings.production",
        "SECRET_KEY": "deploy-check-only-" + "x" * 50,
        "ALLOWED_HOSTS": "cme.example.org",
        "PATH": "/usr/bin:/bin",
        "CME_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(  # noqa: S603 - fixed command
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root, env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

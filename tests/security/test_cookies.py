"""SESS-1 (SECURITY-PLAN): cookie attributes with the production settings (ASVS v5.0.0-3.3.1/3.3.3/3.3.4).

Runs in a subprocess with `cme.settings.production` (like core's check --deploy test): reads the settings and the
real Set-Cookie header the CSRF middleware writes for a form page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test import RequestFactory
request = RequestFactory().get("/account/sign-in/", secure=True, HTTP_HOST="cme.example.org")
get_token(request)  # what the sign-in form does
response = CsrfViewMiddleware(lambda r: HttpResponse())(request)
cookies = {name: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]), "samesite": m["samesite"],
                  "path": m["path"], "domain": m["domain"]} for name, m in response.cookies.items()}
print(json.dumps({"status": response.status_code, "cookies": cookies, "settings": {
    "SESSION_COOKIE_NAME": settings.SESSION_COOKIE_NAME, "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": settings.SESSION_COOKIE_HTTPONLY,
    "SESSION_COOKIE_SAMESITE": settings.SESSION_COOKIE_SAMESITE,
    "SESSION_COOKIE_DOMAIN": settings.SESSION_COOKIE_DOMAIN,
    "CSRF_COOKIE_NAME": settings.CSRF_COOKIE_NAME, "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "CSRF_COOKIE_SAMESITE": settings.CSRF_COOKIE_SAMESITE}}))
"""


def test_SESS_1_cookies_are_host_prefixed_secure_httponly_samesite(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    env = {"DJANGO_SETTINGS_MODULE": "cme.settings.production", "SECRET_KEY": "cookie-test-only-" + "x" * 50,
           "ALLOWED_HOSTS": "cme.example.org", "PATH": "/usr/bin:/bin", "CME_VAR_DIR": str(tmp_path),
           "PYTHONPATH": str(root)}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=root, env=env,  # noqa: S603 - fixed command
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    data = json.loads(result.stdout.strip().splitlines()[-1])
    s = data["settings"]
    assert s["SESSION_COOKIE_NAME"].startswith("__Host-") and s["SESSION_COOKIE_SECURE"]
    assert s["SESSION_COOKIE_HTTPONLY"] and s["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert s["SESSION_COOKIE_DOMAIN"] is None
    assert s["CSRF_COOKIE_NAME"].startswith("__Host-") and s["CSRF_COOKIE_SECURE"]
    assert s["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    csrf = data["cookies"][s["CSRF_COOKIE_NAME"]]
    assert csrf["secure"] and csrf["path"] == "/" and not csrf["domain"] and csrf["samesite"] in ("Lax", "Strict")

"""Session expiry (idle and absolute) and two-factor enforcement for every role (AUTH-3)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

SESSION_STARTED = "cme_started_at"
SESSION_LAST_SEEN = "cme_last_seen_at"


class SessionExpiryMiddleware:
    """Signs a user out after CME_SESSION_IDLE_SECONDS without a request, or CME_SESSION_ABSOLUTE_SECONDS in all;
    ends at once a session whose account has been disabled or deleted."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated and SESSION_KEY in request.session:
            # the account was disabled or deleted (Django's get_user gave no user): end the session (SESS-5)
            request.session.flush()
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_STARTED, now)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            idle = now - last_seen > settings.CME_SESSION_IDLE_SECONDS
            too_old = now - started > settings.CME_SESSION_ABSOLUTE_SECONDS
            if idle or too_old:
                logout(request)
                request.session["cme_expired"] = "idle" if idle else "absolute"
                if request.path.startswith("/api/"):
                    return HttpResponse(status=401)
                return redirect(f"{reverse('accounts:sign-in')}?expired=1")
            if SESSION_STARTED not in request.session:
                request.session[SESSION_STARTED] = now
            # Written at most once a CME_SESSION_TOUCH_SECONDS (a minute), not on every request: a session row
            # UPDATE per page was a tenth of a page's database work (PERF-1). The idle limit is then measured from
            # a time up to a minute before the last request, so a session can end up to a minute early, never late.
            if SESSION_LAST_SEEN not in request.session or now - last_seen >= settings.CME_SESSION_TOUCH_SECONDS:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class MFARequiredMiddleware:
    """Every user (every role: `accounts.policy.TWO_FACTOR_ROLES`) must pass two-factor authentication before they
    reach anything but the sign-in pages.

    The exemptions name the pages one by one: the password re-entry page (`/account/confirm-it-is-you/`) is for
    users past both steps and is not exempt (AUTH-3, tests/security/test_mfa_walk.py)."""

    EXEMPT_PREFIXES = (
        "/account/sign-in/", "/account/sign-out/", "/account/two-factor/", "/account/password-reset/",
        "/static/", "/public/", "/health/",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "requires_mfa", False)
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return HttpResponse(status=401)
            return redirect("accounts:two-factor")
        return self.get_response(request)

"""Step-up re-authentication before exports of personal data (SECURITY-PLAN SESS-6; ASVS v5.0.0-7.5.3).

    @permission_required("ehe.view")
    @reauth_required()
    def record_export(request): ...

The decorator sends the user to `accounts:reauth` (password re-entry) unless they signed in or re-entered their
password in the last `max_age_seconds` (default 15 minutes). The time of the last re-authentication is kept in
the session; each success and failure is audited.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods

from cme.audit.models import AuditEvent
from cme.audit.services import Auditor

REAUTH_SESSION_KEY = "cme_reauth_at"
DEFAULT_MAX_AGE = 15 * 60

V = TypeVar("V", bound=Callable[..., HttpResponse])


def reauthenticated_within(request: HttpRequest, max_age_seconds: int) -> bool:
    """True if the password was entered in the last `max_age_seconds`: at sign-in (the session's start, kept by
    SessionExpiryMiddleware) or on the re-authentication page."""
    from cme.accounts.middleware import SESSION_STARTED

    times = [t for t in (request.session.get(REAUTH_SESSION_KEY), request.session.get(SESSION_STARTED))
             if isinstance(t, int | float)]
    return any(0 <= time.time() - t <= max_age_seconds for t in times)


def reauth_required(max_age_seconds: int = DEFAULT_MAX_AGE) -> Callable[[V], V]:
    """View decorator: redirect to the password re-entry page unless re-authenticated recently."""

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not reauthenticated_within(request, max_age_seconds):
                # after a POST, come back to the page the form was on (checked against open redirects later)
                back = request.get_full_path() if request.method == "GET" else request.META.get("HTTP_REFERER", "/")
                return redirect(f"{reverse('accounts:reauth')}?{urlencode({'next': back})}")
            return view(request, *args, **kwargs)

        wrapped.cme_reauth_seconds = max_age_seconds  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


class ReauthForm(forms.Form):
    password = forms.CharField(label="Your password", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("The password is not right")
        return password


@require_http_methods(["GET", "POST"])
def reauth(request: HttpRequest) -> HttpResponse:
    """Any signed-in user: re-enter the password before exporting personal data."""
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("core:home")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = reverse("core:home")
    form = ReauthForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        auditor = Auditor.from_request(request)
        if form.is_valid():
            request.session[REAUTH_SESSION_KEY] = int(time.time())
            request.session.cycle_key()  # new session token on re-authentication (ASVS v5.0.0-7.2.4)
            auditor.record(AuditEvent.Action.MFA, request.user, summary="re-authenticated before an export")  # type: ignore[arg-type]
            return redirect(next_url)
        auditor.record(AuditEvent.Action.SIGN_IN_FAILED, request.user,  # type: ignore[arg-type]
                       summary="re-authentication failed")
    return render(request, "accounts/reauth.html", {"title": "Confirm it is you", "form": form, "next": next_url})

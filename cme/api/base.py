"""The versioned JSON API (django-ninja): authentication, consistent error bodies, rate limits, pagination.

Each app owns an `api.py` with a `router`; `cme/api/urls.py` mounts them. Errors always look like
`{"error": {"code": "...", "message": "...", "details": [...]}}`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.errors import Throttled as NinjaThrottled
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth
from ninja.throttling import AuthRateThrottle

from cme.accounts.policy import has_permission
from cme.api.services import api_token_authenticate
from cme.audit.services import denial_mark
from cme.children.restriction import API_HEADER, MIN_API_REASON, ReasonRequired


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cme_<prefix>_<secret>` for partner and school systems."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        request.user = api_token.user
        return api_token


class VerifiedSessionAuth(SessionAuth):
    """Browsers: a signed-in session that has passed two-factor, whatever the role (AUTH-3); CSRF checked on writes."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated:
            return None
        if getattr(user, "requires_mfa", False) and not user.is_verified():  # type: ignore[union-attr]
            return None
        return user


api = NinjaAPI(
    title="Children missing education API",
    version="1",
    description=(
        "Submit referrals and school returns, read and search children (within your organisation's scope), read "
        "cases and their status, post feed files, read reports. Systems use a bearer token issued to their "
        "organisation; browsers use their signed-in session."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), VerifiedSessionAuth()],
    throttle=[AuthRateThrottle(settings.CME_API_RATE)],
)


def error_body(request: HttpRequest, status: int, code: str, message: str,
               details: list[Any] | None = None) -> HttpResponse:
    return api.create_response(request, {"error": {"code": code, "message": message, "details": details or []}},
                               status=status)


def _field(loc: list[Any]) -> str:
    parts = [str(p) for p in loc]
    while parts and parts[0] in {"body", "query", "path", "header", "form", "file"}:
        parts.pop(0)
    return ".".join(parts)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [{"field": _field(e.get("loc", [])), "message": e.get("msg", "")} for e in exc.errors]
    return error_body(request, 422, "invalid", "The request is not valid.", details)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_body(request, 401, "unauthenticated", "A valid token or signed-in session is needed.")


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    denial_mark(request, exc)  # audited by audit.middleware (LOG-3)
    return error_body(request, 403, "forbidden", "Your role cannot do this.")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    denial_mark(request, exc)  # audited by audit.middleware (LOG-3)
    return error_body(request, 404, "not_found", "Not found.")


@api.exception_handler(ReasonRequired)
def on_reason_required(request: HttpRequest, exc: ReasonRequired) -> HttpResponse:
    """A restricted record (DP-6): the reason goes in a header, audited with each read."""
    denial_mark(request, exc)  # audited by audit.middleware (LOG-3)
    return error_body(request, 403, "reason_required",
                      f"This record is restricted. Send the reason you need it in the {API_HEADER} header "
                      f"(at least {MIN_API_REASON} characters); it is logged and reported.")


@api.exception_handler(NinjaThrottled)
def on_throttled(request: HttpRequest, exc: NinjaThrottled) -> HttpResponse:
    return error_body(request, 429, "rate_limited", "Too many requests. Try again later.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_body(request, exc.status_code, "error", str(exc))


def require(request: HttpRequest, action: str) -> None:
    """Function-level check inside an endpoint (object scope is the queryset's job)."""
    if not has_permission(request.user, action):
        raise PermissionDenied(action)

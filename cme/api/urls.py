"""The versioned JSON API at /api/v1/: OpenAPI document at /api/v1/openapi.json, browsable docs at /api/v1/docs."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver

from cme.api.base import api
from cme.children.api import router as children_router

api.add_router("/children", children_router)


def _no_login_redirect(patterns: list[Any]) -> list[Any]:
    """API callers authenticate with a token or session inside the API; never a redirect to the sign-in page."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _no_login_redirect(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            pattern.callback.login_required = False  # type: ignore[attr-defined]
    return patterns


urlpatterns = _no_login_redirect(api.urls[0])

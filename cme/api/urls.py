"""The versioned JSON API at /api/v1/: OpenAPI document at /api/v1/openapi.json, browsable docs at /api/v1/docs."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver

from cme.api.base import api
from cme.api.routers import ERROR_CODES, ErrorOut
from cme.api.routers.cases import router as cases_router
from cme.api.routers.feeds import router as feeds_router
from cme.api.routers.notifications import router as intake_router
from cme.children.api import router as children_router
from cme.reports.api import router as reports_router

api.add_router("/children", children_router)
api.add_router("/cases", cases_router)
api.add_router("/", intake_router)
api.add_router("/feeds", feeds_router)
api.add_router("/reports", reports_router)


def _declare_errors() -> None:
    """Every operation may answer with the common error body (cme.api.base): declare it in the OpenAPI document."""
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for code in ERROR_CODES:
                    operation.response_models.setdefault(code, operation._create_response_model(ErrorOut))


_declare_errors()


def _no_login_redirect(patterns: list[Any]) -> list[Any]:
    """API callers authenticate with a token or session inside the API; never a redirect to the sign-in page."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _no_login_redirect(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            pattern.callback.login_required = False  # type: ignore[attr-defined]
    return patterns


urlpatterns = _no_login_redirect(api.urls[0])

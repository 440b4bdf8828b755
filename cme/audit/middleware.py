"""Every authorisation denial of a signed-in user writes one audit event (SECURITY-PLAN LOG-3, ASVS 16.3.2).

A view refuses by raising PermissionDenied (the `permission_required` decorator, `check_permission`, or a view's
own check: 403) or Http404 (a scoped lookup that found nothing in the user's scope: 404). `process_exception`
notes it; once the response is built, `audit.services.denial_record` writes the event. The API marks its own
denials in its exception handlers (`cme.api.base`). A 404 for an address that matches no route is not a denial.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from cme.audit.services import denial_mark, denial_record


class DenialAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        denial_record(request, status=response.status_code)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied | Http404):
            denial_mark(request, exception)

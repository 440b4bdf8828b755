"""Turns `ReasonRequired` (a page would show a restricted child's record) into the reason form (DP-6)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from cme.children.restriction import ReasonRequired, remember_pending


class RestrictedRecordMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ReasonRequired):
            return None
        # Back to the same page afterwards (a GET: a form posted without a reason is shown again, empty).
        remember_pending(request, exception.child_id, request.get_full_path())
        url = reverse("children:reason", args=[exception.child_id])
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)

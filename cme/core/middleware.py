from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from cme.audit.services import Auditor
from cme.core import quarantine


class NoStoreMiddleware:
    """Pages about children must not be kept in browser or proxy caches (ASVS 14.3.2)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            response.setdefault("Cache-Control", "no-store")
        return response


class QuarantineMiddleware:
    """Keeps the infected uploads of a request in the quarantine once its response is built (FILE-4).

    `core.uploads.sniff` refuses an infected file and hands it to `core.quarantine.hold`; the upload point's own
    transaction may roll back when it refuses, so the file is kept here, after the view, with the user, their
    council and the path it was sent to.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with quarantine.scope(council=lambda: getattr(_signed_in(request), "local_authority_id", None)) as held:
            response = self.get_response(request)
        user = _signed_in(request)  # read after the view: the API signs in inside it (token)
        for item in held:
            actor = Auditor.from_request(request) if user is not None else Auditor.system("core.uploads")
            quarantine.store(item, actor=actor, user=user, upload_point=request.path,
                             local_authority_id=getattr(user, "local_authority_id", None))
        return response


def _signed_in(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None

"""The Django admin site of the service: every change made in it is also an AuditEvent (AC-8, ASVS v5.0.0 16.3.x).

Django's admin writes its own log (`LogEntry`); that log can be edited and is not the service's append-only audit
trail. `AuditedAdminSite.register` gives every registered ModelAdmin the `AuditedAdminMixin`, which records the
addition, change or deletion through the Auditor with who, what and the admin's change message.

A signed-in user who may not use the admin (every role but the system administrator) gets a 404 from every admin
URL, as if there were no admin there (SECURITY-PLAN AC-8 "other roles 404"), and the denial is audited (LOG-3).
Anonymous users are sent to the service's sign-in (`cme/urls.py`). With `CME_ADMIN_REQUIRES_SECURITY_KEY` (on in
production), a system administrator whose session passed two-factor with a code, not a security key, is sent to
`accounts:security-key-required` from every admin URL (AC-8, phishing-resistant: ASVS v5.0.0 6.5.x).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from cme.audit.models import AuditEvent
from cme.audit.services import Auditor


class AuditedAdminMixin:
    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        Auditor.from_request(request).record(AuditEvent.Action.CREATE, obj, summary=f"admin: added {obj}"[:300])
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        Auditor.from_request(request).record(AuditEvent.Action.UPDATE, obj, summary=f"admin: changed {obj}"[:300],
                                             changes={"admin_message": message})
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        auditor = Auditor.from_request(request)
        for obj in queryset:
            auditor.record(AuditEvent.Action.DELETE, obj, summary=f"admin: deleted {obj}"[:300])
        return super().log_deletions(request, queryset)  # type: ignore[misc]


class AuditedAdminSite(admin.AdminSite):
    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedAdminMixin):
            base = type(f"Audited{base.__name__}", (AuditedAdminMixin, base), {"__module__": base.__module__})
        super().register(model_or_iterable, base, **options)

    def admin_view(self, view: Callable[..., HttpResponse], cacheable: bool = False) -> Callable[..., HttpResponse]:
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def signed_in_admins_only(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated and not self.has_permission(request):
                raise Http404("No administration pages here.")
            if request.user.is_authenticated and settings.CME_ADMIN_REQUIRES_SECURITY_KEY:
                from cme.accounts.security_keys import verified_with_security_key

                if not verified_with_security_key(request):  # AC-8: a code from an app is not enough here
                    target = reverse("accounts:security-key-required")
                    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
            return inner(request, *args, **kwargs)

        return signed_in_admins_only

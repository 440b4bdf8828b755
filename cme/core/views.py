"""Home pages by role, the health check, and the public information pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cme.accounts.roles import Role
from cme.core.models import LocalAuthority

HOME_TEMPLATES = {
    Role.CME_OFFICER: "core/home_officer.html",
    Role.ATTENDANCE_MANAGER: "core/home_officer.html",
    Role.EHE_OFFICER: "core/home_officer.html",
    Role.SCHOOL_USER: "core/home_school.html",
    Role.PARTNER_USER: "core/home_partner.html",
    Role.PANEL_MEMBER: "core/home_panel.html",
    Role.READONLY_MANAGER: "core/home_readonly.html",
    Role.SYSTEM_ADMIN: "core/home_admin.html",
    Role.DATA_PROTECTION_OFFICER: "core/home_dpo.html",
}


def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own home page."""
    user = request.user
    template = HOME_TEMPLATES.get(user.role, "core/home_readonly.html")  # type: ignore[union-attr]
    return render(request, template, {"title": "Home"})


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For monitoring: the app answers and the database is reachable. No data about anyone."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": "ok"})
    except Exception:  # noqa: BLE001 - report any database failure as unhealthy
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)


def _public_la() -> LocalAuthority | None:
    return LocalAuthority.objects.order_by("pk").first()


@login_not_required
@require_GET
def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "core/contact.html", {"title": "Contact the CME team", "la": _public_la()})


@login_not_required
@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html", {"title": "Accessibility statement"})


@login_not_required
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html", {"title": "Privacy notice", "la": _public_la()})

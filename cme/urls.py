from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.http import urlencode


@login_not_required
def _admin_sign_in(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin uses the service's own sign-in (lock-out, two-factor), never a second login form. A signed-in user
    who may not use the admin gets a 404, as from every other admin URL (AC-8)."""
    if request.user.is_authenticated and not admin.site.has_permission(request):
        raise Http404("No administration pages here.")
    target = request.GET.get("next", reverse("admin:index"))
    return redirect(f"{reverse('accounts:sign-in')}?{urlencode({'next': target})}")


admin.site.site_header = "Children missing education: system administration"
admin.site.login = _admin_sign_in  # type: ignore[method-assign]

urlpatterns = [
    path("", include("cme.core.urls")),
    path("account/", include("cme.accounts.urls")),
    path("audit/", include("cme.audit.urls")),
    path("", include("cme.children.urls")),
    path("", include("cme.notifications.urls")),
    path("cases/", include("cme.cases.urls")),
    path("panels/", include("cme.panels.urls")),
    path("feeds/", include("cme.feeds.urls")),
    path("matching/", include("cme.matching.urls")),
    path("ehe/", include("cme.ehe.urls")),
    path("timetables/", include("cme.timetables.urls")),
    path("cnis/", include("cme.cnis.urls")),
    path("reports/", include("cme.reports.urls")),
    path("privacy/", include("cme.privacy.urls")),
    path("api/v1/", include(("cme.api.urls", "api"), namespace="api")),
    path(settings.CME_ADMIN_PATH, admin.site.urls),  # AC-8: CME_ADMIN_PATH (production: not admin/)
]

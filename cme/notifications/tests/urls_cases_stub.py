"""URL configurations for tests: the site with stand-in case views, and the site with no case views at all."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from cme.urls import urlpatterns as site


def _stub(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(f"case outcome for {pk}")


_cases = ([
    path("open-from-notification/<int:pk>/", _stub, name="open-from-notification"),
    path("add-notification/<int:pk>/", _stub, name="add-notification"),
], "cases")

without_cases = [p for p in site if getattr(p, "namespace", None) != "cases"]
urlpatterns = [*without_cases, path("stub-cases/", include(_cases))]

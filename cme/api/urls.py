"""The versioned JSON API is mounted at /api/v1/ (issue 9 builds it on django-ninja)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []  # type: ignore[type-arg]

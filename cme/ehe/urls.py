from django.urls import path  # noqa: F401

app_name = "ehe"

urlpatterns: list = []  # type: ignore[type-arg]

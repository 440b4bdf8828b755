from django.urls import path  # noqa: F401

app_name = "cnis"

urlpatterns: list = []  # type: ignore[type-arg]

from django.urls import path  # noqa: F401

app_name = "timetables"

urlpatterns: list = []  # type: ignore[type-arg]

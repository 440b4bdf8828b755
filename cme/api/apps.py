from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cme.api"
    label = "api"
    verbose_name = "JSON API"

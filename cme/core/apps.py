from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cme.core"
    label = "core"
    verbose_name = "Local authorities and organisations"

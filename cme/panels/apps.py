from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "cme.panels"
    label = "panels"
    verbose_name = "Multi-agency panel"

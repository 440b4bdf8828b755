from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cme.reports"
    label = "reports"
    verbose_name = "Reporting"

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cme.cases"
    label = "cases"
    verbose_name = "CME case work"

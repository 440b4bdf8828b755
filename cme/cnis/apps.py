from django.apps import AppConfig


class CnisConfig(AppConfig):
    name = "cme.cnis"
    label = "cnis"
    verbose_name = "Children not in school register"

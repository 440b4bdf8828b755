from django.apps import AppConfig


class EheConfig(AppConfig):
    name = "cme.ehe"
    label = "ehe"
    verbose_name = "Elective home education register"

from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "cme.matching"
    label = "matching"
    verbose_name = "Record linkage"

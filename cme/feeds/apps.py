from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "cme.feeds"
    label = "feeds"
    verbose_name = "Data feeds and detection"

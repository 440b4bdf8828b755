from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Data protection across the product (layer 9): retention and legal holds, subject access, break-glass reports."""

    name = "cme.privacy"
    label = "privacy"
    verbose_name = "Data protection"

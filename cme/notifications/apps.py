from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cme.notifications"
    label = "notifications"
    verbose_name = "Intake and triage"

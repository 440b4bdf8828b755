from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The synthetic demo council (seed_demo) and demo sign-ins. Top layer: may use every app's services."""

    name = "cme.demo"
    label = "demo"
    verbose_name = "Synthetic demo council"

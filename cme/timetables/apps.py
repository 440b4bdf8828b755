from django.apps import AppConfig


class TimetablesConfig(AppConfig):
    name = "cme.timetables"
    label = "timetables"
    verbose_name = "Part-time timetables register"

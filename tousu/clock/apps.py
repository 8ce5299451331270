from django.apps import AppConfig


class ClockConfig(AppConfig):
    name = "tousu.clock"
    label = "clock"
    verbose_name = "工作日历 Working-day calendar"

    def ready(self) -> None:
        # Connects the post_save receivers that keep cached calendars fresh (inside ready():
        # overrides imports the models, which apps.py may not at import time).
        from tousu.clock import overrides  # noqa: F401

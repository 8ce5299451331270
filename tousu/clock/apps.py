from django.apps import AppConfig


class ClockConfig(AppConfig):
    name = "tousu.clock"
    label = "clock"
    verbose_name = "工作日历 Working-day calendar"

    def ready(self) -> None:
        # Connects the post_save receivers that keep cached calendars fresh.
        from tousu.clock import overrides  # noqa: F401

from django.apps import AppConfig


class DutyConfig(AppConfig):
    name = "tousu.duty"
    label = "duty"
    verbose_name = "值班 Duty roster"

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tousu.demo"
    label = "demo"
    verbose_name = "示范单位 The demo organisation"

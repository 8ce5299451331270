from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tousu.api"
    label = "tousu_api"
    verbose_name = "接口 API"

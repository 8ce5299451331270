from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "tousu.desk"
    label = "desk"
    verbose_name = "工作台 Staff desk"

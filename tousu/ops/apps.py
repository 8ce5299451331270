from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "tousu.ops"
    label = "ops"
    verbose_name = "运维命令 Commands that span apps"

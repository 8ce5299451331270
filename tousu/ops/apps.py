from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "tousu.ops"
    label = "ops"
    verbose_name = "运维命令 Commands that span apps"

    def ready(self) -> None:
        from django.core import checks

        from tousu.ops.checks import base_url

        checks.register(base_url, "tousu")

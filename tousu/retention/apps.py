from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "tousu.retention"
    label = "retention"
    verbose_name = "保存期限与个人信息 Retention and personal information"

    def ready(self) -> None:
        # Inside ready(): these modules import models, which apps.py may not at import time.
        from tousu.cases import registry
        from tousu.retention.runs import shred

        # Shredding is a system action of the core's table, carried out here (layer 6).
        registry.system_actions({"shred": shred})

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tousu.audit"
    label = "audit"
    verbose_name = "审计 Integrity of the record"

    def ready(self) -> None:
        from tousu.audit import seals

        seals.connect()

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tousu.audit"
    label = "audit"
    verbose_name = "审计 Integrity of the record"

    def ready(self) -> None:
        # Inside ready(): seals imports the models, which apps.py may not at import time.
        from tousu.audit import seals

        seals.connect()
        # A registration's rows are sealed together (one statement), before its number.
        from tousu.cases import registry

        registry.batcher(seals.batched)

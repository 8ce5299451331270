from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tousu.cases"
    label = "cases"
    verbose_name = "案件 Cases"

    def ready(self) -> None:
        # The core's own actions join the transition table before the features add theirs.
        from tousu.cases import (
            actions,  # noqa: F401
            idempotency,
            registry,
        )

        # Keys of requests that filed something, past their 24 hours.
        registry.sweep("idempotency_keys", idempotency.purge)

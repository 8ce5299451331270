from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tousu.reports"
    label = "reports"
    verbose_name = "台帐与报表 Ledger and reports"

    def ready(self) -> None:
        from tousu.jobs.schedule import periodic
        from tousu.reports.background import upkeep

        # Expired exports lose their files; exports the queue never started are asked again.
        periodic("exports", "*/5", upkeep)

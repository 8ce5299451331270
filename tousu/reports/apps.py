from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tousu.reports"
    label = "reports"
    verbose_name = "台帐与报表 Ledger and reports"

    def ready(self) -> None:
        from tousu.jobs.schedule import on_demand, periodic
        from tousu.reports.background import build, upkeep

        # The job worker builds the exports the desk asks for.
        on_demand("export", build)
        # Expired exports lose their files; exports the queue never started are asked again.
        periodic("exports", "*/5", upkeep)

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tousu.reports"
    label = "reports"
    verbose_name = "台帐与报表 Ledger and reports"

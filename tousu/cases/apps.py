from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tousu.cases"
    label = "cases"
    verbose_name = "案件 Cases"

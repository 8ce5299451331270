from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "tousu.procedures"
    label = "procedures"
    verbose_name = "特别程序 Special procedures"

    def ready(self) -> None:
        from tousu.procedures import actions, desk

        actions.register()
        desk.register()

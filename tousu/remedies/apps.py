from django.apps import AppConfig


class RemediesConfig(AppConfig):
    name = "tousu.remedies"
    label = "remedies"
    verbose_name = "赔付与奖励 Remedies and rewards"

    def ready(self) -> None:
        from tousu.remedies import actions, desk

        actions.register()
        desk.register()

from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "tousu.accountability"
    label = "accountability"
    verbose_name = "责任追究 Accountability"

    def ready(self) -> None:
        from tousu.accountability import actions, desk
        from tousu.cases.access import personal_notice

        actions.register()
        desk.register()
        personal_notice("penalty_decided", "appeal_decided")

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "tousu.notify"
    label = "notify"
    verbose_name = "通知 Notifications"

    def ready(self) -> None:
        from tousu.cases import registry
        from tousu.notify.delivery import deliver_effect

        registry.effect("deliver", deliver_effect)

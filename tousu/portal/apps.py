from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "tousu.portal"
    label = "portal"
    verbose_name = "公众门户 Public portal"

    def ready(self) -> None:
        from tousu.cases import registry
        from tousu.portal.notices import send_effect

        # A step the reporter hears of (lifecycle: tells_reporter) leaves this effect.
        registry.effect("reporter_notice", send_effect)

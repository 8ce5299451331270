from django.apps import AppConfig


class ReporterConfig(AppConfig):
    name = "tousu.reporter"
    label = "reporter"
    verbose_name = "投诉举报人渠道 The reporter channel"

    def ready(self) -> None:
        from tousu.cases import registry
        from tousu.reporter import actions
        from tousu.reporter.notices import send_effect

        actions.register()
        # A step the reporter hears of (lifecycle: tells_reporter) leaves this effect.
        registry.effect("reporter_notice", send_effect)

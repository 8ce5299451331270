from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "tousu.quality"
    label = "quality"
    verbose_name = "质量投诉 Quality complaints"

    def ready(self) -> None:
        from tousu.quality import actions, desk

        actions.register()
        desk.register()

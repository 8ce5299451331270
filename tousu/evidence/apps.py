from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "tousu.evidence"
    label = "evidence"
    verbose_name = "附件与证据 Attachments"

    def ready(self) -> None:
        from tousu.evidence import release

        # The custodian's release of a file that may identify the person.
        release.register()

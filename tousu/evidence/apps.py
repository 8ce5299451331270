from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "tousu.evidence"
    label = "evidence"
    verbose_name = "附件与证据 Attachments"

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "tousu.privacy"
    label = "privacy"
    verbose_name = "隐私与加密 Privacy and encryption"

from django.apps import AppConfig


class ReporterConfig(AppConfig):
    name = "tousu.reporter"
    label = "reporter"
    verbose_name = "投诉举报人渠道 The reporter channel"

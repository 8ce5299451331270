from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "tousu.documents"
    label = "documents"
    verbose_name = "文书 Documents"

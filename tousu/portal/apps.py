from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "tousu.portal"
    label = "portal"
    verbose_name = "公众门户 Public portal"

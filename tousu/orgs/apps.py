from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "tousu.orgs"
    label = "orgs"
    verbose_name = "组织与人员 Organisations and staff"

from django.apps import AppConfig


class OrgAdminConfig(AppConfig):
    name = "tousu.orgadmin"
    label = "orgadmin"
    verbose_name = "单位管理 Organisation administration"

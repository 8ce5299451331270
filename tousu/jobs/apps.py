from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "tousu.jobs"
    label = "jobs"
    verbose_name = "后台任务 Jobs"

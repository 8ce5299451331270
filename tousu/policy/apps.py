from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "tousu.policy"
    label = "policy"
    verbose_name = "制度 Policies"

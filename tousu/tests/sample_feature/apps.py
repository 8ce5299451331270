"""A feature that exists only in the test suite: it proves a new action needs nothing
outside its own app to appear in the transition table, the API and the desk.

It registers 抽查 (a supervisor's spot check of a case in hand) the way every feature
does, and an outbox effect whose handler can be held open (to kill a worker running it).
"""

from django.apps import AppConfig


class SampleFeatureConfig(AppConfig):
    name = "tousu.tests.sample_feature"
    label = "sample_feature"
    verbose_name = "抽查（测试用） Spot checks (tests only)"

    def ready(self) -> None:
        from tousu.tests.sample_feature import actions

        actions.register()

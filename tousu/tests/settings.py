"""The settings of the test suite: the project's, plus a feature that exists only here."""

from tousu.settings import *  # noqa: F403
from tousu.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tousu.tests.sample_feature"]

"""The remedies fixtures (the stories' organisations), shared by the scenario tests."""

from tousu.remedies.tests.test_remedies import (  # noqa: F401
    _no_stale_caches_after,
    integrity,
    pcb,
)

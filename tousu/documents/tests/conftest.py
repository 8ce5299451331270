"""Document tests use the desk's logged-in clients."""

from tousu.desk.tests.conftest import desk  # noqa: F401

"""Fixtures of the staff tests: the desk clients of tousu/desk/tests."""

from __future__ import annotations

from tousu.desk.tests.conftest import desk  # noqa: F401  (the fixture, shared)

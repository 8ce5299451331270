"""Attachment fixtures: the desk clients, and a private files directory per test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tousu.desk.tests.conftest import desk  # noqa: F401 — the fixture, for these tests


@pytest.fixture(autouse=True)
def files_dir(settings: Any, tmp_path: Path) -> Path:
    """Blobs go to a temporary directory, never to var/."""
    folder = tmp_path / "files"
    settings.TOUSU_FILES_DIR = folder
    return folder

"""No N+1 on the case page: a case with many files, notes, messages, remedies, sub-tasks,
extensions and pauses (each an event, most a clock) is read in the same number of queries
as one with a few."""

from __future__ import annotations

from typing import Any

import pytest

from tousu.conftest import World
from tousu.tests.queries import assert_flat, count_get, logged_in

from .crowd import BusyCase, Page, listed


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.TOUSU_FILES_DIR = tmp_path / "files"


@pytest.mark.parametrize(
    ("persona", "ceiling"), [("handler", 58), ("supervisor", 68), ("auditor", 47)]
)
def test_the_case_page_reads_a_busy_case_in_a_fixed_number_of_queries(
    world: World, persona: str, ceiling: int
) -> None:
    busy = BusyCase(world)
    busy.grow(1)
    client = logged_in(world.users[persona])
    page = Page(persona, f"/desk/acme/cases/{busy.number}/", ceiling, rows=BusyCase.ROWS)

    def shows(few: Any, many: Any) -> None:
        assert 0 < listed(page, few) < listed(page, many)

    assert_flat(
        lambda: count_get(client, page.path), lambda: busy.grow(3), ceiling=ceiling, shows=shows
    )

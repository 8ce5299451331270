"""The job worker's ledger export reads its rows in a fixed number of queries."""

from __future__ import annotations

from tousu.desk.tests.crowd import Crowd


def test_the_ledger_export_is_built_in_a_fixed_number_of_queries(world, settings, tmp_path):
    """The job worker's export reads its rows a batch at a time: 7 cases or 21, the same
    number of queries (all of them in one batch here)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tousu.cases.access import actor_for
    from tousu.reports import background
    from tousu.reports.models import Export
    from tousu.reports.query import Filters

    settings.TOUSU_FILES_DIR = tmp_path
    crowd = Crowd(world)
    actor = actor_for(world.users["supervisor"], "acme")

    def built() -> tuple[int, int]:
        export = background.start_ledger(actor, Filters())
        with CaptureQueriesContext(connection) as seen:
            assert background.build(export.pk) == Export.State.READY
        export.refresh_from_db()
        return len(seen.captured_queries), int(export.rows_done or 0)

    crowd.grow(7)
    built()  # the per-process caches warm up
    few, rows_few = built()
    crowd.grow(14)
    many, rows_many = built()
    assert rows_many > rows_few > 0
    # One query may be added when some row first needs it (the identity facts of the listed
    # cases, asked once for all of them, as on the ledger page), never one per row.
    assert many <= few + 1, (few, many)
    assert few < 40

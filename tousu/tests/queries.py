"""Counting the database queries of one page or one API call (the N+1 tests).

A page that lists N things must read them in a fixed number of queries, whatever N is:
:func:`count_get` counts the queries of one GET as one user, and :func:`assert_flat`
compares the counts with few and with more rows and pins them under a ceiling.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openpyxl
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


@dataclass
class Counted:
    """One request: its status, how many queries it made, and what they were."""

    status: int
    queries: list[str]
    body: bytes

    @property
    def count(self) -> int:
        return len(self.queries)

    def text(self) -> str:
        """The answer as text; a spreadsheet (.xlsx) as the values of its cells."""
        if self.body.startswith(b"PK"):
            book = openpyxl.load_workbook(io.BytesIO(self.body), read_only=True)
            return "\n".join(
                " ".join(str(v) for v in row if v is not None)
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
            )
        return self.body.decode("utf-8", "replace")


def count_get(
    client: Client,
    path: str,
    params: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
    status: int = 200,
) -> Counted:
    """GET ``path`` with ``client`` and count the queries it made; the answer must have
    ``status`` (a page that fails would count nothing worth comparing)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params or {}, headers=headers or {})
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    assert response.status_code == status, (path, response.status_code, body[:2000])
    return Counted(response.status_code, [q["sql"] for q in captured.captured_queries], body)


def logged_in(user: Any) -> Client:
    """A test client signed in as ``user`` (the desk, the administration)."""
    client = Client()
    client.force_login(user)
    return client


def assert_counts_flat(few: Counted, many: Counted, *, ceiling: int, conditional: int = 0) -> None:
    """The N+1 check: the request with more rows made no more queries than with fewer, and
    neither made more than ``ceiling``. ``conditional``: how many queries are asked only
    when some row needs them (one for all such rows), which the larger request may add."""
    assert many.count <= few.count + conditional, _diff(few, many)
    assert few.count <= ceiling and many.count <= ceiling, (
        f"{few.count} then {many.count} queries (ceiling {ceiling}):\n" + "\n".join(many.queries)
    )


def assert_flat(
    measure: Callable[[], Counted],
    grow: Callable[[], None],
    *,
    ceiling: int,
    shows: Callable[[Counted, Counted], None] | None = None,
) -> tuple[Counted, Counted]:
    """``measure`` (after a first call that warms the per-process caches) with the rows
    already there, then ``grow`` adds more rows and ``measure`` again (warmed again): see
    :func:`assert_counts_flat`. ``shows(few, many)`` checks that the page does list the
    added rows (a page that lists nothing would pass trivially)."""
    measure()
    few = measure()
    grow()
    measure()  # again, for what the new rows bring to the caches (a new policy version)
    many = measure()
    if shows is not None:
        shows(few, many)
    assert_counts_flat(few, many, ceiling=ceiling)
    return few, many


def _shape(sql: str) -> str:
    """A query without its values: the same query for another row has the same shape."""
    return _LISTS.sub("(?)", _VALUES.sub("?", sql))


_VALUES = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")
_LISTS = re.compile(r"\(\?(?:, \?)*\)")


def _diff(few: Counted, many: Counted) -> str:
    """The queries the larger page made more of: where the N+1 is."""
    seen: dict[str, int] = {}
    for sql in few.queries:
        seen[_shape(sql)] = seen.get(_shape(sql), 0) + 1
    extra = []
    for sql in many.queries:
        if seen.get(_shape(sql), 0):
            seen[_shape(sql)] -= 1
        else:
            extra.append(sql)
    return (
        f"the query count grew with the rows: {few.count} → {many.count}; new queries:\n"
        + "\n".join(extra[:40])
    )

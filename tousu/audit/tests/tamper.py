"""Editing the database behind the product's back, as the tamper tests need to.

On PostgreSQL the append-only triggers refuse UPDATE and DELETE on events, case
records and checkpoints; ``tamper`` shows that refusal, then does the edit the way a
table owner or superuser could: trigger disabled, edit, trigger enabled again.
On SQLite (no triggers) it simply runs the statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction


def tamper(table: str, sql: str, params: Sequence[Any] = ()) -> None:
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return
        refused = pytest.raises(DatabaseError, match=f"append-only table {table}")
        with refused, transaction.atomic():
            cursor.execute(sql, params)
        # ALTER TABLE cannot run while the test's deferred foreign-key checks are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        try:
            cursor.execute(sql, params)
        finally:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

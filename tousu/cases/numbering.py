"""Case numbers: per organisation, per policy format, unique and gap-free.

The serial is taken with one atomic upsert on the counter row as the last step
of the registering transaction, so the row lock is held only until commit, and
a rolled-back registration gives its number back.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection

from tousu.cases.models import CaseCounter
from tousu.orgs.models import Organisation
from tousu.policy.schema import Numbering

_TABLE = CaseCounter._meta.db_table
_UPSERT = (
    f"INSERT INTO {_TABLE} (org_id, period, value) VALUES (%s, %s, 1) "  # noqa: S608 — table name is a constant
    f"ON CONFLICT (org_id, period) DO UPDATE SET value = {_TABLE}.value + 1 "
    "RETURNING value"
)


def period_key(numbering: Numbering, local: datetime) -> str:
    if numbering.reset == "month":
        return f"{local.year:04d}-{local.month:02d}"
    if numbering.reset == "year":
        return f"{local.year:04d}"
    return "all"


def format_number(numbering: Numbering, local: datetime, serial: int) -> str:
    return numbering.format.format(
        yyyy=f"{local.year:04d}", yy=f"{local.year % 100:02d}", mm=f"{local.month:02d}", n=serial
    )


def take_number(org: Organisation, numbering: Numbering, registered_at: datetime) -> str:
    """Take the next number; must run inside the registering transaction."""
    local = registered_at.astimezone(ZoneInfo(org.time_zone))
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [org.pk, period_key(numbering, local)])
        row = cursor.fetchone()
    assert row is not None
    return format_number(numbering, local, int(row[0]))

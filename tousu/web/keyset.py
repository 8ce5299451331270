"""Pages of a long list that cost the same however deep they are, and counts that stay cheap.

A list is sorted by one key (a case field, nullable or not, nulls last in either
direction) and the primary key. A page is found by where the last one ended, not by how
many rows came before it (no OFFSET): the links carry a signed cursor, the values of the
row at the edge of the page. The first key's bound is also given as a plain range
(``key >= value``), so the database starts its index scan at the page, not at the top.

Counts are exact up to :data:`EXACT_UP_TO` (counting stops there); above it PostgreSQL's
own estimate is shown ("约 120万件"), and SQLite says only that there are more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db import connections
from django.db.models import F, Q, QuerySet
from django.utils.translation import get_language, gettext, gettext_lazy

from tousu.cases.errors import TousuError

SALT = "tousu.web.keyset"
EXACT_UP_TO = 1000


@dataclass(frozen=True)
class Key:
    """The list's sort: ``field`` (a field or annotation of the rows), then the primary key."""

    field: str
    descending: bool
    nullable: bool = False
    datetime: bool = False

    def order(self, *, backwards: bool = False) -> list[Any]:
        desc = self.descending != backwards
        f = F(self.field)
        # Nulls last going forwards; reading backwards, they come first.
        nulls = {"nulls_first": True} if backwards else {"nulls_last": True}
        if not self.nullable:
            nulls = {}
        first = f.desc(**nulls) if desc else f.asc(**nulls)
        return [first, F("pk").desc() if desc else F("pk").asc()]


@dataclass
class Window:
    ids: list[int]
    next: str = ""  # cursor of the page after this one ("" at the end)
    previous: str = ""  # cursor of the page before ("" on the first page)
    first: bool = True

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next or self.previous)


def bad_cursor() -> TousuError:
    return TousuError(
        "invalid_cursor", gettext_lazy("翻页位置无效，请从第一页重新查看"), status=400
    )


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def cursor(direction: str, value: Any, pk: int) -> str:
    """A page edge: ``a`` (the rows after it) or ``b`` (the rows before it)."""
    return signing.dumps([direction, _encode(value), pk], salt=SALT, compress=True)


def read_cursor(raw: str, key: Key) -> tuple[str, Any, int]:
    try:
        direction, value, pk = signing.loads(raw, salt=SALT)
        if direction not in ("a", "b") or not isinstance(pk, int):
            raise ValueError(direction)
        if value is not None and key.datetime:
            value = datetime.fromisoformat(value)
        elif value is not None and not isinstance(value, str | int):
            raise ValueError(value)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise bad_cursor() from exc
    return direction, value, pk


def _beyond(key: Key, value: Any, pk: int, *, backwards: bool) -> Q:
    """The rows past (value, pk) in the reading direction, nulls last in the sort."""
    desc = key.descending != backwards
    past_pk = Q(pk__lt=pk) if desc else Q(pk__gt=pk)
    f = key.field
    if value is None:  # among the nulls, at the end of the sort
        same = Q(**{f"{f}__isnull": True}) & past_pk
        return same if not backwards else same | Q(**{f"{f}__isnull": False})
    past = Q(**{f"{f}__lt" if desc else f"{f}__gt": value})
    here = Q(**{f: value}) & past_pk
    # A plain range on the key as well: the index scan starts at the page's edge.
    bound = Q(**{f"{f}__lte" if desc else f"{f}__gte": value})
    found = (past | here) & bound
    if key.nullable and not backwards:
        found |= Q(**{f"{f}__isnull": True})
    return found


def _edges(qs: QuerySet[Any], key: Key, *, backwards: bool, size: int) -> list[tuple[int, Any]]:
    ordered = qs.order_by(*key.order(backwards=backwards))
    return list(ordered.values_list("pk", key.field)[: size + 1])


def window(qs: QuerySet[Any], key: Key, raw_cursor: str, size: int) -> Window:
    """One page of ``qs``'s ids (``qs`` unordered; ``key.field`` a field or annotation)."""
    backwards = False
    found = qs
    if raw_cursor:
        direction, value, pk = read_cursor(raw_cursor, key)
        backwards = direction == "b"
        found = qs.filter(_beyond(key, value, pk, backwards=backwards))
    rows = _edges(found, key, backwards=backwards, size=size)
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    if not rows:
        return Window([], first=not raw_cursor)

    def edge(row: tuple[int, Any], direction: str) -> str:
        return cursor(direction, row[1], row[0])

    ids = [pk for pk, _ in rows]
    if backwards:
        return Window(
            ids, next=edge(rows[-1], "a"), previous=edge(rows[0], "b") if more else "",
            first=not more,
        )  # fmt: skip
    return Window(
        ids,
        next=edge(rows[-1], "a") if more else "",
        previous=edge(rows[0], "b") if raw_cursor else "",
        first=not raw_cursor,
    )


def last_page(qs: QuerySet[Any], key: Key, size: int) -> Window:
    """The end of the list: the last ``size`` rows (read backwards from the end)."""
    rows = _edges(qs, key, backwards=True, size=size)
    more = len(rows) > size
    rows = rows[:size]
    rows.reverse()
    if not rows:
        return Window([])
    return Window(
        [pk for pk, _ in rows],
        previous=cursor("b", rows[0][1], rows[0][0]) if more else "",
        first=not more,
    )


# -- counts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    value: int
    exact: bool = True
    estimated: bool = False  # the planner's estimate (else: only "more than value")

    def __str__(self) -> str:
        return self.text()

    def text(self) -> str:
        """ "37", "约 120万" / "about 1.2 million", or "1000 以上" / "over 1000"."""
        if self.exact:
            return str(self.value)
        if not self.estimated:
            return gettext("{n} 以上").format(n=self.value)
        return gettext("约 {n}").format(n=approximate(self.value))


def approximate(n: int) -> str:
    """Two significant figures, in the reader's own units (万/亿, or thousand/million)."""
    rounded = float(f"{n:.2g}")
    if (get_language() or "zh-hans").startswith("zh"):
        if rounded >= 1e8:
            return f"{rounded / 1e8:g}亿"
        if rounded >= 1e4:
            return f"{rounded / 1e4:g}万"
        return f"{rounded:g}"
    if rounded >= 1e6:
        return f"{rounded / 1e6:g} million"
    return f"{int(rounded):,}"


def count(qs: QuerySet[Any]) -> Count:
    """Exact up to EXACT_UP_TO (counting stops there), else the planner's estimate."""
    found = qs.order_by().values("pk")[: EXACT_UP_TO + 1].count()
    if found <= EXACT_UP_TO:
        return Count(found, exact=True)
    estimate = _estimate(qs)
    if estimate <= EXACT_UP_TO:  # no estimate (SQLite), or one below what was counted
        return Count(EXACT_UP_TO, exact=False)
    return Count(estimate, exact=False, estimated=True)


def _estimate(qs: QuerySet[Any]) -> int:
    """PostgreSQL's row estimate for the query (no rows read); 0 elsewhere."""
    connection = connections[qs.db]
    if connection.vendor != "postgresql":
        return 0
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)  # noqa: S608 — Django's own SQL
        plan = cur.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])

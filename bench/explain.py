"""The hot queries of the desk, built by the code that serves them, with their plans.

Imported by ``bench/desk.py`` (``--explain FILE``) inside a set-up Django whose
organisation ``demo`` holds the benchmark's cases: each query below is the one a page
runs (the same functions build it), shown with ``EXPLAIN (ANALYZE, BUFFERS)`` on
PostgreSQL. The output is what ``docs/performance.md`` quotes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any


def hot_queries(
    now: datetime, slug: str, who: dict[str, str]
) -> list[tuple[str, Callable[[], Any]]]:
    """(title, a function answering the queryset) for every hot query."""
    from django.contrib.auth import get_user_model

    from tousu.cases.access import actor_for, visible_cases
    from tousu.cases.sweeps import overdue_candidates, reminder_candidates
    from tousu.desk import queues
    from tousu.reports.query import Filters, filtered, sort_key, sortable
    from tousu.web import keyset

    users = get_user_model().objects
    dispatcher = actor_for(users.get(username=who["dispatcher"]), slug)
    head = actor_for(users.get(username=who["head"]), slug)
    handler = actor_for(users.get(username=who["handler"]), slug)

    def ledger(actor: Any, filters: Filters) -> Any:
        key = sort_key(filters)
        qs = sortable(filtered(actor, filters, now), filters).order_by(*key.order())
        return qs.values_list("pk", key.field)[:51]

    def counted(actor: Any, filters: Filters) -> Any:
        return filtered(actor, filters, now).order_by().values("pk")[: keyset.EXACT_UP_TO + 1]

    def queue(code: str, actor: Any) -> Any:
        return queues.queue_cases(code, actor, now)[:51]

    def captured(run: Callable[[], Any]) -> str:
        """The SQL of the counting query ``run`` sends (as sent)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as seen:
            run()
        return next(q["sql"] for q in seen.captured_queries if "COUNT(" in q["sql"])

    policy = _policy(dispatcher)

    def number(actor: Any) -> Any:
        return visible_cases(actor).filter(number="TS-2026-000001")

    return [
        ("ledger, first page, newest first (dispatcher: whole organisation)",
         lambda: ledger(dispatcher, Filters())),
        ("ledger, first page (department head: own departments)",
         lambda: ledger(head, Filters())),
        ("ledger, first page (handler)", lambda: ledger(handler, Filters())),
        ("ledger, overdue, by deadline (dispatcher)",
         lambda: ledger(dispatcher, Filters(overdue=True, sort="deadline", descending=False))),
        ("ledger, overdue, by deadline (department head)",
         lambda: ledger(head, Filters(overdue=True, sort="deadline", descending=False))),
        ("ledger, closed, by number (dispatcher)",
         lambda: ledger(dispatcher, Filters(statuses=("closed",), sort="number",
                                            descending=False))),
        ("ledger count, bounded at 1,001 (department head)",
         lambda: counted(head, Filters())),
        ("queue 我的案件 (handler)", lambda: queue("mine", handler)),
        ("queue 本部门 (department head)", lambda: queue("department", head)),
        ("queue 已超期 (dispatcher)", lambda: queue("overdue", dispatcher)),
        ("queue 待分办 (dispatcher)", lambda: queue("dispatch", dispatcher)),
        ("queue tab counts (dispatcher)", lambda: captured(
            lambda: queues.counts(dispatcher, now, queues.available(dispatcher, policy)))),
        ("queue tab counts (department head)", lambda: captured(
            lambda: queues.counts(head, now, queues.available(head, policy)))),
        ("case page: the case by number (dispatcher)", lambda: number(dispatcher)),
        ("overdue sweep candidates", lambda: overdue_candidates(now).order_by("due_at")[:500]),
        ("due-soon reminder candidates",
         lambda: reminder_candidates(now).order_by("due_at")[:500]),
    ]  # fmt: skip


def _policy(actor: Any) -> Any:
    from tousu.policy.models import policy_for

    return policy_for(actor.org.active_policy_id)[1]


def explain_all(now: datetime, slug: str, who: dict[str, str]) -> str:
    """Every hot query's SQL and plan, as Markdown."""
    from django.db import connection

    out = []
    for title, build in hot_queries(now, slug, who):
        qs = build()
        sql, params = (qs, ()) if isinstance(qs, str) else qs.query.sql_with_params()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)  # noqa: S608
            else:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)  # noqa: S608
            plan = "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())
        shown = sql % tuple(repr(p) for p in params) if params else sql
        out.append(f"### {title}\n\n```sql\n{shown}\n```\n\n```\n{plan}\n```\n")
    return "\n".join(out)

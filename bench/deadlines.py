"""Deadline benchmark: due-time arithmetic, and the overdue sweep over a million open cases.

Part 1 (no database rows): computes due times for --arith cases through
`tousu.cases.deadlines.due_of` and the shared working-day calendar, with the general
policy's acceptance (5 working days) and reply (15 working days) rules plus a 30-calendar-day
and a 2-month (24:00) rule; received times are random minutes in 2025-2026 (seeded).
It prints µs per deadline per rule and cases/s.

Part 2 (PostgreSQL on 127.0.0.1): creates the database tousu_bench_sweep_<pid>, migrates
it, creates an organisation (general preset), an intake clerk and a supervisor, then
COPYs --cases open cases, each with one open acceptance deadline: about 1% overdue, 1% due
within the reminder window (24 h), the rest due later. Due times are drawn, not derived from
the received time (part 1 measures the derivation). After VACUUM (ANALYZE) it times the
sweep's candidate queries, shows their plans, times the overdue count, runs one real
`sweep(now, batch=500)` (escalations and reminders through the system actions: events and
notifications written) and 200 more escalations one at a time, and checks what they wrote.
The database is dropped at the end, whatever happened.
Not a test: a figure below target still exits 0; a failed check or setup exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import secrets
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from tousu.policy.schema import DeadlineRule, Policy

LOOPBACK = ("127.0.0.1", "localhost", "::1")
TARGET_S = 1.0  # the overdue candidate query, median, over 1,000,000 open cases
SEED = 20260101
ORG = "bench"
RUNS = 7  # repetitions of each timed query
BATCH = 500
DIRECT = 200  # escalations timed one at a time after the sweep
OVERDUE_SHARE, SOON_SHARE = 0.01, 0.01
CHUNK = 5000  # COPY rows per write
DAY = 86_400
PARTIAL = {  # the partial index each sweep query is meant to use
    "overdue candidates": "deadline_overdue_sweep",
    "reminder candidates": "deadline_reminder_sweep",
}
T = TypeVar("T")

# kind, channel, category, content ({n} varies); plain text, safe in COPY's text format
TEMPLATES = (
    ("complaint", "phone", "fees", "同一张处方的检查费被重复收取两次，多收{n}元。"),
    ("complaint", "visit", "service_attitude", "挂号窗口工作人员大声呵斥，排队的{n}个人都听见了。"),
    ("complaint", "letter", "quality", "在{n}号摊位买鲈鱼，回家复称少了四两，缺斤短两。"),
    ("complaint", "web", "facilities", "三楼卫生间热水器坏了{n}天没人修。"),
    ("report", "phone", "misconduct", "举报药剂科有人收受回扣，每次约{n}00元。"),
    ("complaint", "email", "other", "出口道闸又坏了，排队等了{n}分钟没有人疏导。"),
)
CASE_COLUMNS = (
    "id", "org_id", "number", "policy_version_id", "kind", "channel", "category",
    "complexity", "status", "paused_from", "received_at", "registered_at", "registered_by_id",
    "first_contact_owner_id", "proposed_co_departments", "proposed_referral",
    "involved_departments", "proposed_department_id", "content", "demands", "fields",
    "missing_fields", "validity", "responsibility", "satisfaction", "reply_channel",
    "reopen_count", "last_seq", "last_hash", "updated_at", "review_level", "sealed_key",
    "legal_hold", "reporter_language", "missed_deadline", "governing_due_at", "next_due_at",
    "next_hard_due_at",
)  # fmt: skip
DEADLINE_COLUMNS = (
    "id", "case_id", "stage", "start", "started_at", "due_at", "hard", "provisional", "state",
    "rule", "text_zh", "text_en", "paused_days", "extended",
)  # fmt: skip


class BenchError(Exception):
    """A setup failure or a failed check that ends the PostgreSQL part."""


class BenchTimeout(BaseException):
    """--timeout passed. A BaseException, so that no `except Exception` swallows it."""


@dataclass
class RuleFigures:
    rule: str
    deadlines: int
    seconds: float
    us_per_deadline: float
    provisional: int


@dataclass
class Arith:
    cases: int
    deadlines: int = 0
    seconds: float = 0.0
    cases_per_s: float = 0.0
    us_per_deadline: float = 0.0
    rules: list[RuleFigures] = field(default_factory=list)


@dataclass
class Timing:
    what: str
    runs_ms: list[float]
    rows: int
    min_ms: float = 0.0
    median_ms: float = 0.0

    def __post_init__(self) -> None:
        self.min_ms, self.median_ms = min(self.runs_ms), statistics.median(self.runs_ms)


@dataclass
class Sweep:
    cases: int
    server: str = ""
    overdue: int = 0  # deadlines loaded overdue
    due_soon: int = 0  # loaded due within the reminder window
    load_s: dict[str, float] = field(default_factory=dict)
    timings: list[Timing] = field(default_factory=list)
    plans: dict[str, str] = field(default_factory=dict)
    scans: dict[str, str] = field(default_factory=dict)  # the index each query's plan chose
    sweep_s: float = 0.0
    escalated: int = 0
    reminded: int = 0
    skipped: int = 0
    events: int = 0
    notifications: int = 0
    direct_ms: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def timed(fn: Callable[[], T], runs: int) -> tuple[list[float], T]:
    """Run ``fn`` ``runs`` times; the wall time of each in ms, and the last result."""
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - began) * 1e3)
    assert result is not None
    return times, result


# ---------------------------------------------------------------------------
# Django
# ---------------------------------------------------------------------------


def setup_django(var: Path, database_url: str) -> None:
    """Settings for this process only: a temporary var dir and the given database."""
    for name in list(os.environ):  # the caller's settings would make runs incomparable
        if name.startswith(("TOUSU_", "DJANGO_")) or name == "DATABASE_URL":
            del os.environ[name]
    os.environ |= {
        "DJANGO_SETTINGS_MODULE": "tousu.settings",
        "TOUSU_VAR_DIR": str(var),
        "TOUSU_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
    }
    import django

    django.setup()


# ---------------------------------------------------------------------------
# Part 1: arithmetic
# ---------------------------------------------------------------------------


def arith_rules(policy: Policy) -> list[tuple[str, DeadlineRule]]:
    from tousu.policy.schema import DeadlineRule

    by_stage = {rule.stage: rule for rule in policy.deadlines}
    extra = (
        ("resolution", 30, "calendar_days", False, "30日内办结"),
        ("review", 2, "months", True, "2个月内复核（当日24时止）"),
    )
    rules = [
        ("acceptance: 5 working days", by_stage["acceptance"]),
        ("reply: 15 working days", by_stage["reply"]),
    ]
    for stage, amount, unit, end_of_day, text in extra:
        rule = DeadlineRule.model_validate(
            {"stage": stage, "amount": amount, "unit": unit, "end_of_day": end_of_day,
             "text_zh": text}
        )  # fmt: skip
        rules.append((f"{stage}: {amount} {unit.replace('_', ' ')}{' 24:00' * end_of_day}", rule))
    return rules


def bench_arith(n: int) -> tuple[Arith, list[str]]:
    from tousu.cases.deadlines import due_of
    from tousu.clock.calendar import default_calendar
    from tousu.policy.loader import parse_toml, preset_source

    policy = parse_toml(preset_source("general"))
    cal, tz = default_calendar(), ZoneInfo("Asia/Shanghai")
    first = datetime(2025, 1, 1, tzinfo=tz)
    minutes = int((datetime(2027, 1, 1, tzinfo=tz) - first).total_seconds()) // 60
    rng = random.Random(SEED)  # noqa: S311  # reproducible data, not secrets
    starts = [first + timedelta(minutes=rng.randrange(minutes)) for _ in range(n)]
    result, problems = Arith(cases=n), []
    rules = arith_rules(policy)
    for _, rule in rules:  # warm-up: the calendar builds each year's working days once
        for at in starts[:1000]:
            due_of(rule, at, policy, cal, tz)
    progress(f"arithmetic: {n:,} cases x {len(rules)} rules")
    for label, rule in rules:
        began = time.perf_counter()
        dues = [due_of(rule, at, policy, cal, tz) for at in starts]
        seconds = time.perf_counter() - began
        early = sum(1 for at, (due, _) in zip(starts, dues, strict=True) if due <= at)
        if early:
            problems.append(f"{label}: {early} due times not after their start")
        result.rules.append(
            RuleFigures(label, n, seconds, seconds / n * 1e6, sum(p for _, p in dues))
        )
    result.deadlines = n * len(rules)
    result.seconds = sum(r.seconds for r in result.rules)
    result.cases_per_s = n / result.seconds
    result.us_per_deadline = result.seconds / result.deadlines * 1e6
    return result, problems


# ---------------------------------------------------------------------------
# Part 2: PostgreSQL
# ---------------------------------------------------------------------------


def bench_url(admin_url: str) -> tuple[str, str]:
    """(database name, its URL) on the server of ``admin_url``, which must be loopback."""
    parts, name = urlsplit(admin_url), f"tousu_bench_sweep_{os.getpid()}"
    if parts.scheme not in ("postgres", "postgresql"):
        raise BenchError(f"--pg-url must be a postgres:// URL, not {parts.scheme!r}")
    if parts.hostname not in LOOPBACK:
        raise BenchError(f"--pg-url must point at 127.0.0.1, not {parts.hostname!r}")
    return name, urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.contextmanager
def pg_database(admin_url: str, name: str) -> Iterator[None]:
    """Create database ``name``; drop it (WITH FORCE) whatever happened, even on ^C."""
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(drop)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)  # the cleanup itself is not cut short
        from django.db import connections

        connections.close_all()
        try:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
                conn.execute(drop)
            progress(f"dropped database {name}")
        except psycopg.Error as exc:
            print(f"WARNING: could not drop database {name}: {exc}", file=sys.stderr)


def draw(rng: random.Random, now_s: int, window_s: int) -> tuple[int, int, int]:
    """(bucket, received, due) of one case, in UTC epoch seconds; bucket 0 overdue,
    1 due within the reminder window, 2 later. Every case was received in the past."""
    r = rng.random()
    if r < OVERDUE_SHARE:
        bucket, due = 0, now_s - 60 * rng.randrange(1, 30 * 1440)  # late by up to 30 days
    elif r < OVERDUE_SHARE + SOON_SHARE:
        bucket, due = 1, now_s + 60 * rng.randrange(1, window_s // 60)
    else:
        bucket, due = 2, now_s + window_s + 60 * rng.randrange(1, 6 * 1440)
    return bucket, due - 60 * rng.randrange(7 * 1440, 9 * 1440), due


def iso(epoch_s: int) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat()


def chunks(lines: Iterator[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    for line in lines:
        buffer.append(line)
        if len(buffer) == CHUNK:
            yield "".join(buffer).encode()
            buffer.clear()
    if buffer:
        yield "".join(buffer).encode()


def case_lines(
    n: int, now_s: int, window_s: int, org_id: int, version_id: int, clerk_id: int,
    departments: dict[str, int],
) -> Iterator[str]:  # fmt: skip
    rng = random.Random(SEED)  # noqa: S311  # the same draws as deadline_lines
    for i in range(1, n + 1):
        _, received, due = draw(rng, now_s, window_s)
        kind, channel, category, content = TEMPLATES[i % len(TEMPLATES)]
        at, due_at = iso(received), iso(due)
        row = (
            str(i), str(org_id), f"TS-2026-{i:07d}", str(version_id), kind, channel, category,
            "general", "registered", "", at, at, str(clerk_id), str(clerk_id), "[]", "", "1",
            str(departments[category]), content.format(n=2 + i % 97), "", "{}", "[]",
            "", "", "", "", "0", "0", "", at, "0", "", "f", "", "f", due_at, due_at, due_at,
        )  # fmt: skip
        yield "\t".join(row) + "\n"


def deadline_lines(
    n: int, now_s: int, window_s: int, rule: DeadlineRule, counts: list[int]
) -> Iterator[str]:
    from tousu.cases.deadlines import _rule_json  # the JSON start_clocks stores

    rng = random.Random(SEED)  # noqa: S311  # the same draws as case_lines
    rule_json = json.dumps(_rule_json(rule), ensure_ascii=False)
    tail = "\t".join(("t", "f", "open", rule_json, rule.text_zh, rule.text_en, "0", "0"))
    for i in range(1, n + 1):
        bucket, received, due = draw(rng, now_s, window_s)
        counts[bucket] += 1
        yield f"{i}\t{i}\t{rule.stage}\t{rule.start}\t{iso(received)}\t{iso(due)}\t{tail}\n"


def copy_rows(url: str, table: str, columns: tuple[str, ...], data: Iterator[bytes]) -> float:
    """COPY a stream of text-format rows into ``table`` (ids given), then move its id
    sequence past them; returns the seconds taken."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    began = time.perf_counter()
    with psycopg.connect(url, connect_timeout=10) as conn, conn.cursor() as cur:
        with cur.copy(statement) as copy:
            for block in data:
                copy.write(block)
        cur.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence({}, 'id'), (SELECT max(id) FROM {}))"
            ).format(sql.Literal(table), sql.Identifier(table))
        )
    return time.perf_counter() - began


def load(result: Sweep, url: str, now: datetime) -> None:
    """Organisation, staff, then the cases and their deadlines by COPY; VACUUM (ANALYZE)."""
    from tousu.orgs.models import Department
    from tousu.orgs.roles import Role
    from tousu.orgs.services import create_user
    from tousu.policy.models import policy_for
    from tousu.policy.services import create_org

    org = create_org(ORG, "基准测试单位")
    clerk = create_user("benchclerk", org=org, role=Role.INTAKE_CLERK)
    create_user("benchsupervisor", org=org, role=Role.SUPERVISOR)  # escalations go to it
    assert org.active_policy_id is not None
    policy = policy_for(org.active_policy_id)[1]
    codes = dict(Department.objects.filter(org=org).values_list("code", "pk"))
    departments = {c.code: codes[c.lead] for c in policy.categories}
    rule = next(r for r in policy.deadlines if r.stage == "acceptance")
    now_s, window_s = int(now.timestamp()), int(due_soon_window().total_seconds())
    n, counts = result.cases, [0, 0, 0]
    progress(f"COPY {n:,} cases")
    result.load_s["COPY cases_case"] = copy_rows(
        url, "cases_case", CASE_COLUMNS,
        chunks(case_lines(n, now_s, window_s, org.pk, org.active_policy_id, clerk.pk,
                          departments)),
    )  # fmt: skip
    progress(f"COPY {n:,} deadlines")
    result.load_s["COPY cases_deadline"] = copy_rows(
        url, "cases_deadline", DEADLINE_COLUMNS,
        chunks(deadline_lines(n, now_s, window_s, rule, counts)),
    )  # fmt: skip
    result.overdue, result.due_soon = counts[0], counts[1]
    progress("VACUUM (ANALYZE)")
    began = time.perf_counter()
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        conn.execute("VACUUM (ANALYZE) cases_case, cases_deadline")
        result.load_s["VACUUM (ANALYZE)"] = time.perf_counter() - began
        version = conn.execute("SHOW server_version").fetchone()
        result.server = str(version[0]).split()[0] if version else "?"


def due_soon_window() -> timedelta:
    from tousu.cases.sweeps import due_soon_window as window

    return window()


def page_of(page: QuerySet[Any, tuple[int, int]]) -> Callable[[], list[tuple[int, int]]]:
    """A fresh run of the query each call (a sliced queryset caches its rows)."""
    return lambda: list(page.all())


def scanned(plan: str) -> str:
    """The index (or, for a sequential scan, the table) the plan's first scan reads."""
    found = re.search(r"Scan(?: Backward)? (?:using|on) (\w+)", plan)
    return found.group(1) if found else "?"


def explain_without(page: QuerySet[Any, tuple[int, int]], index: str) -> str:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DROP INDEX {connection.ops.quote_name(index)}")
        plan = page.explain(analyze=True, buffers=True)
        transaction.set_rollback(True)
    return plan


def measure(result: Sweep, now: datetime) -> None:
    from tousu.cases.models import Case, Deadline, Event, Notification
    from tousu.cases.sweeps import mark_overdue, overdue_candidates, reminder_candidates, sweep

    loaded = (Case.objects.count(), Deadline.objects.count())
    if loaded != (result.cases, result.cases):
        raise BenchError(f"loaded (cases, deadlines) = {loaded}, not {result.cases} each")
    queries = (
        ("overdue candidates", overdue_candidates(now)),
        ("reminder candidates", reminder_candidates(now)),
    )
    for label, qs in queries:
        progress(f"{label} x{RUNS}")
        page = qs.order_by("due_at").values_list("pk", "case_id")[:BATCH]
        runs, rows = timed(page_of(page), RUNS)
        result.timings.append(Timing(f"{label} [:{BATCH}]", runs, len(rows)))
        plan = page.explain(analyze=True, buffers=True)
        result.plans[label] = plan
        result.scans[label] = chosen = scanned(plan)
        if chosen != PARTIAL[label] and chosen.startswith("deadline_"):
            # Show the partial index at work all the same: the planner's plan without the
            # index it preferred (dropped inside a transaction that is rolled back).
            result.plans[f"{label}, {chosen} hidden"] = explain_without(page, chosen)
    expected = (min(BATCH, result.overdue), min(BATCH, result.due_soon))
    got = tuple(t.rows for t in result.timings)
    if got != expected:
        result.problems.append(f"candidate queries returned {got} rows, expected {expected}")
    progress(f"overdue count x{RUNS}")
    runs, count = timed(lambda: overdue_candidates(now).count(), RUNS)
    result.timings.append(Timing("overdue count", runs, count))
    if count != result.overdue:
        result.problems.append(f"overdue count {count}, but {result.overdue} were loaded")

    progress(f"sweep(now, batch={BATCH})")
    began = time.perf_counter()
    done = sweep(now, batch=BATCH)
    result.sweep_s = time.perf_counter() - began
    result.escalated, result.reminded, result.skipped = done.overdue, done.reminded, done.skipped
    if (done.overdue, done.reminded, done.skipped) != (*expected, 0):
        result.problems.append(f"sweep did {done}, expected {expected} and no skips")

    progress(f"{DIRECT} escalations one at a time (mark_overdue)")
    page = overdue_candidates(now).order_by("due_at").values_list("pk", "case_id")[:DIRECT]
    for deadline_id, case_id in list(page):
        began = time.perf_counter()
        mark_overdue(case_id, deadline_id=deadline_id, now=now)
        result.direct_ms.append((time.perf_counter() - began) * 1e3)

    acted = result.escalated + result.reminded + len(result.direct_ms)
    result.events = Event.objects.count()
    result.notifications = Notification.objects.count()
    marked = Deadline.objects.filter(overdue_at__isnull=False).count()
    left = overdue_candidates(now).count()
    if result.events != acted:
        result.problems.append(f"{result.events} events written for {acted} actions")
    if marked != result.escalated + len(result.direct_ms):
        result.problems.append(f"{marked} deadlines marked overdue, not {acted - done.reminded}")
    if left != result.overdue - marked:
        result.problems.append(f"{left} overdue candidates left, not {result.overdue - marked}")
    firsts = Event.objects.filter(seq=1, prev_hash="").count()
    if firsts != result.events:
        result.problems.append(f"only {firsts} of {result.events} events start a case's chain")


def bench_pg(args: argparse.Namespace, name: str, url: str) -> Sweep:
    from django.core.management import call_command
    from django.utils import timezone

    result = Sweep(cases=args.cases)
    with pg_database(args.pg_url, name):
        try:
            progress(f"migrate {name}")
            began = time.perf_counter()
            call_command("migrate", interactive=False, verbosity=0)
            result.load_s["migrate"] = time.perf_counter() - began
            now = timezone.now()
            load(result, url, now)
            measure(result, now)
        except (BenchError, psycopg.Error, AssertionError) as exc:
            result.problems.append(f"{type(exc).__name__}: {exc}")
        except BenchTimeout:
            result.problems.append(f"--timeout {args.timeout:g} s passed; the run was cut short")
    return result


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def report(arith: Arith | None, pg: Sweep | None, problems: list[str]) -> None:
    if arith is not None:
        print(
            f"\ndeadline arithmetic (due_of, default calendar): {arith.cases:,} cases received "
            f"2025-2026, {len(arith.rules)} rules each"
        )
        print(f"{'rule':<36}{'deadlines':>10}{'total s':>10}{'µs/deadline':>13}{'provisional':>13}")
        for r in arith.rules:
            print(
                f"{r.rule:<36}{r.deadlines:>10,}{r.seconds:>10.3f}{r.us_per_deadline:>13.2f}"
                f"{r.provisional:>13,}"
            )
        print(
            f"{'all':<36}{arith.deadlines:>10,}{arith.seconds:>10.3f}{arith.us_per_deadline:>13.2f}"
        )
        print(f"  {arith.cases_per_s:,.0f} cases/s, {arith.us_per_deadline:.2f} µs per deadline")
    if pg is None:
        return
    print(
        f"\noverdue sweep on PostgreSQL {pg.server}: {pg.cases:,} open cases, one open "
        f"acceptance deadline each; {pg.overdue:,} overdue, {pg.due_soon:,} due within 24 h"
    )
    print(f"{'step':<36}{'runs':>6}{'min ms':>12}{'median ms':>12}{'rows':>10}")
    for what, seconds in pg.load_s.items():
        print(f"{what:<36}{1:>6}{seconds * 1e3:>12.0f}{seconds * 1e3:>12.0f}")
    for t in pg.timings:
        print(f"{t.what:<36}{len(t.runs_ms):>6}{t.min_ms:>12.2f}{t.median_ms:>12.2f}{t.rows:>10,}")
    if pg.sweep_s:
        actions = pg.escalated + pg.reminded
        print(
            f"{f'sweep(now, batch={BATCH})':<36}{1:>6}{pg.sweep_s * 1e3:>12.0f}"
            f"{pg.sweep_s * 1e3:>12.0f}{actions:>10,}"
        )
        print(
            f"  {pg.escalated} escalated + {pg.reminded} reminded, {pg.skipped} skipped: "
            f"{pg.sweep_s * 1e3 / max(actions, 1):.2f} ms per action"
        )
    if pg.direct_ms:
        q = sorted(pg.direct_ms)
        print(
            f"  mark_overdue one at a time x{len(q)}: p50 {statistics.median(q):.2f} ms, "
            f"p95 {q[int(len(q) * 0.95) - 1]:.2f} ms, max {q[-1]:.2f} ms"
        )
    if pg.events:
        print(f"  written: {pg.events:,} events, {pg.notifications:,} notifications")
    for label, plan in pg.plans.items():
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) {label}:\n  " + "\n  ".join(plan.splitlines()))
    for label, chosen in pg.scans.items():
        if chosen != PARTIAL[label]:
            print(f"note: the planner chose {chosen} for the {label}, not {PARTIAL[label]}")
    overdue = next((t for t in pg.timings if t.what.startswith("overdue candidates")), None)
    print(f"\ntarget: overdue candidate query < {TARGET_S:g} s over 1,000,000 open cases")
    if overdue is None:
        print("  not measured FAILED")
    else:
        verdict = "PASS" if overdue.median_ms < TARGET_S * 1e3 else "BELOW"
        verdict = "FAILED" if pg.problems else verdict
        print(f"  median {overdue.median_ms:.2f} ms over {pg.cases:,} open cases: {verdict}")
    for problem in problems + pg.problems:
        print(f"FAILED {problem}", file=sys.stderr)


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Show the module docstring as written, and every option's default."""


def on_alarm(signum: int, frame: FrameType | None) -> None:
    raise BenchTimeout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000, help="open cases to load")
    parser.add_argument("--arith", type=int, default=100_000, help="cases for the arithmetic")
    parser.add_argument(
        "--pg-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="admin URL to create and drop the database tousu_bench_sweep_<pid>",
    )
    parser.add_argument("--skip-pg", action="store_true", help="only the arithmetic")
    parser.add_argument("--timeout", type=float, default=900, help="limit for the whole run, s")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    if args.cases < 1000 or args.arith < 1 or args.timeout <= 0:
        parser.error("--cases must be >= 1000, --arith >= 1, --timeout > 0")
    try:
        name, url = bench_url(args.pg_url) if not args.skip_pg else ("", "")
    except BenchError as exc:
        parser.error(str(exc))
    # SIGTERM raises KeyboardInterrupt like ^C does, so the cleanup (database) runs;
    # the timeout raises BenchTimeout the same way.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGALRM, on_alarm)
    began = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, args.timeout)
    print(
        f"cpu_count={os.cpu_count()} python={platform.python_version()} "
        f"({platform.python_implementation()}) {platform.platform()}"
    )
    arith: Arith | None = None
    pg: Sweep | None = None
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tousu-bench-deadlines-") as var:
        setup_django(Path(var), url or f"sqlite:///{Path(var) / 'unused.sqlite3'}")
        try:
            arith, problems = bench_arith(args.arith)
        except BenchTimeout:
            problems.append(f"--timeout {args.timeout:g} s passed during the arithmetic")
        else:
            if not args.skip_pg:
                pg = bench_pg(args, name, url)
        signal.setitimer(signal.ITIMER_REAL, 0)
    report(arith, pg, problems)
    print(f"run took {time.monotonic() - began:.1f} s")
    if args.json:
        document: dict[str, Any] = {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "target_s": TARGET_S,
            "arith": asdict(arith) if arith else None,
            "sweep": asdict(pg) if pg else None,
            "problems": problems + (pg.problems if pg else []),
        }
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return 1 if problems or (pg is not None and pg.problems) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # ^C or SIGTERM, after the database was dropped
        print("interrupted", file=sys.stderr)
        sys.exit(130)

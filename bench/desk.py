"""Desk benchmark: server time of the queues, the case page and the ledger at 100,000 cases or more.

For each database (SQLite in a temporary directory; PostgreSQL in a temporary database on
127.0.0.1, dropped at the end) in a child process of its own: migrate, load the demo
organisation (`tousu demo`: the demo hospital's 31 cases walked through the real actions,
with timelines), then copy those cases with their deadlines, parties, subjects, assignments
and events in SQL until the organisation holds --cases cases (copied events carry no record);
each round copies every case there is, received up to three years earlier, and all but one
copy in 30 are closed with their clocks met, so the organisation holds a few percent open
cases beside a long history, as a real one of that size does. Then, in-process through
Django's test client (the full request: middleware, sign-in session, fetch-and-authorise,
queries, templates — no network), it times each page --requests times after 3 warm-up
requests and prints p50/p95/max in milliseconds against the targets (queues and ledger
p95 < 50 ms, the case page < 100 ms) and the process's peak RSS. ``--explain FILE`` writes
the plans of the hot queries (bench/explain.py) for docs/performance.md.

``BENCH_KEEP_DB=NAME`` keeps the PostgreSQL database NAME (and its keys, in the temporary
directory ``tousu-bench-keep-NAME``) and reuses it on the next run: build once, time again.
Not a test: a figure above target still exits 0; a failed page exits 1.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

TARGET_MS = 50.0  # queues and the ledger (p95, server time)
CASE_PAGE_TARGET_MS = 100.0
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def setup_django(var: Path, database_url: str) -> None:
    for name in list(os.environ):
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


def clone_cases(org_id: int, target: int) -> int:
    """Copy the organisation's cases (and their rows) in SQL until it holds ``target``:
    each round copies every case there is (at most what is still missing), so the
    organisation doubles per round and a million cases take some fifteen rounds."""
    from django.db import connection, transaction

    from tousu.cases.models import Assignment, Case, Deadline, Event, Party, Subject

    have = Case.objects.filter(org_id=org_id).count()

    def columns(model: Any, skip: set[str]) -> list[str]:
        return [f.column for f in model._meta.concrete_fields if f.column not in skip]

    case_cols = columns(Case, {"id", "number"})
    children = [
        (Deadline, columns(Deadline, {"id", "case_id"})),
        (Party, columns(Party, {"id", "case_id"})),
        (Subject, columns(Subject, {"id", "case_id"})),
        (Assignment, columns(Assignment, {"id", "case_id"})),
        (Event, columns(Event, {"id", "case_id", "record_id"})),
    ]
    copy = 0
    while have < target:
        copy += 1
        take = min(have, target - have)
        suffix = f"C{copy}-"  # the copy's number: C<round>-<id of the case copied>
        cols = ", ".join(case_cols)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
            before = cursor.fetchone()[0]
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_pick AS SELECT id FROM cases_case "
                "WHERE org_id = %s ORDER BY id LIMIT %s",
                [org_id, take],
            )
            cursor.execute(
                f"INSERT INTO cases_case ({cols}, number) "  # noqa: S608 — our own column names
                f"SELECT {cols}, %s || id FROM cases_case WHERE id IN (SELECT id FROM bench_pick) "
                "ORDER BY id",
                [suffix],
            )
            for model, child_cols in children:
                table = model._meta.db_table
                plain = ", ".join(child_cols)
                picked = ", ".join(f"t.{c}" for c in child_cols)
                extra_cols, extra_vals = ("", "")
                if model is Event:
                    extra_cols, extra_vals = (", record_id", ", NULL")
                cursor.execute(
                    f"INSERT INTO {table} ({plain}, case_id{extra_cols}) "  # noqa: S608
                    f"SELECT {picked}, n.id{extra_vals} FROM {table} t "
                    "JOIN cases_case o ON o.id = t.case_id "
                    "JOIN cases_case n ON n.org_id = o.org_id AND n.number = %s || o.id "
                    "WHERE o.id IN (SELECT id FROM bench_pick) AND n.id > %s",
                    [suffix, before],
                )
            cursor.execute("DROP TABLE bench_pick")
            age_history(cursor, before)
        have += take
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # fresh statistics keep the joins indexed
                cursor.execute("ANALYZE")
        progress(f"  {have:,} cases")
    return have


LIVE_EVERY = 30  # one copy in 30 keeps its open work; the rest are past, closed cases


def age_history(cursor: Any, before: int) -> None:
    """Make copies look like past years: received up to three years earlier and, except
    one in LIVE_EVERY, closed with their clocks met. An organisation with 100,000 cases
    has a few thousand open at any time, not tens of thousands."""
    from django.db import connection

    if connection.vendor == "postgresql":
        shifted = "received_at - make_interval(days => (id %% 1000)::int)"
    else:
        shifted = "strftime('%%Y-%%m-%%d %%H:%%M:%%f', received_at, '-' || (id %% 1000) || ' days')"
    cursor.execute(
        f"UPDATE cases_case SET received_at = {shifted} WHERE id > %s",  # noqa: S608 — constant
        [before],
    )
    cursor.execute(
        "UPDATE cases_case SET status = 'closed', next_due_at = NULL, next_hard_due_at = NULL "
        "WHERE id > %s AND id %% %s != 0 AND status IN "
        "('registered','accepted','transferring','in_progress','paused','resolved',"
        "'replied','followed_up')",
        [before, LIVE_EVERY],
    )
    cursor.execute(
        "UPDATE cases_deadline SET state = 'met' WHERE case_id > %s AND case_id %% %s != 0 "
        "AND state IN ('open','paused')",
        [before, LIVE_EVERY],
    )


def target(label: str) -> float:
    return CASE_PAGE_TARGET_MS if label.startswith("case page") else TARGET_MS


def peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generating() -> bool:
    return bool(os.environ.get("BENCH_GENERATE"))  # --generate: bench/generate's data


def generated(cases: int) -> tuple[str, dict[str, str], int]:
    """One organisation of ``cases`` cases from bench/generate (built unless there); its
    slug, the personas' usernames (a department head is added), and its case count."""
    import importlib.util

    from tousu.cases.models import Case
    from tousu.orgs.models import Organisation
    from tousu.orgs.roles import Role
    from tousu.orgs.services import create_user

    spec = importlib.util.spec_from_file_location(
        "generate", Path(__file__).with_name("generate.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate"] = module
    spec.loader.exec_module(module)
    org = Organisation.objects.filter(slug__startswith="gen1-").first()
    have = Case.objects.filter(org=org).count() if org else 0
    if have < cases:
        progress(f"generating {cases - have:,} cases (bench/generate)")
        module.generate(cases=cases - have, seed=1, orgs=1, workers=2)
        org = Organisation.objects.get(slug__startswith="gen1-")
    assert org is not None
    slug = org.slug
    busiest = (
        Case.objects.filter(org=org, lead_department__isnull=False)
        .values_list("lead_department__code", flat=True)
        .order_by("lead_department__code")
        .first()
    )
    head = f"{slug}-head"
    from django.contrib.auth import get_user_model

    if not get_user_model().objects.filter(username=head).exists():
        create_user(head, org=org, role=Role.DEPARTMENT_HEAD, department=busiest)
    who = {"handler": f"{slug}-{busiest}-0", "head": head, "dispatcher": f"{slug}-dispatch0"}
    return slug, who, Case.objects.filter(org=org).count()


def deep_page(number: int, username: str, slug: str, size: int = 50) -> str:
    """The query of the ledger's page ``number`` (received, newest first) for the
    dispatcher, as its "next" link would carry it: the cursor of the row before it."""
    from urllib.parse import urlencode

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tousu.cases.access import actor_for
    from tousu.reports.query import Filters, filtered, sort_key
    from tousu.web.keyset import cursor

    actor = actor_for(get_user_model().objects.get(username=username), slug)
    filters = Filters()
    edge = (
        filtered(actor, filters, timezone.now())
        .order_by(*sort_key(filters).order())
        .values_list("pk", "received_at")[(number - 1) * size - 1]
    )
    return urlencode({"cursor": cursor("a", edge[1], edge[0])})


def run_one(db: str, cases: int, requests: int, explain: str | None = None) -> dict[str, Any]:
    """In a child process: build the database, time the pages, return the figures."""
    keep = os.environ.get("BENCH_KEEP_DB", "")  # build once, time again and again
    var = Path(tempfile.mkdtemp(prefix=f"tousu-bench-desk-{db}-"))
    if keep:  # the kept database's keys live beside it
        var = Path(tempfile.gettempdir()) / f"tousu-bench-keep-{keep}"
        var.mkdir(exist_ok=True)
    pg_name = keep or f"tousu_bench_desk_{os.getpid()}"
    url = f"sqlite:///{var / 'bench.sqlite3'}"
    if keep and db == "postgres":
        url = f"postgres://postgres@127.0.0.1:5432/{pg_name}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [pg_name]
            ).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(pg_name)))
        setup_django(var, url)
        return measure(db, cases, requests, explain)
    if db == "postgres":
        url = f"postgres://postgres@127.0.0.1:5432/{pg_name}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(pg_name))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(pg_name)))
    try:
        setup_django(var, url)
        return measure(db, cases, requests, explain)
    finally:
        if db == "postgres":
            from django.db import connections

            connections.close_all()
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(pg_name)
                    )
                )


def measure(db: str, cases: int, requests: int, explain: str | None = None) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from tousu.cases.models import Case
    from tousu.demo.organisation import SLUG, load_demo
    from tousu.orgs.models import Organisation

    progress(f"{db}: migrate")
    call_command("migrate", verbosity=0)
    who = {"handler": "handler", "head": "head", "dispatcher": "dispatcher"}
    slug = SLUG
    started = time.perf_counter()
    if generating():
        slug, who, total = generated(cases)
        org = Organisation.objects.get(slug=slug)
    else:
        if not Organisation.objects.filter(slug=SLUG).exists():
            progress(f"{db}: demo organisation")
            load_demo()
        org = Organisation.objects.get(slug=SLUG)
        progress(f"{db}: cloning to {cases:,} cases")
        total = clone_cases(org.pk, cases)
    load_s = time.perf_counter() - started
    handler_user = get_user_model().objects.get(username=who["handler"])
    real = (
        Case.objects.filter(org=org, status="in_progress", handler=handler_user)
        .order_by("pk")
        .values_list("number", flat=True)
        .first()
        or Case.objects.filter(org=org, status="in_progress")
        .order_by("pk")
        .values_list("number", flat=True)
        .first()
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    progress(f"{db}: {total:,} cases in {load_s:.0f} s; timing pages")
    SLUG_ = slug  # noqa: N806 — the organisation the pages below open
    users = get_user_model().objects
    pages: list[tuple[str, str, str]] = [
        ("queue: my cases (handler, Finance)", who["handler"], f"/desk/{SLUG_}/queue/mine/"),
        ("queue: my department (head, Finance)", who["head"], f"/desk/{SLUG_}/queue/department/"),
        ("queue: overdue (dispatcher, all)", who["dispatcher"], f"/desk/{SLUG_}/queue/overdue/"),
        (
            "queue: waiting for dispatch (dispatcher)",
            who["dispatcher"],
            f"/desk/{SLUG_}/queue/dispatch/",
        ),
        ("case page (dispatcher)", who["dispatcher"], f"/desk/{SLUG_}/cases/{real}/"),
        ("case page (handler)", who["handler"], f"/desk/{SLUG_}/cases/{real}/"),
    ]
    try:
        ledger = reverse("desk:reports:ledger", kwargs={"org": SLUG_})
        pages += [
            ("ledger: first page (dispatcher)", who["dispatcher"], ledger),
            (
                "ledger: closed, by number (dispatcher)",
                who["dispatcher"],
                f"{ledger}?status=closed&sort=number",
            ),
            (
                "ledger: page 500 (dispatcher)",
                who["dispatcher"],
                f"{ledger}?{deep_page(500, who['dispatcher'], SLUG_)}",
            ),
            (
                "ledger: overdue, by deadline (dispatcher)",
                who["dispatcher"],
                f"{ledger}?overdue=yes&sort=deadline",
            ),
            ("ledger: first page (handler, Finance)", who["handler"], ledger),
            ("ledger: first page (head, Finance)", who["head"], ledger),
            (
                "ledger: overdue, by deadline (head, Finance)",
                who["head"],
                f"{ledger}?overdue=yes&sort=deadline",
            ),
        ]
    except NoReverseMatch:
        progress("ledger not installed: skipped")
    results = []
    rss_before = peak_rss_mib()
    for label, username, path in pages:
        client = Client()
        client.force_login(users.get(username=username))
        times = []
        for i in range(3 + requests):
            t0 = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - t0) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{db}: {path} answered {response.status_code}")
            if i >= 3:
                times.append(elapsed)
        times.sort()
        p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
        results.append(
            {
                "page": label,
                "p50": statistics.median(times),
                "p95": p95,
                "max": times[-1],
                "target": target(label),
                "pass": p95 < target(label),
            }
        )
        progress(f"{db}: {label}: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms")
    if explain:
        sys.path.insert(0, str(Path(__file__).parent))
        from django.utils import timezone
        from explain import explain_all  # bench/explain.py

        Path(explain).write_text(explain_all(timezone.now(), SLUG_, who), encoding="utf-8")
        progress(f"{db}: plans written to {explain}")
    return {
        "db": db,
        "cases": total,
        "load_s": load_s,
        "pages": results,
        "rss_before_mib": rss_before,
        "peak_rss_mib": peak_rss_mib(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--explain", help="also write the hot queries' plans (Markdown) here")
    parser.add_argument("--json", help="also write the figures as JSON here")
    parser.add_argument(
        "--generate", action="store_true", help="build the cases with bench/generate (realistic)"
    )
    args = parser.parse_args()
    if args.generate:
        os.environ["BENCH_GENERATE"] = "1"
    if args.child:
        result = run_one(args.child, args.cases, args.requests, args.explain)
        print(json.dumps(result))
        return 0
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    reports = []
    for db in dbs:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                db,
                "--cases",
                str(args.cases),
                "--requests",
                str(args.requests),
                *(["--explain", args.explain] if args.explain and db == "postgres" else []),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        sys.stderr.write(out.stderr[-4000:] if out.returncode else "")
        if out.returncode:
            print(f"{db}: FAILED (exit {out.returncode})")
            return 1
        reports.append(json.loads(out.stdout.strip().splitlines()[-1]))
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=2), encoding="utf-8")
    print(
        f"Desk pages, server time in-process, {args.requests} requests each after 3 warm-up; "
        f"target p95 < {TARGET_MS:.0f} ms (the case page < {CASE_PAGE_TARGET_MS:.0f} ms)"
    )
    for rep in reports:
        print(
            f"\n{rep['db']}: {rep['cases']:,} cases in the organisation (loaded in {rep['load_s']:.0f} s); "
            f"peak RSS {rep['peak_rss_mib']:.0f} MiB"
        )
        for row in rep["pages"]:
            verdict = "PASS" if row["pass"] else "ABOVE TARGET"
            print(
                f"  {row['page']:<44} p50 {row['p50']:7.1f} ms  p95 {row['p95']:7.1f} ms  max {row['max']:7.1f} ms  {verdict}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

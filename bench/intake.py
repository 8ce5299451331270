"""HTTP intake benchmark: how fast Tousu registers cases through its REST API.

Per database (SQLite, PostgreSQL) it builds a throw-away instance with the `tousu` command
(migrate, an organisation, an intake clerk, an API token), starts the production server
(`tousu run`: gunicorn, 2 workers) on 127.0.0.1 and has 8 client threads, one keep-alive
connection each, POST varied Chinese complaints and reports to /api/v1/orgs/{org}/cases,
then again with 32 threads. After a discarded warm-up it prints registrations/s,
p50/p95/p99/max latency, the server's CPU time per registration (from /proc) and the web
workers' peak RSS, and checks that every answer was 201, every case number distinct and the
case list counts them all. On PostgreSQL it then runs pgbench in the same database with a
registration-shaped transaction (bench/pgbench_registration.sql: the counter row update and
the case, party and event inserts) at 8 clients: the database's own limit for this shape,
and prints intake's rate as a share of it.
Not a test: a rate below target still exits 0; failed requests or checks exit 1.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
ORG = "bench"
TARGET = 260.0  # registrations/s: 10x django-helpdesk 2.6.1 on the same machine and setup
SHARE_TARGET = 0.30  # of the same-run pgbench registration-shaped rate, at 8 clients
CPU_TARGET_MS = 3.0  # web workers' CPU per registration
P95_TARGET_MS = 50.0  # at 8 clients
RSS_TARGET_MIB = 120.0  # peak resident set of one web worker
PGBENCH_SCRIPT = ROOT / "bench" / "pgbench_registration.sql"
TICK = os.sysconf("SC_CLK_TCK")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
CHANNELS = ("phone", "visit", "phone", "letter", "phone")  # calls, walk-ins and letters
NAMES = ("张三", "李秀英", "王芳", "刘伟", "陈静", "杨洋", "赵敏")  # 5, 6, 7: coprime periods
TEMPLATES = (  # kind, category, subject type and name, demands, content ({n} varies)
    (
        "complaint",
        "fees",
        "department",
        "收费处",
        "退还多收的费用，并书面说明原因",
        "同一张处方的检查费被重复收取两次，多收{n}元，窗口说系统原因不能当场退。",
    ),
    (
        "complaint",
        "service_attitude",
        "staff",
        "挂号窗口工作人员",
        "当面道歉，加强服务培训",
        "询问心内科在几楼，工作人员大声呵斥“自己看牌子”，排队的{n}个人都听见了。",
    ),
    (
        "complaint",
        "quality",
        "merchant",
        "农贸市场水产区摊主",
        "退还差价，查处该摊位的秤",
        "在{n}号摊位买鲈鱼，称的是两斤，回家用公平秤复称只有一斤六两，缺斤短两。",
    ),
    (
        "complaint",
        "facilities",
        "department",
        "住院部",
        "尽快修好并告知维修时间",
        "三楼卫生间热水器坏了{n}天没人修，家属只能下楼打热水，老人洗澡很不方便。",
    ),
    (
        "report",
        "misconduct",
        "department",
        "药剂科",
        "依法调查处理，对举报人信息保密",
        "举报药剂科有人收受医药代表回扣，多在月底，每次约{n}00元，有转账记录可以提供。",
    ),
    (
        "complaint",
        "other",
        "department",
        "停车场",
        "修好道闸，高峰时段安排人员疏导",
        "出口道闸又坏了，排队等了{n}分钟没有人疏导，耽误了孩子复诊。",
    ),
)


class BenchError(Exception):
    """A setup or server failure that ends the run on one database."""


@dataclass
class Phase:
    """What the client threads saw during one phase (warm-up or measured)."""

    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    numbers: list[str] = field(default_factory=list)
    failures: list[tuple[int, str]] = field(default_factory=list)  # status (0: none), body
    wall: float = 0.0


@dataclass
class Result:
    """The figures and problems of one database at one concurrency, as printed and
    written to --json."""

    database: str
    requests: int
    concurrency: int
    workers: int
    wall_s: float = 0.0
    per_s: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    errors: int = 0
    distinct_numbers: int = 0
    listed_count: int | None = None
    web_cpu_ms: float = 0.0  # web workers' user+system CPU per measured registration
    server_cpu_ms: float = 0.0  # the same for every server process (with the job worker)
    web_rss_mib: float = 0.0  # highest peak RSS (VmHWM) of a web worker so far
    pgbench_per_s: float | None = None  # same database, same run, 8 clients
    share: float | None = None  # per_s / pgbench_per_s
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Proc:
    """One process of the server's tree, as /proc shows it."""

    pid: int
    ppid: int
    ticks: int  # user + system CPU, in clock ticks
    hwm_kib: int  # peak resident set
    gunicorn: bool


def processes(root: int) -> list[Proc]:
    """`root` and every process descended from it (read from /proc; Linux only)."""
    found: dict[int, Proc] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            status = (entry / "status").read_text()
            hwm = next((ln.split()[1] for ln in status.splitlines() if ln.startswith("VmHWM")), "0")
            cmdline = (entry / "cmdline").read_bytes()
            pid = int(entry.name)
            found[pid] = Proc(
                pid, int(fields[1]), int(fields[11]) + int(fields[12]), int(hwm),
                b"gunicorn" in cmdline,
            )  # fmt: skip
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in found:
            tree.append(found[pid])
            todo += [p.pid for p in found.values() if p.ppid == pid]
    return tree


def web_workers(tree: list[Proc]) -> list[Proc]:
    """gunicorn's workers: the gunicorn processes whose parent is gunicorn (the master)."""
    masters = {p.pid for p in tree if p.gunicorn}
    return [p for p in tree if p.gunicorn and p.ppid in masters]


def cpu_ticks(tree: list[Proc]) -> tuple[int, int]:
    """(web workers' ticks, all server processes' ticks)."""
    return sum(p.ticks for p in web_workers(tree)), sum(p.ticks for p in tree)


def payload(i: int) -> bytes:
    """The i-th registration; templates, names and figures cycle at coprime periods."""
    kind, category, subject_type, subject, demands, content = TEMPLATES[i % len(TEMPLATES)]
    anonymous = kind == "report" and i // len(TEMPLATES) % 2 == 0  # half the reports
    person = {} if anonymous else {"name": NAMES[i % len(NAMES)], "phone": f"138{i % 10**8:08d}"}
    body = {
        "kind": kind,
        "channel": CHANNELS[i % len(CHANNELS)],
        "category": category,
        "content": content.format(n=2 + i % 97),
        "demands": demands,
        "complainant": {"anonymous": anonymous, **person},
        "subject": {"type": subject_type, "name": subject},
    }
    return json.dumps(body, ensure_ascii=False).encode()


def call(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    token: str = "",
    body: bytes | None = None,
) -> tuple[int, bytes]:
    """One request on `conn` (reconnecting if the server closed it): status and body."""
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def number_of(raw: bytes) -> str | None:
    """The case number of a registration's answer, if it has the contracted fields."""
    with contextlib.suppress(ValueError, TypeError, KeyError, AttributeError):
        answer = json.loads(raw)
        return str(answer["number"]) if {"status", "deadlines"} <= answer.keys() else None
    return None


def left(deadline: float) -> float:
    return max(deadline - time.monotonic(), 0.1)


def run_phase(port: int, token: str, ids: range, concurrency: int, deadline: float) -> Phase:
    """POST registrations `ids` from `concurrency` threads, one connection per thread."""
    phase, lock = Phase(), threading.Lock()
    todo = iter([payload(i) for i in ids])
    path = f"/api/v1/orgs/{ORG}/cases"

    def client() -> None:
        mine = Phase()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=min(30.0, left(deadline)))
        while time.monotonic() < deadline:
            with lock:
                body = next(todo, None)
            if body is None:
                break
            began = time.perf_counter()
            try:
                status, raw = call(conn, "POST", path, token, body)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()  # the next request opens a new connection
                mine.failures.append((0, repr(exc)))
                continue
            elapsed = time.perf_counter() - began
            number = number_of(raw) if status == HTTPStatus.CREATED else None
            if number is None:
                mine.failures.append((status, raw[:300].decode(errors="replace")))
            else:
                mine.latencies.append(elapsed)
                mine.numbers.append(number)
        conn.close()
        with lock:
            phase.latencies += mine.latencies
            phase.numbers += mine.numbers
            phase.failures += mine.failures

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(left(deadline) + 35)
    phase.wall = time.perf_counter() - began
    unsent = len(ids) - len(phase.latencies) - len(phase.failures)
    phase.failures += [(0, "not sent or unanswered at the global timeout")] * unsent
    return phase


def tousu(exe: Path, env: dict[str, str], deadline: float, *args: str) -> str:
    """Run one `tousu` subcommand and return its stdout; BenchError with its stderr."""
    what = f"tousu {' '.join(args[:2])}"  # never the password
    try:
        done = subprocess.run(
            [exe, *args],
            env=env,
            stdin=subprocess.DEVNULL,
            check=False,
            capture_output=True,
            text=True,
            timeout=left(deadline),
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{what} timed out") from exc
    if done.returncode != 0:
        output = (done.stderr or done.stdout)[-4000:]
        raise BenchError(f"{what} exited {done.returncode}:\n{output}")
    return done.stdout


@contextlib.contextmanager
def server(exe: Path, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`tousu run` in a process group of its own, all of which is ended on exit."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [exe, "run"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            for sig, grace in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 5.0)):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(grace)
                    break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # any worker of the group still left


def wait_ready(port: int, proc: subprocess.Popen[bytes], deadline: float) -> None:
    limit = min(deadline, time.monotonic() + 60)
    while time.monotonic() < limit:
        if proc.poll() is not None:
            raise BenchError(f"tousu run exited {proc.returncode} before answering")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        with contextlib.suppress(OSError, http.client.HTTPException):
            if call(conn, "GET", "/api/v1/openapi.json")[0] == HTTPStatus.OK:
                return
        conn.close()
        time.sleep(0.2)
    raise BenchError("no 200 from GET /api/v1/openapi.json within 60 s")


@contextlib.contextmanager
def pg_database(admin_url: str) -> Iterator[str]:
    """Create database tousu_bench_<pid>, yield its URL, drop it whatever happened."""
    parts, name = urlsplit(admin_url), f"tousu_bench_{os.getpid()}"
    if parts.hostname not in LOOPBACK:
        raise BenchError(f"--pg-url must point at 127.0.0.1, not {parts.hostname!r}")
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(drop)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        try:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
                conn.execute(drop)
        except psycopg.Error as exc:
            print(f"WARNING: could not drop database {name}: {exc}", file=sys.stderr)


def bench_db(db: str, args: argparse.Namespace, deadline: float) -> list[Result]:
    """Set up, serve, warm up, measure at each concurrency and check one database."""
    results = [Result(db, args.requests, c, args.workers) for c in args.concurrency]
    exe = args.tousu
    total = args.warmup + args.requests * len(results)
    with contextlib.ExitStack() as stack:
        var = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"tousu-bench-{db}-")))
        log = var / "server.log"
        stack.callback(log_tail, log, results[0])  # runs after the server stopped, before rm -r
        try:
            url = (
                f"sqlite:///{var / 'db.sqlite3'}"
                if db == "sqlite"
                else stack.enter_context(pg_database(args.pg_url))
            )
            port = args.port or free_port()
            # The caller's own TOUSU_* and DJANGO_* settings would make runs incomparable.
            env = {k: v for k, v in os.environ.items() if not k.startswith(("TOUSU_", "DJANGO_"))}
            env |= {
                "DATABASE_URL": url,
                "TOUSU_VAR_DIR": str(var),
                "PORT": str(port),
                "WEB_CONCURRENCY": str(args.workers),
                "TOUSU_SECRET_KEY": secrets.token_urlsafe(50),
            }
            print(f"[{db}] setting up in {var}", file=sys.stderr)
            tousu(exe, env, deadline, "migrate", "--noinput")
            tousu(exe, env, deadline, "org", "create", ORG, "--name", "基准测试单位")
            tousu(
                exe,
                env,
                deadline,
                "user",
                "create",
                "benchclerk",
                "--org",
                ORG,
                "--role",
                "intake_clerk",
                "--password",
                secrets.token_urlsafe(16),
            )
            token = tousu(exe, env, deadline, "token", "create", "benchclerk").strip()
            if len(token.split()) != 1:
                raise BenchError(f"tousu token create printed {token!r}, not one token")
            proc = stack.enter_context(server(exe, env, log))
            wait_ready(port, proc, deadline)
            print(f"[{db}] {args.warmup} warm-up", file=sys.stderr)
            warm = run_phase(port, token, range(args.warmup), max(args.concurrency), deadline)
            phases, first = [warm], args.warmup
            for result in results:
                print(f"[{db}] {args.requests} measured at c={result.concurrency}", file=sys.stderr)
                ids = range(first, first + args.requests)
                before = cpu_ticks(processes(proc.pid))
                run = run_phase(port, token, ids, result.concurrency, deadline)
                tree = processes(proc.pid)
                after = cpu_ticks(tree)
                measure(result, run)
                done = max(len(run.latencies), 1)
                result.web_cpu_ms = (after[0] - before[0]) / TICK * 1e3 / done
                result.server_cpu_ms = (after[1] - before[1]) / TICK * 1e3 / done
                result.web_rss_mib = max((p.hwm_kib for p in web_workers(tree)), default=0) / 1024
                phases.append(run)
                first += args.requests
            check(results[0], phases)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=min(30.0, left(deadline)))
            status, raw = call(conn, "GET", f"/api/v1/orgs/{ORG}/cases?limit=1", token)
            conn.close()
            if status != HTTPStatus.OK:
                raise BenchError(f"GET cases?limit=1 answered {status}: {raw[:300]!r}")
            listed = int(json.loads(raw)["count"])
            for result in results:
                result.listed_count = listed
            if listed != total:
                results[0].problems.append(f"case list counts {listed}, not {total}")
            if db == "postgres" and args.pgbench_seconds > 0:
                print(f"[{db}] pgbench, {args.pgbench_clients} clients", file=sys.stderr)
                rate = pgbench(url, args, deadline)
                for result in results:
                    result.pgbench_per_s = rate
                    result.share = result.per_s / rate if rate else None
        except (
            BenchError,
            OSError,
            http.client.HTTPException,
            psycopg.Error,
            ValueError,
            TypeError,
            KeyError,
        ) as exc:
            results[0].problems.append(f"{type(exc).__name__}: {exc}")
    return results


def pgbench(url: str, args: argparse.Namespace, deadline: float) -> float:
    """Transactions/s of bench/pgbench_registration.sql in the benchmark's database."""
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        row = conn.execute(
            "SELECT o.id, o.active_policy_id, m.user_id FROM orgs_organisation o "
            "JOIN orgs_membership m ON m.org_id = o.id WHERE o.slug = %s LIMIT 1",
            [ORG],
        ).fetchone()
        conn.execute("VACUUM ANALYZE")  # the same starting point for pgbench as for the server
    if row is None:
        raise BenchError(f"no organisation {ORG} with a member for pgbench")
    org, policy, user = row
    command = [
        args.pgbench, "--no-vacuum", "--protocol=prepared",
        f"--client={args.pgbench_clients}", f"--jobs={min(args.pgbench_clients, 2)}",
        f"--time={args.pgbench_seconds}", f"--file={PGBENCH_SCRIPT}",
        f"--define=org={org}", f"--define=policy={policy}", f"--define=usr={user}", url,
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=left(deadline),
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError("pgbench timed out") from exc
    except FileNotFoundError as exc:
        raise BenchError(f"no pgbench at {args.pgbench} (Debian: postgresql-client)") from exc
    tps = [ln for ln in done.stdout.splitlines() if ln.startswith("tps = ")]
    failed = [ln for ln in done.stdout.splitlines() if "failed transactions" in ln]
    if done.returncode != 0 or not tps or any(" 0 (0.000%)" not in ln for ln in failed):
        raise BenchError(
            f"pgbench exited {done.returncode}:\n{(done.stderr + done.stdout)[-2000:]}"
        )
    return float(tps[0].split()[2])


def log_tail(log: Path, result: Result) -> None:
    """Add the end of the server's output to the problems, if there are any."""
    tail = log.read_text(errors="replace").splitlines()[-30:] if log.exists() else []
    if result.problems and tail:
        result.problems.append("server output, last lines:\n    " + "\n    ".join(tail))


def measure(result: Result, run: Phase) -> None:
    """Figures of one measured phase."""
    lat = sorted(run.latencies) or [0.0]
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else lat * 99
    result.wall_s = run.wall
    result.per_s = len(run.latencies) / run.wall if run.wall else 0.0
    result.p50_ms, result.p95_ms, result.p99_ms = q[49] * 1e3, q[94] * 1e3, q[98] * 1e3
    result.max_ms = lat[-1] * 1e3
    result.errors = len(run.failures)


def check(result: Result, phases: list[Phase]) -> None:
    """Failures and duplicate numbers over every phase (warm-up included)."""
    failures = [f for p in phases for f in p.failures]
    numbers = [n for p in phases for n in p.numbers]
    result.distinct_numbers = len(set(numbers))
    if result.distinct_numbers != len(numbers):
        result.problems.append(f"{len(numbers) - result.distinct_numbers} duplicate numbers")
    for status, count in Counter(status for status, _ in failures).most_common():
        sample = next(body for s, body in failures if s == status)
        result.problems.append(f"{count} requests failed with status {status}, e.g. {sample}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def report(results: list[Result]) -> None:
    cols = (
        "requests", "conc", "reg/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors",
        "web cpu", "all cpu", "RSS MiB", "pgbench/s", "share",
    )  # fmt: skip
    print(f"{'database':<9}" + "".join(f"{c:>10}" for c in cols))
    for r in results:
        figures = (
            r.requests,
            r.concurrency,
            f"{r.per_s:.1f}",
            f"{r.p50_ms:.1f}",
            f"{r.p95_ms:.1f}",
            f"{r.p99_ms:.1f}",
            f"{r.max_ms:.1f}",
            r.errors,
            f"{r.web_cpu_ms:.2f}",
            f"{r.server_cpu_ms:.2f}",
            f"{r.web_rss_mib:.1f}",
            "-" if r.pgbench_per_s is None else f"{r.pgbench_per_s:.1f}",
            "-" if r.share is None else f"{r.share:.1%}",
        )
        print(f"{r.database:<9}" + "".join(f"{f:>10}" for f in figures))
    print(
        "web cpu / all cpu: ms of CPU per registration in the web workers / in every server "
        "process (job worker included); RSS: a web worker's peak; share: reg/s of the "
        "pgbench registration-shaped rate in the same database and run"
    )
    print(
        f"targets: >= {TARGET:.0f} registrations/s; web cpu <= {CPU_TARGET_MS:.0f} ms; "
        f"share >= {SHARE_TARGET:.0%}; p95 < {P95_TARGET_MS:.0f} ms at c=8; "
        f"RSS <= {RSS_TARGET_MIB:.0f} MiB"
    )
    for r in results:
        below = [
            what
            for what, short in (
                ("rate", r.per_s < TARGET),
                ("cpu", r.web_cpu_ms > CPU_TARGET_MS),
                ("share", r.share is not None and r.share < SHARE_TARGET),
                ("p95", r.concurrency == 8 and r.p95_ms >= P95_TARGET_MS),
                ("rss", r.web_rss_mib > RSS_TARGET_MIB),
            )
            if short
        ]
        verdict = "FAILED" if r.problems else f"BELOW ({', '.join(below)})" if below else "PASS"
        print(
            f"  {r.database} c={r.concurrency}: {r.per_s:.1f}/s {verdict}; "
            f"{r.distinct_numbers or '-'} distinct case numbers; case list count {r.listed_count}"
        )
    for r in results:
        for problem in r.problems:
            print(f"FAILED [{r.database}] {problem}", file=sys.stderr)


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Show the module docstring as written, and every option's default."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument(
        "--db",
        choices=("sqlite", "postgres", "both"),
        default="both",
        help="database(s) to benchmark, one after the other",
    )
    parser.add_argument("--requests", type=int, default=2000, help="measured registrations")
    parser.add_argument(
        "--concurrency",
        type=lambda text: [int(c) for c in text.split(",")],
        default=[8, 32],
        help="client threads of each measured phase, comma-separated",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--warmup", type=int, default=100, help="registrations not measured")
    parser.add_argument("--port", type=int, default=0, help="server port; 0: a free one")
    parser.add_argument(
        "--pg-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="admin URL to create and drop the database tousu_bench_<pid>",
    )
    parser.add_argument(
        "--tousu",
        type=Path,
        default=ROOT / ".venv" / "bin" / "tousu",
        help="the tousu console script to drive",
    )
    parser.add_argument("--pgbench", default="pgbench", help="the pgbench program")
    parser.add_argument("--pgbench-clients", type=int, default=8, help="pgbench clients")
    parser.add_argument(
        "--pgbench-seconds", type=int, default=15, help="pgbench duration; 0: no pgbench"
    )
    parser.add_argument("--timeout", type=float, default=900, help="limit for the whole run, s")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    if (
        min(args.requests, *args.concurrency, args.workers, args.pgbench_clients) < 1
        or min(args.warmup, args.pgbench_seconds) < 0
    ):
        parser.error("--requests, --concurrency and --workers must be >= 1, --warmup >= 0")
    # SIGTERM raises KeyboardInterrupt like ^C does, so the cleanup (server, database) runs
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    deadline = time.monotonic() + args.timeout
    print(
        f"cpu_count={os.cpu_count()} python={platform.python_version()} "
        f"({platform.python_implementation()}) {platform.platform()}"
    )
    dbs = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    results = [r for db in dbs for r in bench_db(db, args, deadline)]
    report(results)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "cpu_count": os.cpu_count(),
                    "python": platform.python_version(),
                    "warmup": args.warmup,
                    "target_per_s": TARGET,
                    "target_share": SHARE_TARGET,
                    "target_web_cpu_ms": CPU_TARGET_MS,
                    "target_p95_ms_c8": P95_TARGET_MS,
                    "target_rss_mib": RSS_TARGET_MIB,
                    "results": [asdict(r) for r in results],
                },
                indent=2,
            )
            + "\n"
        )
    return 1 if any(r.problems for r in results) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # ^C or SIGTERM, after the server and databases were cleaned up
        print("interrupted", file=sys.stderr)
        sys.exit(130)

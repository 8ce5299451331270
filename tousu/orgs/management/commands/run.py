"""``tousu run``: migrate, then serve with gunicorn on 127.0.0.1:$PORT, plus one job worker."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from tousu.conf import env_bool, env_int


class Command(BaseCommand):
    help = (
        "Migrate the database, then serve the product with gunicorn (production server) "
        "and run exactly one job worker beside it (sweeps, notifications)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=None, help="default: $PORT or 8000")
        parser.add_argument(
            "--workers", type=int, default=None, help="web workers; default: $WEB_CONCURRENCY or 2"
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the job worker (run `tousu worker` elsewhere); "
            "also TOUSU_RUN_WORKER=false",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        port = options["port"] or settings.PORT
        workers = options["workers"] or env_int("WEB_CONCURRENCY", 2, minimum=1, maximum=64)
        with_worker = not options["no_worker"] and env_bool("TOUSU_RUN_WORKER", True)
        web = [
            sys.executable, "-m", "gunicorn", "tousu.wsgi:application",
            "--bind", f"{options['host']}:{port}",
            "--workers", str(workers),
            "--timeout", "60",
            "--graceful-timeout", "10",
        ]  # fmt: skip
        threads = env_int("TOUSU_WEB_THREADS", 1 if _sqlite() else 2, minimum=1, maximum=32)
        if threads > 1:
            # On PostgreSQL a worker waits on the network for much of a request; a second
            # thread uses that time. SQLite has one writer: threads there only queue.
            web += ["--worker-class", "gthread", "--threads", str(threads)]
        children = [subprocess.Popen(web)]  # noqa: S603 — fixed argv, our own server
        if with_worker:
            job = [sys.executable, "-m", "tousu.cli", "worker", "--workers", "1"]
            children.append(subprocess.Popen(job))  # noqa: S603 — fixed argv, our own worker
        self.stdout.write(
            f"Tousu: http://{options['host']}:{port}/  ({workers} web workers"
            f"{', 1 job worker' if with_worker else ''})"
        )
        self.stdout.flush()
        sys.exit(_supervise(children))


def _sqlite() -> bool:
    return bool(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"))


def _supervise(children: list[subprocess.Popen[bytes]]) -> int:
    """Wait for a signal or for any child to exit; then stop them all."""
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    while not stopping:
        for child in children:
            if child.poll() is not None:
                code = child.returncode or 0
                stopping = True
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    return code

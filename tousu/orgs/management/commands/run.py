"""``tousu run``: migrate, then serve with gunicorn on 127.0.0.1:$PORT, plus one job worker.

The public portal's paths (``/o/…``) never reach an access log: gunicorn runs with
:class:`PortalQuietLogger`, which skips them even when an operator turns the access log
on (``GUNICORN_CMD_ARGS="--access-logfile -"``), and :class:`PortalPathFilter` drops
Django's own request warnings about them (``settings.LOGGING``). Server errors are kept;
they name the path, never the client's address or user agent.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from gunicorn import glogging

from tousu.conf import base_url_warning, env_bool, env_int

PORTAL_PREFIX = "/o/"
LOGGER_CLASS = f"{__name__}.PortalQuietLogger"


def portal_path(path: object) -> bool:
    """Whether a request path (or a request line such as ``GET /o/x/ HTTP/1.1``) is the portal's."""
    text = str(path or "")
    if " " in text:
        parts = text.split()
        text = parts[1] if len(parts) > 1 else parts[0]
    text = text.split("?", 1)[0]
    if "://" in text:  # an absolute request target
        text = "/" + text.split("://", 1)[1].partition("/")[2]
    return ("/" + text.lstrip("/")).startswith(PORTAL_PREFIX)


class PortalPathFilter(logging.Filter):
    """Drops access records (gunicorn) and request warnings (Django) for portal paths;
    errors (level ERROR and above) from Django are kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, Mapping):  # gunicorn's access atoms
            return not (portal_path(args.get("U")) or portal_path(args.get("r")))
        request = getattr(record, "request", None)
        if request is not None and record.levelno < logging.ERROR:
            return not portal_path(getattr(request, "path", ""))
        if record.levelno >= logging.ERROR:
            return True
        if isinstance(args, tuple) and args and portal_path(args[0]):
            return False
        return not portal_path(record.getMessage())


class PortalQuietLogger(glogging.Logger):  # type: ignore[misc]
    """gunicorn's logger, without access lines for the portal's paths."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if not any(isinstance(f, PortalPathFilter) for f in self.access_log.filters):
            self.access_log.addFilter(PortalPathFilter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if portal_path(environ.get("PATH_INFO")) or portal_path(getattr(req, "path", "")):
            return
        super().access(resp, req, environ, request_time)


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
        warning = base_url_warning(settings.TOUSU_BASE_URL, settings.TOUSU_BASE_URL_SET)
        if warning:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        port = options["port"] or settings.PORT
        workers = options["workers"] or env_int("WEB_CONCURRENCY", 2, minimum=1, maximum=64)
        with_worker = not options["no_worker"] and env_bool("TOUSU_RUN_WORKER", True)
        web = [
            sys.executable, "-m", "gunicorn", "tousu.wsgi:application",
            "--bind", f"{options['host']}:{port}",
            "--workers", str(workers),
            "--timeout", "60",
            "--graceful-timeout", "10",
            "--logger-class", LOGGER_CLASS,
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

"""``tousu run``: migrate, then serve with gunicorn on 127.0.0.1:$PORT."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from tousu.conf import env_int


class Command(BaseCommand):
    help = "Migrate the database, then serve the product with gunicorn (production server)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=None, help="default: $PORT or 8000")
        parser.add_argument(
            "--workers", type=int, default=None, help="default: $WEB_CONCURRENCY or 2"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        port = options["port"] or settings.PORT
        workers = options["workers"] or env_int("WEB_CONCURRENCY", 2, minimum=1, maximum=64)
        self.stdout.write(f"Tousu: http://{options['host']}:{port}/  ({workers} workers)")
        self.stdout.flush()
        argv = [
            sys.executable, "-m", "gunicorn", "tousu.wsgi:application",
            "--bind", f"{options['host']}:{port}",
            "--workers", str(workers),
            "--timeout", "60",
            "--graceful-timeout", "10",
        ]  # fmt: skip
        os.execv(sys.executable, argv)  # noqa: S606 — replaces this process with gunicorn; fixed argv

"""``tousu worker``: run the job consumer (periodic sweeps, notification delivery)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the job worker: overdue and due-soon sweeps every minute, notification delivery."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        from tousu.jobs.queue import huey

        consumer = huey.create_consumer(
            workers=options["workers"],
            worker_type="thread",
            periodic=True,
            check_worker_health=True,
        )
        consumer.run()

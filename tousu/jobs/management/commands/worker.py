"""``tousu worker``: run the job consumer (periodic sweeps, the outbox, notices)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tousu.cases import outbox
from tousu.jobs.queue import attach_periodic, huey


class Command(BaseCommand):
    help = (
        "Run the job worker: overdue and due-soon sweeps every minute, the outbox of "
        "after-commit effects (notices), the features' periodic jobs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        attach_periodic(huey)
        # What was left when a process died between commit and dispatch runs first.
        outbox.dispatch()
        consumer = huey.create_consumer(
            workers=options["workers"],
            worker_type="thread",
            periodic=True,
            check_worker_health=True,
        )
        consumer.run()

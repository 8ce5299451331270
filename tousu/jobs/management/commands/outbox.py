"""``tousu outbox``: what changes left to do after they committed, and running it now.

tousu outbox             counts: waiting, given up after repeated failures, oldest waiting
tousu outbox dispatch    run every waiting effect now (what the worker does every minute)
tousu outbox retry       give the effects that failed too often another round
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Min
from django.utils import timezone

from tousu.cases import outbox
from tousu.cases.models import OutboxEffect


class Command(BaseCommand):
    help = "Show the outbox of after-commit effects; dispatch them now; retry failed ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", nargs="?", choices=["status", "dispatch", "retry"])

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"] or "status"
        if what == "dispatch":
            ran = 0
            while True:
                done = outbox.dispatch()
                ran += done
                if not done:
                    break
            self.stdout.write(f"已执行 {ran} 项 / dispatched {ran}")
            return
        if what == "retry":
            count = OutboxEffect.objects.filter(
                done_at__isnull=True, attempts__gte=outbox.MAX_ATTEMPTS
            ).update(attempts=0, claimed_until=None)
            self.stdout.write(f"重新排队 {count} 项 / requeued {count}")
            return
        waiting = OutboxEffect.objects.filter(done_at__isnull=True)
        failed = waiting.filter(attempts__gte=outbox.MAX_ATTEMPTS)
        oldest = waiting.aggregate(at=Min("created_at"))["at"]
        age = f"{(timezone.now() - oldest).total_seconds():.0f}s" if oldest else "-"
        self.stdout.write(
            f"waiting {waiting.count()}, failed {failed.count()}, oldest waiting {age}"
        )
        for kind, error in failed.values_list("kind", "last_error")[:20]:
            self.stdout.write(f"  failed: {kind} ({error})")

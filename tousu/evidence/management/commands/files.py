"""``tousu files sweep [--hours N] [--delete]``: blobs on disk that no attachment references.

A blob is written before its transaction commits; if the transaction rolls back (a refused
registration, a crash), the blob stays, encrypted and referenced by nothing. This lists
them (and temporary files a crash left), older than ``--hours`` so that a transaction still
running is never touched, and removes them with ``--delete``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tousu.evidence.storage import sweep


class Command(BaseCommand):
    help = "Attachment files on disk: list (or --delete) blobs no attachment references."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sweep = sub.add_parser("sweep", help="list blobs no attachment references")
        sweep.add_argument(
            "--hours", type=float, default=24.0, help="only files older than this (default 24)"
        )
        sweep.add_argument("--delete", action="store_true", help="remove them")

    def handle(self, *args: Any, **options: Any) -> None:
        found = sweep(older_than_seconds=options["hours"] * 3600, delete=options["delete"])
        for orphan in found:
            self.stdout.write(f"{'removed' if options['delete'] else 'orphan'} {orphan.path}")
        verb = "removed" if options["delete"] else "found (run with --delete to remove them)"
        self.stdout.write(f"{len(found)} unreferenced file(s) {verb}")

"""``tousu keys rotate``: re-wrap every case key under a new master key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tousu.conf import ConfigError
from tousu.retention.rotation import rotate


class Command(BaseCommand):
    help = "Master-key rotation: `tousu keys rotate` re-wraps every case key under a new key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("rotate", help="new master key; every case key re-wrapped atomically")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = rotate()
        except ConfigError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"主密钥已轮换 (master key rotated): {result.old_id} → {result.new_id}; "
            f"{result.rewrapped} 个案件密钥已重新封装 (case keys re-wrapped). "
            f"旧密钥保存为 var/master_key.retired-{result.old_id}，备份后可移除 "
            "(the old key is kept as that file; remove it once backups no longer need it)."
        )

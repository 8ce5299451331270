"""``tousu user totp_off USERNAME``: turn a staff member's second factor off.

For someone who lost both their phone and their recovery codes; they sign in with
the password alone afterwards and can turn it on again from their account page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tousu.accounts import audit, totp
from tousu.orgs.commands import SpacedName


class Command(SpacedName, BaseCommand):
    help = "Turn a staff member's two-factor authentication off (lost phone and codes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        if not totp.enabled(user) and totp.pending(user) is None:
            self.stdout.write(f"{user.get_username()}: two-factor authentication is already off")
            return
        totp.turn_off(user)
        audit.record("second_factor.disabled", user_id=int(user.pk), actor=False, by="command")
        self.stdout.write(f"{user.get_username()}: two-factor authentication is off")

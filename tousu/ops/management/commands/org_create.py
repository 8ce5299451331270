from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tousu.orgs.commands import SpacedName
from tousu.orgs.services import ServiceError
from tousu.policy.loader import PolicyError
from tousu.policy.services import create_org


class Command(SpacedName, BaseCommand):
    help = "Create an organisation (tousu org create SLUG [--name NAME] [--preset NAME])."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--name", default="")
        parser.add_argument("--preset", default="general")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = create_org(options["slug"], options["name"], options["preset"])
        except (ServiceError, PolicyError) as exc:
            raise CommandError(str(exc)) from None
        except Exception as exc:  # full_clean's ValidationError and friends
            raise CommandError(str(exc)) from None
        policy = org.active_policy
        assert policy is not None
        self.stdout.write(
            f"{org.slug}: {org.name} (policy v{policy.number}, preset {policy.preset})"
        )

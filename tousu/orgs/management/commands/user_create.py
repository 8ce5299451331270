from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tousu.orgs.models import Organisation
from tousu.orgs.roles import Role
from tousu.orgs.services import ServiceError, create_user


class Command(BaseCommand):
    help = "Create a staff user, or grant an existing one a role in an organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--org", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--department", default=None)
        parser.add_argument("--password", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organisation.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"no organisation {options['org']!r}")
        try:
            user = create_user(
                options["username"], org=org, role=options["role"],
                department=options["department"], password=options["password"],
            )  # fmt: skip
        except ServiceError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{user.username}: {options['role']} in {org.slug}")

"""``tousu user create USERNAME --org SLUG --role ROLE [--department CODE] [--name NAME]
[--title TITLE] [--email E] [--mobile M] [--password P]``."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tousu.accounts.setpassword import link_for
from tousu.orgs.commands import SpacedName
from tousu.orgs.models import Organisation
from tousu.orgs.people import profile
from tousu.orgs.roles import Role
from tousu.orgs.services import ServiceError, create_user


class Command(SpacedName, BaseCommand):
    help = (
        "Create a staff member with their name, title and notice contacts, or grant an existing "
        "one a role in an organisation. Without --password, prints a one-time link where the "
        "person sets their own password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the sign-in name (letters, digits and @.+-_)")
        parser.add_argument("--org", required=True, help="the organisation's slug")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--department", default=None, help="department code (handler, head)")
        parser.add_argument("--name", default=None, help="full name as written, e.g. 王建国")
        parser.add_argument("--title", default=None, help="post, e.g. 财务处处长")
        parser.add_argument("--email", default=None, help="address for the person's notices")
        parser.add_argument("--mobile", default=None, help="mobile number for text messages")
        parser.add_argument(
            "--password",
            default=None,
            help="an initial password (checked like the desk's); better left out: the person "
            "then sets their own with a one-time link",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organisation.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"no organisation {options['org']!r}")
        try:
            user = create_user(
                options["username"], org=org, role=options["role"],
                department=options["department"], password=options["password"],
                name=options["name"], title=options["title"], email=options["email"],
                mobile=options["mobile"], via="command",
            )  # fmt: skip
        except ServiceError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{user.username}: {options['role']} in {org.slug}")
        found = profile(user)
        if found is None or not found.name:
            self.stdout.write(
                "No name set: pages and documents call this person 工作人员 (staff member) "
                "until one is given (--name, or the administration's staff page)."
            )
        if options["password"]:
            self.stdout.write("Signs in with the password given.")
        elif not user.has_usable_password():
            link = link_for(user)
            expires = link.expires_at.astimezone(ZoneInfo(org.time_zone)).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(
                f"No password yet: {user.username} chooses one at this one-time link "
                f"(valid {link.hours} hours, until {expires}; it stops working once used):\n"
                f"{link.url}\n"
                "Give it to them privately. A new link: run this command again."
            )

"""``tousu pipl export --org SLUG (--phone P | --id-number N | --email E) --requested-by WHO``."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tousu.orgs.models import Organisation
from tousu.retention.pipl import export_person


class Command(BaseCommand):
    help = (
        "Personal-information requests: export everything held about a person, found by "
        "phone, ID number or e-mail (blind index); the request is recorded. Corrections "
        "go through the case action `amend`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        export = sub.add_parser("export")
        export.add_argument("--org", required=True)
        who = export.add_mutually_exclusive_group(required=True)
        who.add_argument("--phone")
        who.add_argument("--id-number")
        who.add_argument("--email")
        export.add_argument("--requested-by", required=True, help="who handles the request")

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organisation.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"no organisation {options['org']!r}")
        kind, value = next(
            (k, options[k]) for k in ("phone", "id_number", "email") if options.get(k)
        )
        result = export_person(org, kind, value, requested_by=options["requested_by"])
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

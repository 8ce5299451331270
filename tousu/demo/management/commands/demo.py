from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tousu.demo import organisation as demo
from tousu.orgs.models import Organisation
from tousu.policy.loader import preset_names


class Command(BaseCommand):
    help = (
        "Create a demo organisation with one login per role and cases walked through the "
        "real actions: by default the hospital 'demo' (preset hospital, about thirty cases "
        "in every state); --preset NAME builds the family of another preset as 'demo-NAME'. "
        "If it exists, only print the logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--preset",
            default=demo.DEFAULT_PRESET,
            help=f"the preset family (default {demo.DEFAULT_PRESET}): {', '.join(preset_names())}",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            fam = demo.family_of(options["preset"])
            created = demo.load_demo(preset=fam.preset)
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from None
        org = Organisation.objects.get(slug=fam.slug)
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created the demo organisation '{fam.slug}'."))
        else:
            self.stdout.write(f"The demo organisation '{fam.slug}' already exists; nothing added.")
        self.stdout.write(demo.summary(org))

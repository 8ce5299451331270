from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tousu.demo import organisation as demo
from tousu.orgs.models import Organisation


class Command(BaseCommand):
    help = (
        "Create the demo organisation 'demo' (a hospital, general policy) with one login per "
        "role and about thirty cases in every state; if it exists, only print the logins."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = demo.load_demo()
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from None
        org = Organisation.objects.get(slug=demo.SLUG)
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created the demo organisation '{demo.SLUG}'."))
        else:
            self.stdout.write(f"The demo organisation '{demo.SLUG}' already exists; nothing added.")
        self.stdout.write(demo.summary(org))

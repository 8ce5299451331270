"""``tousu audit verify [--org SLUG] [--json]`` and ``tousu audit checkpoint [--org SLUG]``."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tousu.orgs.models import Organisation


def _org(slug: str | None) -> Organisation | None:
    if slug is None:
        return None
    org = Organisation.objects.filter(slug=slug).first()
    if org is None:
        raise CommandError(f"no organisation {slug!r}")
    return org


class Command(BaseCommand):
    help = (
        "The integrity of the record: verify every case's event chain and every "
        "organisation's checkpoints (exit 1 on a broken link), or take a checkpoint now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        verify = sub.add_parser(
            "verify", help="recompute the chains; print OK or each broken link (exit 1)"
        )
        verify.add_argument("--org", help="only this organisation (slug)")
        verify.add_argument("--json", action="store_true", help="print the report as JSON")
        checkpoint = sub.add_parser(
            "checkpoint", help="record every case head now, for one or all organisations"
        )
        checkpoint.add_argument("--org", help="only this organisation (slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        org = _org(options["org"])
        if options["verb"] == "verify":
            self._verify(org, as_json=options["json"])
        else:
            self._checkpoint(org)

    def _verify(self, org: Organisation | None, *, as_json: bool) -> None:
        from tousu.audit.verify import verify

        report = verify(org)
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        elif report.ok:
            self.stdout.write(self.style.SUCCESS(report.lines()[0]))
        else:
            for b in report.breaks:
                # Case numbers are unique per organisation only: name it across organisations.
                suffix = f" (org {b.org})" if org is None and b.case is not None else ""
                self.stdout.write(self.style.ERROR(f"{b}{suffix}"))
        if not report.ok:
            raise CommandError(
                f"the record is broken: {len(report.breaks)} broken link(s) in {report.summary()} checked",
                returncode=1,
            )

    def _checkpoint(self, org: Organisation | None) -> None:
        from tousu.audit.checkpoints import take_checkpoints

        for checkpoint in take_checkpoints(timezone.now(), org=org):
            slug = org.slug if org is not None else checkpoint.org.slug
            self.stdout.write(
                f"checkpoint {checkpoint.seq} of org {slug}: {checkpoint.case_count} cases, "
                f"{checkpoint.event_count} events, {checkpoint.hash[:16]}…"
            )

"""``tousu audit verify [--org SLUG] [--json]``, ``tousu audit checkpoint [--org SLUG]`` and
``tousu audit seal [--org SLUG]`` (once, after upgrading: seal the rows written before
row seals existed, then take the first keyed checkpoint)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tousu.audit.checkpoints import take_checkpoints
from tousu.audit.seals import AlreadyKeyed, seal_existing
from tousu.audit.verify import verify
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
        seal = sub.add_parser(
            "seal",
            help="once, after upgrading: seal every row written before row seals existed "
            "and take the first keyed checkpoint (refused once keyed checkpoints exist)",
        )
        seal.add_argument("--org", help="only this organisation (slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        org = _org(options["org"])
        if options["verb"] == "verify":
            self._verify(org, as_json=options["json"])
        elif options["verb"] == "seal":
            self._seal(org)
        else:
            self._checkpoint(org)

    def _seal(self, org: Organisation | None) -> None:
        orgs = [org] if org is not None else list(Organisation.objects.order_by("slug"))
        try:
            added = seal_existing([o.pk for o in orgs], installation=org is None)
        except AlreadyKeyed as exc:
            raise CommandError(
                f"{exc}: every row written since is sealed when written, and a row without "
                "a seal is reported by `tousu audit verify` as written behind the product's back"
            ) from None
        for label, count in sorted(added.items()):
            if count:
                self.stdout.write(f"sealed {count} existing {label} rows")
        self._checkpoint(org)

    def _verify(self, org: Organisation | None, *, as_json: bool) -> None:
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
        for checkpoint in take_checkpoints(timezone.now(), org=org):
            slug = org.slug if org is not None else checkpoint.org.slug
            self.stdout.write(
                f"checkpoint {checkpoint.seq} of org {slug}: {checkpoint.case_count} cases, "
                f"{checkpoint.event_count} events, {checkpoint.hash[:16]}…"
            )

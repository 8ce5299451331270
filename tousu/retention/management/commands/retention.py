"""``tousu retention plan --org SLUG | approve RUN --by USERNAME | run RUN --archive DIR``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tousu.orgs.models import Organisation
from tousu.orgs.services import ServiceError
from tousu.privacy.models import RetentionRun
from tousu.retention.runs import approve, execute, plan


class Command(BaseCommand):
    help = (
        "Retention: plan which closed cases are past the policy's years, have a leader "
        "approve, then write the archive and destroy their personal data (crypto-shredding)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        p = sub.add_parser("plan", help="list the cases due and record a run to approve")
        p.add_argument("--org", required=True)
        a = sub.add_parser("approve", help="a leader or administrator approves a planned run")
        a.add_argument("run", type=int)
        a.add_argument("--by", required=True, help="the approver's username")
        r = sub.add_parser("run", help="write the archive, then shred the run's cases")
        r.add_argument("run", type=int)
        r.add_argument("--archive", required=True, help="folder for the archive export")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verb"] == "plan":
                org = Organisation.objects.filter(slug=options["org"]).first()
                if org is None:
                    raise CommandError(f"no organisation {options['org']!r}")
                run = plan(org)
                self.stdout.write(
                    f"保存期满待销毁 (due): {len(run.case_ids)} 个案件; run {run.pk} — "
                    f"approve with: tousu retention approve {run.pk} --by LEADER"
                )
            elif options["verb"] == "approve":
                run = approve(self._run(options["run"]), options["by"])
                self.stdout.write(f"run {run.pk} approved by {options['by']}")
            else:
                result = execute(self._run(options["run"]), Path(options["archive"]))
                self.stdout.write(
                    f"已归档 (archived) {result.archive} sha256={result.sha256}; "
                    f"已销毁 (shredded) {result.shredded}; 保全跳过 (held, skipped) {result.skipped}"
                )
        except ServiceError as exc:
            raise CommandError(str(exc)) from None

    def _run(self, pk: int) -> RetentionRun:
        run = RetentionRun.objects.select_related("org").filter(pk=pk).first()
        if run is None:
            raise CommandError(f"no retention run {pk}")
        return run

"""Retention: after the policy's years, closed cases lose their personal data for good.

Only through an approved run: (1) ``plan`` lists the cases past retention and records
a pending run; (2) a leader ``approve``s it; (3) ``execute`` first writes the archive
export (the ledger rows and timelines — no personal data), then destroys each case's
key (crypto-shredding) through a system action, so every case records it as an event.
A legal hold keeps a case out of every run. Nothing is deleted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from tousu.cases.access import system_actor
from tousu.cases.models import OPEN_STATUSES, Case, Event
from tousu.cases.steps import step
from tousu.orgs.models import Membership, Organisation
from tousu.orgs.roles import Role
from tousu.orgs.services import ServiceError, audit
from tousu.policy.models import policy_for
from tousu.privacy.models import RetentionRun


def _closed_at(case: Case) -> datetime:
    last = case.events.order_by("-seq").values_list("at", flat=True).first()
    return last or case.updated_at


def due_for_shredding(org: Organisation, now: datetime) -> list[Case]:
    """Closed cases past the retention years of the policy they were registered under."""
    due = []
    candidates = (
        Case.objects.filter(org=org, shredded_at__isnull=True, legal_hold=False)
        .exclude(status__in=OPEN_STATUSES)
        .order_by("pk")
    )
    for case in candidates:
        years = policy_for(case.policy_version_id)[1].retention.years
        closed = _closed_at(case)
        try:
            until = closed.replace(year=closed.year + years)
        except ValueError:  # 29 February
            until = closed.replace(year=closed.year + years, day=28)
        if until <= now:
            due.append(case)
    return due


def plan(org: Organisation, now: datetime | None = None) -> RetentionRun:
    now = now or timezone.now()
    cases = due_for_shredding(org, now)
    run = RetentionRun.objects.create(org=org, case_ids=[c.pk for c in cases], planned_at=now)
    audit("retention.planned", run, org=org, cases=len(cases))
    return run


def approve(run: RetentionRun, username: str, now: datetime | None = None) -> RetentionRun:
    """A leader (or administrator) of the organisation approves a planned run."""
    member = Membership.objects.filter(
        org=run.org, user__username=username, active=True,
        role__in=[Role.LEADER, Role.ADMINISTRATOR],
    ).first()  # fmt: skip
    if member is None:
        raise ServiceError(f"{username} is not a leader or administrator of {run.org.slug}")
    if run.state != RetentionRun.State.PLANNED:
        raise ServiceError(f"run {run.pk} is {run.state}, not planned")
    run.state = RetentionRun.State.APPROVED
    run.approved_by_id = member.user_id
    run.approved_at = now or timezone.now()
    run.save(update_fields=["state", "approved_by", "approved_at"])
    audit("retention.approved", run, org=run.org, actor=member.user, cases=len(run.case_ids))
    return run


@dataclass
class RunResult:
    shredded: int
    skipped: int
    archive: Path
    sha256: str


def _archive_row(case: Case) -> dict[str, Any]:
    events = Event.objects.filter(case=case).order_by("seq")
    return {
        "number": case.number,
        "kind": case.kind,
        "channel": case.channel,
        "category": case.category,
        "status": case.status,
        "received_at": case.received_at.isoformat(),
        "validity": case.validity,
        "responsibility": case.responsibility,
        "satisfaction": case.satisfaction,
        "timeline": [
            {
                "seq": e.seq,
                "type": e.type,
                "at": e.at.isoformat(),
                "from": e.from_status,
                "to": e.to_status,
                "reason": e.reason_code,
                "data": e.data,
                "hash": e.hash,
            }
            for e in events
        ],  # fmt: skip
    }


def execute(run: RetentionRun, archive_dir: Path, now: datetime | None = None) -> RunResult:
    """Write the archive, then shred each case still due (a hold placed since is honoured)."""
    if run.state != RetentionRun.State.APPROVED:
        raise ServiceError(f"run {run.pk} is {run.state}: it must be approved first")
    now = now or timezone.now()
    archive_dir.mkdir(parents=True, exist_ok=True)
    path = archive_dir / f"{run.org.slug}-retention-run-{run.pk}.jsonl"
    cases = list(Case.objects.filter(pk__in=run.case_ids).order_by("pk"))
    with path.open("w", encoding="utf-8") as handle:
        for case in cases:
            handle.write(json.dumps(_archive_row(case), ensure_ascii=False) + "\n")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    shredded = skipped = 0
    for case in cases:
        if case.legal_hold or case.shredded_at is not None:
            skipped += 1
            continue
        shred(case.pk, run_id=run.pk, now=now)
        shredded += 1
    with transaction.atomic():
        run.state = RetentionRun.State.DONE
        run.done_at = now
        run.archive_path, run.archive_sha256 = str(path), digest
        run.save(update_fields=["state", "done_at", "archive_path", "archive_sha256"])
        audit("retention.done", run, org=run.org, shredded=shredded, skipped=skipped,
              archive_sha256=digest)  # fmt: skip
    return RunResult(shredded=shredded, skipped=skipped, archive=path, sha256=digest)


def shred(case_id: int, *, run_id: int, now: datetime) -> Case:
    """销毁: destroy the case key; the person disappears, the record stays."""
    org = Organisation.objects.get(cases__pk=case_id)
    with step("shred", case_id, system_actor(org), now) as s:
        s.case.sealed_key = ""
        s.case.shredded_at = s.now
        s.data["run"] = run_id
    return s.case

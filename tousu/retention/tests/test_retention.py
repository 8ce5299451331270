"""Retention: approved runs archive first, then destroy personal data; holds are honoured."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tousu.cases.events import verify_case
from tousu.cases.models import Case, Party
from tousu.conftest import World
from tousu.orgs.models import AuditEvent
from tousu.privacy.models import RetentionRun

LONG_AGO = datetime(2023, 3, 1, 2, 0, tzinfo=UTC)


def _closed(world: World, name: str) -> Case:
    from tousu.cases import actions, inputs, intake

    payload = inputs.RegisterIn(
        kind="complaint", channel="phone", category="fees", content=f"{name}反映重复收费",
        complainant=inputs.ComplainantIn(name=name, phone="13700001111"),
        subject=inputs.SubjectIn(type="department", name="收费处"),
        received_at=LONG_AGO,
    )  # fmt: skip
    case = intake.register(world.actor("clerk"), payload, now=LONG_AGO)
    actions.resolve_on_the_spot(
        case.pk, actor=world.actor("clerk"), data=inputs.ResolveOnTheSpotIn(findings="当场退费"),
        now=LONG_AGO,
    )  # fmt: skip
    actions.close(case.pk, actor=world.actor("dispatcher"), data=inputs.CloseIn(), now=LONG_AGO)
    return Case.objects.get(pk=case.pk)


def _call(*args: str) -> str:
    out = StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


def test_an_approved_run_archives_then_shreds_and_the_record_stays(
    world: World, tmp_path: Path
) -> None:
    old = _closed(world, "陈旧案件")
    held = _closed(world, "涉诉案件")
    recent = world.api("clerk").register().json()["number"]
    r = world.api("supervisor").act(str(held.number), "hold", {"reason": "法院调取材料"})
    assert r.status_code == 200, r.content
    _call("plan", "--org", world.org.slug)
    run = RetentionRun.objects.get()
    assert run.case_ids == [old.pk]  # the held and the recent case are not due
    with pytest.raises(CommandError, match="must be approved"):
        _call("run", str(run.pk), "--archive", str(tmp_path))
    with pytest.raises(CommandError, match="not a leader"):
        _call("approve", str(run.pk), "--by", "handler")
    _call("approve", str(run.pk), "--by", "leader")
    out = _call("run", str(run.pk), "--archive", str(tmp_path))
    assert "shredded) 1" in out
    # The archive holds the ledger row and the timeline, not the person
    archive = (tmp_path / f"{world.org.slug}-retention-run-{run.pk}.jsonl").read_text()
    row = json.loads(archive.splitlines()[0])
    assert row["number"] == old.number and "陈旧案件" not in archive
    # The person is gone; the case, its events and the hash chain stay
    gone = Party.objects.get(case=old)
    assert gone.name == "" and gone.phone == ""
    old.refresh_from_db()
    assert old.shredded_at is not None and verify_case(old) == (True, None)
    assert old.events.filter(type="personal_data_destroyed").count() == 1
    assert Party.objects.get(case=held).name == "涉诉案件"
    assert Case.objects.filter(number=recent).exists()
    types = set(AuditEvent.objects.values_list("type", flat=True))
    assert {"retention.planned", "retention.approved", "retention.done"} <= types


def test_a_case_placed_on_hold_after_planning_is_still_spared(world: World, tmp_path: Path) -> None:
    case = _closed(world, "后加保全")
    _call("plan", "--org", world.org.slug)
    run = RetentionRun.objects.get()
    _call("approve", str(run.pk), "--by", "leader")
    world.api("leader").act(str(case.number), "hold", {"reason": "纪检调查"})
    out = _call("run", str(run.pk), "--archive", str(tmp_path))
    assert "skipped) 1" in out
    assert Party.objects.get(case=case).name == "后加保全"
    assert datetime.now(UTC) - timedelta(days=1) < run.planned_at

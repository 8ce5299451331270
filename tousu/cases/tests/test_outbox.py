"""After-commit effects survive a process that dies: the outbox.

A change writes its effects in its own transaction; the worker claims each row with a
conditional UPDATE and completes it in one transaction with what the effect writes. These
tests kill the process between commit and dispatch, and the worker while it runs the
effect, and see the effect happen once when the worker returns.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tousu.cases import outbox, registry
from tousu.cases.models import Case, Notification, OutboxEffect
from tousu.conftest import World
from tousu.tests.sample_feature.actions import TALLIED, SpotCheckIn, spot_check


def _checked(world: World) -> tuple[int, int]:
    """A case in hand, spot-checked by the supervisor while no worker is told of it (the
    process dies after commit, before it could ask the queue): (case id, outbox row id)."""
    number = world.api("clerk").register().json()["number"]
    case = Case.objects.get(number=number)
    kicker = outbox._kicker
    outbox.set_kicker(None)
    try:
        spot_check(
            case.pk, actor=world.actor("supervisor"), data=SpotCheckIn(finding="抽查合格", rating=5)
        )
    finally:
        outbox.set_kicker(kicker)
    row = OutboxEffect.objects.get(kind="spot_check_tally", payload__case=case.pk)
    return case.pk, row.pk


def _tallies(case_id: int) -> int:
    return Notification.objects.filter(case_id=case_id, kind=TALLIED).count()


@pytest.mark.django_db(transaction=True)
def test_an_effect_left_by_a_process_that_died_after_commit_runs_once_when_the_worker_returns(
    world: World,
) -> None:
    case_id, row_id = _checked(world)
    assert _tallies(case_id) == 0
    assert OutboxEffect.objects.get(pk=row_id).done_at is None

    assert outbox.dispatch() >= 1  # the worker's periodic dispatch (and its start-up)
    assert _tallies(case_id) == 1
    assert outbox.dispatch() == 0  # done rows are never run again
    assert outbox.dispatch([row_id]) == 0  # nor when asked for by id (a late kick)
    assert _tallies(case_id) == 1
    row = OutboxEffect.objects.get(pk=row_id)
    assert row.done_at is not None and row.attempts == 1


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_running_an_effect_leaves_it_to_the_next_exactly_once(
    world: World, tmp_path: Path
) -> None:
    case_id, row_id = _checked(world)
    hold = tmp_path / "hold"
    hold.touch()
    env = {**os.environ, "DATABASE_URL": _database_url(), "SAMPLE_HOLD": str(hold)}
    connection.close()
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tousu.cli", "outbox", "dispatch"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while OutboxEffect.objects.get(pk=row_id).claimed_until is None:
            assert worker.poll() is None, worker.communicate()
            assert time.monotonic() < deadline, "the worker never claimed the effect"
            time.sleep(0.05)
            connection.close()
        time.sleep(0.3)  # inside the handler's transaction, its notice written, not committed
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.communicate()
    connection.close()

    row = OutboxEffect.objects.get(pk=row_id)
    assert row.done_at is None and row.attempts == 1, "killed before it could finish"
    assert _tallies(case_id) == 0, "what the killed worker wrote was rolled back"
    # While its claim holds, no other worker takes the row.
    assert outbox.dispatch() == 0
    assert _tallies(case_id) == 0

    # The claim lapses; the worker that returns runs the effect, once.
    hold.unlink()
    later = timezone.now() + outbox.LEASE + timedelta(seconds=1)
    assert outbox.dispatch(now=later) == 1
    assert outbox.dispatch(now=later) == 0
    assert _tallies(case_id) == 1
    row.refresh_from_db()
    assert row.done_at is not None and row.attempts == 2


@pytest.mark.django_db
def test_an_effect_that_fails_is_kept_with_its_error_class_and_tried_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id, row_id = _checked(world)

    def broken(payload: dict[str, object]) -> None:
        raise ConnectionError("SMTP refused 张三 <zhang@example.cn>")

    monkeypatch.setitem(registry._effects, "spot_check_tally", broken)
    assert outbox.dispatch() == 0
    row = OutboxEffect.objects.get(pk=row_id)
    assert row.done_at is None and row.last_error == "ConnectionError"  # never the message
    monkeypatch.undo()
    assert outbox.dispatch() == 1
    assert _tallies(case_id) == 1


def test_registering_after_start_up_is_refused() -> None:
    from django.core.exceptions import ImproperlyConfigured

    from tousu.cases import lifecycle
    from tousu.cases.lifecycle import transition

    with pytest.raises(ImproperlyConfigured, match="closed"):
        lifecycle.add(transition("late", set(), None, set(), "迟到", event="late"))
    with pytest.raises(ImproperlyConfigured, match="closed"):
        registry.effect("late_effect", lambda payload: None)
    with pytest.raises(ValueError, match="No effect"):
        outbox.write("never_registered", {})


@pytest.mark.django_db
def test_tousu_outbox_shows_what_waits_and_what_failed_and_requeues_it(world: World) -> None:
    case_id, row_id = _checked(world)
    OutboxEffect.objects.filter(pk=row_id).update(
        attempts=outbox.MAX_ATTEMPTS, last_error="SMTPServerDisconnected"
    )
    out = StringIO()
    call_command("outbox", stdout=out)
    assert "waiting 1, failed 1" in out.getvalue()
    assert "failed: spot_check_tally (SMTPServerDisconnected)" in out.getvalue()
    assert outbox.dispatch() == 0  # given up on: left for a person

    call_command("outbox", "retry", stdout=StringIO())
    out = StringIO()
    call_command("outbox", "dispatch", stdout=out)
    assert "dispatched 1" in out.getvalue()
    assert _tallies(case_id) == 1
    out = StringIO()
    call_command("outbox", stdout=out)
    assert out.getvalue().startswith("waiting 0, failed 0")


@pytest.mark.django_db
def test_the_notices_of_one_step_are_delivered_by_one_outbox_row(world: World) -> None:
    number = world.api("clerk").register().json()["number"]
    dispatcher = world.api("dispatcher")
    assert dispatcher.act(number, "accept").status_code == 200
    before = OutboxEffect.objects.filter(kind="deliver").count()
    body = {"lead_department": "finance", "handler": "handler"}
    assert dispatcher.act(number, "assign", body).status_code == 200
    rows = list(OutboxEffect.objects.filter(kind="deliver").order_by("pk")[before:])
    assert len(rows) == 1
    notes = Notification.objects.filter(pk__in=rows[0].payload["notifications"])
    assert sorted(notes.values_list("kind", flat=True)) == ["case_assigned", "case_moved"]

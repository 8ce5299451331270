"""The integrity of the record: checkpoints, ``verify`` and ``tousu audit``.

Every tamper here is done with raw SQL, as someone with database access would. On
PostgreSQL the append-only triggers refuse it first (see ``tamper``); the edit is then
made with the trigger disabled, as the table's owner could, and verify must still
catch it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from tousu.audit.checkpoints import (
    checkpoint_hash,
    heads_digest,
    run_periodic_checkpoints,
    take_checkpoint,
)
from tousu.audit.models import Checkpoint, Seal
from tousu.audit.tests.tamper import tamper
from tousu.audit.verify import verify
from tousu.cases.events import verify_case
from tousu.cases.models import Case, Event
from tousu.conftest import World, needs_postgres

EVENTS = Event._meta.db_table
CASES = Case._meta.db_table
CHECKPOINTS = Checkpoint._meta.db_table
SEALS = Seal._meta.db_table


def _walked_case(world: World) -> Case:
    """A case with four events: registered, accepted, assigned, recorded."""
    clerk, dispatcher = world.api("clerk"), world.api("dispatcher")
    r = clerk.register()
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    assert dispatcher.act(number, "accept", {"note": "予以受理"}).status_code == 200
    r = dispatcher.act(number, "assign", {"lead_department": "finance", "handler": "handler"})
    assert r.status_code == 200, r.content
    r = world.api("handler").act(number, "record", {"kind": "investigation", "body": "核对"})
    assert r.status_code == 200, r.content
    case = Case.objects.get(number=number)
    assert case.last_seq == 4
    return case


def _audit(*args: str) -> str:
    out = StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


def test_verify_passes_on_fresh_cases_and_after_checkpoints(world: World) -> None:
    first, second = _walked_case(world), _walked_case(world)
    report = verify(world.org)
    assert report.ok, report.lines()
    assert (report.cases, report.events, report.checkpoints) == (2, 8, 0)

    now = timezone.now()
    one = take_checkpoint(world.org, now)
    assert (one.seq, one.prev_hash, one.case_count, one.event_count) == (1, "", 2, 8)
    assert one.heads == [[first.pk, 4, first.last_hash], [second.pk, 4, second.last_hash]]
    assert one.heads_digest == heads_digest(one.heads)
    assert one.hash == checkpoint_hash("", one)

    world.api("handler").act(str(first.number), "record", {"kind": "investigation", "body": "再查"})
    two = take_checkpoint(world.org, now + timedelta(hours=1))
    assert (two.seq, two.prev_hash, two.event_count) == (2, one.hash, 9)
    # Checkpoints are append-only, like events.
    two.case_count = 0
    with pytest.raises(RuntimeError, match="append-only"):
        two.save()

    report = verify(world.org)
    assert report.ok, report.lines()
    assert (report.cases, report.events, report.checkpoints) == (2, 9, 2)
    # All organisations: the other one has nothing yet, which is fine too.
    assert verify().ok


def test_the_hourly_job_checkpoints_only_organisations_that_changed(world: World) -> None:
    _walked_case(world)
    # acme for its cases; "other" has no cases, but its staff and policy are sealed rows.
    assert run_periodic_checkpoints() == 2
    assert run_periodic_checkpoints() == 0  # nothing changed since
    _walked_case(world)
    assert run_periodic_checkpoints() == 1
    assert list(Checkpoint.objects.order_by("pk").values_list("org__slug", "seq")) == [
        ("acme", 1),
        ("other", 1),
        ("acme", 2),
    ]


def test_editing_an_event_names_the_case_and_the_event(world: World) -> None:
    _walked_case(world)
    case = _walked_case(world)
    tamper(
        EVENTS,
        f'UPDATE {EVENTS} SET data = \'{{"note": "forged"}}\' WHERE case_id = %s AND seq = 2',  # noqa: S608
        [case.pk],
    )
    report = verify(world.org)
    assert [str(b) for b in report.breaks] == [
        f"BROKEN case {case.number} event 2: hash mismatch (content changed)"
    ]
    broken = report.as_dict()["breaks"][0]
    assert broken["case"] == case.number
    assert (broken["case_id"], broken["event"], broken["problem"]) == (case.pk, 2, "hash_mismatch")


@pytest.mark.postgres_only
def test_the_triggers_refuse_updates_and_deletes_on_postgresql(world: World) -> None:
    needs_postgres()
    from django.db import DatabaseError

    case = _walked_case(world)
    take_checkpoint(world.org, timezone.now())
    for sql in (
        f"UPDATE {EVENTS} SET reason_code = 'x' WHERE case_id = %s",  # noqa: S608
        f"DELETE FROM {EVENTS} WHERE case_id = %s",  # noqa: S608
        "UPDATE cases_caserecord SET body = 'x' WHERE case_id = %s",
        "DELETE FROM cases_caserecord WHERE case_id = %s",
        f"UPDATE {CHECKPOINTS} SET case_count = 0 WHERE org_id = %s",  # noqa: S608
        f"DELETE FROM {CHECKPOINTS} WHERE org_id = %s",  # noqa: S608
    ):
        param = world.org.pk if CHECKPOINTS in sql else case.pk
        refused = pytest.raises(DatabaseError, match="append-only table")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [param])
    assert verify(world.org).ok


def test_deleting_the_last_event_and_repointing_the_case_is_caught_by_a_checkpoint(
    world: World,
) -> None:
    case = _walked_case(world)
    take_checkpoint(world.org, timezone.now())
    later = _walked_case(world)  # registered after the checkpoint
    for each in (case, later):
        third = Event.objects.get(case=each, seq=3)
        fourth = Event.objects.get(case=each, seq=4)
        tamper(EVENTS, f"DELETE FROM {EVENTS} WHERE case_id = %s AND seq = 4", [each.pk])  # noqa: S608
        # The event's seal is the last of its case's seal chain: dropped too.
        tamper(
            SEALS,
            f'DELETE FROM {SEALS} WHERE "table" = \'cases.event\' AND "row" = %s',  # noqa: S608
            [fourth.pk],
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {CASES} SET last_seq = 3, last_hash = %s WHERE id = %s",  # noqa: S608
                [third.hash, each.pk],
            )
        each.refresh_from_db()
        # The shortened chain is consistent on its own ...
        assert verify_case(each) == (True, None)
    # ... but checkpoint 1 recorded event 4 of the first case, and the last seal of its
    # chain. The second case's event 4 and its seal were never checkpointed: removing
    # both, the tail of its chains, cannot be seen (see docs/security.md).
    report = verify(world.org)
    seal = Seal.objects.filter(scope=f"c:{case.pk}").order_by("-seq").first()
    assert seal is not None
    assert [str(b) for b in report.breaks] == [
        f"BROKEN case {case.number} event 4: missing (checkpoint 1 recorded it)",
        f"BROKEN case {case.number} seal c:{case.pk}#{seal.seq + 1}: "
        "missing (keyed checkpoint 1 recorded it)",
    ]
    assert [b.problem for b in report.breaks] == ["removed", "seal_removed"]


def test_rewriting_a_whole_chain_after_a_checkpoint_is_caught(world: World) -> None:
    from tousu.cases.events import chain_hash

    case = _walked_case(world)
    take_checkpoint(world.org, timezone.now())
    # Change event 3 and recompute every hash after it, and the case's head.
    events = list(Event.objects.filter(case=case).order_by("seq"))
    prev = events[1].hash
    for event in events[2:]:
        event.prev_hash = prev
        if event.seq == 3:
            event.reason_code = "forged"
        event.hash = chain_hash(prev, event)
        tamper(
            EVENTS,
            f"UPDATE {EVENTS} SET reason_code = %s, prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608
            [event.reason_code, event.prev_hash, event.hash, event.pk],
        )
        prev = event.hash
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {CASES} SET last_hash = %s WHERE id = %s", [prev, case.pk])  # noqa: S608
    case.refresh_from_db()
    assert verify_case(case) == (True, None)
    assert [str(b) for b in verify(world.org).breaks] == [
        f"BROKEN case {case.number} event 4: differs from checkpoint 1 (rewritten up to here)"
    ]


def test_a_missing_event_in_the_middle_is_a_sequence_gap(world: World) -> None:
    case = _walked_case(world)
    tamper(EVENTS, f"DELETE FROM {EVENTS} WHERE case_id = %s AND seq = 2", [case.pk])  # noqa: S608
    assert [str(b) for b in verify(world.org).breaks] == [
        f"BROKEN case {case.number} event 2: missing (sequence gap)"
    ]


def test_reordering_two_events_is_caught(world: World) -> None:
    case = _walked_case(world)
    swap = f"UPDATE {EVENTS} SET seq = %s WHERE case_id = %s AND seq = %s"  # noqa: S608
    tamper(EVENTS, swap, [1000, case.pk, 2])
    tamper(EVENTS, swap, [2, case.pk, 3])
    tamper(EVENTS, swap, [3, case.pk, 1000])
    report = verify(world.org)
    assert [str(b) for b in report.breaks] == [
        f"BROKEN case {case.number} event 2: "
        "does not link to the event before it (reordered, inserted or replaced)"
    ]


def test_a_case_head_that_does_not_match_its_chain_is_caught(world: World) -> None:
    case = _walked_case(world)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {CASES} SET last_hash = %s WHERE id = %s", ["0" * 64, case.pk])  # noqa: S608
    assert [str(b) for b in verify(world.org).breaks] == [
        f"BROKEN case {case.number} event 4: chain head does not match the case"
    ]


def test_a_tampered_checkpoint_is_caught(world: World) -> None:
    _walked_case(world)
    now = timezone.now()
    for hours in range(3):
        take_checkpoint(world.org, now + timedelta(hours=hours))
    tamper(
        CHECKPOINTS,
        f"UPDATE {CHECKPOINTS} SET event_count = 3 WHERE org_id = %s AND seq = 2",  # noqa: S608
        [world.org.pk],
    )
    assert [str(b) for b in verify(world.org).breaks] == [
        "BROKEN checkpoint 2 of org acme: hash mismatch (content changed)"
    ]
    tamper(
        CHECKPOINTS,
        f"DELETE FROM {CHECKPOINTS} WHERE org_id = %s AND seq = 2",  # noqa: S608
        [world.org.pk],
    )
    report = verify(world.org)
    assert [str(b) for b in report.breaks] == [
        "BROKEN checkpoint 2 of org acme: missing (sequence gap)"
    ]
    assert report.breaks[0].as_dict()["checkpoint"] == 2
    assert report.checkpoints == 2


def test_recorded_heads_rewritten_without_the_digest_are_caught(world: World) -> None:
    case = _walked_case(world)
    take_checkpoint(world.org, timezone.now())
    tamper(
        CHECKPOINTS,
        f"UPDATE {CHECKPOINTS} SET heads = %s WHERE org_id = %s",  # noqa: S608
        [f'[[{case.pk}, 3, "{case.last_hash}"]]', world.org.pk],
    )
    # The forged head is not used against the case: only the checkpoint is broken.
    assert [str(b) for b in verify(world.org).breaks] == [
        "BROKEN checkpoint 1 of org acme: recorded case heads do not match their digest"
    ]


def test_the_command_prints_ok_or_each_broken_link_and_fails_with_code_1(
    world: World,
) -> None:
    case = _walked_case(world)
    taken = _audit("checkpoint", "--org", "acme")
    assert taken.startswith("checkpoint 1 of org acme: 1 cases, 4 events, ")
    assert re.fullmatch(
        r"OK: 1 cases, 4 events, 1 checkpoints, \d+ sealed rows, \d+ seals verified\n",
        _audit("verify"),
    )
    assert _audit("verify", "--org", "acme").startswith("OK: 1 cases, 4 events, 1 checkpoints")
    assert _audit("checkpoint").count("checkpoint ") == 2  # acme 2 and other 1

    edit = f"UPDATE {EVENTS} SET to_status = 'closed' WHERE case_id = %s AND seq = 3"  # noqa: S608
    tamper(EVENTS, edit, [case.pk])
    out = StringIO()
    with pytest.raises(CommandError, match="1 broken link") as failed:
        call_command("audit", "verify", "--org", "acme", stdout=out)
    assert failed.value.returncode == 1
    assert out.getvalue() == f"BROKEN case {case.number} event 3: hash mismatch (content changed)\n"
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=out)
    assert out.getvalue() == (
        f"BROKEN case {case.number} event 3: hash mismatch (content changed) (org acme)\n"
    )
    _audit("verify", "--org", "other")  # the other organisation is intact
    with pytest.raises(CommandError, match="no organisation 'nope'"):
        _audit("verify", "--org", "nope")


def test_verify_as_json_is_machine_readable(world: World) -> None:
    import json

    case = _walked_case(world)
    tamper(EVENTS, f"DELETE FROM {EVENTS} WHERE case_id = %s AND seq = 3", [case.pk])  # noqa: S608
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["ok"] is False
    assert report["breaks"] == [
        {
            "org": "acme",
            "problem": "sequence_gap",
            "message": "missing (sequence gap)",
            "case": case.number,
            "case_id": case.pk,
            "event": 3,
            "checkpoint": None,
        }
    ]


def _database_url() -> str:
    """The URL of this test process's own test database (committed data only)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_tousu_audit_verify_exits_0_when_intact_and_1_on_a_broken_link() -> None:
    world = World()
    case = _walked_case(world)
    take_checkpoint(world.org, timezone.now())
    env = {**os.environ, "DATABASE_URL": _database_url()}
    tousu = [sys.executable, "-m", "tousu.cli", "audit", "verify"]

    # Our connection is closed while the command runs: a SQLite connection whose file
    # locks were lost (any open/close of the file in this process drops them) would let
    # the other process remove the WAL it still writes to.
    connection.close()
    ok = subprocess.run(tousu, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("OK: 1 cases, 4 events, 1 checkpoints, ")

    third = Event.objects.get(case=case, seq=3)
    tamper(EVENTS, f"DELETE FROM {EVENTS} WHERE case_id = %s AND seq = 4", [case.pk])  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {CASES} SET last_seq = 3, last_hash = %s WHERE id = %s",  # noqa: S608
            [third.hash, case.pk],
        )
    connection.close()
    broken = subprocess.run(
        [*tousu, "--org", "acme"], env=env, capture_output=True, text=True, timeout=120
    )
    assert broken.returncode == 1, broken.stderr
    assert (
        broken.stdout == f"BROKEN case {case.number} event 4: missing (checkpoint 1 recorded it)\n"
    )
    assert "1 broken link" in broken.stderr


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_checkpoints_queue_on_each_other_but_never_wait_for_a_case_on_postgresql() -> None:
    needs_postgres()
    world = World()
    case = _walked_case(world)
    errors: list[BaseException] = []

    # Concurrent takers, from the very first checkpoint: 1..n, no gap, no failure.
    start = threading.Barrier(6)

    def take() -> None:
        try:
            start.wait()
            take_checkpoint(world.org, timezone.now())
        except BaseException as exc:  # noqa: BLE001 — reported by the main thread
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    pool = [threading.Thread(target=take) for _ in range(6)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert not errors, errors
    seqs = list(Checkpoint.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4, 5, 6]

    # A case held locked by an action in progress does not hold up a checkpoint.
    locked, release = threading.Event(), threading.Event()

    def hold_the_case() -> None:
        try:
            with transaction.atomic():
                Case.objects.select_for_update().get(pk=case.pk)
                locked.set()
                release.wait(timeout=30)
        except BaseException as exc:  # noqa: BLE001 — reported by the main thread
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    holder = threading.Thread(target=hold_the_case)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        checkpoint = take_checkpoint(world.org, timezone.now())  # would time out if it waited
        assert (checkpoint.seq, checkpoint.heads) == (7, [[case.pk, 4, case.last_hash]])
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert not errors, errors
    assert verify(world.org).ok

"""A tamper-evident record: what someone with the database (but not the audit key) tries.

Each attacker edits rows with SQL, as the database superuser could (on PostgreSQL with
every trigger of the table disabled), and in the harder variants then recomputes every
unkeyed hash the code stores: the row digests of the seals, each case's SHA-256 event
chain and head, and the checkpoints' digests and hashes. Only the audit key, which the
database does not hold, would let them forge the seals and keyed checkpoints.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from tousu.audit.tests.test_audit import _walked_case
from tousu.audit.verify import verify
from tousu.cases.models import Case, CaseRecord, Event, Party
from tousu.conftest import World, needs_postgres
from tousu.orgs.models import AuditEvent, Membership
from tousu.reports.tests import exporting

RECORDS = CaseRecord._meta.db_table
AUDIT_EVENTS = AuditEvent._meta.db_table
CASES = Case._meta.db_table


@contextmanager
def superuser() -> Iterator[Any]:
    """A cursor as the database superuser has it: on PostgreSQL every trigger of the
    tables edited (append-only refusals included) is disabled first."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            yield cursor
            return
        tables = [
            row[0]
            for row in connection.introspection.get_table_list(cursor)
            if row[0].startswith(("cases_", "orgs_", "audit_", "policy_", "evidence_", "clock_"))
        ]
        # ALTER TABLE cannot run while the test's deferred foreign-key checks are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        try:
            yield cursor
        finally:
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def edit(sql: str, params: Sequence[Any] = ()) -> None:
    with superuser() as cursor:
        cursor.execute(sql, list(params))


def recompute_every_unkeyed_hash() -> None:
    """What the attacker redoes after an edit, knowing the code: every SHA-256 it stores."""
    from tousu.audit import seals
    from tousu.audit.checkpoints import checkpoint_hash, heads_digest, scopes_digest
    from tousu.audit.models import Checkpoint, Seal
    from tousu.cases.events import chain_hash

    with superuser() as cursor:
        # The latest seal of each row gets the row's digest as it now is.
        for spec in seals.COVERED:
            for stored in seals.stored_rows(spec, "1 = 1", []):
                latest = (
                    Seal.objects.filter(table=spec.label, row=stored.pk).order_by("-seq").first()
                )
                if latest is not None and latest.digest != stored.digest:
                    cursor.execute(
                        "UPDATE audit_seal SET digest = %s WHERE id = %s",
                        [stored.digest, latest.pk],
                    )
        # Each case's event chain and head.
        for case in Case.objects.all():
            prev = ""
            for event in Event.objects.filter(case=case).order_by("seq"):
                event.prev_hash = prev
                event.hash = chain_hash(prev, event)
                cursor.execute(
                    "UPDATE cases_event SET prev_hash = %s, hash = %s WHERE id = %s",
                    [event.prev_hash, event.hash, event.pk],
                )
                prev = event.hash
            cursor.execute("UPDATE cases_case SET last_hash = %s WHERE id = %s", [prev, case.pk])
        # Each checkpoint's recorded heads, digests and hash chain.
        prev = ""
        for checkpoint in Checkpoint.objects.order_by("org_id", "seq"):
            if checkpoint.seq == 1:
                prev = ""
            checkpoint.heads = [
                [pk, seq, head]
                for pk, seq, head in Case.objects.filter(
                    org_id=checkpoint.org_id, pk__in=[h[0] for h in checkpoint.heads]
                )
                .order_by("pk")
                .values_list("pk", "last_seq", "last_hash")
            ]
            checkpoint.heads_digest = heads_digest(checkpoint.heads)
            checkpoint.scopes = [
                [scope, seq, mac]
                for scope, seq, mac in (
                    Seal.objects.filter(
                        scope__in=[s[0] for s in checkpoint.scopes],
                        seq__in=[s[1] for s in checkpoint.scopes],
                    ).values_list("scope", "seq", "mac")
                )
                if [scope, seq] in [s[:2] for s in checkpoint.scopes]
            ]
            checkpoint.scopes.sort()
            checkpoint.scopes_digest = scopes_digest(checkpoint.scopes)
            checkpoint.prev_hash = prev
            checkpoint.hash = checkpoint_hash(prev, checkpoint)
            cursor.execute(
                "UPDATE audit_checkpoint SET heads = %s, heads_digest = %s, scopes = %s, "
                "scopes_digest = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [
                    seals.canonical_json(checkpoint.heads).decode(),
                    checkpoint.heads_digest,
                    seals.canonical_json(checkpoint.scopes).decode(),
                    checkpoint.scopes_digest,
                    checkpoint.prev_hash,
                    checkpoint.hash,
                    checkpoint.pk,
                ],
            )
            prev = checkpoint.hash


def _two_records(world: World) -> tuple[Case, CaseRecord, CaseRecord]:
    case = _walked_case(world)
    world.api("handler").act(str(case.number), "record", {"kind": "investigation", "body": "二查"})
    first, second = CaseRecord.objects.filter(case=case).order_by("pk")[:2]
    return case, first, second


def _swap_in_another_records_body(first: CaseRecord, second: CaseRecord) -> None:
    """Valid ciphertext of the same case and field: it opens, and says something else."""
    edit(
        f"UPDATE {RECORDS} SET body = (SELECT body FROM {RECORDS} WHERE id = %s) WHERE id = %s",  # noqa: S608
        [second.pk, first.pk],
    )


def _problems(world: World) -> list[tuple[str, str | None, int | None]]:
    return [(b.problem, b.table, b.row) for b in verify(world.org).breaks]


# -- record bodies -------------------------------------------------------------------------


def test_an_edited_record_body_is_caught_by_verify(world: World) -> None:
    case, first, second = _two_records(world)
    assert verify(world.org).ok
    _swap_in_another_records_body(first, second)
    report = verify(world.org)
    assert [str(b) for b in report.breaks] == [
        f"BROKEN case {case.number} cases.caserecord {first.pk}: "
        "changed since it was sealed (content edited)"
    ]
    assert report.breaks[0].problem == "row_changed"


def test_an_edited_record_body_is_caught_when_every_unkeyed_hash_is_recomputed(
    world: World,
) -> None:
    case, first, second = _two_records(world)
    from tousu.audit.checkpoints import take_checkpoint

    take_checkpoint(world.org, timezone.now())
    _swap_in_another_records_body(first, second)
    recompute_every_unkeyed_hash()
    report = verify(world.org)
    assert not report.ok
    # The re-digested seal no longer verifies under the audit key.
    assert {(b.problem, b.case) for b in report.breaks} >= {("seal_forged", case.number)}


def test_an_edited_event_is_caught_when_the_whole_chain_and_checkpoints_are_recomputed(
    world: World,
) -> None:
    from tousu.audit.checkpoints import take_checkpoint

    case = _walked_case(world)
    take_checkpoint(world.org, timezone.now())
    edit("UPDATE cases_event SET to_status = 'closed' WHERE case_id = %s AND seq = 3", [case.pk])
    recompute_every_unkeyed_hash()
    problems = {b.problem for b in verify(world.org).breaks}
    # The SHA-256 chain and checkpoint hashes agree again; the keys do not.
    assert "hash_mismatch" not in problems
    assert {"seal_forged", "mac_mismatch"} <= problems


# -- the organisation audit log ----------------------------------------------------------


def _policy_activation(world: World) -> AuditEvent:
    return AuditEvent.objects.get(org=world.org, type="policy.activated")


def test_an_edited_organisation_audit_event_is_caught_by_verify(world: World) -> None:
    activated = _policy_activation(world)
    assert verify(world.org).ok
    edit(
        f"UPDATE {AUDIT_EVENTS} SET actor_id = %s WHERE id = %s",  # noqa: S608
        [world.users["leader"].pk, activated.pk],
    )
    assert _problems(world) == [("row_changed", "orgs.auditevent", activated.pk)]
    assert str(verify(world.org).breaks[0]) == (
        f"BROKEN org acme orgs.auditevent {activated.pk}: "
        "changed since it was sealed (content edited)"
    )


def test_an_edited_organisation_audit_event_is_caught_when_its_digest_is_recomputed(
    world: World,
) -> None:
    activated = _policy_activation(world)
    edit(
        f"UPDATE {AUDIT_EVENTS} SET data = %s WHERE id = %s",  # noqa: S608
        ['{"number": 7, "preset": "forged"}', activated.pk],
    )
    recompute_every_unkeyed_hash()
    assert [b.problem for b in verify(world.org).breaks] == ["seal_forged"]


def test_a_deleted_organisation_audit_event_is_caught(world: World) -> None:
    activated = _policy_activation(world)
    edit(f"DELETE FROM {AUDIT_EVENTS} WHERE id = %s", [activated.pk])  # noqa: S608
    assert ("row_removed", "orgs.auditevent", activated.pk) in _problems(world)


def test_an_audit_event_inserted_behind_the_products_back_has_no_seal(world: World) -> None:
    edit(
        f"INSERT INTO {AUDIT_EVENTS} (org_id, type, object_type, object_id, data, at) "  # noqa: S608
        "VALUES (%s, 'role.granted', 'role', '1', '{}', %s)",
        [world.org.pk, timezone.now()],
    )
    assert [b.problem for b in verify(world.org).breaks] == ["unsealed"]


# -- rows that legitimately change ---------------------------------------------------------


def test_a_deactivated_membership_reactivated_in_the_database_is_caught(world: World) -> None:
    from tousu.audit.checkpoints import take_checkpoint
    from tousu.audit.models import Seal
    from tousu.orgadmin.services.staff import set_membership_active

    membership = Membership.objects.get(user=world.users["handler2"], org=world.org)
    set_membership_active(membership, False, actor=world.users["admin"])
    assert verify(world.org).ok  # a deactivation through the product is sealed
    take_checkpoint(world.org, timezone.now())

    edit("UPDATE orgs_membership SET active = %s WHERE id = %s", [True, membership.pk])
    assert _problems(world) == [("row_changed", "orgs.membership", membership.pk)]

    # Rolling the seals back to the active state too: the checkpoint recorded the head.
    last = Seal.objects.filter(table="orgs.membership", row=membership.pk).order_by("-seq")[0]
    later = list(
        Seal.objects.filter(scope=last.scope, seq__gte=last.seq).values_list("pk", flat=True)
    )
    for pk in later:
        edit("DELETE FROM audit_seal WHERE id = %s", [pk])
    problems = [b.problem for b in verify(world.org).breaks]
    assert "seal_removed" in problems and "unsealed" in problems


def test_a_withdrawn_holiday_override_restored_in_the_database_is_caught(world: World) -> None:
    from tousu.clock.overrides import add_override, withdraw

    row = add_override(
        org=world.org, day=date(2027, 5, 6), working=False, name="本地停工", source_notice="通知"
    )
    withdraw(row)
    assert verify(world.org).ok
    edit("UPDATE clock_holidayoverride SET withdrawn_at = NULL WHERE id = %s", [row.pk])
    assert _problems(world) == [("row_changed", "clock.holidayoverride", row.pk)]


def test_an_installation_holiday_override_edited_in_the_database_is_caught(world: World) -> None:
    from tousu.clock.overrides import add_override

    row = add_override(
        org=None, day=date(2027, 5, 7), working=True, name="调休上班", source_notice="国办"
    )
    assert verify().ok
    edit("UPDATE clock_holidayoverride SET working = %s WHERE id = %s", [False, row.pk])
    broken = verify().breaks
    assert [(b.org, b.problem, b.table) for b in broken] == [
        ("(installation)", "row_changed", "clock.holidayoverride")
    ]


def test_amending_the_complainant_supersedes_rows_under_seal(world: World) -> None:
    case = _walked_case(world)
    r = world.api("clerk").act(
        str(case.number), "amend", {"complainant": {"name": "王建民", "phone": "13900000000"}}
    )
    assert r.status_code == 200, r.content
    assert Party.objects.filter(case=case, superseded_at__isnull=False).exists()
    assert verify(world.org).ok
    old = Party.objects.filter(case=case, superseded_at__isnull=False).get()
    edit("UPDATE cases_party SET superseded_at = NULL WHERE id = %s", [old.pk])
    assert _problems(world) == [("row_changed", "cases.party", old.pk)]


# -- projections -------------------------------------------------------------------------


def test_a_case_status_rewritten_in_the_database_is_caught(world: World) -> None:
    case = _walked_case(world)
    edit(f"UPDATE {CASES} SET status = 'closed' WHERE id = %s", [case.pk])  # noqa: S608
    broken = verify(world.org).breaks
    assert [(b.problem, b.case) for b in broken] == [("projection_mismatch", case.number)]


# -- key rotation and crypto-shredding -------------------------------------------------------


def test_verify_passes_after_key_rotation_and_the_rewrap_is_sealed(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tousu.audit.models import Seal
    from tousu.conf import var_dir
    from tousu.privacy import crypto, fields

    case = _walked_case(world)
    for name in ("master_key", "index_key"):
        shutil.copy(var_dir() / name, tmp_path / name)
    monkeypatch.setenv("TOUSU_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("TOUSU_MASTER_KEY", raising=False)
    crypto.forget_keys()
    before = Seal.objects.filter(table="cases.case", row=case.pk).count()
    try:
        call_command("keys", "rotate", stdout=StringIO())
        assert Seal.objects.filter(table="cases.case", row=case.pk).count() == before + 1
        rotated = AuditEvent.objects.get(type="keys.rotated")
        assert Seal.objects.filter(table="orgs.auditevent", row=rotated.pk, scope="i").exists()
        report = verify()
        assert report.ok, report.lines()
    finally:
        monkeypatch.undo()
        crypto.forget_keys()
        fields._KEYS.clear()


def test_verify_passes_after_crypto_shredding_and_the_shred_is_sealed(world: World) -> None:
    from tousu.audit.models import Seal
    from tousu.retention.runs import shred

    case = _walked_case(world)
    r = world.api("handler").act(str(case.number), "withdraw", {"reason": "投诉人撤回"})
    assert r.status_code == 200, r.content
    before = Seal.objects.filter(table="cases.case", row=case.pk).count()
    shred(case.pk, run_id=0, now=timezone.now())
    assert Case.objects.get(pk=case.pk).sealed_key == ""
    assert Seal.objects.filter(table="cases.case", row=case.pk).count() == before + 1
    report = verify(world.org)
    assert report.ok, report.lines()
    # Records of the shredded case are still checked, as ciphertext.
    record = CaseRecord.objects.filter(case=case).first()
    assert record is not None
    edit(f"UPDATE {RECORDS} SET kind = 'forged' WHERE id = %s", [record.pk])  # noqa: S608
    assert _problems(world) == [("row_changed", "cases.caserecord", record.pk)]


# -- keyed checkpoints and the audit key ----------------------------------------------------


def test_a_checkpoint_forged_with_a_recomputed_hash_is_caught(world: World) -> None:
    from tousu.audit.checkpoints import take_checkpoint

    _walked_case(world)
    take_checkpoint(world.org, timezone.now())
    edit("UPDATE audit_checkpoint SET event_count = 3 WHERE org_id = %s", [world.org.pk])
    recompute_every_unkeyed_hash()
    broken = verify(world.org).breaks
    assert [(b.problem, b.checkpoint) for b in broken] == [("mac_mismatch", 1)]


def test_the_audit_key_comes_from_the_environment_or_a_0600_file_outside_the_database(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tousu.audit import keys

    _walked_case(world)
    assert verify(world.org).ok
    try:
        monkeypatch.setenv("TOUSU_VAR_DIR", str(tmp_path))
        monkeypatch.delenv("TOUSU_AUDIT_KEY", raising=False)
        keys.forget_audit_key()
        generated = keys.audit_key()
        path = tmp_path / "audit_key"
        assert len(generated) == 32 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
        # Under another key nothing verifies: the database alone cannot re-seal a row.
        assert {b.problem for b in verify(world.org).breaks} == {"seal_forged"}

        monkeypatch.setenv("TOUSU_AUDIT_KEY", "x" * 43)
        keys.forget_audit_key()
        assert keys.audit_key() != generated
    finally:
        monkeypatch.undo()
        keys.forget_audit_key()
    assert verify(world.org).ok


def test_tousu_audit_seal_seals_rows_written_before_and_takes_the_first_keyed_checkpoint(
    world: World,
) -> None:
    from tousu.audit.models import Checkpoint

    case = _walked_case(world)
    edit("DELETE FROM audit_seal")  # as the database was before this version
    assert "unsealed" in {b.problem for b in verify().breaks}
    out = StringIO()
    call_command("audit", "seal", stdout=out)
    assert f"sealed {Event.objects.filter(case=case).count()} existing cases.event rows" in (
        out.getvalue()
    )
    report = verify()
    assert report.ok, report.lines()
    assert Checkpoint.objects.filter(org=world.org).exclude(mac="").count() == 1
    with pytest.raises(CommandError, match="already has keyed checkpoints"):
        call_command("audit", "seal", stdout=StringIO())


# -- the case page and the API ---------------------------------------------------------------


def test_a_broken_record_answers_409_on_the_case_page_and_the_api_and_is_logged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    case, first, _second = _two_records(world)
    edit(f"UPDATE {RECORDS} SET body = %s WHERE id = %s", ["s1:AAAAAAAAAAAAAAAAAAAAAAAA", first.pk])  # noqa: S608
    client = Client()
    client.force_login(world.users["handler"])
    with caplog.at_level(logging.ERROR, logger="tousu.audit"):
        page = client.get(f"/desk/acme/cases/{case.number}/")
        api = world.api("handler").get(f"/cases/{case.number}")
    assert page.status_code == 409
    text = page.content.decode()
    assert "记录完整性受损" in text and "Record integrity broken" not in text  # zh desk
    english = client.get(f"/desk/acme/cases/{case.number}/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 409
    assert "Record integrity broken" in english.content.decode()
    assert api.status_code == 409
    body = api.json()
    assert body["code"] == "record_integrity_broken"
    assert body["message"]["zh"].startswith("记录完整性受损")
    assert body["message"]["en"].startswith("Record integrity broken")
    assert "record integrity broken" in caplog.text
    detections = AuditEvent.objects.filter(
        org=world.org, type="record.integrity_broken", object_id=str(case.pk)
    )
    assert detections.count() >= 2
    assert {"problem": "row_changed", "table": "cases.caserecord", "row": first.pk} in (
        detections.first().data["problems"]  # type: ignore[union-attr]
    )


def test_a_swapped_record_body_is_refused_on_the_case_page_not_shown(world: World) -> None:
    case, first, second = _two_records(world)
    _swap_in_another_records_body(first, second)
    client = Client()
    client.force_login(world.users["handler"])
    page = client.get(f"/desk/acme/cases/{case.number}/")
    assert page.status_code == 409
    assert "二查" not in page.content.decode()


# -- PostgreSQL: the superuser disables every trigger ---------------------------------------


@pytest.mark.postgres_only
def test_on_postgresql_the_audit_log_refuses_edits_until_the_superuser_disables_triggers(
    world: World,
) -> None:
    from tousu.audit.models import Seal

    needs_postgres()
    activated = _policy_activation(world)
    seal = Seal.objects.get(table="orgs.auditevent", row=activated.pk)
    for sql, pk in (
        (f"UPDATE {AUDIT_EVENTS} SET data = '{{}}' WHERE id = %s", activated.pk),  # noqa: S608
        (f"DELETE FROM {AUDIT_EVENTS} WHERE id = %s", activated.pk),  # noqa: S608
        ("UPDATE audit_seal SET digest = '' WHERE id = %s", seal.pk),
        ("DELETE FROM audit_seal WHERE id = %s", seal.pk),
    ):
        with (
            pytest.raises(DatabaseError, match="append-only table"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [pk])
    assert verify(world.org).ok
    edit(f"UPDATE {AUDIT_EVENTS} SET data = '{{}}' WHERE id = %s", [activated.pk])  # noqa: S608
    recompute_every_unkeyed_hash()
    assert [b.problem for b in verify(world.org).breaks] == ["seal_forged"]


@pytest.mark.postgres_only
def test_on_postgresql_an_edited_record_body_is_caught_with_triggers_disabled(
    world: World,
) -> None:
    needs_postgres()
    case, first, second = _two_records(world)
    _swap_in_another_records_body(first, second)
    assert _problems(world) == [("row_changed", "cases.caserecord", first.pk)]
    recompute_every_unkeyed_hash()
    assert {(b.problem, b.case) for b in verify(world.org).breaks} >= {("seal_forged", case.number)}


def test_sealed_content_that_no_longer_opens_answers_409_on_any_desk_page(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    case = _walked_case(world)
    edit(f"UPDATE {CASES} SET content = %s WHERE id = %s", ["s1:AAAAAAAAAAAAAAAAAAAAAAAA", case.pk])  # noqa: S608
    client = Client()
    client.force_login(world.users["supervisor"])
    with caplog.at_level(logging.ERROR, logger="tousu.audit"):
        ledger = client.get("/desk/acme/ledger/")
    assert ledger.status_code == 409
    assert "记录完整性受损" in ledger.content.decode()
    assert "record integrity broken" in caplog.text
    # An export built by the worker fails the same way, and says why.
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="tousu.audit"):
        _, export = exporting.ask(client, "/desk/acme/ledger/export.xlsx")
    assert export is not None and export.state == "failed"
    assert export.error == "record integrity broken" and export.file_name == ""
    assert "record integrity broken" in caplog.text

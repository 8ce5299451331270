"""Personal data at rest: sealed under a per-case key, never in the database in clear."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.db import connection

from tousu.cases.models import Case, CaseRecord, Party
from tousu.conftest import World
from tousu.privacy.crypto import CryptoError, new_case_key, open_sealed, seal, unwrap, wrap

NAME, PHONE, ADDRESS = "欧阳慧敏", "13987650123", "青石巷十七号"


def _report(world: World) -> str:
    r = world.api("clerk").register(
        kind="report",
        content=f"举报人{NAME}反映：仓库消防通道被锁。",
        complainant={"name": NAME, "phone": PHONE, "address": ADDRESS},
    )
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    world.api("dispatcher").act(number, "accept")
    world.api("dispatcher").act(number, "assign", {"lead_department": "finance"})
    world.api("handler").act(
        number, "record", {"kind": "call", "body": f"回电{PHONE}核实", "participants": [NAME]}
    )
    return str(number)


def test_the_database_never_holds_a_reporters_name_or_phone_in_clear(world: World) -> None:
    _report(world)
    secrets = [s.encode() for s in (NAME, PHONE, ADDRESS)]
    if connection.vendor == "sqlite":
        db = Path(connection.settings_dict["NAME"])
        files = [str(f) for f in (db, Path(f"{db}-wal")) if f.exists()]
        # Read through another process: opening and closing the file here would drop
        # this process's SQLite locks on it (POSIX advisory locks are per process).
        raw = subprocess.run(["cat", *files], capture_output=True, check=True).stdout  # noqa: S607
        assert raw, "the database file should exist"
    else:
        with connection.cursor() as cursor:
            dumped = []
            for table in ("cases_party", "cases_case", "cases_caserecord", "cases_event"):
                cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 — fixed table names
                dumped.append(repr(cursor.fetchall()))
        raw = "".join(dumped).encode()
    for secret in secrets:
        assert secret not in raw


def test_sealed_values_read_back_in_clear_for_those_allowed(world: World) -> None:
    number = _report(world)
    party = Party.objects.get(case__number=number)
    assert (party.name, party.phone, party.address) == (NAME, PHONE, ADDRESS)
    record = CaseRecord.objects.get(case__number=number, kind="call")
    assert record.body == f"回电{PHONE}核实" and record.data["participants"] == [NAME]
    case = Case.objects.get(number=number)
    assert case.content.startswith("举报人")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM cases_party WHERE id = %s", [party.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("s1:") and PHONE not in stored


def test_another_cases_key_cannot_open_a_value_and_tampering_is_detected() -> None:
    mine, theirs = new_case_key(), new_case_key()
    token = seal(mine, PHONE, context="party.phone")
    assert open_sealed(mine, token, context="party.phone") == PHONE
    with pytest.raises(CryptoError):
        open_sealed(theirs, token, context="party.phone")
    with pytest.raises(CryptoError):
        open_sealed(mine, token, context="party.name")  # moved to another field
    flipped = token[:-4] + ("A" if token[-4] != "A" else "B") + token[-3:]
    with pytest.raises(CryptoError):
        open_sealed(mine, flipped, context="party.phone")
    assert unwrap(wrap(mine)) == mine


def test_writing_a_sealed_field_in_clear_through_update_is_refused(world: World) -> None:
    number = _report(world)
    with pytest.raises(ValueError, match="cannot be written or searched in clear"):
        Party.objects.filter(case__number=number).update(phone=PHONE)


def test_a_destroyed_case_key_leaves_the_record_and_erases_the_person(world: World) -> None:
    number = _report(world)
    case = Case.objects.get(number=number)
    Case.objects.filter(pk=case.pk).update(sealed_key="")
    party = Party.objects.get(case=case)
    assert party.name == "" and party.phone == ""
    assert case.events.count() >= 3  # the record of what happened stays


def test_repeat_complainants_are_found_by_blind_index_only_where_identity_is_visible(
    world: World,
) -> None:
    clerk = world.api("clerk")
    first = clerk.register(complainant={"name": "李强", "phone": "139-1234-5678"}).json()["number"]
    second = clerk.register(complainant={"name": "李强", "phone": "+86 13912345678"}).json()[
        "number"
    ]
    report = clerk.register(kind="report", complainant={"name": "李强", "phone": "13912345678"})
    view = clerk.get(f"/cases/{second}").json()
    assert view["same_contact"] == [first]  # the sealed report is not offered as a match
    assert report.status_code == 201
    phones = set(Party.objects.values_list("phone_index", flat=True))
    assert all("1391234" not in p for p in phones)


def test_consent_to_share_identity_with_the_subject_is_recorded(world: World) -> None:
    r = world.api("clerk").register(
        complainant={"name": "赵敏", "phone": "13800000000", "consent_share_identity": True}
    )
    party = world.api("clerk").get(f"/cases/{r.json()['number']}").json()["parties"][0]
    assert party["consent_share_identity"] is True


def test_rotating_the_master_key_keeps_every_case_readable(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    from io import StringIO

    from django.core.management import call_command

    from tousu.conf import var_dir
    from tousu.privacy import crypto, fields

    number = _report(world)
    # Rotate in a copy of var/, so the developer's own keys are not touched.
    for name in ("master_key", "index_key"):
        shutil.copy(var_dir() / name, tmp_path / name)
    monkeypatch.setenv("TOUSU_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("TOUSU_MASTER_KEY", raising=False)
    crypto.forget_keys()
    before = Case.objects.get(number=number).sealed_key
    out = StringIO()
    call_command("keys", "rotate", stdout=out)
    assert "re-wrapped" in out.getvalue()
    after = Case.objects.get(number=number).sealed_key
    assert after != before and after.split(":")[1] == crypto.key_id(crypto.master_key())
    fields._KEYS.clear()
    assert Party.objects.get(case__number=number).phone == PHONE
    assert (tmp_path / f"master_key.retired-{before.split(':')[1]}").exists()
    from tousu.orgs.models import AuditEvent

    rotated = AuditEvent.objects.get(type="keys.rotated")
    assert rotated.data["old"] == before.split(":")[1] and rotated.data["rewrapped"] >= 1
    monkeypatch.undo()
    crypto.forget_keys()
    fields._KEYS.clear()


def test_a_pipl_request_exports_what_is_held_about_the_person_and_is_recorded(
    world: World,
) -> None:
    import json
    from io import StringIO

    from django.core.management import call_command

    from tousu.orgs.models import AuditEvent

    number = _report(world)
    world.api("clerk").register(complainant={"name": "别人", "phone": "13000000000"})
    out = StringIO()
    call_command(
        "pipl", "export", "--org", world.org.slug, "--phone", "139 8765 0123",
        "--requested-by", "admin", stdout=out,
    )  # fmt: skip
    result = json.loads(out.getvalue())
    assert [c["number"] for c in result["cases"]] == [number]
    assert result["cases"][0]["records_of_you"][0]["name"] == NAME
    event = AuditEvent.objects.get(type="pipl.export")
    assert event.data["cases"] == 1 and PHONE not in json.dumps(event.data)

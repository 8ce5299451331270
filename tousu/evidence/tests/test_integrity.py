"""The files on disk: verified by `tousu audit verify`, unreadable after shredding, and
never left referenced by a transaction that rolled back."""

from __future__ import annotations

import hashlib
import os
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from tousu.audit.verify import verify
from tousu.cases.models import Case
from tousu.conftest import World
from tousu.evidence import services, storage
from tousu.evidence.models import Attachment
from tousu.evidence.tests.samples import JPEG, PDF, PNG, blobs, upload
from tousu.privacy.crypto import CryptoError, new_case_key
from tousu.retention.runs import shred


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _case_with_files(world: World, *files: tuple[str, bytes]) -> Case:
    number = world.api("clerk").register(channel="letter").json()["number"]
    case = Case.objects.get(org=world.org, number=number)
    for name, data in files:
        services.attach(case.pk, actor=world.actor("clerk"), upload=upload(name, data))
    return case


def test_verify_opens_every_file_and_finds_none_broken(world: World) -> None:
    _case_with_files(world, ("a.pdf", PDF), ("b.png", PNG))
    report = verify(world.org)
    assert report.ok, report.lines()
    assert report.files == 4  # each file as uploaded, and its rendition
    assert report.lines()[0].endswith(", 4 files verified")


def test_verify_names_the_case_and_file_of_a_tampered_or_missing_blob(world: World) -> None:
    case = _case_with_files(world, ("a.pdf", PDF), ("b.png", PNG), ("c.jpg", JPEG))
    rows = {a.sha256: a for a in Attachment.objects.filter(case=case)}
    flipped = storage.path_of(rows[sha(PDF)].blob)
    raw = bytearray(flipped.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    flipped.write_bytes(bytes(raw))
    storage.path_of(rows[sha(PNG)].blob).unlink()

    report = verify(world.org)

    assert not report.ok
    found = {b.file: b for b in report.breaks}
    assert set(found) == {sha(PDF), sha(PNG)}
    assert found[sha(PDF)].problem == "file_changed"
    assert str(found[sha(PDF)]) == (
        f"BROKEN case {case.number} file {sha(PDF)[:16]}: "
        "changed on disk (its bytes do not match its name)"
    )
    assert found[sha(PNG)].problem == "file_missing"
    assert found[sha(PDF)].as_dict()["case_id"] == case.pk


def test_verify_finds_a_blob_swapped_for_another_files_blob(world: World) -> None:
    """Both blobs are intact, but one now sits under the other's row: it does not open."""
    case = _case_with_files(world, ("a.pdf", PDF), ("b.png", PNG))
    a, b = Attachment.objects.filter(case=case).order_by("pk")
    storage.path_of(a.blob).write_bytes(storage.read(b.blob))
    report = verify(world.org)
    # the bytes no longer match the name they are stored under
    assert [(x.file, x.problem) for x in report.breaks] == [(a.sha256, "file_changed")]


def test_verify_exits_1_from_the_command_line(world: World) -> None:
    case = _case_with_files(world, ("a.pdf", PDF))
    storage.path_of(Attachment.objects.get(case=case).blob).unlink()
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("audit", "verify", stdout=out, stderr=StringIO())
    assert failed.value.returncode == 1
    assert f"BROKEN case {case.number} file {sha(PDF)[:16]}: missing on disk" in out.getvalue()


def _shredded(world: World, case: Case) -> Case:
    Case.objects.filter(pk=case.pk).update(status="closed")
    return shred(case.pk, run_id=0, now=timezone.now())


def test_after_shredding_a_download_answers_410_and_verify_says_it_did_not_open_it(
    world: World, desk: Any
) -> None:
    case = _case_with_files(world, ("王建国来信.pdf", PDF))
    _shredded(world, case)
    assert Case.objects.get(pk=case.pk).sealed_key == ""

    r = desk("dispatcher").get(f"cases/{case.number}/files/{sha(PDF)}/")
    assert r.status_code == 410
    assert "已按保存期限销毁" in r.content.decode()
    api = world.api("dispatcher")
    r = api.client.get(f"/api/v1/orgs/acme/cases/{case.number}/files/{sha(PDF)}", headers=api._h())
    assert r.status_code == 410
    assert r.json()["code"] == "file_destroyed"
    assert "can no longer be opened" in r.json()["message"]["en"]
    page = desk("dispatcher").get(f"cases/{case.number}/").content.decode()
    assert sha(PDF)[:12] in page and "王建国来信" not in page and "已销毁" in page

    report = verify(world.org)
    assert report.ok, report.lines()
    assert (report.files, report.files_not_opened) == (2, 2)
    assert "2 files of shredded cases checked on disk only" in report.lines()[0]


def test_a_blob_opens_only_under_its_own_case_and_content_address() -> None:
    key = new_case_key()
    blob = storage.seal_bytes(key, PDF, case_id=7, sha256=sha(PDF))
    assert storage.open_bytes(key, blob, case_id=7, sha256=sha(PDF)) == PDF
    for kwargs in ({"case_id": 8, "sha256": sha(PDF)}, {"case_id": 7, "sha256": sha(PNG)}):
        with pytest.raises(CryptoError):
            storage.open_bytes(key, blob, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(CryptoError):
        storage.open_bytes(new_case_key(), blob, case_id=7, sha256=sha(PDF))


def test_a_rolled_back_attach_leaves_no_blob_inside_discard_on_error(
    world: World, files_dir: Path
) -> None:
    case = _case_with_files(world)
    with pytest.raises(RuntimeError), services.discard_on_error(), transaction.atomic():
        services.attach(case.pk, actor=world.actor("clerk"), upload=upload("a.pdf", PDF))
        raise RuntimeError("the surrounding work failed")
    assert not Attachment.objects.filter(case=case).exists()
    assert blobs(files_dir) == []


def test_orphans_are_swept_and_referenced_blobs_never(world: World, files_dir: Path) -> None:
    case = _case_with_files(world, ("kept.pdf", PDF))
    row = Attachment.objects.get(case=case)
    kept = sorted([storage.path_of(row.blob), storage.path_of(row.rendition_blob)])
    # A transaction that rolled back without discard_on_error leaves its blobs behind.
    with pytest.raises(RuntimeError), transaction.atomic():
        services.attach(case.pk, actor=world.actor("clerk"), upload=upload("b.png", PNG))
        raise RuntimeError("rolled back")
    orphans = [p for p in blobs(files_dir) if p not in kept]
    assert len(orphans) == 2  # the file and its rendition
    assert storage.sweep(older_than_seconds=3600) == []  # too recent: maybe still running
    old = time.time() - 7200
    for p in orphans + kept:
        os.utime(p, (old, old))

    found = storage.sweep(older_than_seconds=3600)
    assert sorted(o.path for o in found) == sorted(orphans)
    out = StringIO()
    call_command("files", "sweep", "--hours", "1", "--delete", stdout=out)
    assert all(f"removed {p}" in out.getvalue() for p in orphans)
    assert blobs(files_dir) == kept
    assert verify(world.org).ok


@pytest.mark.postgres_only
def test_postgresql_refuses_changing_or_deleting_an_attachment(world: World) -> None:
    from django.db import DatabaseError, connection

    from tousu.conftest import needs_postgres

    needs_postgres()
    case = _case_with_files(world, ("a.pdf", PDF))
    for sql in (
        "UPDATE evidence_attachment SET sha256 = 'x' WHERE case_id = %s",
        "DELETE FROM evidence_attachment WHERE case_id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [case.pk])
    assert Attachment.objects.get(case=case).sha256 == sha(PDF)

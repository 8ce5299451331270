"""Exports built in the background: asked for, built by the job, sealed, private, expiring."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tousu.cases.models import Case
from tousu.orgs.models import AuditEvent
from tousu.privacy.models import IdentityAccess
from tousu.reports import background, sealed
from tousu.reports.models import Export
from tousu.reports.tests import exporting
from tousu.security.crypto import CryptoError


@pytest.fixture(autouse=True)
def _exports_dir(settings, tmp_path):
    settings.TOUSU_EXPORTS_DIR = tmp_path / "exports"


def _numbers(response) -> list[str]:
    sheet = exporting.workbook(response)["台帐"]
    return [str(r[0]) for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_job_builds_the_filtered_ledger_and_the_page_offers_it(world, desk, cases):
    sup = desk("supervisor")
    r, export = exporting.ask(sup.client, "/desk/acme/ledger/export.xlsx", {"overdue": "yes"})
    assert r.status_code == 302 and export is not None
    export.refresh_from_db()
    assert export.state == "ready" and export.rows_total == 2 and export.rows_done == 2
    assert export.finished_at is not None
    assert export.expires_at - export.finished_at == timedelta(hours=24)
    page = sup.get("ledger/exports/").content.decode()
    assert f'id="export-{export.pk}"' in page and "可下载" in page
    assert f"/desk/acme/ledger/exports/{export.pk}/download" in page
    download = exporting.download(sup.client, "acme", export)
    assert download["Cache-Control"] == "no-store"
    assert download["Content-Disposition"].startswith('attachment; filename="ledger-acme-')
    assert _numbers(download) == [cases.report, cases.service]


def test_the_file_on_disk_is_sealed_and_opens_only_as_its_own_export(world, desk, cases):
    _, export = exporting.ask(desk("supervisor").client, "/desk/acme/ledger/export.xlsx")
    assert export is not None
    export.refresh_from_db()
    on_disk = sealed.path_of(export.file_name).read_bytes()
    assert on_disk.startswith(sealed.MAGIC)
    assert not zipfile.is_zipfile(io.BytesIO(on_disk))
    assert "投诉" not in on_disk.decode("utf-8", "replace") and b"PK\x03\x04" not in on_disk
    plain = b"".join(sealed.open_chunks(export.file_name, export.wrapped_key, export.pk))
    assert len(plain) == export.size
    assert load_workbook(io.BytesIO(plain)).sheetnames == ["台帐", "说明"]
    # Moved onto another export's row, it does not open.
    with pytest.raises(CryptoError):
        b"".join(sealed.open_chunks(export.file_name, export.wrapped_key, export.pk + 1))


def test_a_large_file_is_sealed_in_chunks_and_a_cut_one_does_not_open(settings, tmp_path):
    settings.TOUSU_EXPORTS_DIR = tmp_path
    data = bytes(range(256)) * (sealed.CHUNK // 256 * 2 + 10)  # two chunks and a bit
    name, key, size = sealed.seal_file(io.BytesIO(data), 7)
    assert size == len(data)
    assert b"".join(sealed.open_chunks(name, key, 7)) == data
    path = sealed.path_of(name)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) - 300])  # the last chunk cut off
    with pytest.raises(CryptoError):
        b"".join(sealed.open_chunks(name, key, 7))


def test_only_the_requester_downloads_it_even_a_supervisor_of_the_same_org_gets_404(
    world, desk, cases
):
    _, export = exporting.ask(desk("handler").client, "/desk/acme/ledger/export.xlsx")
    assert export is not None
    for persona in ("supervisor", "handler2", "auditor"):
        other = desk(persona)
        assert exporting.download(other.client, "acme", export).status_code == 404, persona
        assert other.get(f"ledger/exports/{export.pk}/").status_code == 404, persona
        assert f"export-{export.pk}" not in other.get("ledger/exports/").content.decode()
    assert exporting.download(desk("outsider").client, "acme", export).status_code == 404
    assert exporting.download(desk("handler").client, "acme", export).status_code == 200


def test_the_page_lists_only_ones_own_exports(world, desk, cases):
    _, mine = exporting.ask(desk("handler").client, "/desk/acme/ledger/export.xlsx")
    _, theirs = exporting.ask(desk("supervisor").client, "/desk/acme/ledger/dossier/2026/export")
    assert mine is not None and theirs is not None
    page = desk("handler").get("ledger/exports/").content.decode()
    assert f'id="export-{mine.pk}"' in page and f'id="export-{theirs.pk}"' not in page


def test_an_expired_export_is_gone_with_a_clear_answer(world, desk, cases):
    sup = desk("supervisor")
    _, export = exporting.ask(sup.client, "/desk/acme/ledger/export.xlsx")
    assert export is not None
    export.refresh_from_db()
    path = sealed.path_of(export.file_name)
    assert path.exists()
    later = timezone.now() + timedelta(hours=24, minutes=1)
    assert background.upkeep(later)["exports_expired"] == 1
    export.refresh_from_db()
    assert export.state == "expired" and not path.exists() and export.file_name == ""
    r = exporting.download(sup.client, "acme", export)
    assert r.status_code == 410 and "已超过 24 小时" in r.content.decode()
    assert "已过期" in sup.get("ledger/exports/").content.decode()
    assert Export.objects.filter(pk=export.pk).exists()  # the row stays


def test_a_download_after_the_deadline_but_before_upkeep_is_refused_and_removes_the_file(
    world, desk, cases
):
    sup = desk("supervisor")
    _, export = exporting.ask(sup.client, "/desk/acme/ledger/export.xlsx")
    assert export is not None
    export.refresh_from_db()
    path = sealed.path_of(export.file_name)
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    r = exporting.download(sup.client, "acme", export)
    assert r.status_code == 410 and not path.exists()
    assert not AuditEvent.objects.filter(type="ledger.exported").exists()


def test_a_download_that_names_complainants_logs_each_as_an_identity_view(world, desk, cases):
    handler = desk("handler")
    _, export = exporting.ask(handler.client, "/desk/acme/ledger/export.xlsx")
    assert export is not None
    export.refresh_from_db()
    fees = Case.objects.get(number=cases.fees).pk
    assert export.names_identities and export.named_case_ids == [fees]
    logged = IdentityAccess.objects.filter(surface="ledger_export", user=world.users["handler"])
    assert not logged.exists()  # built, not yet seen
    assert exporting.download(handler.client, "acme", export).status_code == 200
    assert list(logged.values_list("case_id", flat=True)) == [fees]
    event = AuditEvent.objects.get(type="ledger.exported")
    assert event.actor == world.users["handler"] and event.data["export"] == export.pk
    assert event.data["identities_shown"] == 1
    assert "可下载" in handler.get("ledger/exports/").content.decode()
    assert "含投诉人身份" in handler.get("ledger/exports/").content.decode()


def test_progress_is_shown_while_the_export_runs(world, desk, cases):
    sup = desk("supervisor")
    export = Export.objects.create(
        org=world.org,
        requested_by=world.users["supervisor"],
        kind="ledger_xlsx",
        state="running",
        rows_done=1000,
        rows_total=4000,
        created_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=24),
    )
    row = sup.get(f"ledger/exports/{export.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in row and "生成中" in row
    assert 'max="4000" value="1000"' in row and "1000 / 4000" in row
    assert exporting.download(sup.client, "acme", export).status_code == 409
    Export.objects.filter(pk=export.pk).update(state="failed")
    row = sup.get(f"ledger/exports/{export.pk}/").content.decode()
    assert "hx-trigger" not in row and "失败" in row


def test_a_bad_filter_is_refused_with_its_reason_and_starts_no_job(world, desk, cases):
    r, export = exporting.ask(
        desk("supervisor").client, "/desk/acme/ledger/export.xlsx", {"status": "nonsense"}
    )
    assert r.status_code == 400 and export is None
    assert "未知状态：nonsense" in r.content.decode()
    assert not Export.objects.exists()


def test_the_old_link_leads_to_the_ledger_with_its_filters(world, desk, cases):
    r = desk("supervisor").get("ledger/export.xlsx", kind="report")
    assert r.status_code == 302 and r["Location"] == "/desk/acme/ledger/?kind=report"
    assert not Export.objects.exists()


def test_the_dossier_is_exported_as_a_workbook_of_its_tables(world, desk, cases):
    sup = desk("supervisor")
    _, export = exporting.ask(sup.client, "/desk/acme/ledger/dossier/2026/export")
    assert export is not None
    export.refresh_from_db()
    assert export.state == "ready" and export.kind == "dossier_xlsx"
    r = exporting.download(sup.client, "acme", export)
    book = exporting.workbook(r)
    assert book.sheetnames == ["统计", "案件目录"]
    listed = [row[1] for row in book["案件目录"].iter_rows(min_row=2, values_only=True)]
    assert listed[:3] == [cases.fees, cases.service, cases.report]
    assert cases.rejected not in listed  # received in 2025
    assert AuditEvent.objects.filter(type="dossier.exported").count() == 1


def test_a_worker_that_stopped_is_taken_over_and_a_finished_export_is_not_built_twice(
    world, desk, cases
):
    _, export = exporting.ask(desk("supervisor").client, "/desk/acme/ledger/export.xlsx")
    assert export is not None
    assert background.build(export.pk) == ""  # ready: nothing to do
    Export.objects.filter(pk=export.pk).update(
        state="running", heartbeat_at=timezone.now() - background.LEASE - timedelta(minutes=1)
    )
    assert background.build(export.pk) == "ready"


def test_a_requester_who_left_gets_a_failed_export(world, desk, cases):
    from tousu.orgs.models import Membership

    client = desk("handler").client
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(background, "kick", lambda pk: None)
        _, export = exporting.ask(client, "/desk/acme/ledger/export.xlsx")
    assert export is not None and export.state == "queued"
    Membership.objects.filter(user=world.users["handler"]).update(active=False)
    assert background.build(export.pk) == "failed"
    export.refresh_from_db()
    assert export.file_name == "" and export.error

"""Attachments through the desk: with a letter's registration, on the case page, downloads."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client

from tousu.cases.models import Case, Event
from tousu.conftest import World
from tousu.evidence.models import Attachment, Download
from tousu.evidence.tests.samples import EXE, HTML, PDF, PNG, blobs, served, upload


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _number(response: Any) -> str:
    assert response.status_code == 302, response.content.decode()[:3000]
    return str(response["Location"]).rstrip("/").rsplit("/", 1)[-1]


def _letter(client: Any, *files: Any, **values: Any) -> Any:
    data: dict[str, Any] = {
        "kind": "complaint",
        "channel": "letter",
        "category": "fees",
        "c_name": "王建国",
        "c_phone": "13912345678",
        "c_address": "北京市朝阳区某街1号",
        "content": "来信反映CT检查被重复收费两次，附收费单据扫描件。",
        "s_type": "department",
        "s_name": "门诊收费处",
        "attachments": list(files),
    }
    data.update(values)
    return client.post("new/?channel=letter", data)


def _counts() -> tuple[int, int, int]:
    return Case.objects.count(), Attachment.objects.count(), Event.objects.count()


def test_scans_sent_with_a_letter_are_stored_encrypted_and_come_back_whole(
    world: World, desk: Any, files_dir: Path
) -> None:
    clerk = desk("clerk")
    number = _number(
        _letter(clerk, upload("来信原件.pdf", PDF), upload("照片.png", PNG, "image/png"))
    )
    case = Case.objects.get(org=world.org, number=number)

    rows = list(Attachment.objects.filter(case=case).order_by("pk"))
    assert [(a.sha256, a.size, a.content_type, a.source) for a in rows] == [
        (sha(PDF), len(PDF), "application/pdf", "staff"),
        (sha(PNG), len(PNG), "image/png", "staff"),
    ]
    assert {a.uploaded_by_id for a in rows} == {world.users["clerk"].pk}
    # On disk: each file and its rendition under <first two hex>/, none holding a plain file.
    on_disk = blobs(files_dir)
    assert len(on_disk) == 4
    for path in on_disk:
        raw = path.read_bytes()
        assert path.parent.name == path.name[:2]
        assert path.name in {a.blob for a in rows} | {a.rendition_blob for a in rows}
        assert PDF not in raw and PNG not in raw and b"%PDF" not in raw
        assert served(PDF) not in raw and served(PNG) not in raw
        assert "王建国".encode() not in raw
        assert sha(PDF) not in path.name and sha(PNG) not in path.name
    # In the database the filename is sealed.
    with connection.cursor() as cursor:
        cursor.execute("SELECT filename FROM evidence_attachment WHERE case_id = %s", [case.pk])
        sealed = [row[0] for row in cursor.fetchall()]
    assert all(v.startswith("s1:") and "来信" not in v for v in sealed)

    # The registration and the files are one story: registered, then one event per file.
    events = list(Event.objects.filter(case=case).order_by("seq"))
    assert [e.type for e in events] == ["registered", "file_attached", "file_attached"]
    assert [e.data for e in events[1:]] == [
        {
            "sha256": sha(data), "size": len(data), "content_type": kind,
            "rendition_sha256": sha(served(data)), "rendition_size": len(served(data)),
        }
        for data, kind in ((PDF, "application/pdf"), (PNG, "image/png"))
    ]  # fmt: skip
    for e in events:
        text = json.dumps(e.data, ensure_ascii=False)
        assert "来信原件" not in text and "照片" not in text and ".pdf" not in text
    assert [a.event_id for a in rows] == [events[1].pk, events[2].pk]

    r = clerk.get(f"cases/{number}/files/{sha(PDF)}/")
    assert r.status_code == 200
    assert r.content == served(PDF)
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == (
        f"attachment; filename=\"{sha(PDF)}.pdf\"; filename*=UTF-8''{quote('来信原件.pdf')}"
    )
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Security-Policy"] == "sandbox"
    assert "no-store" in r["Cache-Control"]
    assert clerk.get(f"cases/{number}/files/{sha(PNG)}/").content == served(PNG)
    assert list(Download.objects.values_list("user__username", "surface")) == [
        ("clerk", "desk"),
        ("clerk", "desk"),
    ]

    page = clerk.get(f"cases/{number}/").content.decode()
    assert "来信原件.pdf" in page and "照片.png" in page
    assert sha(PDF)[:12] in page and f"files/{sha(PDF)}/" in page
    assert 'name="file"' in page  # the clerk who registered it may add more


def test_the_same_file_twice_is_one_attachment_and_the_user_is_told(
    world: World, desk: Any, files_dir: Path
) -> None:
    clerk = desk("clerk")
    number = _number(_letter(clerk, upload("扫描1.pdf", PDF), upload("扫描2.pdf", PDF)))
    case = Case.objects.get(org=world.org, number=number)
    assert Attachment.objects.filter(case=case).count() == 1
    assert Attachment.objects.get(case=case).filename == "扫描1.pdf"

    r = clerk.client.post(
        f"/desk/acme/cases/{number}/files/", {"file": upload("again.pdf", PDF)}, follow=True
    )
    assert r.status_code == 200
    assert "本案已有相同文件，未重复保存：again.pdf" in r.content.decode()
    assert Attachment.objects.filter(case=case).count() == 1
    assert Event.objects.filter(case=case, type="file_attached").count() == 1
    assert len(blobs(files_dir)) == 2  # the file and its rendition


BAD = [
    pytest.param("公文.pdf", EXE, 415, "类型不被接受", id="exe-renamed-pdf"),
    pytest.param("letter.pdf", HTML, 415, "类型不被接受", id="html-renamed-pdf"),
    pytest.param("空白.pdf", b"", 422, "是空的", id="empty"),
    pytest.param(
        "big.pdf", PDF + b"0" * 3000, 413, "超过大小上限 2 KiB（2048 字节）", id="too-large"
    ),
]


@pytest.mark.parametrize(("name", "data", "status", "message"), BAD)
def test_a_refused_file_in_a_letter_registration_stores_nothing_at_all(
    world: World, desk: Any, files_dir: Path, settings: Any, name: str, data: bytes, status: int,
    message: str,
) -> None:  # fmt: skip
    settings.TOUSU_MAX_UPLOAD_BYTES = 2048
    before = _counts()

    r = _letter(desk("clerk"), upload("good.png", PNG, "image/png"), upload(name, data))

    assert r.status_code == 422
    page = r.content.decode()
    assert f"文件“{name}”" in page and message in page
    assert _counts() == before
    assert blobs(files_dir) == []


@pytest.mark.parametrize(("name", "data", "status", "message"), BAD)
def test_a_refused_file_on_the_case_page_stores_nothing(
    world: World, desk: Any, files_dir: Path, settings: Any, name: str, data: bytes, status: int,
    message: str,
) -> None:  # fmt: skip
    settings.TOUSU_MAX_UPLOAD_BYTES = 2048
    clerk = desk("clerk")
    number = _number(_letter(clerk))
    before = _counts()

    r = clerk.post(f"cases/{number}/files/", {"file": [upload("ok.pdf", PDF), upload(name, data)]})

    assert r.status_code == status
    page = r.content.decode()
    assert f"文件“{name}”" in page and message in page and "返回案件" in page
    assert _counts() == before
    assert blobs(files_dir) == []


def test_messages_are_in_english_too(world: World, desk: Any, settings: Any) -> None:
    settings.TOUSU_MAX_UPLOAD_BYTES = 2048
    clerk = desk("clerk")
    number = _number(_letter(clerk))
    clerk.client.cookies["django_language"] = "en"
    r = clerk.post(f"cases/{number}/files/", {"file": upload("big.pdf", PDF + b"0" * 3000)})
    assert r.status_code == 413
    assert "The file “big.pdf” is larger than the limit of 2 KiB (2048 bytes)" in r.content.decode()


def test_a_registration_that_fails_after_the_files_leaves_no_blob(
    world: World, desk: Any, files_dir: Path
) -> None:
    """A leader may register and attach, but not resolve on the spot: the whole
    registration rolls back, and the blobs it wrote are removed again."""
    before = _counts()
    r = _letter(
        desk("leader"),
        upload("原件.pdf", PDF),
        on_the_spot="on",
        spot_findings="当场解释清楚",
    )
    assert r.status_code == 422, r.content.decode()[:2000]
    assert _counts() == before
    assert blobs(files_dir) == []


def test_a_file_larger_than_a_request_body_may_be_is_accepted(
    world: World, desk: Any, settings: Any
) -> None:
    big = PDF + b"%" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 500_000)
    clerk = desk("clerk")
    number = _number(_letter(clerk, upload("厚信.pdf", big)))
    assert clerk.get(f"cases/{number}/files/{sha(big)}/").content == served(big)


def test_who_may_download_and_who_may_upload(world: World, desk: Any, files_dir: Path) -> None:
    clerk = desk("clerk")
    number = _number(_letter(clerk, upload("来信原件.pdf", PDF)))
    download = f"cases/{number}/files/{sha(PDF)}/"
    files = f"cases/{number}/files/"

    # Another organisation, another department: the same 404 as a missing case.
    for persona in ("outsider", "handler2"):
        other = desk(persona)
        assert other.get(download).status_code == 404, persona
        assert other.post(files, {"file": upload("x.png", PNG)}).status_code == 404, persona
    assert desk("clerk").get(f"cases/{number}/files/{'0' * 64}/").status_code == 404
    assert desk("clerk").get(f"cases/{number}/files/not-a-hash/").status_code == 404

    # The auditor, who may not see the complainant, cannot open the letter's scanned
    # original (it may show who wrote it) and cannot add a file.
    auditor = desk("auditor")
    r = auditor.get(download)
    assert r.status_code == 403 and "仅限可查看其身份的人员和身份保管人打开" in r.content.decode()
    assert auditor.post(files, {"file": upload("x.png", PNG)}).status_code == 403
    page = auditor.get(f"cases/{number}/").content.decode()
    assert sha(PDF)[:12] in page and "来信原件" not in page and 'name="file"' not in page
    assert "原件（可能显示身份，已限制）" in page and download not in page

    # A dispatcher (organisation-wide) may add one; evidence staff collected opens for the
    # auditor, under its hash, never its name.
    r = desk("dispatcher").post(files, {"file": upload("补充.png", PNG, "image/png")})
    assert r.status_code == 302 and r["Location"].endswith("#files")
    assert Attachment.objects.filter(case__number=number).count() == 2
    r = auditor.get(f"cases/{number}/files/{sha(PNG)}/")
    assert r.status_code == 200 and r.content == served(PNG)
    assert r["Content-Disposition"] == (
        f"attachment; filename=\"{sha(PNG)}.png\"; filename*=UTF-8''{sha(PNG)}.png"
    )

    # Anonymous: the login page, for both.
    anonymous = Client()
    for r in (
        anonymous.get(f"/desk/acme/{download}"),
        anonymous.post(f"/desk/acme/{files}", {"file": upload("x.png", PNG)}),
    ):
        assert r.status_code == 302 and "login" in r["Location"]
    assert Attachment.objects.filter(case__number=number).count() == 2


def test_the_filename_of_a_report_stays_hidden_from_those_handling_it(
    world: World, desk: Any
) -> None:
    clerk = desk("clerk")
    number = _number(_letter(clerk, upload("举报人张三的信.pdf", PDF), kind="report"))
    # (The uploader is told once which files were stored, by the name they chose.)
    assert "张三" in clerk.get(f"cases/{number}/").content.decode()
    page = clerk.get(f"cases/{number}/").content.decode()
    assert "张三" not in page and sha(PDF)[:12] in page


def test_the_scanned_original_of_a_report_opens_only_with_the_identity(
    world: World, desk: Any
) -> None:
    """The reporter's letter shows her name and signature: those handling the report read
    the case, not the original, until a custodian opens the identity to them (the
    custodian, the leader here, opens it: tousu/evidence/tests/test_custodian_release.py)."""
    number = _number(_letter(desk("clerk"), upload("举报信.pdf", PDF), kind="report"))
    assert Attachment.objects.get(case__number=number).identifying is True
    download = f"cases/{number}/files/{sha(PDF)}/"
    downloads = Download.objects.count()
    for persona in ("clerk", "dispatcher", "auditor"):
        r = desk(persona).get(download)
        assert r.status_code == 403, persona
        assert "file_restricted" in r.content.decode() or "仅限" in r.content.decode()
    assert Download.objects.count() == downloads  # a refusal opens nothing

    # Evidence the handler collects (not marked) opens for everyone handling the case.
    dispatcher = desk("dispatcher")
    r = dispatcher.post(
        f"cases/{number}/files/", {"file": upload("现场照片.png", PNG, "image/png")}
    )
    assert r.status_code == 302
    photo = Attachment.objects.get(case__number=number, sha256=sha(PNG))
    assert photo.identifying is False
    assert desk("auditor").get(f"cases/{number}/files/{sha(PNG)}/").status_code == 200
    # A second original marked on upload is restricted like the first.
    r = dispatcher.post(
        f"cases/{number}/files/",
        {"file": upload("补充来信.pdf", PDF + b"%second"), "identifying": "on"},
    )
    assert r.status_code == 302
    assert Attachment.objects.get(case__number=number, sha256=sha(PDF + b"%second")).identifying

    # The custodian opens the identity to the dispatcher, who then reads the original.
    world.api("dispatcher").act(number, "request_reveal", {"reason": "需核对来信签名"})
    r = world.api("leader").act(
        number, "approve_reveal", {"requested_by": "dispatcher", "approved": True}
    )
    assert r.status_code == 200, r.content
    r = desk("dispatcher").get(download)
    assert r.status_code == 200 and r.content == served(PDF)
    assert "%E4%B8%BE%E6%8A%A5" in r["Content-Disposition"]  # 举报信.pdf, by name
    assert desk("clerk").get(download).status_code == 403  # only the one who asked


def test_a_closed_case_takes_no_file_from_staff(world: World, desk: Any, files_dir: Path) -> None:
    clerk = desk("clerk")
    number = _number(_letter(clerk))
    Case.objects.filter(org=world.org, number=number).update(status="closed")
    before = _counts()
    r = clerk.post(f"cases/{number}/files/", {"file": upload("迟到的证据.pdf", PDF)})
    assert r.status_code == 409
    assert "不允许" in r.content.decode()
    assert _counts() == before and blobs(files_dir) == []
    assert 'name="file"' not in clerk.get(f"cases/{number}/").content.decode()

"""One upload pipeline for every surface, tried from the attacker's side.

Through the staff API, the desk's case page, the desk's registration and the public
portal: a decompression bomb (PNG or JPEG) is refused with a bilingual 422 and leaves no
row, event or blob; a PNG+HTML polyglot and a PDF that runs JavaScript on open are served
without the HTML or the scripts and actions. What staff uploaded stays byte-exact beside
the rendition, sealed, and opens only for a supervisor, a leader or an auditor, as opaque
bytes and logged on the case. ``tousu audit verify`` re-hashes both.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from tousu.audit.verify import verify
from tousu.cases.errors import TousuError
from tousu.cases.models import Case, Event
from tousu.conftest import World
from tousu.evidence import services, storage
from tousu.evidence.models import Attachment, Download
from tousu.evidence.tests import attacks
from tousu.evidence.tests.samples import blobs, upload
from tousu.privacy.fields import case_key


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _counts() -> tuple[int, int, int]:
    return Case.objects.count(), Attachment.objects.count(), Event.objects.count()


def _kept(attachment: Attachment, *, rendition: bool = False) -> bytes:
    """The plain bytes of one of the attachment's blobs, read straight from the disk."""
    case = attachment.case
    key = case_key(case)
    assert key is not None
    name = attachment.rendition_blob if rendition else attachment.blob
    digest = attachment.rendition_sha256 if rendition else attachment.sha256
    return storage.open_bytes(key, storage.read(name), case_id=case.pk, sha256=digest)


# -- the surfaces ----------------------------------------------------------------------------


@pytest.fixture
def number(world: World) -> str:
    return str(world.api("clerk").register(channel="letter").json()["number"])


def _api_upload(world: World, number: str, name: str, data: bytes) -> Any:
    clerk = world.api("clerk")
    return clerk.client.post(
        f"/api/v1/orgs/{clerk.org}/cases/{number}/files",
        {"file": upload(name, data, "application/octet-stream")},
        headers=clerk._h(),
    )


def _desk_upload(desk: Any, number: str, name: str, data: bytes) -> Any:
    return desk("clerk").post(f"cases/{number}/files/", {"file": upload(name, data)})


def _desk_register(desk: Any, name: str, data: bytes) -> Any:
    """A letter registered at the desk with its scan."""
    form = {
        "kind": "complaint", "channel": "letter", "category": "fees", "c_name": "王建国",
        "c_phone": "13912345678", "c_address": "北京市朝阳区某街1号",
        "content": "来信反映CT检查被重复收费两次，附收费单据扫描件。",
        "s_type": "department", "s_name": "门诊收费处", "attachments": [upload(name, data)],
    }  # fmt: skip
    return desk("clerk").post("new/?channel=letter", form)


def _api_get(world: World, persona: str, number: str, path: str) -> Any:
    api = world.api(persona)
    return api.client.get(f"/api/v1/orgs/{api.org}/cases/{number}/files/{path}", headers=api._h())


def _stored_through(
    surface: str, world: World, desk: Any, number: str, name: str, data: bytes
) -> Attachment:
    if surface == "api":
        r = _api_upload(world, number, name, data)
        assert r.status_code == 201, r.content
    elif surface == "desk":
        r = _desk_upload(desk, number, name, data)
        assert r.status_code == 302, r.content.decode()[:2000]
    else:  # a letter's scan, at registration
        r = _desk_register(desk, name, data)
        assert r.status_code == 302, r.content.decode()[:2000]
    return Attachment.objects.select_related("case").get(sha256=sha(data))


def _served(surface: str, world: World, desk: Any, attachment: Attachment) -> Any:
    number = str(attachment.case.number)
    if surface == "api":
        return _api_get(world, "clerk", number, attachment.sha256)
    return desk("clerk").get(f"cases/{number}/files/{attachment.sha256}/")


# -- bombs -----------------------------------------------------------------------------------


BOMBS = [("炸弹.png", attacks.png_bomb()), ("炸弹.jpg", attacks.jpeg_bomb())]


@pytest.mark.parametrize(("name", "bomb"), BOMBS, ids=["png", "jpeg"])
def test_a_decompression_bomb_through_the_staff_api_is_refused(
    world: World, number: str, files_dir: Path, name: str, bomb: bytes
) -> None:
    before = _counts()

    r = _api_upload(world, number, name, bomb)

    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == "file_bomb"
    assert name in body["message"]["zh"] and "压缩炸弹" in body["message"]["zh"]
    assert name in body["message"]["en"] and "decompression bomb" in body["message"]["en"]
    assert _counts() == before
    assert blobs(files_dir) == []


@pytest.mark.parametrize(("name", "bomb"), BOMBS, ids=["png", "jpeg"])
def test_a_decompression_bomb_through_the_desk_is_refused(
    world: World, desk: Any, number: str, files_dir: Path, name: str, bomb: bytes
) -> None:
    before = _counts()

    on_case = _desk_upload(desk, number, name, bomb)
    at_registration = _desk_register(desk, name, bomb)

    assert on_case.status_code == 422
    assert "压缩炸弹" in on_case.content.decode() and name in on_case.content.decode()
    assert at_registration.status_code == 422  # the form again, with the file's error
    assert "压缩炸弹" in at_registration.content.decode()
    assert _counts() == before
    assert blobs(files_dir) == []


def test_a_damaged_jpeg_is_refused_not_a_server_error(
    world: World, number: str, files_dir: Path
) -> None:
    """A file that starts like a JPEG and is nothing else."""
    before = _counts()
    r = _api_upload(world, number, "收据.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"x" * 200)
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "file_unreadable"
    assert _counts() == before and blobs(files_dir) == []


# -- polyglots and active PDFs ----------------------------------------------------------------


SURFACES = ["api", "desk", "registration"]


@pytest.mark.parametrize("surface", SURFACES)
def test_a_png_html_polyglot_is_served_without_its_html(
    world: World, desk: Any, number: str, surface: str
) -> None:
    polyglot, picture = attacks.png_html_polyglot()

    attachment = _stored_through(surface, world, desk, number, "截图.png", polyglot)
    r = _served(surface, world, desk, attachment)

    assert r.status_code == 200
    assert b"<script" not in r.content and b"<html" not in r.content
    assert r["Content-Type"] == "image/png"
    assert r["Content-Disposition"].startswith("attachment;")
    shown = Image.open(io.BytesIO(r.content))
    assert shown.format == "PNG" and shown.size == picture.size
    assert shown.convert("RGB").tobytes() == picture.tobytes()
    assert sha(r.content) == attachment.rendition_sha256 != attachment.sha256
    # The evidence itself is kept as it came, HTML and all.
    assert _kept(attachment) == polyglot


@pytest.mark.parametrize("surface", SURFACES)
def test_a_pdf_with_openaction_javascript_is_served_without_it(
    world: World, desk: Any, number: str, surface: str
) -> None:
    hostile = attacks.pdf_with_openaction_javascript()
    assert {"/OpenAction", "/JS", "/AA", "/Launch", "/URI", "/EF"} <= attacks.active_content(
        hostile
    )

    attachment = _stored_through(surface, world, desk, number, "来信.pdf", hostile)
    r = _served(surface, world, desk, attachment)

    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert attacks.active_content(r.content) == set()
    assert attacks.MARK not in r.content
    assert len(PdfReader(io.BytesIO(r.content)).pages) == 1
    assert _kept(attachment) == hostile


def test_the_api_says_what_it_keeps_and_what_it_serves(world: World, number: str) -> None:
    polyglot, _picture = attacks.png_html_polyglot()
    body = _api_upload(world, number, "截图.png", polyglot).json()
    served = _api_get(world, "clerk", number, body["sha256"]).content
    assert body["sha256"] == sha(polyglot) and body["size"] == len(polyglot)
    assert (body["served_sha256"], body["served_size"]) == (sha(served), len(served))
    event = Event.objects.filter(case__number=number, type="file_attached").get()
    assert event.data == {
        "sha256": sha(polyglot),
        "size": len(polyglot),
        "content_type": "image/png",
        "rendition_sha256": sha(served),
        "rendition_size": len(served),
    }


# -- the original ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["supervisor", "leader", "auditor"])
def test_the_original_stays_byte_exact_for_those_who_may_have_it(
    world: World, number: str, persona: str
) -> None:
    hostile = attacks.pdf_with_openaction_javascript()
    digest = _api_upload(world, number, "来信.pdf", hostile).json()["sha256"]
    seq = Case.objects.get(number=number).last_seq

    r = _api_get(world, persona, number, f"{digest}/original")

    assert r.status_code == 200, r.content
    assert r.content == hostile
    assert r["Content-Type"] == "application/octet-stream"
    assert r["Content-Disposition"].startswith("attachment;")
    assert r["Content-Security-Policy"] == "sandbox"
    assert r["X-Content-Type-Options"] == "nosniff"
    case = Case.objects.get(number=number)
    event = Event.objects.get(case=case, seq=seq + 1)
    assert (event.type, event.actor_id) == (services.ORIGINAL_OPENED, world.users[persona].pk)
    assert event.data == {"sha256": digest, "surface": "api"}
    assert case.last_seq == seq + 1 and case.last_hash == event.hash
    download = Download.objects.get(attachment__sha256=digest, user=world.users[persona])
    assert download.original and download.surface == "api"
    assert verify(world.org).ok


def test_the_original_through_the_desk_is_a_logged_download(
    world: World, desk: Any, number: str
) -> None:
    polyglot, _picture = attacks.png_html_polyglot()
    attachment = _stored_through("desk", world, desk, number, "截图.png", polyglot)
    files = f"cases/{number}/files/{attachment.sha256}"

    page = desk("auditor").get(f"cases/{number}/").content.decode()
    r = desk("auditor").get(f"{files}/original/")

    assert f"/{files}/original/" in page
    assert r.status_code == 200 and r.content == polyglot
    assert r["Content-Type"] == "application/octet-stream"
    assert r["Content-Disposition"].startswith("attachment;")
    history = desk("auditor").get(f"cases/{number}/").content.decode()
    assert "下载原始文件" in history
    assert f"/{files}/original/" not in desk("clerk").get(f"cases/{number}/").content.decode()


@pytest.mark.parametrize("persona", ["clerk", "dispatcher"])
def test_staff_without_an_oversight_role_cannot_have_the_original(
    world: World, desk: Any, number: str, persona: str
) -> None:
    hostile = attacks.pdf_with_openaction_javascript()
    digest = _api_upload(world, number, "来信.pdf", hostile).json()["sha256"]
    before = Event.objects.count()

    api = _api_get(world, persona, number, f"{digest}/original")
    page = desk(persona).get(f"cases/{number}/files/{digest}/original/")

    assert api.status_code == 403 and api.json()["code"] == "file_original_forbidden"
    assert "督办员" in api.json()["message"]["zh"] and "auditor" in api.json()["message"]["en"]
    assert page.status_code == 403 and attacks.MARK not in page.content
    assert Event.objects.count() == before
    assert not Download.objects.filter(original=True).exists()


def test_the_original_of_an_identifying_file_needs_the_identity_too(
    world: World, number: str
) -> None:
    clerk = world.api("clerk")
    data = attacks.pdf_with_openaction_javascript()
    r = clerk.client.post(
        f"/api/v1/orgs/{clerk.org}/cases/{number}/files",
        {"file": upload("来信原件.pdf", data), "identifying": "true"},
        headers=clerk._h(),
    )
    assert r.status_code == 201, r.content
    r = _api_get(world, "auditor", number, f"{sha(data)}/original")
    assert r.status_code == 403 and r.json()["code"] == "file_restricted"


# -- the portal: only the rendition is kept ----------------------------------------------------


def _portal_submit(data: bytes, name: str) -> Any:
    return Client().post(
        "/o/acme/new/",
        {
            "kind": "report",
            "category": "",
            "content": "超市电子秤缺斤短两，每次少计约两百克，附现场材料。",
            "demands": "依法查处",
            "subject_name": "某超市",
            "anonymous": "on",
            "attachments": SimpleUploadedFile(name, data, "application/pdf"),
        },
        follow=True,
    )


def test_a_pdf_with_openaction_javascript_through_the_portal_is_kept_without_it(
    world: World,
) -> None:
    r = _portal_submit(attacks.pdf_with_openaction_javascript(), "证据.pdf")
    assert r.status_code == 200, r.content.decode()[:2000]
    attachment = Attachment.objects.get(source="portal")
    kept = _kept(attachment)
    assert attacks.active_content(kept) == set()
    assert attacks.MARK not in kept
    assert attachment.rendition_blob == ""  # the reporter's original is never kept


def test_a_decompression_bomb_through_the_portal_is_refused(world: World, files_dir: Path) -> None:
    before = _counts()
    r = _portal_submit(attacks.png_bomb(), "炸弹.png")
    assert r.status_code == 422
    assert "压缩炸弹" in r.content.decode()
    assert _counts() == before and blobs(files_dir) == []


def test_a_portal_file_has_no_original_to_download(world: World) -> None:
    polyglot, _picture = attacks.png_html_polyglot()
    r = _portal_submit(polyglot, "现场.png")
    assert r.status_code == 200
    attachment = Attachment.objects.get(source="portal")
    assert b"<script" not in _kept(attachment)
    with pytest.raises(TousuError) as refused:
        services.open_original(
            attachment.case, attachment.sha256, actor=world.actor("auditor"), surface="api"
        )
    assert refused.value.code == "file_original_not_kept" and refused.value.status == 404


# -- the record ------------------------------------------------------------------------------


def test_verify_rehashes_the_original_and_the_rendition(world: World, number: str) -> None:
    polyglot, _picture = attacks.png_html_polyglot()
    _api_upload(world, number, "截图.png", polyglot)
    attachment = Attachment.objects.get(sha256=sha(polyglot))

    assert verify(world.org).files == 2 and verify(world.org).ok

    path = storage.path_of(attachment.rendition_blob)
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 0x01
    path.write_bytes(bytes(raw))
    report = verify(world.org)
    assert [(b.file, b.problem) for b in report.breaks] == [(attachment.sha256, "file_changed")]
    assert "rendition" in report.breaks[0].message


def test_sweeping_never_removes_a_rendition(world: World, number: str, files_dir: Path) -> None:
    polyglot, _picture = attacks.png_html_polyglot()
    _api_upload(world, number, "截图.png", polyglot)
    assert len(blobs(files_dir)) == 2
    assert storage.sweep(older_than_seconds=-60, delete=True) == []
    assert len(blobs(files_dir)) == 2


def test_a_file_stored_before_renditions_is_served_made_safe(world: World, number: str) -> None:
    """A staff file kept only as uploaded (no rendition yet) is rendered when served."""
    polyglot, picture = attacks.png_html_polyglot()
    case = Case.objects.get(number=number)
    key = case_key(case)
    assert key is not None
    blob = storage.write(storage.seal_bytes(key, polyglot, case_id=case.pk, sha256=sha(polyglot)))
    Attachment.objects.create(
        case=case, sha256=sha(polyglot), size=len(polyglot), content_type="image/png",
        filename="旧截图.png", blob=blob, uploaded_by=world.users["clerk"],
        uploaded_at=timezone.now(), event=Event.objects.filter(case=case).earliest("seq"),
    )  # fmt: skip

    r = _api_get(world, "clerk", number, sha(polyglot))

    assert r.status_code == 200
    assert b"<script" not in r.content
    assert Image.open(io.BytesIO(r.content)).size == picture.size
    assert _api_get(world, "auditor", number, f"{sha(polyglot)}/original").content == polyglot

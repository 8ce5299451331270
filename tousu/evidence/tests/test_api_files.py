"""Attachments through the REST API: multipart upload, download, and who may do which."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from tousu.cases.models import Case, Event
from tousu.conftest import Api, World
from tousu.evidence.models import Attachment
from tousu.evidence.tests.samples import EXE, HTML, JPEG, PDF, blobs, served, upload


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _send(api: Api, number: str, *files: Any, headers: dict[str, str] | None = None) -> Any:
    data = {"file": files[0]} if len(files) == 1 else {}
    return api.client.post(
        f"/api/v1/orgs/{api.org}/cases/{number}/files", data, headers=headers or api._h()
    )


def _fetch(api: Api, number: str, digest: str) -> Any:
    return api.client.get(f"/api/v1/orgs/{api.org}/cases/{number}/files/{digest}", headers=api._h())


def _counts() -> tuple[int, int]:
    return Attachment.objects.count(), Event.objects.count()


@pytest.fixture
def number(world: World) -> str:
    return str(world.api("clerk").register(channel="letter").json()["number"])


def test_upload_and_download_with_a_token(world: World, number: str, files_dir: Path) -> None:
    clerk = world.api("clerk")

    r = _send(clerk, number, upload("收据.jpg", JPEG, "application/octet-stream"))

    assert r.status_code == 201, r.content
    body = r.json()
    assert {
        k: body[k] for k in ("sha256", "size", "content_type", "already_attached", "identifying")
    } == {
        "sha256": sha(JPEG),
        "size": len(JPEG),
        "content_type": "image/jpeg",
        "already_attached": False,
        "identifying": False,
    }
    assert "收据.jpg" in body["message"]["zh"]
    event = Event.objects.filter(case__number=number).order_by("-seq").first()
    assert event is not None and event.type == "file_attached"
    assert event.data == {
        "sha256": sha(JPEG),
        "size": len(JPEG),
        "content_type": "image/jpeg",
        "rendition_sha256": sha(served(JPEG)),
        "rendition_size": len(served(JPEG)),
    }

    again = _send(clerk, number, upload("copy.jpg", JPEG))
    assert again.status_code == 200
    assert again.json()["already_attached"] is True
    assert "not stored twice" in again.json()["message"]["en"]
    assert Attachment.objects.filter(case__number=number).count() == 1
    assert len(blobs(files_dir)) == 2  # the original and its rendition

    r = _fetch(clerk, number, sha(JPEG))
    assert r.status_code == 200
    assert r.content == served(JPEG)
    assert r["Content-Type"] == "image/jpeg"
    assert "filename*=UTF-8''%E6%94%B6%E6%8D%AE.jpg" in r["Content-Disposition"]
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Security-Policy"] == "sandbox"


def test_a_large_file_goes_through_the_api(world: World, number: str, settings: Any) -> None:
    big = PDF + b"%" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 300_000)
    clerk = world.api("clerk")
    assert _send(clerk, number, upload("big.pdf", big)).status_code == 201
    assert _fetch(clerk, number, sha(big)).content == served(big)


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("invoice.pdf", EXE, 415, "file_type_not_allowed"),
        ("letter.pdf", HTML, 415, "file_type_not_allowed"),
        ("empty.pdf", b"", 422, "file_empty"),
        ("big.pdf", PDF + b"0" * 5000, 413, "file_too_large"),
    ],
)
def test_a_refused_file_is_a_4xx_in_both_languages_and_stores_nothing(
    world: World, number: str, files_dir: Path, settings: Any, name: str, data: bytes,
    status: int, code: str,
) -> None:  # fmt: skip
    settings.TOUSU_MAX_UPLOAD_BYTES = 4096
    before = _counts()

    r = _send(world.api("clerk"), number, upload(name, data))

    assert r.status_code == status, r.content
    body = r.json()
    assert body["code"] == code
    assert name in body["message"]["zh"] and name in body["message"]["en"]
    assert body["details"]["file"] == name
    if code == "file_too_large":
        assert body["details"]["limit"] == 4096
        assert "4096" in body["message"]["zh"] and "4 KiB (4096 bytes)" in body["message"]["en"]
    if code == "file_type_not_allowed":
        assert "PDF, JPEG, PNG" in body["message"]["en"]
    assert _counts() == before
    assert blobs(files_dir) == []


def test_a_body_far_beyond_the_limit_is_refused_before_it_is_read(
    world: World, number: str, settings: Any
) -> None:
    settings.TOUSU_MAX_UPLOAD_BYTES = 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    before = _counts()
    r = _send(world.api("clerk"), number, upload("huge.pdf", PDF + b"0" * 5000))
    assert r.status_code == 413
    assert r.json()["code"] == "file_too_large" and r.json()["details"]["limit"] == 1024
    assert _counts() == before


def test_a_request_without_a_file_is_refused(world: World, number: str) -> None:
    r = world.api("clerk").client.post(
        f"/api/v1/orgs/acme/cases/{number}/files", {"note": "x"}, headers=world.api("clerk")._h()
    )
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_request"


def test_who_may_upload_and_download_through_the_api(world: World, number: str) -> None:
    clerk = world.api("clerk")
    assert _send(clerk, number, upload("来信.pdf", PDF)).status_code == 201
    before = _counts()

    # Another organisation and another department: 404, before the body is looked at.
    for persona in ("outsider", "handler2"):
        api = world.api(persona)
        r = _send(api, number, upload("x.pdf", EXE))
        assert (r.status_code, r.json()["code"]) == (404, "not_found"), persona
        assert _fetch(api, number, sha(PDF)).status_code == 404, persona
    # The auditor reads (without the name), and may not write: 403, even for a bad file.
    auditor = world.api("auditor")
    r = _send(auditor, number, upload("x.pdf", EXE))
    assert (r.status_code, r.json()["code"]) == (403, "action_forbidden")
    r = _fetch(auditor, number, sha(PDF))
    assert r.status_code == 200 and r.content == served(PDF)
    assert "%E6%9D%A5" not in r["Content-Disposition"]
    # No token, or a bad one: 401.
    r = _send(clerk, number, upload("x.pdf", PDF), headers={"authorization": "Bearer tsu_nope"})
    assert r.status_code == 401
    assert clerk.client.get(f"/api/v1/orgs/acme/cases/{number}/files/{sha(PDF)}").status_code == 401
    # Unknown file, malformed hash: 404.
    assert _fetch(clerk, number, "0" * 64).status_code == 404
    assert _fetch(clerk, number, "nothex").status_code == 404
    assert _counts() == before


def test_a_closed_case_refuses_a_file_with_409(world: World, number: str) -> None:
    Case.objects.filter(org=world.org, number=number).update(status="closed")
    r = _send(world.api("clerk"), number, upload("late.pdf", PDF))
    assert r.status_code == 409
    assert r.json()["details"] == {"action": "attach", "status": "closed"}


def test_an_original_marked_identifying_opens_only_with_the_identity(
    world: World, number: str
) -> None:
    """The scanned letter is marked on upload; the auditor (who may not see the complainant)
    is refused it with 403 in both languages, the clerk handling it opens it."""
    clerk = world.api("clerk")
    r = clerk.client.post(
        f"/api/v1/orgs/{clerk.org}/cases/{number}/files",
        {"file": upload("来信原件.pdf", PDF), "identifying": "true"},
        headers=clerk._h(),
    )
    assert r.status_code == 201, r.content
    assert r.json()["identifying"] is True
    r = _fetch(world.api("auditor"), number, sha(PDF))
    assert r.status_code == 403
    assert r.json()["code"] == "file_restricted"
    assert "identity" in r.json()["message"]["en"] and "身份" in r.json()["message"]["zh"]
    assert _fetch(clerk, number, sha(PDF)).status_code == 200

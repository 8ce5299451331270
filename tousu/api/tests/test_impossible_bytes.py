"""NUL, bytes that are not UTF-8 and lone surrogates, wherever a request can carry them:
a 4xx with the reason in Chinese and English, never a 500 (PostgreSQL refuses NUL in text),
and nothing written. Runs on SQLite and on PostgreSQL (the CI's second run).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tousu.cases.models import Case, CaseRecord, Event, Party
from tousu.conftest import World


def _counts() -> tuple[int, int, int, int]:
    return (
        Case.objects.count(),
        Event.objects.count(),
        Party.objects.count(),
        CaseRecord.objects.count(),
    )


def _client() -> Client:
    return Client(raise_request_exception=False)


def _desk(world: World, persona: str = "dispatcher") -> Client:
    client = _client()
    client.force_login(world.users[persona])
    return client


def _bearer(world: World, persona: str = "dispatcher") -> dict[str, str]:
    return {"authorization": f"Bearer {world.api(persona).token}"}


def _api_refusal(r: Any, where: str) -> None:
    assert r.status_code == 400, (r.status_code, r.content[:300])
    body = json.loads(r.content)
    assert body["code"] == "invalid_characters", body
    assert "NUL" in body["message"]["zh"] and "NUL" in body["message"]["en"]
    assert body["details"] == {"where": where}


def _page_refusal(r: Any) -> None:
    assert r.status_code == 400, (r.status_code, r.content[:300])
    text = r.content.decode()
    assert "无法处理的字符" in text and "cannot be processed" in text


BAD_SEGMENTS = ["%00", "TS-2026-%00", "%FF", "%C3%28", "%ED%A0%80", "%F4%90%80%80"]
BAD_IDS = ["nul", "nul-inside", "byte-ff", "bad-continuation", "utf8-surrogate", "beyond-unicode"]


@pytest.mark.parametrize("segment", BAD_SEGMENTS, ids=BAD_IDS)
def test_a_nul_or_broken_byte_in_an_api_path_is_refused_not_a_server_error(
    world: World, segment: str
) -> None:
    for path in (
        f"/api/v1/orgs/acme/cases/{segment}",
        f"/api/v1/orgs/acme/cases/{segment}/identity-access",
        f"/api/v1/orgs/{segment}/cases",
    ):
        _api_refusal(_client().get(path, headers=_bearer(world)), "path")


@pytest.mark.parametrize("segment", BAD_SEGMENTS, ids=BAD_IDS)
def test_a_nul_or_broken_byte_in_a_desk_or_portal_path_is_refused_not_a_server_error(
    world: World, segment: str
) -> None:
    desk = _desk(world)
    for path in (
        f"/desk/acme/cases/{segment}/",
        f"/desk/acme/people/{segment}/",
        f"/desk/acme/cases/{segment}/documents/",
        f"/o/acme/{segment}/",
    ):
        _page_refusal(desk.get(path))


@pytest.mark.parametrize(
    "query",
    ["c_phone=%00", "c_phone=139%0012", "c_name=%FF", "c_name=%ED%A0%80", "%00=1", "q=a+%C3"],
    ids=["nul", "nul-inside", "byte-ff", "utf8-surrogate", "nul-name", "truncated-sequence"],
)
def test_a_nul_or_broken_byte_in_a_desk_lookup_query_is_refused(world: World, query: str) -> None:
    _page_refusal(_desk(world, "clerk").get(f"/desk/acme/lookup/?{query}"))


@pytest.mark.parametrize("query", ["status=%00", "category=%FF", "kind=a%00b"])
def test_a_nul_or_broken_byte_in_an_api_query_is_refused(world: World, query: str) -> None:
    r = _client().get(f"/api/v1/orgs/acme/cases?{query}", headers=_bearer(world))
    _api_refusal(r, "query")


def test_a_nul_or_broken_byte_in_a_header_is_refused(world: World) -> None:
    client = _client()
    token = world.api("dispatcher").token
    # WSGI hands header bytes over as latin-1 characters: "\xff" is the byte 0xFF.
    for headers in (
        {"authorization": f"Bearer {token}\x00"},
        {"authorization": f"Bearer {token}", "x-request-id": "a\xffb"},
        {"authorization": f"Bearer {token}", "user-agent": "agent\x00"},
    ):
        _api_refusal(client.get("/api/v1/orgs/acme/cases", headers=headers), "header")
    _page_refusal(_desk(world).get("/desk/acme/", headers={"referer": "http://x/\x00"}))


def test_the_same_requests_without_the_bad_bytes_are_answered_as_usual(world: World) -> None:
    """Control: the refusals above come from the bytes, not from the paths or the persona."""
    number = world.api("clerk").register().json()["number"]
    assert (
        _client().get(f"/api/v1/orgs/acme/cases/{number}", headers=_bearer(world)).status_code
        == 200
    )
    assert (
        _client()
        .get("/api/v1/orgs/acme/cases?status=registered", headers=_bearer(world))
        .status_code
        == 200
    )
    assert _desk(world).get(f"/desk/acme/cases/{number}/").status_code == 200
    assert _desk(world, "clerk").get("/desk/acme/lookup/?c_phone=13912345678").status_code == 200
    # Chinese, percent-encoded as UTF-8, is of course fine
    assert _desk(world, "clerk").get("/desk/acme/lookup/?c_name=%E7%8E%8B").status_code == 200


def test_a_nul_in_a_desk_form_field_is_refused_and_nothing_is_registered(world: World) -> None:
    desk = _desk(world, "clerk")
    before = _counts()
    form = {
        "kind": "complaint",
        "channel": "phone",
        "category": "fees",
        "c_name": "王\x00建国",
        "c_phone": "13912345678",
        "content": "CT检查被重复收费两次。",
    }
    _page_refusal(desk.post("/desk/acme/new/", form))  # multipart, as the test client posts
    raw = "kind=complaint&channel=phone&category=fees&content=%E9%87%8D%E5%A4%8D%00"
    r = desk.post("/desk/acme/new/", raw, content_type="application/x-www-form-urlencoded")
    _page_refusal(r)
    r = desk.post(
        "/desk/acme/new/",
        "kind=complaint&channel=phone&content=%FF%FE",
        content_type="application/x-www-form-urlencoded",
    )
    _page_refusal(r)
    assert _counts() == before


def test_a_broken_byte_in_a_multipart_desk_field_is_not_a_server_error(world: World) -> None:
    """Django decodes multipart fields with errors="replace": the bytes arrive as U+FFFD,
    which every database stores, and the case is registered with them."""
    desk = _desk(world, "clerk")
    before = _counts()
    boundary = "XyZ"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="kind"\r\n\r\ncomplaint\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="channel"\r\n\r\nphone\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="content"\r\n\r\n'
        ).encode()
        + b"\xff\xfe\xfa\r\n"
        + f"--{boundary}--\r\n".encode()
    )
    r = desk.post("/desk/acme/new/", body, content_type=f"multipart/form-data; boundary={boundary}")
    assert r.status_code == 302, r.content[:500]
    assert Case.objects.get().content == "\ufffd\ufffd\ufffd"
    assert _counts() != before


def test_a_nul_in_a_multipart_desk_field_is_refused_at_the_edge(world: World) -> None:
    desk = _desk(world, "clerk")
    before = _counts()
    r = desk.post("/desk/acme/new/", {"kind": "complaint", "content": "重复\x00收费"})
    _page_refusal(r)
    assert _counts() == before


JSON_CASES = [
    ("lone-surrogate-content", '"content": "重复收费\\ud800两次"', "content"),
    ("lone-low-surrogate", '"content": "\\udfff"', "content"),
    ("surrogate-in-nested-name", '"complainant": {"name": "王\\udbff"}', "complainant.name"),
    ("nul-in-nested-field-key", '"fields": {"a\\u0000b": "1"}', "fields.a\x00b"),
    ("nul-in-field-value", '"fields": {"note": ["ok", "x\\u0000"]}', "fields.note.1"),
    ("nul-in-unknown-key", '"\\u0000": 1', "\x00"),
]


@pytest.mark.parametrize(
    ("member", "field"), [c[1:] for c in JSON_CASES], ids=[c[0] for c in JSON_CASES]
)
def test_a_lone_surrogate_or_nul_anywhere_in_json_is_refused_with_its_field(
    world: World, member: str, field: str
) -> None:
    base = '"kind": "complaint", "channel": "phone", "category": "fees", "content": "重复收费"'
    raw = "{" + base + ", " + member + "}"
    before = _counts()
    r = _client().post(
        "/api/v1/orgs/acme/cases",
        raw,
        content_type="application/json",
        headers=_bearer(world, "clerk"),
    )
    assert r.status_code == 422, (r.status_code, r.content[:300])
    body = json.loads(r.content)
    assert body["code"] == "invalid_request"
    assert body["message"]["zh"] and body["message"]["en"]
    [detail] = body["details"]
    assert detail["field"] == field and detail["type"] == "impossible_text"
    assert "NUL" in detail["zh"] and "NUL" in detail["en"]
    assert _counts() == before


def test_a_lone_surrogate_in_an_action_body_is_refused_and_the_case_is_unchanged(
    world: World,
) -> None:
    number = world.api("clerk").register().json()["number"]
    case = Case.objects.get(number=number)
    r = _client().post(
        f"/api/v1/orgs/acme/cases/{number}/actions/record",
        '{"kind": "note", "body": "电话记录\\ud83d"}',
        content_type="application/json",
        headers=_bearer(world),
    )
    assert r.status_code == 422, r.content
    assert json.loads(r.content)["details"][0]["field"] == "body"
    assert Case.objects.get(pk=case.pk).last_seq == case.last_seq


def test_nan_and_infinity_are_not_json(world: World) -> None:
    number = world.api("clerk").register().json()["number"]
    world.api("dispatcher").act(number, "accept")
    world.api("dispatcher").act(number, "assign", {"lead_department": "finance"})
    for constant in ("NaN", "Infinity", "-Infinity"):
        r = _client().post(
            f"/api/v1/orgs/acme/cases/{number}/actions/request_extension",
            '{"stage": "reply", "amount": ' + constant + ', "reason": "x"}',
            content_type="application/json",
            headers=_bearer(world, "handler"),
        )
        assert r.status_code == 400, r.content
        assert json.loads(r.content)["code"] == "malformed_json"


def test_a_nul_in_an_api_form_field_or_file_name_is_not_a_server_error(world: World) -> None:
    number = world.api("clerk").register().json()["number"]
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
        b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
        b"\x00\x00\x00IEND\xaeB`\x82"
    )
    url = f"/api/v1/orgs/acme/cases/{number}/files"
    before = _counts()
    r = _client().post(
        url,
        {"file": SimpleUploadedFile("a.png", png, "image/png"), "identifying": "fal\x00se"},
        headers=_bearer(world),
    )
    assert r.status_code == 422, (r.status_code, r.content[:300])
    assert json.loads(r.content)["details"][0]["field"] == "identifying"
    assert _counts() == before
    # A NUL in the file's name: Django keeps only its printable characters.
    r = _client().post(
        url, {"file": SimpleUploadedFile("sc\x00an.png", png, "image/png")}, headers=_bearer(world)
    )
    assert r.status_code < 500, (r.status_code, r.content[:300])


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=",
    ],
    ids=["no-boundary", "empty-boundary"],
)
def test_a_malformed_multipart_upload_is_refused_with_json(world: World, content_type: str) -> None:
    number = world.api("clerk").register().json()["number"]
    before = _counts()
    r = _client().post(
        f"/api/v1/orgs/acme/cases/{number}/files",
        b'--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc\r\n--x--\r\n',
        content_type=content_type,
        headers=_bearer(world),
    )
    assert r.status_code == 400, (r.status_code, r.content[:300])
    body = json.loads(r.content)
    assert body["code"] == "malformed_multipart"
    assert body["message"]["zh"] and body["message"]["en"]
    assert _counts() == before


def _multipart_with_file_name(name: bytes, extra: bytes = b"") -> tuple[bytes, str]:
    boundary = "QwErTy"
    body = (
        extra
        + f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="file"; filename="'
        + name
        + b'"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n%%EOF\n\r\n'
        + f"--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_an_upload_whose_file_name_is_not_utf8_is_refused_and_nothing_is_stored(
    world: World,
) -> None:
    """Django drops a part whose headers are not UTF-8: the API answers that the file is
    missing (422), and nothing is stored."""
    number = world.api("clerk").register().json()["number"]
    before = _counts()
    body, content_type = _multipart_with_file_name(b"scan\xff\xfe.pdf")
    r = _client().post(
        f"/api/v1/orgs/acme/cases/{number}/files",
        body,
        content_type=content_type,
        headers=_bearer(world),
    )
    assert r.status_code == 422, (r.status_code, r.content[:300])
    [detail] = json.loads(r.content)["details"]
    assert (detail["field"], detail["type"]) == ("file", "missing")
    assert _counts() == before

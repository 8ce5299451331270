"""The API takes what its OpenAPI schema says and nothing looser: a boolean is true or
false, a number a number, a date-time an RFC 3339 date-time with its offset; and a moment
is plausible (not before the records floor, not after now).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from tousu.cases.models import Case, Event
from tousu.conftest import Api, World


def _api(world: World, persona: str) -> Api:
    return Api(Client(raise_request_exception=False), world.api(persona).token)


def _refused(r: Any, field: str, code: str = "invalid_request") -> dict[str, Any]:
    assert r.status_code == 422, (r.status_code, r.content[:400])
    body: dict[str, Any] = json.loads(r.content)
    assert body["code"] == code, body
    assert body["message"]["zh"] and body["message"]["en"]
    detail: dict[str, Any] = next(d for d in body["details"] if d["field"] == field)
    assert detail["zh"] and detail["en"], detail
    return detail


def _in_progress(world: World) -> str:
    number: str = world.api("clerk").register().json()["number"]
    dispatcher = world.api("dispatcher")
    assert dispatcher.act(number, "accept").status_code == 200
    assert dispatcher.act(number, "assign", {"lead_department": "finance"}).status_code == 200
    return number


def _events(number: str) -> int:
    return Event.objects.filter(case__number=number).count()


@pytest.mark.parametrize("major", [0, 1, "true", "yes", "", None, [True]])
def test_a_number_or_a_word_for_the_major_flag_is_refused(world: World, major: Any) -> None:
    """schemathesis: {"major": 0} was taken for false."""
    number = _in_progress(world)
    before = _events(number)
    r = _api(world, "handler").act(number, "escalate", {"major": major, "reason": "涉及多名患者"})
    detail = _refused(r, "major")
    assert detail["type"] == "bool_type"
    assert "布尔" in detail["zh"]
    assert _events(number) == before
    assert Case.objects.get(number=number).complexity != "major"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"complainant": {"anonymous": 0}}, "complainant.anonymous"),
        (
            {"complainant": {"name": "王", "consent_share_identity": "true"}},
            "complainant.consent_share_identity",
        ),
        ({"content": 12345}, "content"),
        ({"fields": ["a"]}, "fields"),
        ({"complainant": {"name": 7}}, "complainant.name"),
    ],
    ids=[
        "int-for-bool",
        "string-for-bool",
        "number-for-text",
        "list-for-object",
        "number-for-name",
    ],
)
def test_loose_types_in_a_registration_are_refused(
    world: World, body: dict[str, Any], field: str
) -> None:
    before = Case.objects.count()
    _refused(_api(world, "clerk").register(**body), field)
    assert Case.objects.count() == before


@pytest.mark.parametrize("amount", ["5", 5.0, True, "five"])
def test_a_string_float_or_boolean_for_a_count_of_days_is_refused(
    world: World, amount: Any
) -> None:
    number = _in_progress(world)
    before = _events(number)
    r = _api(world, "handler").act(
        number, "request_extension", {"stage": "reply", "amount": amount, "reason": "需鉴定"}
    )
    _refused(r, "amount")
    assert _events(number) == before


@pytest.mark.parametrize(
    "notified_at",
    [
        "0001-01-01",
        "2026-11-30",
        "0001-01-01T00:00:00+00:00",
        "1989-12-31T23:59:59Z",
        "2026-11-30T10:00:00",
        "2026-11-30 10:00:00+08:00",
        1764468000,
        True,
    ],
    ids=[
        "year-one-date",
        "bare-date",
        "year-one",
        "before-1990",
        "naive",
        "space",
        "epoch",
        "bool",
    ],
)
def test_an_impossible_or_loose_notified_at_is_refused(world: World, notified_at: Any) -> None:
    """schemathesis: notified_at "0001-01-01" was stored as a date."""
    number = _in_progress(world)
    before = _events(number)
    r = _api(world, "handler").act(
        number, "notify_authority", {"authority": "区卫生健康委", "notified_at": notified_at}
    )
    _refused(r, "notified_at")
    assert _events(number) == before


def test_a_notified_at_in_the_future_is_refused(world: World) -> None:
    number = _in_progress(world)
    before = _events(number)
    ahead = (timezone.now() + timedelta(hours=1)).isoformat()
    r = _api(world, "handler").act(
        number, "notify_authority", {"authority": "区卫生健康委", "notified_at": ahead}
    )
    _refused(r, "notified_at", code="invalid_value")
    assert _events(number) == before


def test_a_plausible_notified_at_is_stored_as_given(world: World) -> None:
    """Control for the refusals above."""
    number = _in_progress(world)
    r = _api(world, "handler").act(
        number,
        "notify_authority",
        {"authority": "区卫生健康委", "notified_at": "2026-11-30T10:00:00+08:00"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["timeline"][-1]["data"]["notified_at"] == "2026-11-30T10:00:00+08:00"
    r = _api(world, "handler").act(
        number, "escalate", {"to_role": "leader", "major": True, "reason": "涉及多名患者"}
    )
    assert r.status_code == 200 and r.json()["complexity"] == "major"


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        (
            "record",
            {"kind": "note", "body": "x", "occurred_at": "1970-01-01T00:00:00Z"},
            "occurred_at",
        ),
        ("request_review", {"reason": "x", "requested_at": "0001-01-01T00:00:00Z"}, "requested_at"),
    ],
)
def test_moments_before_the_records_floor_are_refused_on_every_action(
    world: World, action: str, body: dict[str, Any], field: str
) -> None:
    number = _in_progress(world)
    before = _events(number)
    persona = "handler" if action == "record" else "clerk"
    detail = _refused(_api(world, persona).act(number, action, body), field)
    assert "1990-01-01" in detail["zh"] and "1990-01-01" in detail["en"]
    assert _events(number) == before


def test_a_record_dated_in_the_future_is_refused(world: World) -> None:
    number = _in_progress(world)
    ahead = (timezone.now() + timedelta(days=2)).isoformat()
    r = _api(world, "handler").act(
        number, "record", {"kind": "meeting", "body": "约谈", "occurred_at": ahead}
    )
    _refused(r, "occurred_at", code="invalid_value")


@override_settings(TOUSU_RECORDS_FLOOR=date(2026, 1, 1))
def test_the_records_floor_is_the_setting(world: World) -> None:
    clerk = _api(world, "clerk")
    detail = _refused(clerk.register(received_at="2025-12-31T09:00:00+08:00"), "received_at")
    assert "2026-01-01" in detail["en"]
    assert clerk.register(received_at="2026-01-02T09:00:00+08:00").status_code == 201


def test_a_customer_deadline_a_century_ahead_is_refused(world: World) -> None:
    before = Case.objects.count()
    r = _api(world, "clerk").register(customer_deadline="2150-01-01T17:00:00+08:00")
    _refused(r, "customer_deadline")
    assert Case.objects.count() == before


def test_the_openapi_schema_still_says_date_time_and_boolean() -> None:
    """The strict parsers keep the documented schema the fuzzer reads."""
    schema = Client().get("/api/v1/openapi.json").json()
    notify = schema["components"]["schemas"]["NotifyAuthorityIn"]["properties"]
    assert {"type": "string", "format": "date-time"} in notify["notified_at"]["anyOf"]
    escalate = schema["components"]["schemas"]["EscalateIn"]["properties"]
    assert escalate["major"]["type"] == "boolean"


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("flag", ["0", "1", "yes", "on", "True", ""])
def test_a_number_or_a_word_for_the_identifying_flag_of_an_upload_is_refused(
    world: World, flag: str
) -> None:
    """schemathesis: identifying=0 in a multipart upload was taken for false."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tousu.evidence.models import Attachment

    number = world.api("clerk").register().json()["number"]
    token = world.api("dispatcher").token
    r = Client(raise_request_exception=False).post(
        f"/api/v1/orgs/acme/cases/{number}/files",
        {"file": SimpleUploadedFile("scan.png", _png(), "image/png"), "identifying": flag},
        headers={"authorization": f"Bearer {token}"},
    )
    _refused(r, "identifying")
    assert not Attachment.objects.filter(case__number=number).exists()


def test_true_and_false_mark_an_upload_identifying_or_not(world: World) -> None:
    """Control for the refusals above."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    number = world.api("clerk").register().json()["number"]
    token = world.api("dispatcher").token
    for flag, name in (("true", "letter.png"), ("false", "receipt.png")):
        import io

        from PIL import Image

        out = io.BytesIO()
        Image.new("RGB", (3, 3) if flag == "true" else (4, 4), "white").save(out, "PNG")
        r = Client().post(
            f"/api/v1/orgs/acme/cases/{number}/files",
            {"file": SimpleUploadedFile(name, out.getvalue(), "image/png"), "identifying": flag},
            headers={"authorization": f"Bearer {token}"},
        )
        assert r.status_code == 201, r.content
        assert r.json()["identifying"] is (flag == "true")


def test_a_download_is_documented_with_the_types_it_serves() -> None:
    """schemathesis: a PNG came back where the schema promised application/octet-stream."""
    schema = Client().get("/api/v1/openapi.json").json()
    path = "/api/v1/orgs/{org}/cases/{number}/files/{sha256}"
    content = schema["paths"][path]["get"]["responses"]["200"]["content"]
    assert {"application/pdf", "image/jpeg", "image/png"} <= set(content)

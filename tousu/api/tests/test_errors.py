"""Bad input through the API: always a 4xx JSON answer with a code and both messages,
never a 500, never a write. And the list endpoint's filters and pagination.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tousu.cases.models import Case, CaseRecord, Event, Party
from tousu.conftest import Api, World

GOOD: dict[str, Any] = {
    "kind": "complaint",
    "channel": "phone",
    "category": "fees",
    "content": "CT检查被重复收费两次，要求退还多收的费用。",
    "complainant": {"anonymous": False, "name": "王建国", "phone": "13912345678"},
    "subject": {"type": "department", "name": "门诊收费处"},
}


def _api(world: World, persona: str) -> Api:
    """An API client that answers a server error with its 500 instead of raising it."""
    api = world.api(persona)
    return Api(Client(raise_request_exception=False), api.token)


def _with(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(json.dumps(GOOD))
    body.update(changes)
    return body


def _counts() -> tuple[int, int, int, int]:
    return (
        Case.objects.count(),
        Event.objects.count(),
        Party.objects.count(),
        CaseRecord.objects.count(),
    )


def _error(r: Any, status: int | None = None, code: str | None = None) -> dict[str, Any]:
    """A 4xx JSON error with a code and a message in Chinese and English."""
    assert r.status_code != 500, r.content[:500]
    assert 400 <= r.status_code < 500, (r.status_code, r.content[:500])
    if status is not None:
        assert r.status_code == status, (r.status_code, r.content[:500])
    assert r["Content-Type"].startswith("application/json"), (r["Content-Type"], r.content[:300])
    body = json.loads(r.content)
    assert isinstance(body, dict)
    assert isinstance(body.get("code"), str) and body["code"]
    assert isinstance(body["message"]["zh"], str) and body["message"]["zh"]
    assert isinstance(body["message"]["en"], str) and body["message"]["en"]
    if code is not None:
        assert body["code"] == code, body
    return body


def _fields(body: dict[str, Any]) -> list[str]:
    return [d["field"] for d in body.get("details") or []]


# --------------------------------------------------------------------------- registration

FUTURE = "future"  # placeholder, replaced at run time with a moment a day ahead

# (id, JSON body or raw text, status, code, field named in the details or None)
REGISTER_CASES: list[tuple[str, Any, int, str, str | None]] = [
    ("wrong-type-kind", _with(kind=5), 422, "invalid_request", "kind"),
    ("wrong-type-content", _with(content=["x"]), 422, "invalid_request", "content"),
    ("wrong-type-complainant", _with(complainant="王建国"), 422, "invalid_request", "complainant"),
    ("wrong-type-anonymous", _with(complainant={"anonymous": "maybe"}), 422, "invalid_request",
     "complainant.anonymous"),
    ("wrong-type-fields", _with(fields="a=1"), 422, "invalid_request", "fields"),
    ("wrong-type-received_at", _with(received_at=True), 422, "invalid_request", "received_at"),
    ("unknown-field", _with(priority="urgent"), 422, "invalid_request", "priority"),
    ("unknown-nested-field", _with(complainant={"name": "王", "nickname": "老王"}), 422,
     "invalid_request", "complainant.nickname"),
    ("naive-received_at", _with(received_at="2026-11-02T09:00:00"), 422, "invalid_request",
     "received_at"),
    ("future-received_at", _with(received_at=FUTURE), 422, "invalid_value", "received_at"),
    ("impossible-date", _with(received_at="2026-02-30T09:00:00+08:00"), 422, "invalid_request",
     "received_at"),
    ("impossible-time", _with(received_at="2026-11-02T25:61:00+08:00"), 422, "invalid_request",
     "received_at"),
    ("unknown-category", _with(category="no_such_category"), 422, "invalid_value", "category"),
    ("unknown-kind", _with(kind="praise"), 422, "invalid_request", "kind"),
    ("unknown-channel", _with(channel="pigeon"), 422, "invalid_request", "channel"),
    ("empty-content", _with(content=""), 422, "invalid_request", "content"),
    ("blank-content", _with(content="   \n\t "), 422, "invalid_request", "content"),
    ("missing-content", {k: v for k, v in GOOD.items() if k != "content"}, 422,
     "invalid_request", "content"),
    ("60000-char-content", _with(content="字" * 60_000), 422, "invalid_request", "content"),
    ("bad-phone", _with(complainant={"name": "王", "phone": "call me<script>"}), 422,
     "invalid_request", "complainant.phone"),
    ("list-instead-of-object", [GOOD], 422, "invalid_request", None),
    ("string-instead-of-object", '"登记"', 422, "invalid_request", None),
    ("null-body", "null", 422, "invalid_request", None),
    ("nul-character-in-content", _with(content="重复收费\u0000两次"), 422, "invalid_request",
     "content"),
    ("nul-character-in-name", _with(complainant={"name": "王\u0000建国"}), 422, "invalid_request",
     "complainant.name"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [c[1:] for c in REGISTER_CASES],
    ids=[c[0] for c in REGISTER_CASES],
)
def test_bad_registration_input_is_refused_with_json_and_writes_nothing(
    world: World, body: Any, status: int, code: str, field: str | None
) -> None:
    clerk = _api(world, "clerk")
    if isinstance(body, dict) and body.get("received_at") == FUTURE:
        body = _with(received_at=(timezone.now() + timedelta(days=1)).isoformat())
    before = _counts()

    r = clerk.post("/cases", raw=body) if isinstance(body, str) else clerk.post("/cases", body)

    error = _error(r, status, code)
    if field is not None:
        assert field in _fields(error), error
    assert _counts() == before


def test_the_good_body_used_above_is_accepted(world: World) -> None:
    """Control: each refusal above comes from its one change, not from the base body."""
    r = _api(world, "clerk").post("/cases", GOOD)
    assert r.status_code == 201, r.content
    # A received_at a minute ahead of the server is clock skew, not the future
    soon = (timezone.now() + timedelta(seconds=60)).isoformat()
    assert _api(world, "clerk").post("/cases", _with(received_at=soon)).status_code == 201


@pytest.mark.parametrize("path", ["/cases", "/cases/{number}/actions/record"])
@pytest.mark.parametrize(
    "raw",
    ['{"kind": "complaint", ', "{'kind': 'complaint'}", "{kind: complaint}", '{"a": 1}}'],
    ids=["truncated", "single-quotes", "bare-words", "trailing-brace"],
)
def test_malformed_json_answers_400_malformed_json(world: World, path: str, raw: str) -> None:
    dispatcher = _api(world, "dispatcher")
    number = world.api("clerk").register().json()["number"]
    before = _counts()

    r = dispatcher.post(path.format(number=number), raw=raw)

    _error(r, 400, "malformed_json")
    assert _counts() == before


@pytest.mark.parametrize(
    "raw",
    [
        b'{"kind": "complaint", "channel": "phone", "content": "\xff\xfe\xfa"}',
        b"\xff\xfe\x00{",
        '{"kind": "complaint", "channel": "phone", "content": "收费"}'.encode("gb18030"),
    ],
    ids=["invalid-bytes-in-a-string", "invalid-bytes-alone", "gb18030-encoded"],
)
def test_a_body_that_is_not_utf8_is_refused_with_json(world: World, raw: bytes) -> None:
    clerk = _api(world, "clerk")
    before = _counts()
    r = clerk.client.post(
        "/api/v1/orgs/acme/cases",
        raw,
        content_type="application/json",
        headers={"authorization": f"Bearer {clerk.token}"},
    )
    _error(r, 400)
    assert _counts() == before


@pytest.mark.parametrize(
    "raw",
    ["[" * 100_000 + "]" * 100_000, '{"kind": "complaint", "complexity": ' + "9" * 5000 + "}"],
    ids=["deeply-nested", "5000-digit-number"],
)
def test_pathological_json_is_refused_not_crashed_on(world: World, raw: str) -> None:
    clerk = _api(world, "clerk")
    before = _counts()
    _error(clerk.post("/cases", raw=raw))
    assert _counts() == before


def test_a_body_larger_than_one_mebibyte_is_refused_with_json(world: World) -> None:
    """DATA_UPLOAD_MAX_MEMORY_SIZE is 1 MiB: the refusal must still be the API's JSON."""
    clerk = _api(world, "clerk")
    before = _counts()
    body = _with(demands="x" * (1024 * 1024 + 1))

    r = clerk.post("/cases", body)

    error = _error(r)
    assert r.status_code in (400, 413), r.status_code
    assert error["code"] != "invalid_request"  # nothing was validated: the body was not read
    assert _counts() == before


def test_a_body_just_under_the_limit_is_read_and_validated(world: World) -> None:
    """Control for the test above: the same request under 1 MiB gets field-level validation."""
    clerk = _api(world, "clerk")
    before = _counts()
    r = clerk.post("/cases", _with(demands="x" * 1_000_000))
    error = _error(r, 422, "invalid_request")
    assert "demands" in _fields(error)
    assert _counts() == before


# --------------------------------------------------------------------------- actions

ACTION_CASES: list[tuple[str, str, Any, int, str, str | None]] = [
    ("record-wrong-type", "record", {"kind": "note", "body": 5}, 422, "invalid_request", None),
    ("record-unknown-kind", "record", {"kind": "gossip", "body": "x"}, 422, "invalid_request",
     "kind"),
    ("record-unknown-field", "record", {"kind": "note", "body": "x", "secret": 1}, 422,
     "invalid_request", "secret"),
    ("record-empty-body", "record", {"kind": "note", "body": ""}, 422, "invalid_request", None),
    ("record-impossible-occurred_at", "record",
     {"kind": "note", "body": "x", "occurred_at": "2026-02-30T10:00:00+08:00"}, 422,
     "invalid_request", "occurred_at"),
    ("record-nul-character", "record", {"kind": "note", "body": "电话\u0000记录"}, 422,
     "invalid_request", None),
    ("record-list", "record", [{"kind": "note", "body": "x"}], 422, "invalid_request", None),
    ("accept-note-too-long", "accept", {"note": "x" * 20_001}, 422, "invalid_request", "note"),
    ("reject-unknown-reason", "reject", {"reason_code": "bored", "complainant_told": True}, 422,
     "invalid_value", "reason_code"),
    ("reject-bad-code-pattern", "reject", {"reason_code": "DROP TABLE", "complainant_told": True},
     422, "invalid_request", "reason_code"),
    ("refer-neither-target", "refer", {"complainant_told": True}, 422, "invalid_value",
     "target_org"),
    ("refer-unknown-org", "refer", {"target_org": "nowhere", "complainant_told": True}, 422,
     "invalid_value", "target_org"),
    ("split-no-parts", "split", {"parts": []}, 422, "invalid_request", "parts"),
    ("merge-into-itself", "merge", {"into": "{number}"}, 422, "invalid_value", "into"),
    ("merge-into-missing", "merge", {"into": "TS-1999-000001"}, 422, "invalid_value", "into"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "body", "status", "code", "field"),
    [c[1:] for c in ACTION_CASES],
    ids=[c[0] for c in ACTION_CASES],
)
def test_bad_action_input_is_refused_with_json_and_writes_nothing(
    world: World, action: str, body: Any, status: int, code: str, field: str | None
) -> None:
    dispatcher = _api(world, "dispatcher")
    number = world.api("clerk").register().json()["number"]
    if isinstance(body, dict) and body.get("into") == "{number}":
        body = {"into": number}
    before = _counts()
    case_before = Case.objects.get(org=world.org, number=number)

    r = dispatcher.post(f"/cases/{number}/actions/{action}", body)

    error = _error(r, status, code)
    if field is not None:
        assert field in _fields(error), error
    assert _counts() == before
    after = Case.objects.get(pk=case_before.pk)
    assert (after.status, after.last_seq) == (case_before.status, case_before.last_seq)


# --------------------------------------------------------------------------- list filters


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"received_from": "2026-13-45"}, "invalid_request", "received_from"),
        ({"received_to": "2026-02-30"}, "invalid_request", "received_to"),
        ({"limit": 201}, "invalid_request", "limit"),
        ({"limit": 0}, "invalid_request", "limit"),
        ({"limit": "ten"}, "invalid_request", "limit"),
        ({"offset": -1}, "invalid_request", "offset"),
        ({"overdue": "maybe"}, "invalid_request", "overdue"),
        ({"status": "x" * 201}, "invalid_request", "status"),
        ({"status": "open,bogus"}, "invalid_value", "status"),
        (
            {"received_from": "2026-05-02", "received_to": "2026-05-01"},
            "invalid_value",
            "received_to",
        ),
    ],  # fmt: skip
    ids=[
        "bad-from",
        "bad-to",
        "limit-over-200",
        "limit-0",
        "limit-word",
        "negative-offset",
        "overdue-word",
        "status-too-long",
        "status-unknown",
        "to-before-from",
    ],  # fmt: skip
)
def test_bad_list_filters_answer_422(
    world: World, params: dict[str, Any], code: str, field: str
) -> None:
    r = world.api("dispatcher").get("/cases", **params)
    error = _error(r, 422, code)
    assert any(field in f.split(".") for f in _fields(error)), error


def _at(day: str) -> str:
    return f"{day}T09:00:00+08:00"


def _cases(world: World) -> dict[str, str]:
    """Four cases the list tests know everything about (newest received first: b, d, c, a).

    a: complaint by phone about fees, received 2026-10-09, never decided: its acceptance
       deadline (5 working days) passed long ago, so it is overdue.
    b: complaint by letter about service, received now, accepted and assigned to Finance.
    c: report on the web about quality, received 2026-11-02, accepted (reply clock running).
    d: suggestion at a visit, received 2026-11-20, withdrawn (clocks cancelled).
    """
    clerk, dispatcher = world.api("clerk"), world.api("dispatcher")

    def register(**kw: Any) -> str:
        r = clerk.register(**kw)
        assert r.status_code == 201, r.content
        number: str = r.json()["number"]
        return number

    a = register(received_at=_at("2026-10-09"))
    b = register(channel="letter", category="service_attitude")
    c = register(kind="report", channel="web", category="quality", received_at=_at("2026-11-02"))
    d = register(
        kind="suggestion", channel="visit", category="other", received_at=_at("2026-11-20")
    )
    assert dispatcher.act(b, "accept").status_code == 200
    assert dispatcher.act(b, "assign", {"lead_department": "finance"}).status_code == 200
    assert dispatcher.act(c, "accept").status_code == 200
    assert dispatcher.act(d, "withdraw", {"reason": "建议已采纳"}).status_code == 200
    return {"a": a, "b": b, "c": c, "d": d}


def _list(world: World, **params: Any) -> dict[str, Any]:
    r = world.api("dispatcher").get("/cases", **params)
    assert r.status_code == 200, r.content
    body: dict[str, Any] = r.json()
    return body


def _found(world: World, n: dict[str, str], **params: Any) -> str:
    """The letters of the cases the list returns, in order."""
    by_number = {v: k for k, v in n.items()}
    body = _list(world, **params)
    assert body["count"] == len(body["results"])  # all on one page here
    return "".join(by_number[c["number"]] for c in body["results"])


def test_the_list_filters_select_the_right_cases(world: World) -> None:
    n = _cases(world)
    assert _found(world, n) == "bdca"  # newest received first
    assert _found(world, n, status="registered") == "a"
    assert _found(world, n, status="accepted,in_progress") == "bc"
    assert _found(world, n, status=" withdrawn , registered ") == "da"
    assert _found(world, n, category="fees") == "a"
    assert _found(world, n, category="quality") == "c"
    assert _found(world, n, channel="letter") == "b"
    assert _found(world, n, channel="visit") == "d"
    assert _found(world, n, kind="report") == "c"
    assert _found(world, n, department="finance") == "b"
    assert _found(world, n, department="service") == ""
    assert _found(world, n, status="accepted", kind="complaint") == ""
    assert _found(world, n, status="in_progress", department="finance", channel="letter") == "b"


def test_the_overdue_filter_finds_cases_past_a_hard_deadline(world: World) -> None:
    n = _cases(world)
    assert _found(world, n, overdue="true") == "a"
    assert _found(world, n, overdue="false") == "bdc"
    assert _found(world, n, overdue="true", status="registered") == "a"
    assert _found(world, n, overdue="true", category="quality") == ""
    summary = {c["number"]: c for c in _list(world)["results"]}
    assert summary[n["a"]]["overdue"] is True
    assert [summary[n[x]]["overdue"] for x in "bcd"] == [False, False, False]


def test_the_received_date_filters_are_inclusive_days_in_local_time(world: World) -> None:
    n = _cases(world)
    assert _found(world, n, received_from="2026-11-01", received_to="2026-11-25") == "dc"
    assert _found(world, n, received_to="2026-10-31") == "a"
    assert _found(world, n, received_from="2026-11-21") == "b"
    # A single day, both ends inclusive
    assert _found(world, n, received_from="2026-11-02", received_to="2026-11-02") == "c"
    assert _found(world, n, received_from="2026-10-09", received_to="2026-10-09") == "a"
    # Local time: 09:00+08:00 on 11-02 is 01:00Z; the day before ends at 16:00Z on 11-01
    assert _found(world, n, received_to="2026-11-01") == "a"
    # A datetime bound with an offset is taken as given
    assert _found(world, n, received_from="2026-11-02T09:00:00+08:00") == "bdc"
    assert _found(world, n, received_from="2026-11-02T09:00:01+08:00") == "bd"
    # from == to as the same instant, and from after to by a day
    r = world.api("dispatcher").get("/cases", received_from="2026-11-03", received_to="2026-11-02")
    _error(r, 422, "invalid_value")


def test_pagination_gives_count_limit_offset_and_stable_pages(world: World) -> None:
    n = _cases(world)
    first = _list(world, limit=2)
    assert (first["count"], first["limit"], first["offset"]) == (4, 2, 0)
    second = _list(world, limit=2, offset=2)
    assert (second["count"], second["limit"], second["offset"]) == (4, 2, 2)
    pages = [c["number"] for c in first["results"] + second["results"]]
    assert pages == [n[x] for x in "bdca"]
    beyond = _list(world, limit=2, offset=4)
    assert beyond["count"] == 4 and beyond["results"] == []
    one = _list(world, limit=1, offset=3, status="registered,accepted,in_progress,withdrawn")
    assert one["count"] == 4
    assert [c["number"] for c in one["results"]] == [n["a"]]
    default = _list(world)
    assert (default["limit"], default["offset"]) == (50, 0)
    filtered = _list(world, limit=1, overdue="false")
    assert filtered["count"] == 3
    assert [c["number"] for c in filtered["results"]] == [n["b"]]


def test_the_list_and_its_filters_show_only_what_the_caller_may_see(world: World) -> None:
    n = _cases(world)
    handler = world.api("handler")
    r = handler.get("/cases")
    assert r.status_code == 200
    assert [c["number"] for c in r.json()["results"]] == [n["b"]]
    assert handler.get("/cases", department="finance").json()["count"] == 1
    # Filters never widen the scope
    assert handler.get("/cases", status="registered").json()["count"] == 0
    assert world.api("handler2").get("/cases", department="finance").json()["count"] == 0


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01",
        "0001-01-01T00:00:00",
        "0001-01-01T00:00:00+08:00",
        "9999-12-31T23:59:59-23:59",
        "9999-12-31",
        "2026-11-02T09:00:00+25:00",
        "tomorrow",
    ],
)
@pytest.mark.parametrize("bound", ["received_from", "received_to"])
def test_an_extreme_received_date_in_the_list_filter_never_500s(
    world: World, bound: str, value: str
) -> None:
    """Dates at the ends of the calendar: an empty list or a 422, not an overflow."""
    r = _api(world, "dispatcher").get("/cases", **{bound: value})
    assert r.status_code != 500, (bound, value, r.content[:300])
    if r.status_code != 200:
        _error(r, 422)


def test_a_validation_error_names_a_field_called_body(world: World) -> None:
    """Records and replies have a field named ``body``: the details must name it."""
    dispatcher = world.api("dispatcher")
    number = world.api("clerk").register().json()["number"]
    r = dispatcher.act(number, "record", {"kind": "note", "body": ""})
    error = _error(r, 422, "invalid_request")
    assert _fields(error) == ["body"], error

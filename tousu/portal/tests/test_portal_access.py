"""The public portal from the attacker's side: receipts, sessions, forms and files.

A receipt opens one case of one organisation and nothing else. A wrong receipt, one of
a case that does not exist and one of another organisation answer the same page; guessing
is slowed down; a session bound to one case never shows another; without a bound session
(or with a staff login instead) no reporter action changes anything; GET changes nothing;
every form needs its CSRF token; refused files leave nothing behind; the reporter sees
the reply and the messages, never staff names or internal records.
"""

from __future__ import annotations

import io
import itertools
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from tousu.accounts import clock
from tousu.accounts.models import Throttle
from tousu.cases.models import Case, CaseRecord, Event, Notification
from tousu.conftest import World
from tousu.desk.middleware import CSP
from tousu.evidence.models import Attachment
from tousu.orgs.models import AuditEvent, Organisation
from tousu.portal import abuse
from tousu.portal.reporter import FORM_FIELDS
from tousu.portal.tests.test_sanitize_uploads import _png_declaring
from tousu.reporter import receipts
from tousu.reporter.models import Message, Receipt

CONTENT_A = "甲案：某药店无证销售处方药，地址在长江路12号。"
CONTENT_B = "乙案：某餐馆后厨老鼠出没，卫生极差。"
REPORT = {"kind": "report", "demands": "依法查处", "subject_name": "某药店", "anonymous": "on"}
# Every action form of the reporter's case page, with a body it would accept.
ACTION_BODIES: dict[str, dict[str, str]] = {
    "reporter_message": {"body": "补充说明：周三下午还在卖。"},
    "rate": {"satisfaction": "dissatisfied", "comment": "没有解决"},
    "disagree": {"reason": "药店仍在营业。"},
    "confirm_record": {},
    "correct_record": {"correction": "地址是长江路21号。"},
}
REPORTER_ACTIONS = sorted([*FORM_FIELDS, "reporter_evidence"])
_addresses = itertools.count(1)


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.TOUSU_FILES_DIR = tmp_path / "files"


# --------------------------------------------------------------------------- helpers


def _client(**kwargs: Any) -> Client:
    """A client from an address of its own (the rate limits count per address)."""
    n = next(_addresses)
    return Client(REMOTE_ADDR=f"198.18.{n // 250}.{n % 250 + 1}", **kwargs)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def _receipt_of(response: Any) -> str:
    found = re.search(r'id="receipt">([0-9 ]+)<', response.content.decode())
    assert found, response.content.decode()[:2000]
    return found.group(1).replace(" ", "")


def _file(
    org: str = "acme", content: str = CONTENT_A, client: Client | None = None
) -> tuple[Case, str]:
    """An anonymous report filed on the portal: the case and its receipt."""
    r = (client or _client()).post(
        f"/o/{org}/new/",
        {**REPORT, "content": content},
        follow=True,
    )
    assert r.status_code == 200, r.content.decode()[:3000]
    digits = _receipt_of(r)
    case = receipts.find(Organisation.objects.get(slug=org), digits)
    assert case is not None
    return case, digits


def _bound(digits: str, org: str = "acme") -> Client:
    client = _client()
    r = client.post(f"/o/{org}/follow/", {"receipt": digits})
    assert r.status_code == 302 and r["Location"] == f"/o/{org}/my-case/", r.content[:500]
    return client


def _without_tokens(content: bytes) -> str:
    text = content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', text)


def _blobs() -> list[str]:
    root = Path(django_settings.TOUSU_FILES_DIR)
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _state() -> dict[str, Any]:
    """Everything a portal request could change, for before/after comparisons."""
    return {
        "cases": list(
            Case.objects.order_by("pk").values_list(
                "pk", "status", "last_seq", "last_hash", "satisfaction", "reopen_count"
            )
        ),
        "events": Event.objects.count(),
        "messages": Message.objects.count(),
        "records": CaseRecord.objects.count(),
        "attachments": Attachment.objects.count(),
        "receipts": list(
            Receipt.objects.order_by("pk").values_list("pk", "case_id", "bound_at", "revoked_at")
        ),
        "notifications": Notification.objects.count(),
        "audit": AuditEvent.objects.count(),
        "throttle": list(Throttle.objects.order_by("key").values_list("key", "failures")),
        "blobs": _blobs(),
    }


def _replied(world: World, number: str) -> None:
    dispatcher, handler = world.api("dispatcher"), world.api("handler")
    assert dispatcher.act(number, "accept").status_code == 200
    r = dispatcher.act(number, "assign", {"lead_department": "finance", "handler": "handler"})
    assert r.status_code == 200, r.content
    r = handler.act(number, "resolve", {"findings": "经查属实", "responsibility": "third_party"})
    assert r.status_code == 200, r.content
    r = handler.act(number, "reply", {"channel": "web", "body": "已责令停业整改。"})
    assert r.status_code == 200, r.content


def _staff(world: World, persona: str) -> Client:
    client = _client()
    client.force_login(world.users[persona])
    return client


def _portal_paths(org: str = "acme") -> list[str]:
    base = f"/o/{org}/"
    return [
        base,
        f"{base}privacy/",
        f"{base}box-forms/",
        f"{base}new/",
        f"{base}follow/",
        f"{base}my-case/",
        f"{base}my-case/leave/",
        *(f"{base}my-case/{action}/" for action in REPORTER_ACTIONS),
    ]


# --------------------------------------------------------------------------- wrong receipts


def test_wrong_missing_revoked_and_foreign_receipts_answer_the_same_page(world: World) -> None:
    _case, acme_digits = _file()
    _other_case, other_digits = _file("other", CONTENT_B)
    revoked_case, revoked = _file(content="已撤销回执的案件。")
    Receipt.objects.filter(case=revoked_case).update(revoked_at=timezone.now())
    unbound = receipts.pre_issue(world.org, 1, by_user_id=world.users["clerk"].pk)[0]
    before = _state()

    def answer(org: str, text: str) -> tuple[int, str]:
        r = _client().post(f"/o/{org}/follow/", {"receipt": text})
        assert "Location" not in r
        digits = re.sub(r"\D", "", text)
        if digits:  # what was typed is never echoed back
            assert digits not in r.content.decode().replace(" ", "")
        return r.status_code, _without_tokens(r.content)

    wrong = answer("acme", "1234 5678 9012 3456 7890")
    assert wrong[0] == 404 and "回执号不正确" in wrong[1]
    for text in (unbound, revoked, other_digits, "0" * 20, "12345", "abc-不是回执"):
        assert answer("acme", text) == wrong, text
    # On the other organisation's page acme's receipt is just as wrong.
    other_wrong = answer("other", "1234 5678 9012 3456 7890")
    assert other_wrong[0] == 404
    assert answer("other", acme_digits) == other_wrong
    # Nothing but the guessing counters moved.
    after = _state()
    assert {k: v for k, v in after.items() if k != "throttle"} == {
        k: v for k, v in before.items() if k != "throttle"
    }


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    moment = {"t": clock.now()}
    monkeypatch.setattr(clock, "now", lambda: moment["t"])
    return moment


def test_receipt_guessing_is_throttled_even_for_the_right_receipt(
    world: World, frozen: dict[str, Any]
) -> None:
    _case, digits = _file()
    guesser = _client()
    for i in range(abuse.RECEIPT_FREE_PER_ADDRESS):
        data = {"receipt": f"{i + 1:020d}"}
        stored = guesser.session.get(abuse.SESSION_KEY)
        if stored:  # a burst: the page asked a question first
            data[abuse.CHALLENGE_FIELD] = stored["answer"]
        r = guesser.post("/o/acme/follow/", data)
        assert r.status_code == 404, (i, r.content.decode()[:1000])
    # Past the free failures, the next wrong try gets through once, then a wait starts.
    stored = guesser.session[abuse.SESSION_KEY]
    data = {"receipt": "9" * 20, abuse.CHALLENGE_FIELD: stored["answer"]}
    assert guesser.post("/o/acme/follow/", data).status_code == 404
    stored = guesser.session[abuse.SESSION_KEY]
    right = {"receipt": digits, abuse.CHALLENGE_FIELD: stored["answer"]}
    r = guesser.post("/o/acme/follow/", right)
    assert r.status_code == 429
    assert int(r["Retry-After"]) > 0
    assert "尝试过于频繁" in r.content.decode() and "后再试" in r.content.decode()
    assert "Location" not in r
    assert guesser.get("/o/acme/my-case/")["Location"] == "/o/acme/follow/"
    # After the wait, the right receipt (with the question answered) opens the case.
    frozen["t"] += timedelta(minutes=20)
    guesser.get("/o/acme/follow/")
    stored = guesser.session[abuse.SESSION_KEY]
    right = {"receipt": digits, abuse.CHALLENGE_FIELD: stored["answer"]}
    r = guesser.post("/o/acme/follow/", right)
    assert r.status_code == 302 and r["Location"] == "/o/acme/my-case/"


def test_a_burst_without_the_answer_is_refused_before_the_receipt_is_looked_at(
    world: World,
) -> None:
    _case, digits = _file()
    guesser = _client()
    for i in range(abuse.RECEIPT_FREE_PER_ADDRESS // 2):
        assert guesser.post("/o/acme/follow/", {"receipt": f"{i + 1:020d}"}).status_code == 404
    counters = _state()["throttle"]
    r = guesser.post("/o/acme/follow/", {"receipt": digits})
    assert r.status_code == 422 and "请先正确回答验证问题" in r.content.decode()
    assert 'id="challenge_answer"' in r.content.decode()
    assert guesser.get("/o/acme/my-case/")["Location"] == "/o/acme/follow/"
    assert _state()["throttle"] == counters


# --------------------------------------------------------------------------- one case per receipt


def test_a_bound_session_never_shows_another_case(world: World) -> None:
    case_a, digits_a = _file(content=CONTENT_A)
    case_b, digits_b = _file(content=CONTENT_B)
    assert case_a.number and case_b.number
    dispatcher = world.api("dispatcher")
    r = dispatcher.act(case_a.number, "message_reporter", {"body": "甲案问题：哪天买的药？"})
    assert r.status_code == 200
    r = dispatcher.act(case_b.number, "message_reporter", {"body": "乙案问题：后厨在哪一层？"})
    assert r.status_code == 200
    # The session key changes when a receipt binds it (a planted session id gains nothing).
    client = _client()
    planted = client.session.session_key  # a session that exists before the receipt
    assert planted and client.cookies[django_settings.SESSION_COOKIE_NAME].value == planted
    r = client.post("/o/acme/follow/", {"receipt": digits_a})
    assert r.status_code == 302
    assert client.cookies[django_settings.SESSION_COOKIE_NAME].value != planted
    b_texts = (case_b.number, CONTENT_B[:6], "乙案问题")

    def shows_nothing_of_b(r: Any, where: str) -> None:
        # The language switch carries the page's own URL back (what this client typed).
        text = re.sub(r'name="next" value="[^"]*"', "", r.content.decode())
        for b in b_texts:
            assert b not in text, (where, b)

    page = client.get("/o/acme/my-case/")
    assert page.status_code == 200 and "甲案问题" in page.content.decode()
    shows_nothing_of_b(page, "my-case")
    tricks = (
        f"?case={case_b.pk}",
        f"?number={case_b.number}",
        f"?receipt={digits_b}",
        "?done=rate",
    )
    for query in tricks:
        r = client.get(f"/o/acme/my-case/{query}")
        assert r.status_code == 200 and case_a.number in r.content.decode()
        shows_nothing_of_b(r, query)
    for path in _portal_paths():
        shows_nothing_of_b(client.get(path), path)
    # Actions (valid or not) land on A alone; their pages show nothing of B.
    b_before = Case.objects.filter(pk=case_b.pk).values_list("last_seq", "last_hash").get()
    for action in REPORTER_ACTIONS:
        body = dict(ACTION_BODIES.get(action, {}), case=str(case_b.pk), number=case_b.number)
        r = client.post(f"/o/acme/my-case/{action}/", body)
        assert r.status_code in (302, 409, 422), (action, r.status_code)
        if r.status_code == 302:
            r = client.get(r["Location"])
        shows_nothing_of_b(r, action)
    assert Message.objects.filter(case=case_b, direction="in").count() == 0
    assert Message.objects.filter(case=case_a, direction="in").count() == 1
    after = Case.objects.filter(pk=case_b.pk).values_list("last_seq", "last_hash").get()
    assert after == b_before
    # And the other way round: B's reporter sees B, never A.
    page_b = _bound(digits_b).get("/o/acme/my-case/").content.decode()
    assert case_b.number in page_b and "乙案问题" in page_b
    assert (
        case_a.number not in page_b
        and "甲案问题" not in page_b
        and ACTION_BODIES["reporter_message"]["body"] not in page_b
    )


def test_a_binding_of_one_organisation_opens_nothing_in_another(world: World) -> None:
    case, digits = _file()
    other_case, _other_digits = _file("other", CONTENT_B)
    client = _bound(digits)
    before = _state()
    for path in _portal_paths("other"):
        r = client.get(path)
        text = r.content.decode()
        assert str(case.number) not in text and CONTENT_A[:6] not in text, path
    assert client.get("/o/other/my-case/")["Location"] == "/o/other/follow/"
    assert client.get("/o/other/follow/").status_code == 200  # the form, not a case
    for action in REPORTER_ACTIONS:
        r = client.post(f"/o/other/my-case/{action}/", ACTION_BODIES.get(action, {}))
        assert r.status_code == 302 and r["Location"] == "/o/other/follow/", action
    assert _state() == before
    assert not Message.objects.filter(case=other_case).exists()
    # Still bound at home.
    assert client.get("/o/acme/my-case/").status_code == 200


# --------------------------------------------------------------------------- no binding


def _unbound_clients(world: World, digits: str) -> dict[str, Client]:
    left = _bound(digits)
    assert left.post("/o/acme/my-case/leave/").status_code == 302
    expired = _bound(digits)
    session = expired.session
    key = f"portal_case:{world.org.pk}"
    session[key] = {**session[key], "until": timezone.now().timestamp() - 1}
    session.save()
    return {
        "new": _client(),
        "left": left,
        "expired": expired,
        "staff": _staff(world, "dispatcher"),
        "admin": _staff(world, "admin"),
    }


def test_reporter_posts_without_a_bound_session_change_nothing(world: World) -> None:
    case, digits = _file()
    assert case.number
    _replied(world, case.number)
    clients = _unbound_clients(world, digits)
    before = _state()
    for who, client in clients.items():
        for action in REPORTER_ACTIONS:
            data: dict[str, Any] = dict(ACTION_BODIES.get(action, {}))
            if action == "reporter_evidence":
                data["attachments"] = SimpleUploadedFile("a.png", _png(), "image/png")
            r = client.post(f"/o/acme/my-case/{action}/", data)
            assert r.status_code == 302 and r["Location"] == "/o/acme/follow/", (who, action)
        r = client.post("/o/acme/my-case/not-an-action/", {})
        assert r.status_code in (302, 404), who
    assert _state() == before


def test_a_staff_login_is_not_a_receipt(world: World) -> None:
    case, _digits = _file()
    assert case.number
    dispatcher = world.api("dispatcher")
    assert (
        dispatcher.act(case.number, "message_reporter", {"body": "内部人员可见"}).status_code == 200
    )
    for persona in ("dispatcher", "admin", "supervisor", "handler"):
        client = _staff(world, persona)
        r = client.get("/o/acme/my-case/")
        assert r.status_code == 302 and r["Location"] == "/o/acme/follow/", persona
        page = client.get("/o/acme/follow/")
        assert page.status_code == 200 and case.number not in page.content.decode()
    # A bearer token is not a receipt either.
    token = world.api("admin").token
    r = Client().get("/o/acme/my-case/", headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 302 and r["Location"] == "/o/acme/follow/"


# --------------------------------------------------------------------------- GET and CSRF


def test_get_never_changes_state_on_any_portal_url(world: World) -> None:
    case, digits = _file()
    assert case.number
    _replied(world, case.number)
    bound = _bound(digits)
    clients = {"anonymous": _client(), "bound": bound, "staff": _staff(world, "dispatcher")}
    queries = (
        "",
        f"?receipt={digits}",
        "?kind=report&content=GET不应登记&anonymous=on",
        "?body=GET不应留言&satisfaction=satisfied&reason=x&count=5",
    )
    before = _state()
    for who, client in clients.items():
        for org in ("acme", "other"):
            for path in _portal_paths(org):
                for query in queries:
                    r = client.get(path + query)
                    assert r.status_code in (200, 302, 404, 405), (who, path, query)
                    if path.endswith(("leave/", *(f"/{a}/" for a in REPORTER_ACTIONS))):
                        assert r.status_code == 405, (who, path)
                    r = client.head(path + query)
                    assert r.status_code in (200, 302, 404, 405), (who, path, query)
    assert _state() == before
    # A receipt in a query string binds nothing; the bound client is still bound.
    anonymous = clients["anonymous"]
    assert anonymous.get("/o/acme/my-case/")["Location"] == "/o/acme/follow/"
    assert bound.get("/o/acme/my-case/").status_code == 200


def _token(response: Any) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert found
    return found.group(1)


def test_every_portal_form_needs_its_csrf_token(world: World) -> None:
    case, digits = _file()
    assert case.number
    _replied(world, case.number)
    before = _state()
    forms: list[tuple[str, dict[str, Any]]] = [
        ("/o/acme/new/", {**REPORT, "content": "无令牌的提交"}),
        ("/o/acme/follow/", {"receipt": digits}),
    ]
    for path, data in forms:
        client = _client(enforce_csrf_checks=True)
        client.get(path)  # the page sets the CSRF cookie; the token is not sent back
        r = client.post(path, data)
        assert r.status_code == 403, path
        assert client.get("/o/acme/my-case/")["Location"] == "/o/acme/follow/"
    # A session bound with its token, then every case form without it.
    reporter = _client(enforce_csrf_checks=True)
    token = _token(reporter.get("/o/acme/follow/"))
    r = reporter.post("/o/acme/follow/", {"receipt": digits, "csrfmiddlewaretoken": token})
    assert r.status_code == 302
    assert _state()["cases"] == before["cases"]
    bound_state = _state()
    for action in REPORTER_ACTIONS:
        data = dict(ACTION_BODIES.get(action, {}))
        if action == "reporter_evidence":
            data["attachments"] = SimpleUploadedFile("a.png", _png(), "image/png")
        assert reporter.post(f"/o/acme/my-case/{action}/", data).status_code == 403, action
    assert reporter.post("/o/acme/my-case/leave/").status_code == 403
    assert reporter.get("/o/acme/my-case/").status_code == 200  # leave did not happen
    # Staff printing report-box forms: no token, no receipts issued.
    staff = _client(enforce_csrf_checks=True)
    staff.force_login(world.users["dispatcher"])
    assert staff.post("/o/acme/box-forms/", {"count": "3"}).status_code == 403
    assert _state() == bound_state
    # With its token the same form works (the refusal above was the token's).
    token = _token(reporter.get("/o/acme/my-case/"))
    r = reporter.post(
        "/o/acme/my-case/reporter_message/", {"body": "有令牌", "csrfmiddlewaretoken": token}
    )
    assert r.status_code == 302


# --------------------------------------------------------------------------- uploads


def _bad_files() -> list[tuple[str, SimpleUploadedFile, int, tuple[str, ...]]]:
    """(label, file, status on "add evidence", words the refusal must contain)."""
    return [
        (
            "type",
            SimpleUploadedFile("程序.png", b"MZ\x90\x00\x03 not a picture", "image/png"),
            415,
            ("程序.png",),
        ),
        (
            "size",
            SimpleUploadedFile("大文件.pdf", b"%PDF-1.4\n" + b"0" * 4096, "application/pdf"),
            413,
            ("大文件.pdf", "超过大小上限"),
        ),
        (
            "bomb",
            SimpleUploadedFile("炸弹.png", _png_declaring(100_000, 100_000), "image/png"),
            422,
            ("炸弹.png", "压缩炸弹"),
        ),
    ]


def test_bad_files_on_submission_are_refused_and_nothing_is_stored(
    world: World, settings: Any
) -> None:
    settings.TOUSU_MAX_UPLOAD_BYTES = 2048
    before = _state()
    for label, upload, _status, words in _bad_files():
        good = SimpleUploadedFile("好图.png", _png(), "image/png")
        r = _client().post(
            "/o/acme/new/",
            {
                **REPORT,
                "content": f"带坏文件的提交（{label}）",
                "attachments": [good, upload],
            },
        )
        assert r.status_code == 422, label
        text = r.content.decode()
        assert 'id="err-attachments"' in text, label
        for word in words:
            assert word in text, (label, word)
        assert 'id="receipt"' not in text
        assert f"带坏文件的提交（{label}）" in text  # the form comes back filled in
    assert _state() == before
    assert _blobs() == []


def test_bad_files_as_added_evidence_are_refused_and_nothing_is_stored(
    world: World, settings: Any
) -> None:
    case, digits = _file()
    client = _bound(digits)
    settings.TOUSU_MAX_UPLOAD_BYTES = 2048
    before = _state()
    for label, upload, status, words in _bad_files():
        good = SimpleUploadedFile("好图.png", _png(), "image/png")
        r = client.post("/o/acme/my-case/reporter_evidence/", {"attachments": [good, upload]})
        assert r.status_code == status, (label, r.status_code)
        text = r.content.decode()
        assert 'role="alert"' in text and str(case.number) in text
        for word in words:
            assert word in text, (label, word)
    assert _state() == before
    assert _blobs() == [] and not Attachment.objects.filter(case=case).exists()
    # A good file alone still goes through (the refusals above were the files').
    good = SimpleUploadedFile("好图.png", _png(), "image/png")
    assert (
        client.post("/o/acme/my-case/reporter_evidence/", {"attachments": good}).status_code == 302
    )
    assert Attachment.objects.filter(case=case).count() == 1 and len(_blobs()) == 1


# --------------------------------------------------------------------------- what the reporter sees


def test_the_reporter_never_sees_staff_names_or_internal_records(world: World) -> None:
    User = get_user_model()
    User.objects.filter(pk=world.users["dispatcher"].pk).update(first_name="钱", last_name="调度")
    User.objects.filter(pk=world.users["handler"].pk).update(first_name="孙", last_name="承办")
    case, digits = _file()
    number = case.number
    assert number
    dispatcher, handler = world.api("dispatcher"), world.api("handler")
    r = dispatcher.act(number, "accept", {"note": "受理备注：疑似离职员工所举报"})
    assert r.status_code == 200, r.content
    r = dispatcher.act(
        number,
        "assign",
        {"lead_department": "finance", "handler": "handler", "note": "分办备注：请暗访"},
    )
    assert r.status_code == 200, r.content
    for kind, body in (
        ("note", "内部记录：药店老板是院长亲戚"),
        ("investigation", "调查记录：暗访两次"),
    ):
        r = handler.act(number, "record", {"kind": kind, "body": body})
        assert r.status_code == 200, r.content
    r = handler.act(number, "message_reporter", {"body": "请问药店几点营业？"})
    assert r.status_code == 200, r.content
    r = handler.act(
        number, "resolve", {"findings": "核实结论：无证属实", "responsibility": "third_party"}
    )
    assert r.status_code == 200, r.content
    r = handler.act(number, "reply", {"channel": "web", "body": "已移送市场监管部门查处。"})
    assert r.status_code == 200, r.content

    client = _bound(digits)
    text = client.get("/o/acme/my-case/").content.decode()
    assert (
        "已移送市场监管部门查处" in text and "请问药店几点营业" in text
    )  # what it is meant to show
    assert "已答复" in text and "办理人员" in text
    hidden = (
        "受理备注", "分办备注", "内部记录", "调查记录", "核实结论",
        "钱", "调度", "孙", "承办", "疑似离职员工",
    )  # fmt: skip
    for word in hidden:
        assert word not in text.replace("承办人员", "").replace("办理人员", ""), word
    for username in ("dispatcher", "handler", "supervisor"):
        assert not re.search(rf"\b{username}\b", text), username


# --------------------------------------------------------------------------- headers


def _no_inline_code(text: str, where: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), where
    assert not re.search(r"\sstyle=", text), where
    assert not re.search(r"\son[a-z]+=", text), where


def test_portal_responses_carry_the_csp_and_no_store_where_the_receipt_is(world: World) -> None:
    client = _client()
    r = client.post("/o/acme/new/", {**REPORT, "content": CONTENT_A}, follow=True)
    assert r.status_code == 200 and 'id="receipt"' in r.content.decode()
    assert r["Cache-Control"] == "no-store"
    assert r["Content-Security-Policy"] == CSP
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
    assert "frame-ancestors 'none'" in CSP
    assert r["Referrer-Policy"] == "same-origin"  # no portal URL leaves the site
    _no_inline_code(r.content.decode(), "receipt")
    bound = _bound(_receipt_of(r))
    # Every page a reporter or a receipt goes through is not to be cached.
    for path, who in (
        ("/o/acme/new/", client),
        ("/o/acme/follow/", client),
        ("/o/acme/my-case/", bound),
    ):
        page = who.get(path)
        assert page.status_code == 200, path
        assert page["Cache-Control"] == "no-store", path
    wrong = _client().post("/o/acme/follow/", {"receipt": "1" * 20})
    assert wrong["Cache-Control"] == "no-store"
    # Every page carries the policy and no inline code.
    for path in _portal_paths():
        for who in (client, bound):
            page = who.get(path)
            assert page["Content-Security-Policy"] == CSP, path
            if page.status_code == 200:
                _no_inline_code(page.content.decode(), path)

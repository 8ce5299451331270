"""The reporter's portal: submit, receipt once, follow, talk, add evidence, rate, disagree."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from tousu.cases.access import reporter_actor
from tousu.cases.errors import TousuError
from tousu.cases.models import Case, CaseRecord, Event, Notification
from tousu.conftest import World
from tousu.evidence.models import Attachment
from tousu.policy.loader import preset_source
from tousu.policy.services import activate_policy
from tousu.reporter import receipts
from tousu.reporter.actions import disagree, pseudonym
from tousu.reporter.inputs import DisagreeIn
from tousu.reporter.models import Message, Receipt

NEW = "/o/acme/new/"
FOLLOW = "/o/acme/follow/"
MINE = "/o/acme/my-case/"
CONTENT = "某超市在售过期酸奶，生产日期为去年。"


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.TOUSU_FILES_DIR = tmp_path / "files"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _submit(client: Client, **fields: Any) -> Any:
    data: dict[str, Any] = {
        "kind": "report",
        "category": "",
        "content": CONTENT,
        "demands": "依法查处",
        "subject_name": "某超市",
    }
    data.update(fields)
    return client.post(NEW, data, follow=True)


def _receipt_of(response: Any) -> str:
    found = re.search(r'id="receipt">([0-9 ]+)<', response.content.decode())
    assert found, response.content.decode()[:2000]
    return found.group(1).replace(" ", "")


def _number_of(response: Any) -> str:
    found = re.search(r"<strong>([A-Z]+-[0-9-]+)</strong>", response.content.decode())
    assert found
    return found.group(1)


def _session_texts() -> str:
    return " ".join(str(s.get_decoded()) + s.session_data for s in Session.objects.all())


def _follow(client: Client, receipt: str) -> Any:
    return client.post(FOLLOW, {"receipt": receipt})


def _submitted(world: World, client: Client | None = None, **fields: Any) -> tuple[Case, str]:
    r = _submit(client or Client(), anonymous="on", **fields)
    assert r.status_code == 200, r.content.decode()[:3000]
    digits = _receipt_of(r)
    case = receipts.find(world.org, digits)
    assert case is not None
    return case, digits


def _opened(world: World, digits: str) -> Client:
    client = Client()
    r = _follow(client, digits)
    assert r.status_code == 302 and r["Location"] == MINE
    return client


def _replied(world: World, number: str) -> None:
    dispatcher, handler = world.api("dispatcher"), world.api("handler")
    assert dispatcher.act(number, "accept").status_code == 200
    r = dispatcher.act(number, "assign", {"lead_department": "finance", "handler": "handler"})
    assert r.status_code == 200, r.content
    r = handler.act(
        number, "resolve", {"findings": "经查属实，已责令下架", "responsibility": "third_party"}
    )
    assert r.status_code == 200, r.content
    r = handler.act(number, "reply", {"channel": "web", "body": "经查属实，已责令下架并处罚。"})
    assert r.status_code == 200, r.content


# --------------------------------------------------------------------------- submission


def test_a_named_submission_shows_the_receipt_once_and_keeps_it_nowhere(world: World) -> None:
    client = Client()
    assert client.get(NEW).status_code == 200
    r = _submit(client, name="李明", phone="13800001111")
    assert r.status_code == 200, r.content.decode()[:3000]
    assert r["Cache-Control"] == "no-store"
    body = r.content.decode()
    assert 'data-copy="receipt"' in body and "data-print" in body
    digits = _receipt_of(r)
    assert len(digits) == receipts.DIGITS
    case = receipts.find(world.org, digits)
    assert case is not None and case.number == _number_of(r)
    assert case.channel == "web" and case.kind == "report"
    party = case.parties.get()
    assert (party.name, party.phone, party.anonymous) == ("李明", "13800001111", False)
    # Not in any cookie, header, URL or session; only its keyed hash in the database.
    for cookie in client.cookies.values():
        assert digits not in cookie.value
    assert digits not in str(r.headers) and "Location" not in r
    assert digits not in _session_texts()
    assert Receipt.objects.get(case=case).digest == receipts.digest(world.org, digits)
    # Shown once: the page after it does not show it again.
    assert digits not in client.get(FOLLOW).content.decode().replace(" ", "")


def test_an_anonymous_submission_with_a_picture_keeps_no_identity_and_no_address(
    world: World,
) -> None:
    client = Client(REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="TestPhone/1.0 (secret-ua)")
    upload = SimpleUploadedFile("现场.png", _png(), content_type="image/png")
    r = _submit(client, anonymous="on", name="不该保存", attachments=upload)
    assert r.status_code == 200, r.content.decode()[:3000]
    case = receipts.find(world.org, _receipt_of(r))
    assert case is not None
    party = case.parties.get()
    assert party.anonymous and party.name == ""
    attachment = Attachment.objects.get(case=case)
    assert attachment.source == "portal" and attachment.uploaded_by_id is None
    # No address or user agent anywhere in the rows this submission wrote.
    rows: list[Any] = [case, party, attachment, *Event.objects.filter(case=case)]
    rows += list(Receipt.objects.filter(case=case)) + list(CaseRecord.objects.filter(case=case))
    for row in rows:
        text = str(row.__dict__)
        assert "198.51.100.23" not in text and "secret-ua" not in text
    assert "198.51.100.23" not in _session_texts() and "secret-ua" not in _session_texts()


def test_a_refused_file_stores_nothing_and_says_why(world: World) -> None:
    before = Case.objects.count()
    upload = SimpleUploadedFile("a.exe", b"MZ\x90\x00not a picture", content_type="image/png")
    r = _submit(Client(), anonymous="on", attachments=upload)
    assert r.status_code == 422
    assert "a.exe" in r.content.decode()
    assert Case.objects.count() == before


def test_missing_content_is_asked_for_and_nothing_is_registered(world: World) -> None:
    before = Case.objects.count()
    r = _submit(Client(), anonymous="on", content="")
    assert r.status_code == 422
    assert 'id="err-content"' in r.content.decode()
    assert Case.objects.count() == before


def test_get_never_changes_state(world: World) -> None:
    case, digits = _submitted(world)
    client = _opened(world, digits)
    before = (Case.objects.count(), Event.objects.count(), Message.objects.count())
    for path in (NEW, FOLLOW, MINE, f"{MINE}reporter_message/", f"{MINE}leave/"):
        client.get(path)
    assert (Case.objects.count(), Event.objects.count(), Message.objects.count()) == before
    assert client.get(f"{MINE}rate/").status_code == 405


# --------------------------------------------------------------------------- following


def test_follow_shows_status_and_deadlines(world: World) -> None:
    case, digits = _submitted(world)
    client = _opened(world, digits)
    page = client.get(MINE)
    assert page.status_code == 200
    text = page.content.decode()
    assert str(case.number) in text
    assert "已收到" in text
    assert case.deadlines.filter(state="open").exists()
    assert "承诺办理时限" in text
    assert digits not in text.replace(" ", "")
    # Leaving ends the binding.
    assert client.post(f"{MINE}leave/").status_code == 302
    assert client.get(MINE)["Location"] == FOLLOW


def test_a_wrong_receipt_and_a_missing_case_look_the_same(world: World) -> None:
    unbound = receipts.pre_issue(world.org, 1, by_user_id=world.users["clerk"].pk)[0]
    wrong = "1234 5678 9012 3456 7890"
    first, second = _follow(Client(), wrong), _follow(Client(), unbound)
    assert first.status_code == second.status_code == 404

    def strip(body: bytes) -> str:
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body.decode())

    assert strip(first.content) == strip(second.content)
    assert "回执号不正确" in first.content.decode()


def test_one_reporter_never_sees_another_case(world: World) -> None:
    first, first_digits = _submitted(world, content="第一件：某药店无证经营。")
    second, second_digits = _submitted(world, content="第二件：某餐馆卫生不合格。")
    one, two = _opened(world, first_digits), _opened(world, second_digits)
    page_one, page_two = one.get(MINE).content.decode(), two.get(MINE).content.decode()
    one_number, two_number = str(first.number), str(second.number)
    assert one_number in page_one and two_number not in page_one
    assert two_number in page_two and one_number not in page_two
    # A receipt of one organisation opens nothing in another.
    r = Client().post("/o/other/follow/", {"receipt": first_digits})
    assert r.status_code in (404, 302) and "my-case" not in r.get("Location", "")


# --------------------------------------------------------------------------- messages


def test_messages_both_ways_and_the_staff_notice(world: World) -> None:
    case, digits = _submitted(world)
    number = case.number
    assert number is not None
    dispatcher = world.api("dispatcher")
    r = dispatcher.act(number, "message_reporter", {"body": "请问过期酸奶是哪一天购买的？"})
    assert r.status_code == 200, r.content
    client = _opened(world, digits)
    assert "请问过期酸奶是哪一天购买的" in client.get(MINE).content.decode()

    before = Notification.objects.count()
    r = client.post(f"{MINE}reporter_message/", {"body": "上周五购买，小票还在。"})
    assert r.status_code == 302
    assert "留言已发送" in client.get(r["Location"]).content.decode()
    incoming = Message.objects.get(case=case, direction="in")
    assert incoming.body == "上周五购买，小票还在。" and incoming.author_id is None
    assert incoming.event.type == "reporter_wrote"
    # Sealed in the database; the event holds no words.
    raw: Any = Message.objects.filter(pk=incoming.pk).values_list("body", flat=True).get()
    assert raw.token.startswith("s1:") and "小票" not in raw.token
    assert "小票" not in str(incoming.event.data)
    assert Notification.objects.count() > before
    assert Notification.objects.filter(case=case, kind="reporter_wrote").exists()

    # The desk shows both messages, the reporter under a pseudonym.
    desk = Client()
    desk.force_login(world.users["dispatcher"])
    text = desk.get(f"/desk/acme/cases/{number}/").content.decode()
    assert "上周五购买" in text and "请问过期酸奶" in text
    assert pseudonym(case) in text


def test_a_message_from_the_desk_form(world: World) -> None:
    case, _digits = _submitted(world)
    desk = Client()
    desk.force_login(world.users["dispatcher"])
    r = desk.post(
        f"/desk/acme/cases/{case.number}/act/message_reporter/", {"body": "已收到，正在核查。"}
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Message.objects.get(case=case).direction == "out"


def test_reporter_evidence_after_submission(world: World) -> None:
    case, digits = _submitted(world)
    client = _opened(world, digits)
    upload = SimpleUploadedFile("小票.png", _png(), content_type="image/png")
    r = client.post(f"{MINE}reporter_evidence/", {"attachments": upload})
    assert r.status_code == 302, r.content.decode()[:2000]
    attachment = Attachment.objects.get(case=case)
    assert attachment.source == "portal" and attachment.event.type == "reporter_evidence_added"
    bad = SimpleUploadedFile("x.txt", b"hello", content_type="text/plain")
    r = client.post(f"{MINE}reporter_evidence/", {"attachments": bad})
    assert r.status_code == 415
    assert Attachment.objects.filter(case=case).count() == 1


# --------------------------------------------------------------------------- reply, rating


def test_rating_only_after_the_reply(world: World) -> None:
    case, digits = _submitted(world)
    client = _opened(world, digits)
    r = client.post(f"{MINE}rate/", {"satisfaction": "satisfied"})
    assert r.status_code == 409
    assert "评价答复" not in client.get(MINE).content.decode()
    assert case.number is not None
    _replied(world, case.number)
    page = client.get(MINE).content.decode()
    assert "已答复" in page and "已责令下架并处罚" in page
    r = client.post(f"{MINE}rate/", {"satisfaction": "basically_satisfied", "comment": "还行"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.satisfaction == "basically_satisfied"
    assert Event.objects.filter(case=case, type="reporter_rated").count() == 1


def test_disagreeing_reopens_the_case_for_re_verification(world: World) -> None:
    case, digits = _submitted(world)
    assert case.number is not None
    _replied(world, case.number)
    client = _opened(world, digits)
    r = client.post(f"{MINE}disagree/", {"reason": "超市仍在销售同批酸奶。"})
    assert r.status_code == 302, r.content.decode()[:2000]
    case.refresh_from_db()
    assert case.status == "in_progress" and case.reopen_count == 1
    event = Event.objects.filter(case=case).order_by("-seq").first()
    assert event is not None and event.type == "reporter_disagreed"
    assert event.data["outcome"] == "reopened"


def test_disagreeing_outside_the_window_is_refused_with_a_message(world: World) -> None:
    activate_policy(
        world.org,
        preset_source("general").replace(
            "[split]", "[follow_up]\ndisagreement_window_days = 15\n\n[split]"
        ),
    )
    case, digits = _submitted(world)
    assert case.number is not None
    _replied(world, case.number)
    holder = reporter_actor(world.org, case_id=case.pk)
    later = timezone.now() + timedelta(days=20)
    with pytest.raises(TousuError) as refused:
        disagree(case.pk, actor=holder, data=DisagreeIn(reason="不服"), now=later)
    assert refused.value.code == "disagreement_window_passed"
    assert "15日" in refused.value.zh
    case.refresh_from_db()
    assert case.status == "replied"
    # Within the window the same request goes through.
    client = _opened(world, digits)
    assert "15" in client.get(MINE).content.decode()
    assert client.post(f"{MINE}disagree/", {"reason": "不服"}).status_code == 302


# --------------------------------------------------------------------------- the oral record


def test_an_oral_record_can_be_confirmed_or_corrected_never_overwritten(world: World) -> None:
    clerk = world.api("clerk")
    r = clerk.register(channel="phone", content="来电称：门诊收费处多收费用两次。")
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    r = clerk.act(number, "issue_receipt", {"channel": "phone"})
    assert r.status_code == 200, r.content
    case = Case.objects.get(org=world.org, number=number)
    assert Event.objects.filter(case=case, type="receipt_issued").exists()
    # The digits came back only to the desk; here a fresh one is issued for the test.
    digits = receipts.issue(case, channel="phone")
    client = _opened(world, digits)
    page = client.get(MINE).content.decode()
    assert "门诊收费处多收费用两次" in page and "确认" in page
    assert (
        client.post(f"{MINE}correct_record/", {"correction": "是三次，不是两次。"}).status_code
        == 302
    )
    assert client.post(f"{MINE}confirm_record/").status_code == 302
    case.refresh_from_db()
    assert case.content == "来电称：门诊收费处多收费用两次。"
    record = CaseRecord.objects.get(case=case, kind="reporter_correction")
    assert record.body == "是三次，不是两次。"
    assert "是三次，不是两次" in client.get(MINE).content.decode()
    # A web submission has no oral record to confirm.
    web, web_digits = _submitted(world)
    other = _opened(world, web_digits)
    assert other.post(f"{MINE}confirm_record/").status_code == 409

"""Who sees a complainant's contact details, on every surface: the persona matrix.

One closed complaint, registered by phone by the clerk (first-contact owner), handled by
the finance handler, about a staff member of another department. On the desk case page,
the API, the ledger export, each printed document and the notifications, each persona
either sees the identity (and an identity-access row is written) or the masked form.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from tousu.cases.models import Case, IdentityReveal
from tousu.conftest import World
from tousu.orgs.services import create_user
from tousu.privacy.models import IdentityAccess
from tousu.reports.tests import exporting

NAME, PHONE = "王建国", "13912345678"
SEES = {"clerk", "handler"}
MASKED = {"handler3", "head", "dispatcher", "supervisor", "leader", "auditor"}


def _ok(r: Any) -> Any:
    assert r.status_code in (200, 201), r.content.decode(errors="replace")[:1000]
    return r


@pytest.fixture
def closed(world: World) -> str:
    world.users["handler3"] = create_user(
        "handler3", org=world.org, role="handler", department="finance"
    )
    clerk, dispatcher, handler = world.api("clerk"), world.api("dispatcher"), world.api("handler")
    number = _ok(
        clerk.post(
            "/cases",
            {
                "kind": "complaint", "channel": "phone", "category": "fees",
                "content": "CT检查被重复收费两次。", "demands": "退还重复收取的费用",
                "complainant": {"anonymous": False, "name": NAME, "phone": PHONE},
                "subject": {"type": "staff", "name": "客服部小李", "staff": "handler2"},
            },
        )
    ).json()["number"]  # fmt: skip
    _ok(dispatcher.act(number, "accept"))
    _ok(dispatcher.act(number, "assign", {"lead_department": "finance", "handler": "handler"}))
    _ok(
        handler.act(
            number, "record", {"kind": "mediation", "body": f"与{NAME}调解", "outcome": "agreement"}
        )
    )
    _ok(
        handler.act(
            number, "resolve",
            {"findings": f"{NAME}（{PHONE}）反映属实", "responsibility": "organisation", "valid": True},
        )
    )  # fmt: skip
    _ok(handler.act(number, "reply", {"channel": "letter", "body": f"{NAME}：您好，费用已退还。"}))
    _ok(dispatcher.act(number, "close"))
    IdentityAccess.objects.all().delete()  # the matrix counts only its own views
    return str(number)


def _desk(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _xlsx_text(response: Any) -> str:
    content = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(
        str(cell)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for cell in row
    )


@pytest.mark.parametrize("persona", sorted(SEES | MASKED))
def test_who_sees_the_complainant_on_every_surface(world: World, closed: str, persona: str) -> None:
    number, sees = closed, persona in SEES
    api, desk = world.api(persona), _desk(world, persona)

    body = _ok(api.get(f"/cases/{number}")).json()
    assert body["parties"][0]["masked"] is (not sees)
    assert (NAME in str(body)) is sees, "the API"
    assert (PHONE in str(body)) is sees

    page = _ok(desk.get(f"/desk/acme/cases/{number}/")).content.decode()
    assert (NAME in page) is sees, "the desk page"
    assert (PHONE in page) is sees

    export = _ok(exporting.ledger(desk))
    sheet = _xlsx_text(export)
    assert number in sheet
    assert (NAME in sheet) is sees, "the ledger export (its 投诉人 column)"
    assert PHONE not in sheet or sees

    for kind in ("registration", "mediation", "reply"):
        r = desk.get(f"/desk/acme/cases/{number}/documents/{kind}.pdf")
        if r.status_code == 404:
            assert not sees, f"{kind}.pdf: those who see the identity may print it"
            continue
        text = _pdf_text(_ok(r).content)
        assert (NAME in text) is sees, f"{kind}.pdf"

    notes = api.get("/notifications").json()
    assert NAME not in str(notes) and PHONE not in str(notes)
    inbox = desk.get("/desk/acme/inbox/").content.decode()
    assert NAME not in inbox and PHONE not in inbox

    views = IdentityAccess.objects.filter(user=world.users[persona]).count()
    if sees:
        assert views >= 3  # API, desk page, export rows (and each document)
    else:
        assert views == 0


def test_the_subject_sees_neither_the_case_nor_the_complainant(world: World, closed: str) -> None:
    number = closed
    api, desk = world.api("handler2"), _desk(world, "handler2")
    assert api.get(f"/cases/{number}").status_code == 404
    assert desk.get(f"/desk/acme/cases/{number}/").status_code == 404
    for kind in ("registration", "mediation", "reply"):
        assert desk.get(f"/desk/acme/cases/{number}/documents/{kind}.pdf").status_code == 404
    sheet = _xlsx_text(_ok(exporting.ledger(desk)))
    assert number not in sheet and NAME not in sheet
    about = _ok(api.get("/about-me")).json()
    assert len(about) == 1 and NAME not in str(about) and PHONE not in str(about)
    assert NAME not in str(api.get("/notifications").json())
    assert not IdentityAccess.objects.filter(user=world.users["handler2"]).exists()


def test_a_colleague_who_may_handle_a_complaint_opens_it_with_a_reason_and_auditors_see_why(
    world: World, closed: str
) -> None:
    number = closed
    dispatcher = world.api("dispatcher")
    assert dispatcher.get(f"/cases/{number}").json()["parties"][0]["masked"] is True
    r = dispatcher.act(number, "request_reveal", {"reason": "投诉人来电要求复核，需回拨"})
    assert r.status_code == 200, r.content
    assert r.json()["parties"][0]["phone"] == PHONE
    reveal = IdentityReveal.objects.get(case__number=number, requested_by=world.users["dispatcher"])
    assert reveal.state == IdentityReveal.State.APPROVED
    assert IdentityAccess.objects.filter(user=world.users["dispatcher"]).exists()
    # Opening it again is refused: they already see it
    assert dispatcher.act(number, "request_reveal", {"reason": "再次"}).status_code == 409
    log = _ok(world.api("auditor").get(f"/cases/{number}/identity-access")).json()
    opened = [row for row in log if row["surface"] == "break_glass"]
    assert opened == [
        {
            "user": "dispatcher", "at": opened[0]["at"], "surface": "break_glass",
            "approved_by": "dispatcher", "reason": "投诉人来电要求复核，需回拨",
        }
    ]  # fmt: skip
    # The auditor, who may not see identities, still reads the others masked
    assert world.api("auditor").get(f"/cases/{number}").json()["parties"][0]["masked"] is True
    # The subject can never open it: the case does not exist for them
    subject = world.api("handler2")
    assert subject.act(number, "request_reveal", {"reason": "想知道"}).status_code == 404


def test_the_follow_up_opens_contact_details_to_its_roles_while_it_is_open(
    world: World,
) -> None:
    clerk, dispatcher, handler = world.api("clerk"), world.api("dispatcher"), world.api("handler")
    number = clerk.register().json()["number"]
    dispatcher.act(number, "accept")
    dispatcher.act(number, "assign", {"lead_department": "finance", "handler": "handler"})
    assert dispatcher.get(f"/cases/{number}").json()["parties"][0]["masked"] is True
    handler.act(number, "resolve", {"findings": "属实", "responsibility": "organisation"})
    handler.act(number, "reply", {"channel": "phone", "body": "已退费"})
    # Follow-up open: the dispatcher (a follow-up role) calls the complainant back
    assert dispatcher.get(f"/cases/{number}").json()["parties"][0]["masked"] is False
    assert world.api("head").get(f"/cases/{number}").json()["parties"][0]["masked"] is True
    r = dispatcher.act(number, "follow_up", {"reached": True, "satisfaction": "satisfied"})
    assert r.status_code == 200, r.content
    # Done: masked again
    assert dispatcher.get(f"/cases/{number}").json()["parties"][0]["masked"] is True


def test_a_policy_may_open_complaints_to_a_role(world: World) -> None:
    from tousu.policy.loader import preset_source
    from tousu.policy.services import activate_policy

    source = preset_source("general")
    assert "[permissions]" not in source
    activate_policy(
        world.org, source + '\n[permissions]\nsee_identity_complaint = ["supervisor"]\n'
    )
    number = world.api("clerk").register().json()["number"]
    assert world.api("supervisor").get(f"/cases/{number}").json()["parties"][0]["masked"] is False
    assert world.api("dispatcher").get(f"/cases/{number}").json()["parties"][0]["masked"] is True
    case = Case.objects.get(number=number)
    assert case.kind == "complaint"


def test_a_writer_who_sees_the_identity_is_warned_and_nobody_else_is(world: World) -> None:
    clerk, dispatcher, handler = world.api("clerk"), world.api("dispatcher"), world.api("handler")
    number = clerk.register().json()["number"]
    dispatcher.act(number, "accept")
    dispatcher.act(number, "assign", {"lead_department": "finance", "handler": "handler"})
    r = handler.act(number, "record", {"kind": "note", "body": f"已联系{NAME}"})
    assert [w["code"] for w in r.json()["warnings"]] == ["identity_in_text"]
    r = handler.act(number, "record", {"kind": "note", "body": "已联系投诉人"})
    assert r.json()["warnings"] == []
    # The dispatcher may not see the identity: no warning (it would confirm the guess),
    # and their own note reads back as written
    r = dispatcher.act(number, "record", {"kind": "note", "body": f"疑似{NAME}"})
    assert r.status_code == 200
    assert r.json()["warnings"] == []
    timeline = r.json()["timeline"]
    assert timeline[-1]["record"]["body"] == f"疑似{NAME}"
    # ... while the handler's note naming the complainant is masked for them
    assert f"已联系{NAME}" not in str(timeline)
    assert "已联系■■■" in str(timeline)


def test_the_registration_hint_finds_a_complaint_by_phone_without_naming_anyone(
    world: World,
) -> None:
    complaint = world.api("clerk").register().json()["number"]
    report = (
        world.api("clerk")
        .register(kind="report", complainant={"name": "郑红", "phone": "13912345678"})
        .json()["number"]
    )
    # The dispatcher may not see either identity: the complaint is still hinted, by number
    hint = _desk(world, "dispatcher").get("/desk/acme/lookup/", {"c_phone": PHONE})
    text = _ok(hint).content.decode()
    assert complaint in text
    assert NAME not in text and "郑红" not in text
    # ... but a sealed report is never tied to the caller's number
    assert report not in text


def test_the_desk_warns_a_writer_whose_note_names_the_complainant(world: World) -> None:
    clerk, dispatcher = world.api("clerk"), world.api("dispatcher")
    number = clerk.register().json()["number"]
    dispatcher.act(number, "accept")
    dispatcher.act(number, "assign", {"lead_department": "finance", "handler": "handler"})
    desk = _desk(world, "handler")
    url = f"/desk/acme/cases/{number}/act/record/"
    page = desk.post(url, {"kind": "note", "body": f"已联系{NAME}"}, follow=True)
    assert "所写内容含有投诉举报人的身份信息" in page.content.decode()
    page = desk.post(url, {"kind": "note", "body": "已联系投诉人"}, follow=True)
    assert "所写内容含有投诉举报人的身份信息" not in page.content.decode()

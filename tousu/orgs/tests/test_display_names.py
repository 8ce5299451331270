"""Staff are named by their names on pages, documents and notices; never by their usernames."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from tousu.accountability.printouts import _target
from tousu.cases.access import reporter_actor
from tousu.cases.inputs import RegisterIn
from tousu.cases.intake import register
from tousu.cases.models import Case, Notification
from tousu.conftest import World
from tousu.notify import sms
from tousu.notify.delivery import deliver
from tousu.notify.models import StaffContact
from tousu.orgs.models import StaffProfile
from tousu.orgs.people import display_name, first_contact_name
from tousu.orgs.services import set_profile
from tousu.procedures.printouts import who
from tousu.reporter import receipts

NAMES = {
    "clerk": ("陈晓燕", "门诊服务台接待员"),
    "dispatcher": ("刘建伟", "投诉接待中心主任"),
    "handler": ("周敏", "财务处科员"),
}


def _named(world: World, *personas: str) -> None:
    for persona in personas:
        name, title = NAMES[persona]
        set_profile(world.users[persona], org=world.org, name=name, title=title)


def _handled(world: World) -> str:
    r = world.api("clerk").register()
    assert r.status_code == 201, r.content.decode()[:2000]
    number: str = r.json()["number"]
    assert world.api("dispatcher").act(number, "accept").status_code == 200
    r = world.api("dispatcher").act(
        number, "assign", {"lead_department": "finance", "handler": "handler"}
    )
    assert r.status_code == 200, r.content.decode()[:2000]
    return number


def _pdf_text(response: Any) -> str:
    assert response.status_code == 200, response.content.decode(errors="replace")[:2000]
    reader = PdfReader(io.BytesIO(response.content))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


@pytest.mark.django_db
def test_display_name_never_falls_back_to_the_username(world: World) -> None:
    clerk = world.users["clerk"]
    assert display_name(clerk) == "工作人员"  # no name yet: a neutral label
    set_profile(clerk, org=world.org, title="门诊服务台接待员")
    assert display_name(clerk) == "门诊服务台接待员"  # the post alone, still not the login
    _named(world, "clerk")
    assert display_name(clerk) == "陈晓燕"
    assert display_name(clerk, title=True) == "陈晓燕（门诊服务台接待员）"
    reporter = reporter_actor(world.org)
    account = get_user_model().objects.get(pk=reporter.user_id)
    assert display_name(account) == "投诉举报人"
    assert first_contact_name(account) == "网上提交"
    assert display_name(None) == ""


def test_the_registration_form_names_the_clerk_and_the_first_contact(world: World, desk) -> None:
    _named(world, "clerk")
    number = world.api("clerk").register().json()["number"]
    text = _pdf_text(desk("clerk").get(f"cases/{number}/documents/registration.pdf"))
    assert "陈晓燕（门诊服务台接待员）" in text  # 首问责任人, with the post
    assert "（陈晓燕）" in text  # 登记人（签名）
    assert "clerk" not in text


def test_an_unnamed_clerk_is_printed_as_staff_not_as_a_login(world: World, desk) -> None:
    number = world.api("clerk").register().json()["number"]
    text = _pdf_text(desk("clerk").get(f"cases/{number}/documents/registration.pdf"))
    assert "（工作人员）" in text and "clerk" not in text


def test_the_case_page_names_first_contact_handler_and_timeline(world: World, desk) -> None:
    _named(world, "clerk", "dispatcher", "handler")
    number = _handled(world)
    page = desk("handler").get(f"cases/{number}/").content.decode()
    assert "陈晓燕（门诊服务台接待员）" in page
    assert "周敏（财务处科员）" in page
    who_spans = re.findall(r'<span class="who">([^<]*)</span>', page)
    assert "刘建伟" in who_spans and "陈晓燕" in who_spans
    assert not {"clerk", "dispatcher", "handler"} & set(who_spans)


def test_a_portal_case_has_no_staff_first_contact_to_name(world: World, desk) -> None:
    data = RegisterIn.model_validate(
        {
            "kind": "complaint",
            "channel": "web",
            "category": "fees",
            "content": "网上反映：CT检查被重复收费两次。",
            "complainant": {"anonymous": True},
            "subject": {"type": "department", "name": "收费处"},
        }  # fmt: skip
    )
    case = register(reporter_actor(world.org), data)
    page = desk("dispatcher").get(f"cases/{case.number}/").content.decode()
    assert "tousu-reporter" not in page
    assert re.search(r"首问责任人</dt><dd>网上提交</dd>", page), page[:3000]


@pytest.mark.django_db
def test_step_records_and_penalty_notices_name_the_person(world: World) -> None:
    _named(world, "handler")
    assert who(world.users["handler"]) == "周敏（财务处科员）"
    assert who(world.users["clerk"]) == "工作人员"
    penalty: Any = type("P", (), {"staff": world.users["handler"], "department": None})()
    assert _target(penalty)[0] == "周敏"


@pytest.mark.django_db
def test_notices_go_to_the_profiles_email_and_mobile(world: World, monkeypatch: Any) -> None:
    number = _handled(world)
    handler = world.users["handler"]
    handler.email = "old@example.org"
    handler.save(update_fields=["email"])
    set_profile(handler, org=world.org, email="zhou.min@example.org", mobile="13912345678")
    StaffContact.objects.create(user=handler, sms_notifications=True)
    sent: list[str] = []

    def send(self: Any, phone: str, text: str) -> str:
        sent.append(phone)
        return "ok"

    monkeypatch.setattr(sms.LoggingSmsProvider, "send", send)
    note = Notification.objects.filter(user=handler, case__number=number).first()
    assert note is not None
    mail.outbox.clear()
    deliver([note.pk])
    assert [m.to for m in mail.outbox] == [["zhou.min@example.org"]]
    assert sent == ["13912345678"]
    # The profile's mobile never reaches a document or page text: only the notice.
    assert StaffProfile.objects.get(user=handler).mobile == "13912345678"


def test_a_complaint_naming_a_staff_member_by_their_profile_name_is_walled_off(
    world: World,
) -> None:
    head = world.users["head"]
    set_profile(head, org=world.org, name="孙国强", title="财务处处长")
    number = (
        world.api("clerk")
        .register(category="misconduct", subject={"type": "staff", "name": "财务处孙国强处长"})
        .json()["number"]
    )
    world.api("dispatcher").act(number, "accept")
    world.api("dispatcher").act(number, "assign", {"lead_department": "finance"})
    assert world.api("head").get(f"/cases/{number}").status_code == 404
    assert not Notification.objects.filter(user=head, case__number=number).exists()
    assert world.api("handler").get(f"/cases/{number}").status_code == 200


def test_the_portal_shows_no_staff_name_title_or_contact(world: World) -> None:
    """The reporter's page says 办理人员: a receipt holder is not known to the office, a
    report may concern the staff themselves, and a name invites pressure outside the
    channel."""
    for persona in NAMES:
        name, title = NAMES[persona]
        set_profile(world.users[persona], org=world.org, name=name, title=title,
                    email=f"{persona}@example.org", mobile="13912345678")  # fmt: skip
    number = _handled(world)
    case = Case.objects.get(number=number)
    digits = receipts.issue(case, channel="phone", by_user_id=world.users["clerk"].pk)
    handler = world.api("handler")
    assert handler.act(number, "message_reporter", {"body": "请补充收费单据。"}).status_code == 200
    reporter = Client()
    r = reporter.post("/o/acme/follow/", {"receipt": digits})
    assert r.status_code == 302
    page = reporter.get(r["Location"]).content.decode()
    assert "请补充收费单据" in page and "办理人员" in page
    for persona, (name, title) in NAMES.items():
        for shown in (name, title, f"{persona}@example.org", "13912345678", persona):
            assert shown not in page, shown

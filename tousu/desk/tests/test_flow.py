"""A phone complaint from registration to closing, through the desk's pages only."""

from __future__ import annotations

from tousu.cases.models import Case, Event
from tousu.privacy.models import IdentityAccess


def _number(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"]).rstrip("/").rsplit("/", 1)[-1]


def test_phone_complaint_from_registration_to_closing(world, desk):
    clerk = desk("clerk")
    number = _number(clerk.register())
    case = Case.objects.get(number=number)
    assert case.channel == "phone" and case.status == "registered"
    page = clerk.get(f"cases/{number}/").content.decode()
    assert number in page and "王建国" in page and "办理时限" in page

    dispatcher = desk("dispatcher")
    assert _number(dispatcher.act(number, "accept")) == number
    r = dispatcher.act(number, "assign", {"lead_department": "finance", "handler": "handler"})
    assert r.status_code == 302, r.content.decode()[:3000]
    handler = desk("handler")
    r = handler.act(
        number,
        "record",
        {"kind": "mediation", "body": "与收费处核对，确认重复收费。", "outcome": "agreement"},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    r = handler.act(
        number,
        "resolve",
        {"findings": "重复收费属实，已退费。", "responsibility": "organisation", "valid": "true"},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    r = handler.act(number, "reply", {"channel": "phone", "body": "您好，多收的费用已退还。"})
    assert r.status_code == 302, r.content.decode()[:3000]
    r = clerk.act(
        number, "follow_up", {"reached": "on", "satisfaction": "satisfied", "channel": "phone"}
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    case.refresh_from_db()
    assert case.status == "followed_up"
    r = desk("supervisor").act(number, "close", {})
    assert r.status_code == 302, r.content.decode()[:3000]
    case.refresh_from_db()
    assert case.status == "closed"
    types = list(Event.objects.filter(case=case).order_by("seq").values_list("type", flat=True))
    assert types[0] == "registered" and types[-1] == "closed"
    assert IdentityAccess.objects.filter(case=case, surface="desk").exists()


def test_amend_completes_the_complainants_details_from_the_case_page(world, desk):
    number = _number(desk("clerk").register(c_name="", c_phone="", anonymous="on"))
    clerk = desk("clerk")
    page = clerk.get(f"cases/{number}/").content.decode()
    assert 'name="complainant.phone"' in page
    r = clerk.act(number, "amend", {"complainant.name": "李梅", "complainant.phone": "13800001111"})
    assert r.status_code == 302, r.content.decode()[:3000]
    page = clerk.get(f"cases/{number}/").content.decode()
    assert "李梅" in page and "13800001111" in page
    event = Event.objects.filter(case__number=number, type="amended").get()
    assert event.data["changed"] == ["complainant"]
    # The unchanged, prefilled demands are not an amendment; nothing at all is refused
    r = clerk.act(number, "amend", {"complainant.name": "李梅", "complainant.phone": "13800001111"})
    assert r.status_code == 422 and "没有需要补充的内容" in r.content.decode()


def test_a_mixed_submission_is_split_from_the_case_page(world, desk):
    number = _number(desk("clerk").register(content="收费有误；另外建议增加停车位。"))
    r = desk("dispatcher").act(
        number,
        "split",
        {
            "parts.0.kind": "complaint",
            "parts.0.content": "收费有误",
            "parts.1.kind": "suggestion",
            "parts.1.content": "建议增加停车位",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    kinds = sorted(Case.objects.exclude(number=number).values_list("kind", flat=True))
    assert kinds == ["complaint", "suggestion"]


def test_the_policys_reply_template_comes_filled_in_for_the_case(world):
    from django.test import Client

    from tousu.cases.access import actor_for
    from tousu.desk.tests.browser.steps import act, new_case
    from tousu.orgs.services import create_user
    from tousu.policy.services import create_org

    org = create_org("hosp", "示例人民医院", "hospital")
    clerk = create_user("hosp_clerk", org=org, role="intake_clerk")
    dispatcher = create_user("hosp_dispatcher", org=org, role="dispatcher")
    handler = create_user("hosp_handler", org=org, role="handler", department="finance")
    case = new_case(actor_for(clerk, "hosp"))
    act(case, actor_for(dispatcher, "hosp"), "accept")
    act(
        case,
        actor_for(dispatcher, "hosp"),
        "assign",
        lead_department="finance",
        handler="hosp_handler",
    )
    act(
        case,
        actor_for(handler, "hosp"),
        "resolve",
        findings="重复收费属实，已退还。",
        responsibility="organisation",
    )
    client = Client()
    client.force_login(handler)
    page = client.get(f"/desk/hosp/cases/{case.number}/").content.decode()
    assert 'data-template-for="reply-body"' in page
    assert f"（编号{case.number}）" in page and "重复收费属实，已退还" in page
    assert "{number}" not in page and "{findings}" not in page

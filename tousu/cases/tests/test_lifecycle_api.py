"""The whole lifecycle through the API, as the people who do it."""

from __future__ import annotations

from typing import Any

from tousu.cases.events import verify_case
from tousu.cases.models import Case, Event, Notification
from tousu.conftest import World


def _types(case_json: dict[str, Any]) -> list[str]:
    return [e["type"] for e in case_json["timeline"]]


def test_a_phone_complaint_goes_from_registration_to_closing(world: World) -> None:
    clerk, dispatcher = world.api("clerk"), world.api("dispatcher")
    handler, head = world.api("handler"), world.api("head")

    # Given the clerk registers a phone complaint about a double charge
    r = clerk.register()
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    assert r.json()["status"] == "registered"
    assert [d["stage"] for d in r.json()["deadlines"]] == ["acceptance"]
    assert r.json()["deadlines"][0]["due_at"].endswith("+08:00")

    # The category proposes Finance; the dispatcher accepts and routes it there
    case = dispatcher.get(f"/cases/{number}").json()
    assert case["proposed_department"] == "finance"
    assert case["first_contact_owner"] == "clerk"
    r = dispatcher.act(number, "accept", {"note": "事实清楚，予以受理"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "accepted"
    stages = {d["stage"]: d["state"] for d in r.json()["deadlines"]}
    assert stages == {"acceptance": "met", "reply": "open"}
    r = dispatcher.act(number, "assign", {"lead_department": "finance", "handler": "handler"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "in_progress"
    assert r.json()["handler"] == "handler"

    # The handler investigates, records the mediation, resolves and replies
    r = handler.act(
        number, "record", {"kind": "investigation", "body": "核对收费明细，确认重复计费"}
    )
    assert r.status_code == 200, r.content
    r = handler.act(
        number,
        "resolve",
        {"findings": "系统重复计费，已退费", "responsibility": "organisation", "valid": True},
    )
    assert r.json()["status"] == "resolved"
    assert r.json()["responsibility"] == "organisation"
    assert r.json()["validity"] == "valid"
    r = handler.act(number, "reply", {"channel": "phone", "body": "已退还重复收取的费用"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "replied"

    # Follow-up, then the department head closes it
    r = clerk.act(number, "follow_up", {"reached": True, "satisfaction": "satisfied"})
    assert r.json()["status"] == "followed_up"
    assert r.json()["satisfaction"] == "satisfied"
    r = head.act(number, "close", {})
    assert r.status_code == 200, r.content
    final = r.json()
    assert final["status"] == "closed"
    assert _types(final) == [
        "registered", "accepted", "assigned", "recorded", "resolved", "replied",
        "followed_up", "closed",
    ]  # fmt: skip
    assert all(d["state"] in {"met", "cancelled"} for d in final["deadlines"])

    # Every step is on the hash chain, and the chain holds
    db_case = Case.objects.get(number=number)
    assert verify_case(db_case) == (True, None)

    # The complainant disagrees: re-verification goes back to Finance
    r = dispatcher.act(number, "reopen", {"reason": "投诉人对退费金额有异议"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "in_progress"
    assert r.json()["reopen_count"] == 1
    reopened = next(e for e in r.json()["timeline"] if e["type"] == "reopened")
    assert reopened["data"]["earlier_handling_until_seq"] == 8


def test_the_first_contact_owner_keeps_seeing_and_is_told_when_the_case_moves(world: World) -> None:
    clerk, dispatcher, handler = world.api("clerk"), world.api("dispatcher"), world.api("handler")
    number = clerk.register().json()["number"]
    dispatcher.act(number, "accept")
    dispatcher.act(number, "assign", {"lead_department": "finance"})

    # Finance transfers it to customer service, which must receive it explicitly
    r = handler.act(number, "transfer", {"department": "service", "reason": "属服务态度问题"})
    assert r.json()["status"] == "transferring"
    assert r.json()["pending_department"] == "service"
    r = world.api("handler2").act(number, "receive", {})
    assert r.status_code == 200, r.content
    assert r.json()["lead_department"] == "service"
    assert r.json()["handler"] == "handler2"

    # Finance no longer sees it; the clerk who took the call still does
    assert handler.get(f"/cases/{number}").status_code == 404
    assert clerk.get(f"/cases/{number}").status_code == 200
    kinds = list(
        Notification.objects.filter(user=world.users["clerk"]).values_list("kind", flat=True)
    )
    assert kinds.count("case_moved") >= 2


def test_a_transfer_can_be_returned_with_a_reason(world: World) -> None:
    dispatcher, handler = world.api("dispatcher"), world.api("handler")
    number = world.api("clerk").register().json()["number"]
    dispatcher.act(number, "accept")
    dispatcher.act(number, "assign", {"lead_department": "finance"})
    handler.act(number, "transfer", {"department": "service", "reason": "请服务部处理"})
    r = world.api("handler2").act(number, "return", {"reason": "不属本部门职责"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "in_progress"
    assert r.json()["lead_department"] == "finance"
    assert r.json()["pending_department"] is None
    returned = r.json()["timeline"][-1]
    assert returned["type"] == "returned"
    assert returned["record"]["body"] == "不属本部门职责"


def test_on_the_spot_resolution_is_still_a_full_record(world: World) -> None:
    clerk = world.api("clerk")
    number = clerk.register(channel="visit", category="service_attitude").json()["number"]
    r = clerk.act(
        number,
        "resolve_on_the_spot",
        {"findings": "当面核实并道歉，投诉人表示满意", "satisfied": True},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "replied"
    assert body["complexity"] == "on_the_spot"
    assert body["timeline"][-1]["record"]["body"] == "当面核实并道歉，投诉人表示满意"
    assert world.api("dispatcher").act(number, "close").json()["status"] == "closed"


def test_rejection_refusal_reasons_come_from_the_policy(world: World) -> None:
    dispatcher = world.api("dispatcher")
    number = world.api("clerk").register().json()["number"]
    r = dispatcher.act(number, "reject", {"reason_code": "made_up", "complainant_told": True})
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_value"
    assert Case.objects.get(number=number).status == "registered"
    r = dispatcher.act(
        number, "reject",
        {"reason_code": "before_court", "complainant_told": True, "told_via": "phone"},
    )  # fmt: skip
    assert r.status_code == 200
    assert r.json()["status"] == "rejected"
    assert r.json()["timeline"][-1]["reason_code"] == "before_court"


def test_referral_to_another_organisation_registers_a_case_there(world: World) -> None:
    dispatcher = world.api("dispatcher")
    number = world.api("clerk").register().json()["number"]
    r = dispatcher.act(number, "refer", {"target_org": "other", "complainant_told": True})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "referred"
    data = r.json()["timeline"][-1]["data"]
    assert data["target_org"] == "other"
    received = Case.objects.get(org=world.other, number=data["target_number"])
    assert received.channel == "referral"
    assert received.status == "registered"
    # The outsider (a dispatcher there) sees the referred copy, never the original
    outsider = world.api("outsider")
    outsider.org = "other"
    assert outsider.get(f"/cases/{received.number}").status_code == 200
    outsider.org = "acme"
    assert outsider.get(f"/cases/{number}").status_code == 404


def test_referral_to_an_outside_authority_records_where_and_that_the_complainant_was_told(
    world: World,
) -> None:
    dispatcher = world.api("dispatcher")
    number = world.api("clerk").register(kind="report").json()["number"]
    r = dispatcher.act(
        number, "refer",
        {"authority": "区农业农村局", "complainant_told": True, "told_via": "phone"},
    )  # fmt: skip
    assert r.status_code == 200, r.content
    assert r.json()["timeline"][-1]["data"] == {
        "complainant_told": True,
        "told_via": "phone",
        "authority": "区农业农村局",
        "deadlines_met": ["acceptance"],
    }


def test_pause_stops_the_clock_and_resume_moves_it(world: World) -> None:
    dispatcher, handler = world.api("dispatcher"), world.api("handler")
    number = world.api("clerk").register().json()["number"]
    dispatcher.act(number, "accept")
    dispatcher.act(number, "assign", {"lead_department": "finance"})
    r = handler.act(number, "pause", {"reason_code": "testing", "note": "送检"})
    assert r.json()["status"] == "paused"
    assert {d["stage"]: d["state"] for d in r.json()["deadlines"]}["reply"] == "paused"
    r = handler.act(number, "resume", {})
    assert r.json()["status"] == "in_progress"
    assert {d["stage"]: d["state"] for d in r.json()["deadlines"]}["reply"] == "open"


def test_extensions_need_a_second_person_within_the_policy_limit(world: World) -> None:
    dispatcher, handler, supervisor = (
        world.api("dispatcher"), world.api("handler"), world.api("supervisor"),
    )  # fmt: skip
    number = world.api("clerk").register().json()["number"]
    dispatcher.act(number, "accept")
    dispatcher.act(number, "assign", {"lead_department": "finance"})
    before = {d["stage"]: d["due_at"] for d in handler.get(f"/cases/{number}").json()["deadlines"]}
    r = handler.act(
        number, "request_extension", {"stage": "reply", "amount": 30, "reason": "需鉴定"}
    )
    assert r.status_code == 422  # over the general policy's 10 working days
    r = handler.act(
        number, "request_extension", {"stage": "reply", "amount": 5, "reason": "需鉴定"}
    )
    assert r.status_code == 200, r.content
    # The handler cannot approve (not an approver role); the supervisor can
    assert handler.act(number, "approve_extension", {}).status_code == 403
    r = supervisor.act(number, "approve_extension", {"note": "同意延期"})
    assert r.status_code == 200, r.content
    after = {d["stage"]: d for d in r.json()["deadlines"]}
    assert after["reply"]["extended"] == 5
    assert after["reply"]["due_at"] > before["reply"]


def test_split_and_merge_keep_links_between_cases(world: World) -> None:
    dispatcher = world.api("dispatcher")
    number = (
        world.api("clerk").register(content="超市出售过期牛奶，要求赔偿并举报").json()["number"]
    )
    r = dispatcher.act(
        number, "split",
        {"parts": [
            {"kind": "complaint", "category": "quality", "content": "要求超市赔偿"},
            {"kind": "report", "category": "quality", "content": "超市销售过期牛奶"},
        ]},
    )  # fmt: skip
    assert r.status_code == 200, r.content
    dispute, report = r.json()["timeline"][-1]["data"]["parts"]
    assert {"type": "split_from:incoming", "number": dispute} in r.json()["links"]
    # The report's side stays sealed: no link ties it to the caller's named complaint
    assert all(link["number"] != report for link in r.json()["links"])
    report_view = dispatcher.get(f"/cases/{report}").json()
    assert report_view["links"] == [] and report_view["parties"][0]["masked"] is True
    dup = world.api("clerk").register().json()["number"]
    r = dispatcher.act(dup, "merge", {"into": number})
    assert r.json()["status"] == "merged"
    assert {"type": "merged_into", "number": number} in r.json()["links"]


def test_a_written_complaint_needs_a_written_reply(world: World) -> None:
    dispatcher, handler = world.api("dispatcher"), world.api("handler")
    number = world.api("clerk").register(channel="letter").json()["number"]
    dispatcher.act(number, "accept")
    dispatcher.act(number, "assign", {"lead_department": "finance"})
    handler.act(number, "resolve", {"findings": "属实", "responsibility": "organisation"})
    r = handler.act(number, "reply", {"channel": "phone", "body": "电话告知"})
    assert r.status_code == 422
    assert r.json()["code"] == "written_reply_required"
    assert Event.objects.filter(case__number=number, type="replied").count() == 0
    r = handler.act(number, "reply", {"channel": "letter", "body": "书面答复见附件"})
    assert r.status_code == 200


def test_escalation_notify_authority_and_withdrawal_are_recorded(world: World) -> None:
    dispatcher, handler = world.api("dispatcher"), world.api("handler")
    number = world.api("clerk").register().json()["number"]
    dispatcher.act(number, "accept")
    dispatcher.act(number, "assign", {"lead_department": "finance"})
    r = handler.act(
        number, "escalate", {"to_role": "leader", "major": True, "reason": "涉及多名患者"}
    )
    assert r.json()["complexity"] == "major"
    assert Notification.objects.filter(user=world.users["leader"], kind="case_escalated").exists()
    r = handler.act(
        number,
        "notify_authority",
        {"authority": "区卫生健康委", "reference": "卫健受字〔2026〕15号"},
    )
    assert r.json()["status"] == "in_progress"
    assert r.json()["timeline"][-1]["data"]["authority"] == "区卫生健康委"
    r = handler.act(number, "withdraw", {"reason": "投诉人撤回"})
    assert r.json()["status"] == "withdrawn"
    assert all(d["state"] == "cancelled" for d in r.json()["deadlines"] if d["state"] != "met")


def test_a_refused_complainant_is_told_the_reason_and_the_proper_channel(world: World) -> None:
    number = world.api("clerk").register().json()["number"]
    r = world.api("dispatcher").act(
        number, "reject", {"reason_code": "outside_mandate", "complainant_told": True}
    )
    decision = r.json()["decision"]
    assert decision["reason"]["zh"] == "不属于本单位职责范围"
    assert decision["redirect"]["zh"] == "请向有管辖权的部门反映"
    assert decision["complainant_told"] is True


def test_members_read_the_active_policy_and_outsiders_do_not(world: World) -> None:
    r = world.api("clerk").get("/policy")
    assert r.status_code == 200
    codes = [c["code"] for c in r.json()["document"]["categories"]]
    assert "fees" in codes and r.json()["version"] == 1
    assert world.api("outsider").get("/policy").status_code == 404


def test_staff_read_their_own_notifications_only(world: World) -> None:
    clerk, dispatcher = world.api("clerk"), world.api("dispatcher")
    number = clerk.register().json()["number"]
    dispatcher.act(number, "accept")
    dispatcher.act(number, "assign", {"lead_department": "finance"})
    inbox = clerk.get("/notifications").json()
    assert inbox["unread"] == 1
    note = inbox["results"][0]
    assert note == {**note, "kind": "case_moved", "case": number, "read_at": None}
    # Another person cannot mark it read, and learns nothing about it
    assert world.api("handler").post(f"/notifications/{note['id']}/read").status_code == 404
    r = clerk.post(f"/notifications/{note['id']}/read")
    assert r.status_code == 200 and r.json()["read_at"] is not None
    assert clerk.get("/notifications", unread="true").json() == {"unread": 0, "results": []}

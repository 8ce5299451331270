"""Need-to-know: recusal, the subject's exclusion, and opening a reporter's identity."""

from __future__ import annotations

from tousu.cases.models import Case, Notification
from tousu.conftest import World


def _routed(world: World, **overrides: object) -> str:
    number = world.api("clerk").register(**overrides).json()["number"]
    world.api("dispatcher").act(number, "accept")
    world.api("dispatcher").act(
        number, "assign", {"lead_department": "finance", "handler": "handler"}
    )
    return str(number)


def test_a_recused_handler_loses_the_case_at_once_and_learns_nothing_more(world: World) -> None:
    number = _routed(world)
    handler = world.api("handler")
    r = handler.act(number, "recuse", {"reason": "被投诉人是我的亲属"})
    assert r.status_code == 200, r.content
    assert handler.get(f"/cases/{number}").status_code == 404
    assert handler.act(number, "record", {"kind": "note", "body": "x"}).status_code == 404
    assert number not in [c["number"] for c in handler.get("/cases").json()["results"]]
    case = Case.objects.get(org=world.org, number=number)
    assert case.handler_id is None
    # ... and cannot be assigned it again
    r = world.api("dispatcher").act(
        number, "assign", {"lead_department": "finance", "handler": "handler"}
    )
    assert r.status_code == 422


def test_only_the_policys_approver_may_order_someone_else_to_step_aside(world: World) -> None:
    number = _routed(world)
    r = world.api("handler2").act(number, "recuse", {"user": "handler", "reason": "利害关系"})
    assert r.status_code == 404  # another department does not even see the case
    r = world.api("clerk").act(number, "recuse", {"user": "handler", "reason": "利害关系"})
    assert r.status_code == 403
    r = world.api("supervisor").act(number, "recuse", {"user": "handler", "reason": "利害关系"})
    assert r.status_code == 200
    assert world.api("handler").get(f"/cases/{number}").status_code == 404


def test_the_staff_member_complained_about_never_sees_the_case_nor_hears_of_it(
    world: World,
) -> None:
    number = (
        world.api("clerk")
        .register(
            category="misconduct",
            subject={"type": "staff", "name": "财务科张某", "staff": "head"},
        )
        .json()["number"]
    )
    head = world.api("head")  # head of finance, where the case will go
    world.api("dispatcher").act(number, "accept")
    world.api("dispatcher").act(number, "assign", {"lead_department": "finance"})
    assert head.get(f"/cases/{number}").status_code == 404
    assert head.act(number, "close").status_code == 404
    world.api("handler").act(
        number, "escalate", {"to_role": "department_head", "reason": "请部门负责人知悉"}
    )
    assert not Notification.objects.filter(user=world.users["head"]).exists()


def test_when_the_first_contact_owner_is_the_subject_the_role_passes_on(world: World) -> None:
    r = world.api("clerk").register(
        subject={"type": "staff", "name": "窗口受理员", "staff": "clerk"}
    )
    number = r.json()["number"]
    case = Case.objects.get(org=world.org, number=number)
    assert case.first_contact_owner_id != world.users["clerk"].pk
    assert world.api("clerk").get(f"/cases/{number}").status_code == 404


def test_a_party_request_pauses_the_clock_until_decided_where_the_policy_says_so(
    world: World,
) -> None:
    from tousu.policy.loader import preset_source
    from tousu.policy.services import activate_policy

    activate_policy(
        world.org,
        preset_source("general").replace(
            "[split]", "[recusal]\nrequest_pauses_clock = true\n\n[split]"
        ),
    )
    number = _routed(world)
    r = world.api("dispatcher").act(
        number, "request_recusal", {"user": "handler", "reason": "投诉人申请"}
    )
    assert {d["stage"]: d["state"] for d in r.json()["deadlines"]}["reply"] == "paused"
    assert (
        world.api("handler")
        .act(number, "decide_recusal", {"user": "handler", "approved": True})
        .status_code
        == 403
    )
    r = world.api("supervisor").act(
        number, "decide_recusal", {"user": "handler", "approved": False}
    )
    assert r.status_code == 200
    assert {d["stage"]: d["state"] for d in r.json()["deadlines"]}["reply"] == "open"
    assert world.api("handler").get(f"/cases/{number}").status_code == 200


def test_a_reporters_identity_opens_only_to_the_asker_after_a_custodians_approval(
    world: World,
) -> None:
    number = _routed(world, kind="report", complainant={"name": "郑红", "phone": "13511112222"})
    handler, leader = world.api("handler"), world.api("leader")
    assert handler.get(f"/cases/{number}").json()["parties"][0] == {
        "role": "reporter", "anonymous": False, "masked": True,
    }  # fmt: skip
    assert handler.act(number, "request_reveal", {"reason": "需当面核实细节"}).status_code == 200
    # The asker cannot approve; neither can a non-custodian
    assert (
        handler.act(
            number, "approve_reveal", {"requested_by": "handler", "approved": True}
        ).status_code
        == 403
    )
    assert (
        world.api("supervisor")
        .act(number, "approve_reveal", {"requested_by": "handler", "approved": True})
        .status_code
        == 403
    )
    r = leader.act(number, "approve_reveal", {"requested_by": "handler", "approved": True})
    assert r.status_code == 200, r.content
    # The leader approved without seeing the identity; the handler now sees it
    assert r.json()["parties"][0]["masked"] is True
    assert handler.get(f"/cases/{number}").json()["parties"][0]["phone"] == "13511112222"
    # Nobody else does, and the auditor can list both steps on the timeline
    assert world.api("dispatcher").get(f"/cases/{number}").json()["parties"][0]["masked"] is True
    types = [e["type"] for e in world.api("auditor").get(f"/cases/{number}").json()["timeline"]]
    assert "identity_requested" in types and "identity_decided" in types


def test_once_decided_the_subject_sees_a_redacted_allegation_the_decision_and_the_appeal(
    world: World,
) -> None:
    clerk, dispatcher, handler = world.api("clerk"), world.api("dispatcher"), world.api("handler")
    number = clerk.register(
        kind="report",
        category="misconduct",
        content="举报人郑红称：财务科张某收取好处费，郑红可作证。",
        complainant={"name": "郑红", "phone": "13511112222"},
        subject={"type": "staff", "name": "张某", "staff": "handler2"},
    ).json()["number"]
    subject = world.api("handler2")
    assert subject.get("/about-me").json() == []  # nothing while it is being handled
    dispatcher.act(number, "accept")
    dispatcher.act(number, "assign", {"lead_department": "finance", "handler": "handler"})
    handler.act(number, "redact", {"phrases": ["郑红"]})
    handler.act(
        number, "resolve",
        {"findings": "经核实，张某收取好处费属实；郑红所述与账目相符。",
         "responsibility": "organisation", "valid": True},
    )  # fmt: skip
    views = subject.get("/about-me").json()
    assert len(views) == 1
    view = views[0]
    assert "郑红" not in str(view) and "13511112222" not in str(view)
    assert view["allegation"].startswith("举报人■■■称")
    assert view["decision"]["validity"] == "valid"
    assert set(view["appeal"]) == {
        "to_role",
        "to_title",
        "window_days",
        "decision_stands_during_appeal",
    }
    # ... and still not the case itself
    assert subject.get(f"/cases/{number}").status_code == 404
    # Others are not shown cases that are not about them
    assert world.api("handler").get("/about-me").json() == []


def test_where_the_policy_says_so_the_subjects_whole_department_stays_out(world: World) -> None:
    from tousu.policy.loader import preset_source
    from tousu.policy.services import activate_policy

    activate_policy(
        world.org,
        preset_source("general").replace(
            "[split]", "[recusal]\nsubject_department_excluded = true\n\n[split]"
        ),
    )
    number = (
        world.api("clerk")
        .register(
            category="misconduct", subject={"type": "staff", "name": "财务部王某", "staff": "head"}
        )
        .json()["number"]
    )
    dispatcher = world.api("dispatcher")
    dispatcher.act(number, "accept")
    # Finance is the head's department: it can neither see nor take the case
    assert world.api("handler").get(f"/cases/{number}").status_code == 404
    r = dispatcher.act(number, "assign", {"lead_department": "finance"})
    assert r.status_code == 422
    r = dispatcher.act(number, "assign", {"lead_department": "supervision"})
    assert r.status_code == 200
    assert world.api("handler").get(f"/cases/{number}").status_code == 404


def test_free_text_naming_the_reporter_is_masked_for_those_who_may_not_see_them(
    world: World,
) -> None:
    number = _routed(
        world,
        kind="report",
        content="我是郑红，电话13511112222，举报仓库消防通道被锁。",
        complainant={"name": "郑红", "phone": "13511112222"},
    )
    world.api("handler").act(number, "record", {"kind": "call", "body": "已回电13511112222核实"})
    view = world.api("dispatcher").get(f"/cases/{number}").json()
    text = str(view)
    assert "郑红" not in text and "13511112222" not in text
    assert view["content"] == "我是■■■，电话■■■，举报仓库消防通道被锁。"
    # After an approved reveal, the asker reads it as written
    world.api("handler").act(number, "request_reveal", {"reason": "需回访核实"})
    world.api("leader").act(number, "approve_reveal", {"requested_by": "handler", "approved": True})
    assert "郑红" in world.api("handler").get(f"/cases/{number}").json()["content"]


def test_every_view_of_an_identity_is_logged_for_the_auditor(world: World) -> None:
    number = _routed(world)
    world.api("handler").get(f"/cases/{number}")
    world.api("handler").get(f"/cases/{number}")
    world.api("auditor").get(f"/cases/{number}")  # masked for the auditor: not a view
    log = world.api("auditor").get(f"/cases/{number}/identity-access").json()
    assert [row["user"] for row in log].count("handler") == 2
    assert "auditor" not in [row["user"] for row in log]
    assert world.api("handler").get(f"/cases/{number}/identity-access").status_code == 403

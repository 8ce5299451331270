"""The case page's action forms say what each action's fields mean, offer what the action
takes, lead with the next step, help, and fill canned replies in for the case."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tousu.accountability.models import Penalty
from tousu.accountability.tests.test_penalties import _enterprise
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case, Event
from tousu.cases.registry import ACTION_FUNCTIONS
from tousu.conftest import World
from tousu.desk.models import ReplySnippet
from tousu.orgs.models import AuditEvent, Department
from tousu.orgs.services import create_user
from tousu.web import forms


def _number(response: Any) -> str:
    assert response.status_code == 302, response.content.decode()[:3000]
    return str(response["Location"]).rstrip("/").rsplit("/", 1)[-1]


def _form(page: str, action: str) -> str:
    """The HTML of one action's form on the case page."""
    start = page.index(f'id="act-{action}"')
    return page[start : page.index("</details>", start)]


def _label(form: str, field: str) -> str:
    m = re.search(rf'<label for="[a-z_]+-{re.escape(field)}">([^<]*)</label>', form)
    assert m, f"no label for {field}"
    return unescape(m.group(1)).rstrip(" *")


def _options(form: str, field: str) -> list[tuple[str, str]]:
    m = re.search(rf'<select id="[a-z_]+-{re.escape(field)}"[^>]*>(.*?)</select>', form, re.S)
    assert m, f"no select for {field}"
    return [
        (v, unescape(label).strip())
        for v, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', m.group(1))
    ]


# -- defect: the penalty proposal form ---------------------------------------------------


def _enterprise_resolved() -> tuple[Any, Case]:
    """The enterprise preset's organisation and a complaint about logistics, resolved."""
    o = _enterprise()
    o.users["dispatcher"] = create_user("ent_dispatcher", org=o.org, role="dispatcher")
    case = o.complaint("colleague", timezone.now(), status="registered")
    o.act("dispatcher", "amend", case, demands="按期发货并说明原因")
    o.act("dispatcher", "accept", case)
    o.act("dispatcher", "assign", case, lead_department="logistics", handler="ent_logistics")
    o.act("logistics", "resolve", case, findings="发货延误属实", responsibility="organisation")
    case.refresh_from_db()
    assert case.status == "resolved"
    return o, case


@pytest.mark.django_db
def test_the_penalty_proposal_form_offers_the_policys_penalties_and_goes_through() -> None:
    o, case = _enterprise_resolved()
    office = Client()
    office.force_login(o.users["office"])
    page = office.get(f"/desk/ent/cases/{case.number}/").content.decode()
    form = _form(page, "propose_penalty")
    assert _label(form, "staff") == "被处罚工作人员"  # not the raw word "staff"
    kinds = [label for value, label in _options(form, "kind") if value]
    assert kinds == ["通报批评", "绩效考核扣分", "经济处罚"]  # not 投诉/举报/咨询/建议
    assert _label(form, "amount") == "罚款金额（元）"  # not 延长天数
    assert 'data-when="propose_penalty-kind" data-when-values="fine"' in form
    assert _options(form, "department")[0] == ("", "—")  # a department need not be sent
    staff = dict(_options(form, "staff"))
    assert "ent_colleague" in staff

    # Posted as a browser does: no department chosen, an amount left from a fine.
    r = office.post(
        f"/desk/ent/cases/{case.number}/act/propose_penalty/",
        {"staff": "ent_colleague", "department": "", "kind": "criticism", "amount": "200",
         "reason": "未按客户期限发货"},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:3000]
    penalty = Penalty.objects.get(case=case)
    assert (penalty.kind, penalty.label_zh, penalty.amount) == ("criticism", "通报批评", None)
    assert Event.objects.filter(case=case, type="penalty_proposed").count() == 1

    # The leader decides it from a list of the case's proposals, explicitly.
    gm = Client()
    gm.force_login(o.users["gm"])
    form = _form(gm.get(f"/desk/ent/cases/{case.number}/").content.decode(), "decide_penalty")
    assert _options(form, "penalty") == [
        ("", "— 请选择 —"),
        (str(penalty.pk), f"#{penalty.pk} 通报批评 · ent_colleague"),
    ]
    assert _options(form, "approved") == [
        ("", "— 请选择 —"),
        ("true", "批准处罚"),
        ("false", "不予处罚"),
    ]
    r = gm.post(f"/desk/ent/cases/{case.number}/act/decide_penalty/", {"penalty": penalty.pk})
    assert r.status_code == 422  # nothing decided by default
    penalty.refresh_from_db()
    assert penalty.status == Penalty.Status.PROPOSED


@pytest.mark.django_db
def test_a_penalty_refusal_is_shown_next_to_its_field() -> None:
    o, case = _enterprise_resolved()
    office = Client()
    office.force_login(o.users["office"])
    r = office.post(
        f"/desk/ent/cases/{case.number}/act/propose_penalty/",
        {"staff": "", "department": "", "kind": "fine", "amount": "", "reason": "未按期发货"},
    )
    assert r.status_code == 422
    form = _form(r.content.decode(), "propose_penalty")
    assert "须指明被处罚的工作人员" in form and 'class="field has-error"' in form
    assert not Penalty.objects.exists()


# -- defect: labels and defaults ------------------------------------------------------------


def _in_progress(world: World, desk: Any, **register: Any) -> str:
    number = _number(desk("clerk").register(**register))
    dispatcher = desk("dispatcher")
    _number(dispatcher.act(number, "accept"))
    _number(dispatcher.act(number, "assign", {"lead_department": "finance", "handler": "handler"}))
    return number


def test_the_reply_offers_only_ways_to_answer_starting_with_the_cases_own(
    world: World, desk: Any
) -> None:
    number = _in_progress(world, desk)
    handler = desk("handler")
    _number(handler.act(number, "resolve", {"findings": "重复收费属实，已退费。",
                                            "responsibility": "organisation"}))  # fmt: skip
    form = _form(handler.get(f"cases/{number}/").content.decode(), "reply")
    ways = dict(_options(form, "channel"))
    for intake_only in ("box", "touchscreen", "evaluation_form", "referral", "opinion_book"):
        assert intake_only not in ways
    assert {"phone", "letter", "email", "visit"} <= set(ways)
    assert re.search(r'<option value="phone" selected>', form)  # a phone case is called back
    assert _label(form, "channel") == "答复方式"


def test_a_receipt_for_a_phone_case_goes_out_by_phone_by_default(world: World, desk: Any) -> None:
    number = _number(desk("clerk").register())
    form = _form(desk("clerk").get(f"cases/{number}/").content.decode(), "issue_receipt")
    assert re.search(r'<option value="phone" selected>电话</option>', form)
    assert 'value="letter" selected' not in form


def test_missing_details_are_named_by_their_words(world: World, desk: Any) -> None:
    from tousu.policy.loader import preset_source
    from tousu.policy.services import activate_policy

    doc = preset_source("general") + '\n[[required]]\nfields = ["demands", "complainant.address"]\n'
    activate_policy(world.org, doc)
    number = _number(desk("clerk").register(demands=""))
    page = desk("dispatcher").get(f"cases/{number}/").content.decode()
    assert "待补充： 投诉人地址、诉求" in page
    r = desk("dispatcher").act(number, "accept")
    assert r.status_code == 409
    text = r.content.decode()
    assert "受理前须补全以下信息：投诉人地址、诉求" in text
    assert "demands" not in _form(text, "accept")
    assert Case.objects.get(number=number).status == "registered"


@pytest.mark.parametrize("typed", ["收费问题", "fees", "FEES", " 收费问题 "])
def test_a_category_typed_by_its_name_or_code_is_taken(world: World, desk: Any, typed: str) -> None:
    number = _number(desk("clerk").register(category=typed))
    assert Case.objects.get(number=number).category == "fees"


def test_an_unknown_category_is_still_refused(world: World, desk: Any) -> None:
    r = desk("clerk").register(category="没有这个类别")
    assert r.status_code == 422
    assert not Case.objects.exists()


# -- the next step leads --------------------------------------------------------------------


def _lead_and_more(page: str) -> tuple[list[str], list[str]]:
    section = page[
        page.index('id="h-actions"') : page.index("</section>", page.index('id="h-actions"'))
    ]
    more_at = section.find('<details class="more"')
    lead = section if more_at < 0 else section[:more_at]
    more = "" if more_at < 0 else section[more_at:]
    pick = r'<details(?: class="lead")? id="act-([a-z_]+)"'
    return re.findall(pick, lead), re.findall(pick, more)


def test_the_case_page_leads_with_the_actions_that_move_the_case_on(
    world: World, desk: Any
) -> None:
    number = _number(desk("clerk").register())
    page = desk("dispatcher").get(f"cases/{number}/").content.decode()
    lead, more = _lead_and_more(page)
    assert lead == ["accept", "reject"]
    assert "classify" in more and "hold" not in lead and len(more) > 3
    assert page.index('id="h-actions"') < page.index('id="h-deadlines"')  # before the rest
    assert '<details class="lead" id="act-accept" open>' in page  # the first one open
    assert "更多" in page

    _number(desk("dispatcher").act(number, "accept"))
    lead, _ = _lead_and_more(desk("dispatcher").get(f"cases/{number}/").content.decode())
    assert lead == ["assign"]
    _number(desk("dispatcher").act(number, "assign", {"lead_department": "finance",
                                                      "handler": "handler"}))  # fmt: skip
    lead, more = _lead_and_more(desk("handler").get(f"cases/{number}/").content.decode())
    assert lead == ["resolve"] and "record" in more


def test_a_record_shows_only_the_details_of_its_kind(world: World, desk: Any) -> None:
    number = _in_progress(world, desk)
    handler = desk("handler")
    form = _form(handler.get(f"cases/{number}/").content.decode(), "record")
    assert 'data-when="record-kind" data-when-values="mediation"' in form  # the outcome
    assert re.search(
        r'data-when="record-kind" data-when-values="[a-z_ ]*sealed_evidence[a-z_ ]*"', form
    )
    # A detail of another kind left in the form (no script to hide it) is not sent.
    r = handler.act(number, "record", {"kind": "call", "body": "电话联系投诉人",
                                       "outcome": "agreement", "seal_number": "F-1"})  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:3000]
    event = Event.objects.filter(case__number=number, type="recorded").latest("seq")
    assert "outcome" not in event.data or not event.data["outcome"]


def test_every_action_the_desk_offers_has_a_line_of_help() -> None:
    offered = [
        a for a, (fn, _) in ACTION_FUNCTIONS.items() if not fn.__module__.startswith("tousu.tests")
    ]
    assert [a for a in offered if not forms.action_help(a)] == []


def test_the_help_line_is_shown_in_the_form(world: World, desk: Any) -> None:
    number = _number(desk("clerk").register())
    page = desk("supervisor").get(f"cases/{number}/").content.decode()
    assert "法律保全：" in _form(page, "hold")
    assert "登记举报箱回执：" in _form(page, "bind_receipt")


# -- canned replies ------------------------------------------------------------------------


def _resolved(world: World, desk: Any, **register: Any) -> str:
    number = _in_progress(world, desk, **register)
    _number(desk("handler").act(number, "resolve", {"findings": "重复收费属实，已退费。",
                                                    "responsibility": "organisation"}))  # fmt: skip
    return number


def _snippet(world: World, title: str, body: str, department: str | None = None) -> ReplySnippet:
    dept = Department.objects.get(org=world.org, code=department) if department else None
    return ReplySnippet.objects.create(
        org=world.org, department=dept, title=title, body=body, created_by=world.users["supervisor"]
    )


def test_the_reply_form_offers_the_offices_snippets_filled_in_for_the_case(
    world: World, desk: Any
) -> None:
    number = _resolved(world, desk)
    mine = _snippet(
        world, "退费告知", "{name}您好：您反映的{number}已办结，{findings}。", "finance"
    )
    _snippet(world, "别的部门", "仅限服务部", "service")
    retired = _snippet(world, "旧模板", "不再使用")
    retired.active = False
    retired.save()
    form = _form(desk("handler").get(f"cases/{number}/").content.decode(), "reply")
    titles = [label for _, label in _options(form, "tpl")]
    assert "退费告知" in titles and "别的部门" not in titles and "旧模板" not in titles
    filled = f"王建国您好：您反映的{number}已办结，重复收费属实，已退费。"
    assert f'value="snippet:{mine.pk}" data-body="{filled}"' in form

    # Without script: the body left empty takes the chosen snippet.
    r = desk("handler").act(number, "reply", {"channel": "phone", "body": "",
                                              "template": f"snippet:{mine.pk}"})  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:3000]
    replied = Event.objects.filter(case__number=number, type="replied").get()
    assert replied.record is not None and replied.record.body == filled


def test_a_snippet_never_fills_in_the_name_for_a_viewer_who_may_not_see_it(
    world: World, desk: Any
) -> None:
    number = _number(desk("clerk").register())
    _snippet(world, "留言", "{name}您好，请补充材料（{number}）")
    # The supervisor may message the reporter but does not see who it is.
    page = desk("supervisor").get(f"cases/{number}/").content.decode()
    form = _form(page, "message_reporter")
    assert f"投诉人您好，请补充材料（{number}）" in form
    assert "王建国" not in form


def test_supervisors_keep_the_snippets_and_every_change_is_audited(world: World, desk: Any) -> None:
    supervisor = desk("supervisor")
    assert supervisor.get("snippets/").status_code == 200
    r = supervisor.post("snippets/", {"title": "答复口径", "body": "您好，{number}已办结。",
                                      "department": ""})  # fmt: skip
    assert r.status_code == 302
    snippet = ReplySnippet.objects.get(title="答复口径")
    assert snippet.department is None and snippet.active
    r = supervisor.post("snippets/", {"title": "", "body": "x", "department": "nowhere"})
    assert r.status_code == 422 and "标题须为1至100个字" in r.content.decode()
    r = supervisor.post("snippets/", {"title": "x", "body": "x", "department": "nowhere"})
    assert r.status_code == 422 and "本单位没有该部门" in r.content.decode()
    assert ReplySnippet.objects.count() == 1

    r = supervisor.post(f"snippets/{snippet.pk}/retire/")
    assert r.status_code == 302
    snippet.refresh_from_db()
    assert not snippet.active  # kept, never deleted
    assert "已停用" in supervisor.get("snippets/").content.decode()
    types = list(AuditEvent.objects.filter(object_type="snippet").values_list("type", flat=True))
    assert sorted(types) == ["snippet.created", "snippet.retired"]


def test_only_supervisors_and_administrators_keep_snippets(world: World, desk: Any) -> None:
    snippet = _snippet(world, "口径", "内容")
    for persona in ("handler", "clerk", "dispatcher"):
        me = desk(persona)
        assert me.get("snippets/").status_code == 403
        assert me.post("snippets/", {"title": "x", "body": "y"}).status_code == 403
        assert me.post(f"snippets/{snippet.pk}/retire/").status_code == 403
    assert desk("admin").get("snippets/").status_code == 200
    # Another organisation's staff: no page, and no way at this snippet.
    outsider = desk("outsider", org="other")
    assert outsider.post(f"snippets/{snippet.pk}/retire/").status_code in (403, 404)
    assert desk("outsider", org="acme").get("snippets/").status_code == 404
    snippet.refresh_from_db()
    assert snippet.active and ReplySnippet.objects.count() == 1
    assert not TABLE.get("snippet")

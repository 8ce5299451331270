"""A case handled from its page: routed, mediated and answered, extended, followed up, closed."""

from __future__ import annotations

import pytest

from tousu.cases.access import actor_for
from tousu.cases.models import Case, CaseRecord, Deadline
from tousu.desk.templatetags.desk import local
from tousu.orgs.services import create_user, set_profile
from tousu.policy.services import create_org

from .steps import act, case_url, deadline_row, done_message, new_case, open_action, submit


def _routed(world) -> Case:
    """A phone complaint accepted and assigned to the finance department's handler."""
    case = new_case(world.actor("clerk"))
    act(case, world.actor("dispatcher"), "accept", note="属本单位职责，予以受理")
    act(case, world.actor("dispatcher"), "assign", lead_department="finance", handler="handler")
    return case


def test_dispatcher_accepts_and_routes_from_the_case_page(desk_as, live_server, staff):
    set_profile(staff.users["handler"], org=staff.org, name="李娜")
    case = new_case(staff.actor("clerk"))
    page = desk_as("dispatcher")
    page.goto(case_url(live_server, case))
    assert "已登记" in page.locator("h1").inner_text()

    form = open_action(page, "accept")
    form.get_by_label("备注").fill("收费问题，属本单位职责，材料齐全，予以受理")
    submit(page, form)
    assert "已完成：受理" in done_message(page)
    assert "已受理" in page.locator("h1").inner_text()
    case.refresh_from_db()
    assert case.status == "accepted"

    form = open_action(page, "assign")
    form.get_by_label("主办部门").select_option("finance")
    form.get_by_label("承办人").select_option("handler")
    form.get_by_label("备注").fill("收费类问题，请财务部核查收费明细")
    submit(page, form)
    assert "已完成：分办" in done_message(page)
    facts = page.locator("dl.facts").inner_text()
    # The department and the handler by their names, never a login.
    assert "财务" in facts and "李娜" in facts and "handler" not in facts
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert case.lead_department is not None and case.lead_department.code == "finance"
    assert case.handler_id == staff.users["handler"].pk


@pytest.fixture
def hospital(staff):
    """A hospital whose policy has a reply template, with its dispatcher and handler."""
    org = create_org("hosp", "示例人民医院", "hospital")
    users = {
        "clerk": create_user("hosp_clerk", org=org, role="intake_clerk"),
        "dispatcher": create_user("hosp_dispatcher", org=org, role="dispatcher"),
        "handler": create_user("hosp_handler", org=org, role="handler", department="finance"),
    }
    return {name: (user, actor_for(user, org.slug)) for name, user in users.items()}


def _routed_in(hospital) -> Case:
    _, clerk = hospital["clerk"]
    _, dispatcher = hospital["dispatcher"]
    case = new_case(clerk)
    act(case, dispatcher, "accept", note="予以受理")
    act(case, dispatcher, "assign", lead_department="finance", handler="hosp_handler")
    return case


def test_handler_records_a_mediation_and_replies_from_a_template(desk_as, live_server, hospital):
    case = _routed_in(hospital)
    page = desk_as(hospital["handler"][0])
    page.goto(case_url(live_server, case))

    form = open_action(page, "record")
    form.get_by_label("类型").select_option("mediation")
    form.get_by_label("内容").fill(
        "与收费处、投诉人三方核对收费明细，确认重复计费386元，同意退还。"
    )
    form.get_by_label("参加人").fill("王建国\n收费处负责人\n财务部承办人")
    form.get_by_label("地点").fill("投诉接待室")
    form.get_by_label("调解结果").select_option("agreement")
    submit(page, form)
    assert "已完成：记录" in done_message(page)
    assert "重复计费386元" in page.locator("ol.timeline").inner_text()
    mediation = CaseRecord.objects.get(case=case, kind="mediation")
    assert mediation.data["outcome"] == "agreement"
    assert mediation.data["participants"] == ["王建国", "收费处负责人", "财务部承办人"]
    assert mediation.data["location"] == "投诉接待室"

    form = open_action(page, "resolve")
    form.get_by_label("调查核实情况").fill("确认系收费窗口重复提交造成重复计费，已原路退还386元。")
    form.get_by_label("责任认定").select_option("organisation")
    form.get_by_label("投诉是否属实").select_option("true")
    submit(page, form)
    assert "已完成：办结" in done_message(page)
    case.refresh_from_db()
    assert case.status == "resolved"

    # The policy's reply template fills the text, which the handler then rewrites.
    form = open_action(page, "reply")
    form.get_by_label("常用回复").select_option(index=1)
    body = form.get_by_label("内容")
    assert "处理意见如下" in body.input_value()
    reply = "王建国先生：您反映的CT重复收费问题，经财务部调查核实，多收的386元已原路退还。如有异议，请与投诉接待中心办公室联系。"
    body.fill(reply)
    form.get_by_label("方式").select_option("phone")
    submit(page, form)
    assert "已完成：答复" in done_message(page)
    assert "已答复" in page.locator("h1").inner_text()
    assert "如有异议" in page.locator("ol.timeline").inner_text()
    case.refresh_from_db()
    assert case.status == "replied" and case.reply_channel == "phone"
    assert CaseRecord.objects.get(case=case, kind="reply").body == reply


# A list field with a default factory (participants, items, witnesses) is offered with
# the text "PydanticUndefined" in it: tousu/desk/forms.py build_form takes
# info.get_default() without call_default_factory=True. Sent unchanged, it is saved.
def test_list_fields_of_an_action_form_start_empty(desk_as, live_server, staff):
    case = _routed(staff)
    page = desk_as("handler")
    page.goto(case_url(live_server, case))
    form = open_action(page, "record")
    for label in ("参加人", "封存物品", "见证人"):
        assert form.get_by_label(label).input_value() == "", label


def test_handler_asks_for_more_time_and_a_supervisor_grants_it(desk_as, live_server, staff):
    case = _routed(staff)
    reply = case.deadlines.get(stage="reply", state=Deadline.State.OPEN)
    handler = desk_as("handler")
    handler.goto(case_url(live_server, case))

    form = open_action(handler, "request_extension")
    form.get_by_label("时限环节").select_option("reply")
    form.get_by_label("延长天数").fill("5")
    form.get_by_label("理由").fill("需调取三个月的收费系统日志，信息科排期后方能提供")
    submit(handler, form)
    assert "已完成：申请延期" in done_message(handler)
    case.refresh_from_db()
    assert case.pending_extension_id is not None

    supervisor = desk_as("supervisor")
    supervisor.goto(case_url(live_server, case))
    before = deadline_row(supervisor, "答复").locator("td").first.inner_text()
    form = open_action(supervisor, "approve_extension")
    assert form.get_by_label("批准延期", exact=True).is_checked()
    form.get_by_label("备注").fill("理由充分，同意延长5个工作日")
    submit(supervisor, form)
    assert "已完成：批准延期" in done_message(supervisor)

    row = deadline_row(supervisor, "答复")
    after = row.locator("td").first.inner_text()
    assert after != before
    assert "已延长 5" in row.inner_text()
    moved = Deadline.objects.get(pk=reply.pk)
    assert moved.due_at > reply.due_at and moved.extended == 5
    assert after.startswith(local(moved.due_at, case.org.time_zone))
    case.refresh_from_db()
    assert case.pending_extension_id is None


def test_follow_up_is_recorded_and_the_case_closed(desk_as, live_server, staff):
    case = _routed(staff)
    handler = staff.actor("handler")
    act(case, handler, "resolve", findings="重复收费属实，已退费。", responsibility="organisation")
    act(case, handler, "reply", channel="phone", body="您好，多收的费用已退还。")

    clerk = desk_as("clerk")
    clerk.goto(case_url(live_server, case))
    form = open_action(clerk, "follow_up")
    form.get_by_label("已联系上投诉人").check()
    form.get_by_label("满意度").select_option("satisfied")
    form.get_by_label("方式").select_option("phone")
    form.get_by_label("备注").fill("投诉人表示退款已到账，对处理满意")
    submit(clerk, form)
    assert "已完成：回访" in done_message(clerk)
    assert "已回访" in clerk.locator("h1").inner_text()
    case.refresh_from_db()
    assert case.status == "followed_up"
    assert case.events.filter(type="followed_up").exists()

    supervisor = desk_as("supervisor")
    supervisor.goto(case_url(live_server, case))
    form = open_action(supervisor, "close")
    form.get_by_label("备注").fill("已答复并回访满意，予以结案")
    submit(supervisor, form)
    assert "已完成：结案" in done_message(supervisor)
    assert "已结案" in supervisor.locator("h1").inner_text()
    assert supervisor.locator("details#act-close").count() == 0
    case.refresh_from_db()
    assert case.status == "closed"

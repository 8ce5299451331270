"""On the desk in a browser: a penalty proposed, approved and appealed; a canned reply
filled in for the case."""

from __future__ import annotations

from tousu.accountability.models import Appeal, Penalty
from tousu.cases.models import Case
from tousu.desk.models import ReplySnippet

from .steps import act, case_url, done_message, new_case, open_action, submit, url


def _resolved(world) -> Case:
    case = new_case(world.actor("clerk"))
    act(case, world.actor("dispatcher"), "accept")
    act(case, world.actor("dispatcher"), "assign", lead_department="finance", handler="handler")
    act(case, world.actor("handler"), "resolve", findings="重复收费属实，已退费",
        responsibility="organisation")  # fmt: skip
    case.refresh_from_db()
    return case


def test_a_penalty_proposed_approved_and_appealed_on_the_desk(desk_as, live_server, staff):
    case = _resolved(staff)
    supervisor = desk_as("supervisor")
    supervisor.goto(case_url(live_server, case))
    form = open_action(supervisor, "propose_penalty")
    assert "被处罚工作人员" in form.inner_text() and "staff" not in form.inner_text()
    amount = form.get_by_label("罚款金额（元）")
    assert not amount.is_visible()  # only for a fine
    form.get_by_label("被处罚工作人员").select_option("handler2")
    form.get_by_label("处罚种类").select_option(label="罚款")
    amount.fill("200")  # shown once a fine is chosen
    form.get_by_label("处罚理由").fill("接待投诉人时态度恶劣")
    submit(supervisor, form)
    assert "已完成：提出处罚意见" in done_message(supervisor)
    penalty = Penalty.objects.get(case=case)
    assert (penalty.kind, str(penalty.amount), penalty.department_id) == ("fine", "200.00", None)

    leader = desk_as("leader")
    leader.goto(case_url(live_server, case))
    form = open_action(leader, "decide_penalty")
    form.get_by_label("处罚意见").select_option(str(penalty.pk))
    form.get_by_label("审批决定").select_option(label="批准处罚")
    submit(leader, form)
    assert "已完成：审批处罚" in done_message(leader)
    penalty.refresh_from_db()
    assert penalty.status == Penalty.Status.APPROVED

    # The penalised person appeals from their own record; the leader decides it on the case.
    person = desk_as("handler2")
    person.goto(url(live_server, "desk:people:record", org="acme", username="handler2"))
    person.get_by_label("申诉理由", exact=False).fill("当天系投诉人先辱骂，请求复核")
    with person.expect_navigation():
        person.locator(f"form[action$='/appeal/{penalty.pk}/'] button").click()
    assert Appeal.objects.filter(penalty=penalty, status=Appeal.Status.PENDING).exists()

    leader.goto(case_url(live_server, case))
    form = open_action(leader, "decide_appeal")
    form.get_by_label("被申诉的处罚").select_option(str(penalty.pk))
    form.get_by_label("申诉决定").select_option(label="撤销处罚")
    form.get_by_label("处理意见").fill("经核实，投诉人先有过激言行，撤销罚款")
    submit(leader, form)
    assert "已完成：处理申诉" in done_message(leader)
    penalty.refresh_from_db()
    assert penalty.status == Penalty.Status.REVOKED


def test_a_canned_reply_is_filled_in_for_the_case(desk_as, live_server, staff):
    case = _resolved(staff)
    ReplySnippet.objects.create(
        org=staff.org, title="退费告知", body="{name}您好：您反映的问题（{number}）已办结，{findings}。",
        created_by=staff.users["supervisor"],
    )  # fmt: skip
    handler = desk_as("handler")
    handler.goto(case_url(live_server, case))
    form = open_action(handler, "reply")  # the next step on a resolved case
    assert form.get_by_label("答复方式").input_value() == "phone"  # the way it came in
    form.get_by_label("常用回复").select_option(label="退费告知")
    filled = f"王建国您好：您反映的问题（{case.number}）已办结，重复收费属实，已退费。"
    assert form.get_by_label("答复内容").input_value() == filled
    form.get_by_label("答复内容").fill(filled + "如有疑问请来电。")
    submit(handler, form)
    assert "已完成：答复" in done_message(handler)
    case.refresh_from_db()
    assert case.status == "replied"

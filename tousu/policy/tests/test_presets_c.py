"""Presets food-drug, customer-service, tobacco, samr-regulator, petitions and
whistleblowing, each walked through its story and then
checked against its regulation's own rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tousu.cases import actions, inputs, intake
from tousu.cases.access import Actor
from tousu.cases.errors import TousuError
from tousu.cases.models import Case, Deadline
from tousu.clock.calendar import DueRule, compute_due, default_calendar
from tousu.policy.schema import Reason
from tousu.policy.tests.scenario import Scenario, Walked, walk

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 17, minute: int = 30) -> datetime:
    """A moment in Shanghai time (17:30: close of business in most of these presets)."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def due(case: Case, stage: str, start: str = "received") -> datetime:
    """The due time of the first clock of this stage started at ``start``."""
    first = Deadline.objects.filter(case=case, stage=stage, start=start).order_by("pk").first()
    assert first is not None, (stage, start)
    return first.due_at.astimezone(SHANGHAI)


def register(actor: Actor, body: dict[str, Any], now: datetime | None = None) -> Case:
    return intake.register(actor, inputs.RegisterIn.model_validate(body), now=now)


def reason(w: Walked, code: str) -> Reason:
    found = w.policy.reason(code)
    assert found is not None, code
    return found


def rules(w: Walked, start: str, kind: str = "complaint") -> dict[str, tuple[int, str, bool]]:
    found = w.policy.rules_for(kind=kind, channel="letter", complexity="general", start=start)
    return {r.stage: (r.amount, r.unit, r.hard) for r in found}


# --------------------------------------------------------------------------- food-drug

FOOD_DRUG = Scenario(
    preset="food-drug",
    register={
        "kind": "report",
        "channel": "web",
        "received_at": "2026-09-28T10:00:00+08:00",
        "category": "drug",
        "content": "网上举报：城南康泰大药房店员不凭处方向顾客出售阿莫西林胶囊、头孢克肟片等处方抗菌药，"
        "称“不用处方，直接拿”。",
        "demands": "依法查处",
        "complainant": {"name": "陈立", "phone": "13812345678"},
        "subject": {"type": "merchant", "name": "康泰大药房（城南店）"},
    },
    lead="drug_cosmetics",
    co=["inspection"],
    # 四(二): the address shows whether the pharmacy lies within the territory.
    missing=["subject.address"],
    amend={
        "subject": {
            "type": "merchant",
            "name": "康泰大药房（城南店）",
            "address": "城南区解放路88号",
        }
    },
    at_registration={"acceptance": (5, "calendar_days", True)},
    at_acceptance={
        "notification": (15, "calendar_days", True),
        "resolution": (60, "calendar_days", True),
    },
    reply_channel="web",
    written_reply_required=True,
    findings="经现场检查，该药房确有无处方销售处方药行为，已立案查处。",
    now=datetime(2026, 9, 28, 3, tzinfo=UTC),
)


@pytest.mark.django_db
def test_food_drug_a_web_report_on_a_pharmacy_and_a_veterinary_referral() -> None:
    w = walk(FOOD_DRUG)
    # 六 "5日内": calendar days; day 5 (3 October) falls in the National Day holiday,
    # so the period ends on the next working day.
    assert due(w.case, "acceptance") == at(2026, 10, 8)
    # A decision not to accept is told within 15 days of that decision (the refusal's clock).
    assert rules(w, "rejected", kind="report") == {"notification": (15, "calendar_days", True)}
    # 五: the legal grounds for not accepting; a missing subject offers 五(二).
    assert reason(w, "statutory_procedure").zh == "应当依法通过行政复议、诉讼、仲裁等法定途径解决的"
    assert intake.refusal_reasons_for(w.policy, "report", "web", ["subject"]) == [
        "no_clear_subject"
    ]
    # 七: a veterinary drug belongs to the agriculture authority: referred, reporter told.
    vet = register(
        w.actors["clerk"],
        {
            "kind": "complaint",
            "channel": "phone",
            "category": "veterinary_drug",
            "content": "来电反映：镇上农资店出售的兽用抗生素注射液喂猪后无效，疑为假兽药。",
            "complainant": {"name": "马建军", "phone": "13500001234"},
            "subject": {"type": "merchant", "name": "丰收农资店", "address": "青山镇农贸街5号"},
        },
    )
    assert vet.proposed_referral == "agriculture" and vet.proposed_department is None
    target = w.policy.referral_target(vet.proposed_referral)
    assert target is not None and target.type == "authority"
    actions.refer(
        vet.pk,
        actor=w.actors["dispatcher"],
        data=inputs.ReferIn(authority=target.name_zh, complainant_told=True, told_via="phone"),
    )
    vet.refresh_from_db()
    assert vet.status == "referred"


# --------------------------------------------------------------------------- customer-service

CUSTOMER_SERVICE = Scenario(
    preset="customer-service",
    register={
        "kind": "complaint",
        "channel": "phone",
        # Friday 8 May 2026, after close of business; Saturday 9 May is a make-up workday.
        "received_at": "2026-05-08T18:40:00+08:00",
        "category": "attitude",
        "content": "客户拨打现场工程师名片上的投诉电话：工程师上门安装时态度粗暴，与客户争吵，"
        "设备未调试完成即离开。",
        "complainant": {"name": "周敏", "phone": "13700001111"},
        "subject": {"type": "staff", "name": "现场工程师 李强"},
    },
    lead="service",
    # 四(一)1: the customer's demand is recorded before the complaint is judged.
    missing=["demands"],
    amend={"demands": "更换工程师完成调试，并由公司致歉"},
    at_registration={
        "investigation_start": (1, "working_days", True),
        "reply": (2, "working_days", True),
    },
    at_acceptance={},
    reply_channel="phone",
    findings="经部门主管调查，工程师李强服务态度不当、擅自离岗属实，已另派工程师完成调试。",
    now=datetime(2026, 5, 8, 10, 45, tzinfo=UTC),
)


@pytest.mark.django_db
def test_customer_service_a_rude_engineer_reported_late_on_a_friday() -> None:
    w = walk(CUSTOMER_SERVICE)
    # 五: working days per the State Council schedule — the make-up Saturday counts.
    assert due(w.case, "investigation_start") == at(2026, 5, 9)
    assert due(w.case, "reply") == at(2026, 5, 11)
    # The HR/admin manager receives, judges and closes; a department head may not decide.
    assert w.policy.title_for("dispatcher") == "人事行政经理"
    assert w.policy.permissions.decide_acceptance == ("dispatcher",)
    assert w.case.satisfaction == "satisfied" and w.policy.follow_up.required
    second = register(
        w.actors["clerk"],
        {
            "kind": "complaint",
            "channel": "email",
            "category": "efficiency",
            "content": "邮件投诉：约定上午九点上门，工程师十点半才到。",
            "demands": "说明原因",
            "complainant": {"name": "吴昊", "email": "wuhao@example.com"},
            "subject": {"type": "staff", "name": "工程师 孙涛"},
        },
    )
    with pytest.raises(TousuError) as refused:
        actions.accept(second.pk, actor=w.actors["supervisor"], data=inputs.AcceptIn())
    assert refused.value.code == "action_forbidden"
    # 四(一)2: a complaint that does not hold is answered tactfully.
    actions.reject(
        second.pk,
        actor=w.actors["dispatcher"],
        data=inputs.RejectIn(reason_code="not_founded", complainant_told=True, told_via="email"),
    )
    second.refresh_from_db()
    assert second.status == "rejected"
    # The procedure contacts the customer throughout: no anonymous complaints.
    anonymous = register(
        w.actors["clerk"],
        {"kind": "complaint", "channel": "phone", "content": "匿名来电，投诉服务差。"},
    )
    assert "complainant.name" in anonymous.missing_fields


# --------------------------------------------------------------------------- tobacco

TOBACCO = Scenario(
    preset="tobacco",
    register={
        "kind": "report",
        "channel": "phone",
        "received_at": "2026-06-15T09:30:00+08:00",
        "category": "counterfeit",
        "content": "店主来电举报：隔壁李记小卖部从外地进货，以明显低于市场价出售假冒“中华”“玉溪”卷烟。",
        "complainant": {"name": "王德发", "phone": "13600002222"},
        "subject": {"type": "merchant", "name": "李记小卖部"},
    },
    lead="inspection_brigade",
    # 六: registered when the person reported, the address and the facts are clear.
    missing=["subject.address"],
    amend={"subject": {"type": "merchant", "name": "李记小卖部", "address": "青石镇东街12号"}},
    at_registration={"acceptance": (7, "working_days", True)},
    at_acceptance={"verification": (15, "working_days", True)},
    findings="稽查大队现场查获假冒卷烟32条，已依法先行登记保存并立案。",
    now=datetime(2026, 6, 15, 2, tzinfo=UTC),
)


@pytest.mark.django_db
def test_tobacco_counterfeit_cigarettes_and_an_abusive_officer() -> None:
    w = walk(TOBACCO)
    assert w.policy.title_for("intake_clerk") == "首问责任人"
    # Without the address the report's registration form is not complete (六): it is
    # completed, not refused — no refusal ground is offered for it.
    assert intake.refusal_reasons_for(w.policy, "report", "phone", ["subject.address"]) == []
    assert reason(w, "outside_territory").clause == "四"
    # 二: an officer's misconduct goes to the monopoly office with discipline inspection,
    # whatever category intake chose.
    officer = register(
        w.actors["clerk"],
        {
            "kind": "complaint",
            "channel": "visit",
            "category": "other_violation",
            "content": "来访投诉：专卖稽查员赵某在检查时辱骂店主，并将店内合法卷烟一并扣走。",
            "complainant": {"name": "刘春梅", "phone": "13600003333"},
            "subject": {"type": "staff", "name": "稽查员 赵某"},
        },
    )
    # 六 is about the person reported: a complaint about an officer needs no address.
    assert officer.missing_fields == []
    assert officer.proposed_department is not None
    assert officer.proposed_department.code == "monopoly_office"
    assert officer.proposed_co_departments == ["discipline"]
    actions.accept(officer.pk, actor=w.actors["dispatcher"], data=inputs.AcceptIn())
    started = Deadline.objects.get(case=officer, start="accepted")
    assert (started.stage, started.rule["amount"], started.rule["unit"]) == (
        "reply",
        15,
        "working_days",
    )
    # 二: the penalty is notified in writing; review or appeal; the decision stands.
    duty = w.policy.accountability
    assert duty.notify_in_writing and duty.decision_stands_during_appeal
    assert duty.appeal_to == "leader"
    steps = [s.code for p in w.policy.procedures if p.code == "officer_decision" for s in p.steps]
    assert steps == ["decide", "notify_in_writing", "review_or_appeal", "decision_stands"]


# --------------------------------------------------------------------------- samr-regulator

APPLIANCE = {
    "kind": "complaint",
    "channel": "web",
    "category": "online_purchase",
    "content": "通过全国12315平台投诉：在网店“优品电器专营店”购买的电饭煲，铭牌和商标与正品不符，"
    "疑为假冒，商家拒绝退货。",
    "demands": "退货退款，并按价款三倍赔偿",
    "complainant": {"name": "黄晓燕", "phone": "13900003333"},
}
SHOP = {"type": "merchant", "name": "优品电器专营店", "url": "https://shop.example.com/youpin"}

SAMR = Scenario(
    preset="samr-regulator",
    register={
        **APPLIANCE,
        # Thursday before the 2026 Spring Festival holiday (15–23 February).
        "received_at": "2026-02-12T10:00:00+08:00",
        "subject": SHOP,
    },
    lead="online_trade",
    co=["consumer_protection"],
    missing=["subject.address"],
    amend={"subject": {**SHOP, "address": "杭州市余杭区文一西路1号"}},
    at_registration={"acceptance": (7, "working_days", True)},
    at_acceptance={"mediation": (60, "calendar_days", True)},
    reply_channel="web",
    written_reply_required=True,
    findings="经组织调解，双方未能达成调解协议，决定终止调解；假冒商标线索另行核查。",
    responsibility="third_party",
    now=datetime(2026, 2, 12, 2, 30, tzinfo=UTC),
)


@pytest.mark.django_db
def test_samr_a_counterfeit_appliance_before_spring_festival() -> None:
    w = walk(SAMR)
    # 7 working days across the holiday: 13, 14 (make-up Sat), 24, 25, 26, 27, 28 (make-up Sat).
    assert due(w.case, "acceptance") == at(2026, 2, 28)
    # Ending the mediation starts the 7-working-day notice to both parties; the reply met it.
    notice = Deadline.objects.get(case=w.case, stage="notification", start="resolved")
    assert (notice.rule["amount"], notice.rule["unit"], notice.state) == (7, "working_days", "met")
    # Two divisions handling it make the case complex.
    assert w.case.complexity == "complex"
    # The seven grounds for not accepting a complaint (their article number is 条号待核:
    # the measures' text is not shipped); missing materials offer their own ground.
    grounds = [r.code for r in w.policy.rejection_reasons]
    assert grounds == [
        "outside_mandate", "already_handled", "not_consumer", "time_barred",
        "missing_materials", "identity_fraud", "other_statutory",
    ]  # fmt: skip
    assert intake.refusal_reasons_for(w.policy, "complaint", "web", ["subject.address"]) == [
        "missing_materials"
    ]
    # 第十七条 / 第三十五条.
    assert w.policy.duplicates.same_facts == "merge_restart_clock"
    assert w.policy.duplicates.bulk_flag_only


@pytest.mark.django_db
def test_samr_testing_pauses_the_mediation_clock_and_reports_are_checked() -> None:
    w = walk(SAMR)
    dispatcher = w.actors["dispatcher"]
    body = {**APPLIANCE, "subject": {**SHOP, "address": "杭州市余杭区文一西路1号"}}
    case = register(w.actors["clerk"], body, now=at(2026, 3, 2, 9, 0))
    actions.accept(case.pk, actor=dispatcher, data=inputs.AcceptIn(), now=at(2026, 3, 2, 10, 0))
    # 60 days from 2 March end on 1 May, a holiday: the next working day is 6 May.
    assert due(case, "mediation", "accepted") == at(2026, 5, 6)
    actions.assign(
        case.pk, actor=dispatcher, data=inputs.AssignIn(lead_department="online_trade"),
        now=at(2026, 3, 2, 11, 0),
    )  # fmt: skip
    # Testing the appliance: the clock stops, and moves on by the time the test took.
    actions.pause(
        case.pk, actor=dispatcher, data=inputs.PauseIn(reason_code="testing", note="送检"),
        now=at(2026, 3, 10, 9, 0),
    )  # fmt: skip
    assert Deadline.objects.get(case=case, stage="mediation").state == "paused"
    actions.resume(case.pk, actor=dispatcher, data=inputs.ResumeIn(), now=at(2026, 3, 20, 9, 0))
    # 10 days paused (10–20 March) are not counted: 70 days from 2 March end on 11 May.
    assert due(case, "mediation", "accepted") == at(2026, 5, 11)
    # A report: the lead is checked within 15 working days, +15 with the head's approval.
    report = register(
        w.actors["clerk"],
        {
            "kind": "report",
            "channel": "phone",
            "category": "counterfeit",
            "content": "匿名举报：优品电器专营店大量销售假冒知名品牌电饭煲。",
            "subject": {"type": "merchant", "name": "优品电器专营店"},
        },
    )
    assert report.proposed_department is not None
    assert report.proposed_department.code == "enforcement"
    checked = Deadline.objects.get(case=report, stage="verification")
    assert (checked.rule["amount"], checked.rule["unit"]) == (15, "working_days")
    assert w.policy.extension.max_amount == 15 and w.policy.extension.unit == "working_days"


# --------------------------------------------------------------------------- petitions

PETITION = {
    "kind": "complaint",
    "channel": "letter",
    "category": "land_housing",
    "content": "来信反映：所住老旧小区拆迁，同一楼栋住户补偿标准不一，本户按每平方米8000元补偿，"
    "明显低于邻户，多次找征收办未果。",
    "demands": "按统一标准重新核定拆迁补偿",
    "complainant": {"name": "刘桂兰", "address": "河西区幸福里3栋2单元501室"},
    "subject": {"type": "department", "name": "区房屋征收办公室"},
}

PETITIONS = Scenario(
    preset="petitions",
    register={**PETITION, "received_at": "2026-09-16T10:00:00+08:00"},
    lead="letters",
    at_registration={
        "routing": (15, "calendar_days", True),
        "notification": (15, "calendar_days", True),
    },
    at_acceptance={"resolution": (60, "calendar_days", True)},
    reply_channel="letter",
    written_reply_required=True,
    findings="经转送区政府调查核实，补偿标准按评估结果执行，已责成征收办复核评估。",
    now=datetime(2026, 9, 16, 3, tzinfo=UTC),
)


@pytest.mark.django_db
def test_petitions_a_letter_about_demolition_compensation() -> None:
    w = walk(PETITIONS)
    # Day 15 is 1 October (National Day): the period ends on the next working day.
    assert due(w.case, "notification") == at(2026, 10, 8)
    assert due(w.case, "routing") == at(2026, 10, 8)
    # 复查 then 复核, each asked within 30 days and answered within 30 days.
    reviews = w.policy.reviews
    assert (reviews.levels, reviews.request_window_days) == (2, 30)
    assert reviews.no_reacceptance_after_final
    assert rules(w, "review_requested") == {"review": (30, "calendar_days", True)}
    assert rules(w, "second_review_requested") == {"second_review": (30, "calendar_days", True)}
    review = w.policy.rules_for(
        kind="complaint", channel="letter", complexity="general", start="review_requested"
    )[0]
    # A review asked for on 2 November is answered by 2 December.
    assert review.unit == "calendar_days"
    rule = DueRule(amount=review.amount, unit="calendar_days")
    review_due, _ = compute_due(at(2026, 11, 2, 10, 0), rule, default_calendar(), SHANGHAI)
    assert review_due == at(2026, 12, 2)
    assert reason(w, "final_after_second_review").clause == "条号待核"  # text not shipped


@pytest.mark.django_db
def test_petitions_an_extension_of_at_most_30_days_with_the_heads_approval() -> None:
    w = walk(PETITIONS)
    case = register(w.actors["clerk"], PETITION, now=at(2026, 3, 2, 9, 0))
    dispatcher = w.actors["dispatcher"]
    actions.accept(case.pk, actor=dispatcher, data=inputs.AcceptIn(), now=at(2026, 3, 2, 10, 0))
    # 60 days from 2 March end on 1 May (Labour Day holiday) → 6 May.
    assert due(case, "resolution", "accepted") == at(2026, 5, 6)
    actions.assign(case.pk, actor=dispatcher, data=inputs.AssignIn(lead_department="letters"))
    handler = w.actors["handler:letters"]
    with pytest.raises(TousuError) as too_long:
        actions.request_extension(
            case.pk, actor=handler,
            data=inputs.RequestExtensionIn(stage="resolution", amount=31, reason="情况复杂"),
        )  # fmt: skip
    assert too_long.value.code == "invalid_value"
    actions.request_extension(
        case.pk, actor=handler,
        data=inputs.RequestExtensionIn(stage="resolution", amount=30, reason="涉及多个部门，情况复杂"),
    )  # fmt: skip
    with pytest.raises(TousuError):  # only the head of the office approves
        actions.approve_extension(
            case.pk, actor=w.actors["supervisor"], data=inputs.ApproveExtensionIn()
        )
    actions.approve_extension(case.pk, actor=w.actors["leader"], data=inputs.ApproveExtensionIn())
    # The 30 days run from day 60 itself (1 May), not from the working day it moved to:
    # 31 May is a Sunday → Monday 1 June.
    assert due(case, "resolution", "accepted") == at(2026, 6, 1)


# --------------------------------------------------------------------------- whistleblowing

WHISTLEBLOWING = Scenario(
    preset="whistleblowing",
    register={
        "kind": "report",
        "channel": "web",
        "received_at": "2026-06-01T21:15:00+08:00",
        "category": "bribery",
        "content": "匿名举报：中国子公司华东区销售经理为获得某医院设备采购订单，以“咨询费”名义"
        "通过第三方公司向采购负责人支付约20万元。",
        "complainant": {"anonymous": True},
        "subject": {"type": "staff", "name": "华东区销售经理"},
    },
    lead="compliance",
    co=["internal_audit"],
    at_registration={
        "acknowledgement": (7, "calendar_days", True),
        "reply": (3, "months", True),
    },
    at_acceptance={},
    reply_channel="web",
    written_reply_required=True,
    findings="经调查，咨询费支付缺乏真实服务背景，已终止相关合同并移交法务处理。",
    now=datetime(2026, 6, 1, 13, 20, tzinfo=UTC),
)


@pytest.mark.django_db
def test_whistleblowing_an_anonymous_bribery_report_through_the_group_channel() -> None:
    w = walk(WHISTLEBLOWING)
    # Anonymous by default: nothing was missing, the reporter stays anonymous.
    assert w.policy.anonymous_allowed
    assert w.case.parties.get().anonymous
    # Art. 9(1)(b) and (f): 7 days to acknowledge, 3 months to give feedback.
    # (The group's working day ends at 18:00.)
    assert due(w.case, "acknowledgement") == at(2026, 6, 8, 18, 0)
    assert due(w.case, "reply") == at(2026, 9, 1, 18, 0)
    triage = next(p for p in w.policy.procedures if p.code == "triage")
    assert triage.steps[0].code == "retaliation_risk"
    # A phone report: the written record is offered to the reporter to check (Art. 18).
    call = register(
        w.actors["clerk"],
        {
            "kind": "report",
            "channel": "phone",
            "category": "fraud",
            "content": "热线来电：财务人员虚开差旅发票报销。",
            "complainant": {"anonymous": True},
            "subject": {"type": "staff", "name": "华东区财务专员"},
        },
    )
    clerk = w.actors["clerk"]
    actions.record(
        call.pk, actor=clerk,
        data=inputs.RecordIn(kind="call", body="通话记录（经举报人同意录音并整理文字稿）"),
    )  # fmt: skip
    actions.record(
        call.pk, actor=clerk, data=inputs.RecordIn(kind="acknowledgement", body="已告知回执号码")
    )
    assert Deadline.objects.get(case=call, stage="acknowledgement").state == "met"
    actions.record(
        call.pk, actor=clerk,
        data=inputs.RecordIn(kind="note", body="举报人凭回执号码核对通话文字稿，更正一处金额后确认"),
    )  # fmt: skip
    oral = next(p for p in w.policy.procedures if p.code == "oral_report_record")
    assert "reporter_checks" in [s.code for s in oral.steps]
    # No extension of the 3-month feedback period.
    with pytest.raises(TousuError) as refused:
        actions.request_extension(
            call.pk, actor=w.actors["dispatcher"],
            data=inputs.RequestExtensionIn(stage="reply", amount=1, reason="调查未完成"),
        )  # fmt: skip
    assert refused.value.code == "invalid_value"

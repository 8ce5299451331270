"""Scenario tests of the presets market, enterprise, gov-service, work-safety,
pcb-quality and health-products: each walks its story
end to end, then checks the rules its own regulation adds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tousu.cases import actions, inputs, intake
from tousu.cases.access import Actor, actor_for
from tousu.cases.errors import TousuError
from tousu.cases.models import Case, Deadline, Event, Notification, Party, Subject
from tousu.orgs.services import create_user
from tousu.policy.tests.scenario import Scenario, Walked, walk

CST = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Beijing-time moment."""
    return datetime(year, month, day, hour, minute, tzinfo=CST)


def register(w: Walked, body: dict[str, Any], now: datetime, actor: str = "clerk") -> Case:
    return intake.register(w.actors[actor], inputs.RegisterIn.model_validate(body), now=now)


def deadline(case: Case, stage: str, *, hard: bool = True) -> Deadline:
    return Deadline.objects.get(case=case, stage=stage, hard=hard)


def started(case: Case, start: str) -> set[tuple[str, int, str, bool]]:
    return {
        (d.stage, d.rule["amount"], d.rule["unit"], d.hard)
        for d in Deadline.objects.filter(case=case, start=start)
    }


def handler_in(w: Walked, department: str) -> Actor:
    user = create_user(f"{w.org.slug}-extra-{department}", org=w.org, role="handler",
                       department=department)  # fmt: skip
    return actor_for(user, w.org.slug)


# --------------------------------------------------------------------------- market

STALL = {"type": "merchant", "name": "12号摊位 李记猪肉", "address": "肉类区12号"}

MARKET = Scenario(
    preset="market",
    register={
        "kind": "complaint",
        "channel": "phone",
        "received_at": "2026-11-14T09:40:00+08:00",
        "category": "short_weight",
        "content": "顾客拨打市场门口公示的投诉电话：在肉类区门口第二家摊位买猪肉2公斤，"
        "回家复称只有1.7公斤，短少300克。",
        "demands": "退还短少部分的价款",
        "complainant": {"name": "王秀兰", "phone": "13905510123"},
        "fields": {"goods": "猪肉2公斤", "amount_involved": "9.60"},
    },
    lead="operations",
    # The caller could not name the stall; the designated staff member finds it.
    missing=["subject"],
    amend={"subject": STALL},
    at_registration={},
    at_acceptance={
        "investigation_start": (2, "hours", True),
        "mediation": (0, "calendar_days", False),
        "resolution": (5, "calendar_days", True),
    },
    findings="双方到场在公平秤复秤，确认短少300克；摊主当场退还差价9.6元，双方在调解记录上签字。",
    responsibility="third_party",
    now=datetime(2026, 11, 14, 1, 45, tzinfo=UTC),
)


@pytest.mark.django_db
def test_market_short_weight_then_a_violation_reported_to_the_regulator() -> None:
    w = walk(MARKET)
    assert w.case.number == "SC-2026-00001"
    # 第3条: the same-day mediation target is a target, never a hard limit.
    target = deadline(w.case, "mediation", hard=False)
    assert target.rule["end_of_day"] and not target.rule["org_default"]

    # A week later (again a Saturday) another shopper reports the same stall's
    # scale: a violation, classed complex before acceptance.
    report = register(
        w,
        {
            "kind": "report",
            "channel": "visit",
            "received_at": "2026-11-21T10:30:00+08:00",
            "category": "short_weight",
            "complexity": "complex",
            "content": "顾客到市场办公室举报：12号摊位电子秤被改装，称重虚高约15%。",
            "complainant": {"name": "孙立", "phone": "13705519876"},
            "subject": STALL,
            "fields": {"stall_no": "12"},
        },
        now=at(2026, 11, 21, 10, 35),
    )
    dispatcher, handler = w.actors["dispatcher"], w.actors["handler:operations"]
    actions.accept(
        report.pk, actor=dispatcher, data=inputs.AcceptIn(), now=at(2026, 11, 21, 10, 40)
    )
    # 第2条 investigate at once (2 clock hours, on a Saturday too); 第3条 complex:
    # 5 calendar days, and no same-day target.
    assert started(report, "accepted") == {
        ("investigation_start", 2, "hours", True),
        ("resolution", 5, "calendar_days", True),
    }
    assert deadline(report, "investigation_start").due_at == at(2026, 11, 21, 12, 40)
    resolution = deadline(report, "resolution")
    assert resolution.due_at == at(2026, 11, 26, 18, 30)
    assert not resolution.rule["org_default"] and resolution.rule["clause"] == "第3条"

    # 第2条(3): the violation must be reported to the local market regulator; it is
    # a notice to the authority with its receipt, and the market goes on handling.
    regulator = w.policy.referral_target(w.policy.escalation.report_violation_to)
    assert regulator is not None and regulator.type == "authority"
    actions.assign(report.pk, actor=dispatcher, data=inputs.AssignIn(lead_department="operations"))
    actions.notify_authority(
        report.pk,
        actor=handler,
        data=inputs.NotifyAuthorityIn(
            authority=regulator.name_zh, reference="SJ-20261121-007", note="电子秤涉嫌计量作弊"
        ),
    )
    report.refresh_from_db()
    assert report.status == "in_progress"
    notice = Event.objects.get(case=report, type="authority_notified")
    assert notice.data["reference"] == "SJ-20261121-007"
    actions.record(
        report.pk, actor=handler,
        data=inputs.RecordIn(kind="evidence", body="问题电子秤已封存，待市场监管部门检定"),
    )  # fmt: skip

    # The stall now has two cases in the ledger, kept at least 2 years (第7条).
    assert Subject.objects.filter(case__org=w.org, name=STALL["name"]).count() == 2
    assert w.policy.retention.years >= 2


# --------------------------------------------------------------------------- enterprise

ENTERPRISE = Scenario(
    preset="enterprise",
    register={
        "kind": "complaint",
        "channel": "email",
        "received_at": "2026-11-23T10:15:00+08:00",
        "category": "delivery",
        "content": "经销商来邮件：订单XS-2026-1108第三批货应于11月16日到货，至今未到，影响门店促销。",
        "demands": "本周五前书面答复确切到货日期，并由公司承担加急运费",
        "complainant": {
            "name": "赵建国",
            "email": "zhao@hengda-trade.cn",
            "employer": "合肥恒达商贸有限公司",
        },
        "subject": {"type": "department", "name": "物流部"},
        "fields": {"order_no": "XS-2026-1108"},
        "customer_deadline": "2026-11-27T17:00:00+08:00",
    },
    lead="logistics",
    co=["production"],
    at_registration={
        "reply": (0, "customer_date", True),
        "resolution": (5, "working_days", True),
    },
    at_acceptance={"routing": (1, "working_days", True)},
    reply_channel="email",
    written_reply_required=True,
    findings="市场发展部召集物流部、生产部分析：排产延误导致发货推迟，责任在公司；物流部已安排加急发运。",
)


@pytest.mark.django_db
def test_enterprise_late_delivery_answered_by_the_customers_date() -> None:
    w = walk(ENTERPRISE)
    # 四、1: the sales rep who took the e-mail is the first-contact owner, answerable
    # for the customer's own deadline (四、5).
    assert w.case.first_contact_owner_id == w.actors["clerk"].user_id
    assert w.policy.title_for("intake_clerk") == "首问责任人"
    assert deadline(w.case, "reply").due_at == at(2026, 11, 27, 17, 0)

    # 五: the 5-working-day handling limit runs beside the customer's date: Monday 23
    # November 10:15 → 24, 25, 26, 27, 30 November.
    assert deadline(w.case, "resolution").due_at == at(2026, 11, 30, 17, 30)

    # Without a date of the customer's: 5 working days from intake (五, truncated).
    plain = register(
        w,
        {
            "kind": "complaint",
            "channel": "phone",
            "received_at": "2026-11-19T15:00:00+08:00",
            "category": "product_quality",
            "content": "客户来电：上月到货的一批产品外包装破损率偏高。",
            "demands": "更换破损产品",
            "complainant": {"name": "钱峰", "phone": "13812345678"},
        },
        now=at(2026, 11, 19, 15, 5),
    )
    limit = deadline(plain, "resolution")
    assert (limit.rule["amount"], limit.rule["unit"]) == (5, "working_days")
    assert limit.due_at == at(2026, 11, 26, 17, 30)
    assert "原文残缺" in limit.rule["clause"]
    assert not Deadline.objects.filter(case=plain, stage="reply").exists()

    # 四、1: a customer who cannot be reached is not accepted until a contact is given.
    unreachable = register(
        w,
        {
            "kind": "complaint",
            "channel": "phone",
            "content": "匿名来电抱怨售后服务，未留联系方式。",
            "demands": "改进售后服务",
        },
        now=at(2026, 11, 19, 16, 0),
    )
    assert unreachable.missing_fields == ["complainant.contact"]
    assert intake.refusal_reasons_for(
        w.policy, "complaint", "phone", unreachable.missing_fields
    ) == ["no_contact"]

    # 四、10: responsibility unclear between departments -> the vice GM in charge;
    # 四、9: a penalised employee appeals to the general manager.
    actions.escalate(
        plain.pk,
        actor=w.actors["dispatcher"],
        data=inputs.EscalateIn(
            to_role=w.policy.escalation.unclear_responsibility_to or "leader",
            reason="包装破损责任在物流部与生产部之间难以明确",
        ),
    )
    assert w.policy.title_for("supervisor") == "分管副总"
    assert Notification.objects.filter(
        case=plain, kind="case_escalated", user_id=w.actors["supervisor"].user_id
    ).exists()
    assert w.policy.accountability.appeal_to == "leader"
    assert w.policy.title_for("leader") == "总经理"


# --------------------------------------------------------------------------- gov-service

GOV_SERVICE = Scenario(
    preset="gov-service",
    register={
        "kind": "complaint",
        "channel": "letter",
        "received_at": "2026-06-18T16:00:00+08:00",
        "category": "corruption",
        "content": "来信反映：6月15日在社保窗口办理养老保险关系转移时，"
        "窗口工作人员称需另交200元“手续费”才能当天办结。",
        "demands": "查处索要手续费的行为，退还200元",
        "complainant": {"name": "陈立新", "address": "城关镇建设路56号", "phone": "13855501234"},
        "fields": {"service_item": "养老保险关系转移", "window_no": "12"},
    },
    lead="supervision",
    # The letter names the window, not the clerk; the duty roster gives the person.
    missing=["subject"],
    amend={"subject": {"type": "staff", "name": "社保窗口工作人员张某", "reference": "12号窗口"}},
    at_registration={"acceptance": (0, "same_day", True)},
    at_acceptance={"reply": (2, "working_days", True)},
    reply_channel="letter",
    written_reply_required=True,
    findings="经督查科调查核实，情况属实；已责令退还200元，按考核办法将该工作人员调离窗口。",
    now=datetime(2026, 6, 18, 9, tzinfo=UTC),
)


def _letter(w: Walked, content: str, received: datetime) -> Case:
    return register(
        w,
        {
            "kind": "complaint",
            "channel": "letter",
            "received_at": received.isoformat(),
            "category": "service_attitude",
            "content": content,
            "complainant": {"name": "周敏", "address": "城南路8号"},
            "subject": {"type": "department", "name": "不动产登记窗口"},
        },
        now=received,
    )


@pytest.mark.django_db
def test_gov_service_letter_before_the_dragon_boat_holiday() -> None:
    w = walk(GOV_SERVICE)
    # Received 16:00 on the day before the holiday: accepted the same day.
    assert deadline(w.case, "acceptance").due_at == at(2026, 6, 18, 17, 0)
    # 第8条: a follow-up call is due within two weeks of the reply (a target).
    follow = deadline(w.case, "follow_up", hard=False)
    assert (follow.rule["amount"], follow.rule["unit"], follow.state) == (2, "weeks", "met")

    # 第5条: written reply in 2 working days, counted past the holiday (19-21 June).
    chief = w.actors["dispatcher"]
    simple = _letter(w, "来信反映窗口工作人员态度生硬。", at(2026, 6, 18, 16, 30))
    actions.accept(simple.pk, actor=chief, data=inputs.AcceptIn(), now=at(2026, 6, 18, 16, 45))
    assert deadline(simple, "reply").due_at == at(2026, 6, 23, 17, 0)

    # A complaint involving two departments is complex: 5 working days.
    two = _letter(w, "来信反映不动产与税务窗口互相推诿。", at(2026, 6, 18, 16, 35))
    actions.classify(
        two.pk, actor=chief,
        data=inputs.ClassifyIn(departments=["supervision", "window_units"]),
    )  # fmt: skip
    actions.accept(two.pk, actor=chief, data=inputs.AcceptIn(), now=at(2026, 6, 18, 16, 50))
    two.refresh_from_db()
    assert two.complexity == "complex"
    assert deadline(two, "reply").due_at == at(2026, 6, 26, 17, 0)

    # An oral complaint: answer on the spot where possible (target), 2 working days at most.
    oral = register(
        w,
        {
            "kind": "complaint",
            "channel": "visit",
            "category": "service_attitude",
            "content": "群众到投诉窗口口头反映：窗口人员办理时长时间玩手机。",
            "complainant": {"name": "吴刚", "phone": "13955502222"},
            "subject": {"type": "department", "name": "公积金窗口"},
        },
        now=at(2026, 6, 22, 10, 0),
    )
    actions.accept(oral.pk, actor=chief, data=inputs.AcceptIn(), now=at(2026, 6, 22, 10, 5))
    assert started(oral, "accepted") == {
        ("reply", 0, "same_day", False),
        ("reply", 2, "working_days", True),
    }

    # 第9条: transfer and suspension; crimes go to the judicial organs.
    penalties = {p.code for p in w.policy.accountability.penalties}
    assert {"transfer", "suspension", "judicial_referral"} <= penalties
    judicial = w.policy.referral_target("judicial")
    assert judicial is not None and "corruption" in judicial.categories
    assert w.policy.public_notice.phones == ("4560002", "4560027")


# --------------------------------------------------------------------------- work-safety

WORK_SAFETY = Scenario(
    preset="work-safety",
    register={
        "kind": "report",
        "channel": "box",
        "received_at": "2026-11-23T08:40:00+08:00",
        "category": "fire",
        "content": "（举报箱内无署名纸条）三号生产线东侧安全出口被铁链锁住，一旦着火人员无法疏散。",
        "complainant": {"anonymous": True},
        "subject": {"type": "department", "name": "三号生产线"},
        "fields": {"receipt_no": "AQ-HZ-0137"},
    },
    lead="safety",
    co=["workshop"],
    # 有举必查: the place is needed to check it; the registrar copies it from the note.
    missing=["fields.hazard_location"],
    amend={"fields": {"hazard_location": "三号生产线东侧安全出口"}},
    at_registration={"acceptance": (0, "same_day", True)},
    at_acceptance={
        "investigation_start": (0, "same_day", True),
        "resolution": (10, "working_days", True),
    },
    # A note from the box is written: the answer goes to the portal, against the receipt.
    reply_channel="web",
    written_reply_required=True,
    findings="安全科当日现场核查属实，已拆除铁链、恢复安全出口畅通，整改照片存档，主管领导签字。",
    now=datetime(2026, 11, 23, 0, 50, tzinfo=UTC),
)


@pytest.mark.django_db
def test_work_safety_anonymous_note_about_a_chained_fire_exit() -> None:
    w = walk(WORK_SAFETY)
    # 二、3: the reporter stays anonymous; no name was ever needed.
    party = Party.objects.get(case=w.case)
    assert party.anonymous and party.name == ""
    assert deadline(w.case, "acceptance").due_at == at(2026, 11, 23, 17, 30)
    assert w.case.reply_channel == "web"

    # A major hazard: checked within 2 hours and put to the leader in charge at once.
    major = register(
        w,
        {
            "kind": "report",
            "channel": "phone",
            "received_at": "2026-11-24T10:00:00+08:00",
            "category": "major_hazard",
            "complexity": "major",
            "content": "来电举报：喷漆房排风机停转两天仍在作业，油漆气体聚集。",
            "complainant": {"name": "钱师傅", "phone": "13600001111"},
            "fields": {"hazard_location": "喷漆房"},
        },
        now=at(2026, 11, 24, 10, 2),
    )
    actions.accept(major.pk, actor=w.actors["dispatcher"], data=inputs.AcceptIn(),
                   now=at(2026, 11, 24, 10, 5))  # fmt: skip
    assert deadline(major, "investigation_start").due_at == at(2026, 11, 24, 12, 5)
    assert w.policy.escalation.major_to == "leader" and w.policy.title_for("leader") == "主管领导"
    actions.escalate(
        major.pk, actor=w.actors["dispatcher"],
        data=inputs.EscalateIn(to_role="leader", major=True, reason="重大事故隐患，报主管领导批示"),
    )  # fmt: skip
    assert Notification.objects.filter(
        case=major, kind="case_escalated", user_id=w.actors["leader"].user_id
    ).exists()

    # 一: only hazards within the plant; others are told where to report.
    outside = register(
        w,
        {
            "kind": "report",
            "channel": "phone",
            "content": "来电反映隔壁化工厂违规存放危化品。",
            "complainant": {"anonymous": True},
            "fields": {"hazard_location": "隔壁化工厂"},
        },
        now=at(2026, 11, 24, 11, 0),
    )
    actions.reject(
        outside.pk, actor=w.actors["dispatcher"],
        data=inputs.RejectIn(reason_code="outside_plant", complainant_told=True, told_via="phone"),
    )  # fmt: skip
    reason = w.policy.reason("outside_plant")
    assert reason is not None and "12350" in reason.redirect_zh
    assert [r.code for r in w.policy.rejection_reasons] == ["outside_plant"]


# --------------------------------------------------------------------------- pcb-quality

PCB_QUALITY = Scenario(
    preset="pcb-quality",
    register={
        "kind": "complaint",
        "channel": "email",
        "received_at": "2026-11-16T09:30:00+08:00",
        "category": "quality",
        "content": "客户来函：订单SO-2611-0042（料号PCB-8L-A33，11月3日交运2000片）"
        "经SMT回流焊后发现120片分层起泡，随函寄回异常样品5片。",
        "demands": "退回不良品120片，提交8D改善报告",
        "complainant": {
            "name": "陈工",
            "email": "chen@huatuo-elec.com",
            "employer": "深圳华拓电子有限公司",
        },
        "subject": {"type": "product", "name": "PCB-8L-A33", "reference": "SO-2611-0042"},
        "fields": {
            "order_no": "SO-2611-0042",
            "part_no": "PCB-8L-A33",
            "ship_qty": 2000,
            "defective_qty": 120,
            "customer_demand": "退货",
            # A(九)1: the customer is still processing the rest: "客户加工中未确定".
            "return_qty": "undetermined",
            "samples": True,
        },
    },
    lead="qa",
    co=["manufacturing"],
    # Sales looks the ship date up in the shipping records.
    missing=["fields.ship_date"],
    amend={"fields": {"ship_date": "2026-11-03"}},
    at_registration={"acceptance": (1, "working_days", True)},
    at_acceptance={
        "investigation_start": (1, "working_days", True),
        "first_response": (2, "working_days", True),
        "resolution": (10, "working_days", True),
    },
    reply_channel="email",
    written_reply_required=True,
    findings="质量管理部与制造部调查：10月28日夜班2号压合线压机温控故障导致层压不良；"
    "已更换温控模块并增加首件剥离测试，效果确认中。",
    now=datetime(2026, 11, 16, 1, 40, tzinfo=UTC),
)


@pytest.mark.django_db
def test_pcb_quality_delamination_complaint_numbered_yymmnn() -> None:
    w = walk(PCB_QUALITY)
    # A(八): year, month, serial; the serial restarts each month.
    assert w.case.number == "261101"
    body: dict[str, Any] = {
        "kind": "complaint",
        "channel": "phone",
        "category": "non_quality",
        "content": "客户来电：收到的PCB-4L-B12外箱标签料号错误。",
        "demands": "更换标签并补发正确出货文件",
        "complainant": {"name": "林经理", "phone": "13500002222"},
        "fields": {"order_no": "SO-2611-0051", "part_no": "PCB-4L-B12", "ship_qty": 500,
                   "ship_date": "2026-11-10", "defective_qty": 0},
    }  # fmt: skip
    second = register(w, body, now=at(2026, 11, 17, 9, 0))
    assert second.number == "261102"
    assert register(w, body, now=at(2026, 12, 1, 9, 0)).number == "261201"
    # Non-quality (human cause) goes to the GM office's production management team.
    assert second.proposed_department is not None
    assert second.proposed_department.code == "gm_office"

    # "undetermined" is a valid quantity; other words are not.
    with pytest.raises(TousuError) as info:
        register(w, {**body, "fields": {**body["fields"], "return_qty": "还不知道"}},
                 now=at(2026, 11, 17, 10, 0))  # fmt: skip
    assert info.value.code == "invalid_value"
    assert w.case.fields["return_qty"] == "undetermined"

    # A(七)4(2): manufacturing reports unit, shift, operator and production date.
    intake.amend(
        second.pk,
        actor=w.actors["clerk"],
        data=inputs.AmendIn(
            fields={
                "production_unit": "包装课",
                "shift": "包装线白班",
                "operator": "刘某",
                "production_date": "2026-11-09",
            }
        ),
    )
    second.refresh_from_db()
    assert second.fields["shift"] == "包装线白班"

    # 核决权限: returning 120 boards is within the sales manager's limit.
    rows = [r for r in w.policy.approval_limits if r.kind == "return"]
    approver = next(r for r in rows if r.max_quantity is None or r.max_quantity >= 120)
    assert (approver.role, approver.title_zh) == ("department_head", "业务经理")


# --------------------------------------------------------------------------- health-products

BATCH = "20260815"

HEALTH_PRODUCTS = Scenario(
    preset="health-products",
    register={
        "kind": "complaint",
        "channel": "phone",
        "received_at": "2026-11-24T10:05:00+08:00",
        "category": "adverse_reaction",
        "content": "康宁大药房来电：顾客之母服用本公司蛋白粉三天后出现全身皮疹，已停用并就医。",
        "demands": "查明原因，退回该批号剩余产品",
        "complainant": {"name": "刘敏", "phone": "0551-62881234", "employer": "康宁大药房"},
        "subject": {"type": "product", "name": "蛋白粉 400g", "reference": BATCH},
        "fields": {
            "product_type": "蛋白粉 400g/罐",
            "batch_no": BATCH,
            "production_date": "2026-08-15",
            "arrival_date": "2026-10-10",
            "reaction": "服用三天后全身皮疹",
        },
    },
    lead="quality",
    co=["sales_logistics"],
    at_registration={
        "first_response": (0, "same_day", False),
        "resolution": (1, "working_days", True),
    },
    at_acceptance={},
    findings="质量部调取同批号留样检验合格；皮疹与个人过敏体质有关，已告知停用并协助退货。",
    now=datetime(2026, 11, 24, 2, 10, tzinfo=UTC),
)


@pytest.mark.django_db
def test_health_products_adverse_reaction_and_an_invalid_service_complaint() -> None:
    w = walk(HEALTH_PRODUCTS)
    # 4.2 is truncated: the product limit follows 4.1.1, and says so.
    assert "参照4.1.1" in deadline(w.case, "resolution").rule["clause"]

    # A week later the same batch: escalated at once to the marketing director (3.3).
    director = w.policy.escalation.major_to
    assert director == "supervisor" and w.policy.title_for("supervisor") == "营销总监"
    for day in (1, 2):
        again = register(
            w,
            {**HEALTH_PRODUCTS.register, "received_at": None,
             "complainant": {"name": f"顾客{day}", "phone": "13900000000"}},
            now=at(2026, 12, day, 9, 0),
        )  # fmt: skip
        actions.escalate(
            again.pk, actor=w.actors["clerk"],
            data=inputs.EscalateIn(to_role=director, major=True, reason="服用不良反应，立即上报"),
        )  # fmt: skip
    assert (
        Notification.objects.filter(
            kind="case_escalated", user_id=w.actors["supervisor"].user_id
        ).count()
        == 2
    )
    assert Case.objects.filter(org=w.org, fields__batch_no=BATCH).count() == 3

    # A rude sales rep: a service complaint; the regional head's opinion within 1
    # working day (4.1.1); a misunderstanding, so invalid (2.2.2), with an apology (3.2).
    rude = register(
        w,
        {
            "kind": "complaint",
            "channel": "phone",
            "received_at": "2026-11-26T16:00:00+08:00",
            "category": "service_sales",
            "content": "客户来电投诉地区经理电话中态度粗暴，拒绝兑现促销政策。",
            "demands": "更换对接的地区经理",
            "complainant": {"name": "何女士", "phone": "13966661234"},
            "subject": {"type": "staff", "name": "皖中地区经理 孙某"},
        },
        now=at(2026, 11, 26, 16, 5),
    )
    assert rude.proposed_department is not None and rude.proposed_department.code == "sales"
    assert deadline(rude, "resolution").due_at == at(2026, 11, 27, 17, 30)
    chief, sales = w.actors["dispatcher"], handler_in(w, "sales")
    actions.accept(rude.pk, actor=chief, data=inputs.AcceptIn())
    actions.assign(rude.pk, actor=chief, data=inputs.AssignIn(lead_department="sales"))
    actions.resolve(
        rude.pk, actor=sales,
        data=inputs.ResolveIn(
            findings="经核实，促销政策已于上月到期，地区经理解释时语气急躁，属误会。",
            responsibility="complainant", valid=False,
        ),
    )  # fmt: skip
    actions.reply(rude.pk, actor=sales,
                  data=inputs.ReplyIn(channel="phone", body="向客户致歉并解释促销政策到期情况"))  # fmt: skip
    rude.refresh_from_db()
    assert (rude.validity, rude.status) == ("invalid", "replied")
    assert started(rude, "resolved") == {("reply", 0, "next_working_day", True)}

"""Presets integrity, website, consumer-12315, scenic-area, hospital and law-firm, walked.

Each test walks its story through the real actions
(:func:`~tousu.policy.tests.scenario.walk`), then checks rules of that regulation
which the common walk does not reach.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from tousu.cases import actions, inputs, intake
from tousu.cases.access import Actor, identity_visible
from tousu.cases.errors import TousuError
from tousu.cases.models import Case, CaseLink, Deadline
from tousu.policy.models import policy_for
from tousu.policy.services import create_org
from tousu.policy.tests.scenario import Scenario, staff, walk

CST = timezone(timedelta(hours=8))


def clocks(case: Case, start: str) -> dict[str, tuple[int, str, bool]]:
    return {
        d.stage: (d.rule["amount"], d.rule["unit"], d.hard)
        for d in Deadline.objects.filter(case=case, start=start)
    }


def due(case: Case, stage: str, *, hard: bool = True) -> datetime:
    return Deadline.objects.get(case=case, stage=stage, hard=hard).due_at.astimezone(CST)


def register(actor: Actor, body: dict[str, Any], now: datetime | None = None) -> Case:
    return intake.register(actor, inputs.RegisterIn.model_validate(body), now=now)


# --------------------------------------------------------------------------- integrity

INTEGRITY = Scenario(
    preset="integrity",
    register={
        "kind": "report",
        "channel": "letter",
        "received_at": "2026-11-23T10:00:00+08:00",
        "category": "bribery",
        "complexity": "major",
        "content": "本人实名举报：采购部采购员张某在采购包装材料过程中，多次收受供应商"
        "宏达包装公司回扣，金额约三万元。",
        "demands": "请公司调查处理",
        "complainant": {"name": "李红", "employer": "财务部"},
        "subject": {"type": "staff", "name": "张某（采购员）", "reference": "采购部"},
    },
    lead="enterprise_mgmt",
    co=["investigation_team"],
    # 第八条: signed, and reachable; her letter gave no way to contact her.
    missing=["complainant.contact"],
    amend={"complainant": {"name": "李红", "employer": "财务部", "phone": "13800001111"}},
    at_registration={"acceptance": (5, "working_days", True)},
    # Serious (调查组, 第三条): the longer of the two resolution limits.
    at_acceptance={"resolution": (40, "working_days", True)},
    reply_channel="letter",
    written_reply_required=True,
    findings="经调查组查实，采购员张某收受供应商回扣属实，处理意见已报总经理决定。",
    now=datetime(2026, 11, 23, 3, tzinfo=UTC),
)


@pytest.mark.django_db
def test_integrity_a_signed_kickback_report_goes_to_an_investigation_team() -> None:
    walked = walk(INTEGRITY)
    policy, case, actors = walked.policy, walked.case, walked.actors
    # The inspector (督查员) triages; the GM (总经理) decides serious cases.
    assert policy.title_for("dispatcher") == "督查员"
    assert policy.title_for("leader") == "总经理"
    assert policy.escalation.major_to == "leader"
    # Her identity is sealed from the investigators; a reward goes through the custodian.
    assert not identity_visible(actors["handler:enterprise_mgmt"], case)
    assert not identity_visible(actors["handler:investigation_team"], case)
    assert policy.rewards.enabled and policy.rewards.via_custodian
    # A general complaint gets the shorter limit.
    general = policy.rules_for(
        kind="complaint", channel="visit", complexity="general", start="accepted"
    )
    assert [(r.stage, r.amount, r.unit) for r in general] == [("resolution", 20, "working_days")]
    # 第八条: an unsigned report is not accepted, and says why.
    unsigned = register(
        actors["clerk"],
        {
            "kind": "report",
            "channel": "box",
            "category": "gambling_theft",
            "content": "三号宿舍有人聚众赌博。",
            "subject": {"type": "other", "name": "三号宿舍"},
        },
    )
    assert unsigned.missing_fields == ["complainant.contact", "complainant.name"]
    assert intake.refusal_reasons_for(policy, "report", "box", unsigned.missing_fields) == [
        "unsigned"
    ]
    with pytest.raises(TousuError) as refused:
        actions.accept(unsigned.pk, actor=actors["dispatcher"], data=inputs.AcceptIn())
    assert refused.value.code == "missing_fields"
    actions.reject(
        unsigned.pk, actor=actors["dispatcher"], data=inputs.RejectIn(reason_code="unsigned")
    )
    unsigned.refresh_from_db()
    assert unsigned.status == "rejected"


# --------------------------------------------------------------------------- website

WEBSITE = Scenario(
    preset="website",
    register={
        "kind": "report",
        "channel": "phone",
        # Late at night during the May Day holiday (1-5 May 2026).
        "received_at": "2026-05-02T23:30:00+08:00",
        "category": "rumour",
        "complexity": "major",
        "content": "网友来电举报：论坛“本地生活”版块有帖子称“上游水库垮坝，全城今晚被淹”，"
        "系谣言，已引起恐慌。",
        "complainant": {"name": "王磊", "phone": "13700002222"},
    },
    lead="security_team",
    # The post must be located before acceptance; the reporter reads out the link.
    missing=["subject"],
    amend={
        "subject": {
            "type": "content",
            "name": "“上游水库垮坝”帖",
            "url": "https://bbs.example.cn/t/88231",
        }
    },
    at_registration={
        "acceptance": (0, "same_day", True),
        "investigation_start": (1, "hours", False),
    },
    at_acceptance={"resolution": (5, "working_days", True)},
    findings="帖子已屏蔽并删除，发帖账号已封禁，相关记录已保存。",
    now=datetime(2026, 5, 2, 16, 10, tzinfo=UTC),
)


@pytest.mark.django_db
def test_website_a_holiday_night_rumour_is_handled_first_and_worked_after_the_holiday() -> None:
    walked = walk(WEBSITE)
    policy, case, actors = walked.policy, walked.case, walked.actors
    # Received on a holiday night: the regular handling counts from the first working
    # day after the holiday (Wednesday 6 May), not from the night itself.
    assert due(case, "acceptance") == datetime(2026, 5, 6, 17, 30, tzinfo=CST)
    # The urgent major event is contained first: a one-hour target, never escalated.
    assert due(case, "investigation_start", hard=False) == datetime(2026, 5, 3, 0, 30, tzinfo=CST)
    assert policy.duty.urgent_first and policy.duty.after_hours == "next_working_day"
    # A report on a working morning: handled the same day.
    day = register(
        actors["clerk"],
        {
            "kind": "report",
            "channel": "phone",
            "received_at": "2026-05-07T10:00:00+08:00",
            "category": "obscene_violent",
            "content": "网友举报：相册频道有赌博网站广告图片。",
            "subject": {"type": "content", "url": "https://bbs.example.cn/album/5531"},
        },
        now=datetime(2026, 5, 7, 2, 5, tzinfo=UTC),
    )
    assert due(day, "acceptance") == datetime(2026, 5, 7, 17, 30, tzinfo=CST)
    # Suspected crime: reported to public security while the case goes on here.
    assert policy.escalation.report_violation_to == "public_security"
    target = policy.referral_target("public_security")
    assert target is not None and target.type == "police"
    dispatcher, leader = actors["dispatcher"], actors["leader"]
    actions.accept(day.pk, actor=dispatcher, data=inputs.AcceptIn())
    actions.assign(day.pk, actor=dispatcher, data=inputs.AssignIn(lead_department="security_team"))
    actions.notify_authority(
        day.pk, actor=dispatcher, data=inputs.NotifyAuthorityIn(authority=target.name_zh)
    )
    # "应报主管领导说明理由，可适当延长": only the leader approves an extension.
    handler = actors["handler:security_team"]
    actions.request_extension(
        day.pk,
        actor=handler,
        data=inputs.RequestExtensionIn(stage="resolution", amount=3, reason="需调取服务器日志"),
    )
    with pytest.raises(TousuError) as refused:
        actions.approve_extension(
            day.pk, actor=actors["supervisor"], data=inputs.ApproveExtensionIn()
        )
    assert refused.value.code == "action_forbidden"
    before = due(day, "resolution")
    actions.approve_extension(day.pk, actor=leader, data=inputs.ApproveExtensionIn())
    assert due(day, "resolution") > before
    day.refresh_from_db()
    assert day.status == "in_progress"


# --------------------------------------------------------------------------- consumer-12315

CONSUMER = Scenario(
    preset="consumer-12315",
    register={
        "kind": "complaint",
        "channel": "phone",
        "received_at": "2026-11-24T10:15:00+08:00",
        "category": "consumer_dispute",
        "content": "来电人原话：“我11月22日在华联超市买了两盒纯牛奶，回家一看已经过期三天了，"
        "超市得赔我。”",
        "demands": "退货并依法赔偿",
        "complainant": {"name": "陈静", "phone": "13900003333"},
        "subject": {"type": "merchant", "name": "华联超市（东风路店）"},
    },
    lead="consumer_protection",
    missing=["subject.address"],
    amend={
        "subject": {"type": "merchant", "name": "华联超市（东风路店）", "address": "东风路88号"}
    },
    at_registration={"acceptance": (7, "working_days", True)},
    at_acceptance={"mediation": (60, "calendar_days", True)},
    findings="经调解，超市同意退货并依法赔偿，双方达成调解协议。",
    now=datetime(2026, 11, 24, 2, 30, tzinfo=UTC),
)


@pytest.mark.django_db
def test_consumer_12315_an_expired_milk_call_is_split_into_a_dispute_and_a_report() -> None:
    walked = walk(CONSUMER)
    policy, actors = walked.policy, walked.actors
    clerk, dispatcher = actors["clerk"], actors["dispatcher"]
    # The same call, taken as one mixed submission, is split: the dispute is mediated,
    # the violation (selling expired food) is verified by enforcement.
    mixed = register(clerk, {**CONSUMER.register, **(CONSUMER.amend or {})})
    assert policy.split.mixed_submissions == "split"
    actions.split(
        mixed.pk,
        actor=clerk,
        data=inputs.SplitIn(
            parts=[
                inputs.SplitPartIn(
                    kind="report",
                    category="rights_violation",
                    content="举报华联超市（东风路店）销售超过保质期的纯牛奶。",
                )
            ]
        ),
    )
    link = CaseLink.objects.get(to_case=mixed, type=CaseLink.Type.SPLIT_FROM)
    report = link.from_case
    assert report.kind == "report" and report.first_contact_owner_id == mixed.first_contact_owner_id
    assert report.proposed_department is not None
    assert report.proposed_department.code == "enforcement"
    assert clocks(report, "received") == {"verification": (15, "working_days", True)}
    # The supermarket is never told who called: the reporter's identity is sealed.
    # (The clerk who took the call sees the caller on the dispute, not on the report.)
    assert identity_visible(clerk, mixed)
    assert not identity_visible(clerk, report)
    assert not identity_visible(dispatcher, report)
    # Out of the authority's duties: proposed for referral to the competent agency.
    elsewhere = register(
        clerk,
        {
            "kind": "complaint",
            "channel": "phone",
            "category": "other_agency",
            "content": "小区物业费收费标准过高。",
            "complainant": {"name": "赵刚", "phone": "13100006666"},
        },
    )
    assert elsewhere.proposed_referral == policy.out_of_mandate == "other_authority"
    # 咨询解答快: a question is answered on the spot or the same day (a target).
    question = register(
        clerk,
        {
            "kind": "consultation",
            "channel": "phone",
            "category": "legal_consultation",
            "content": "网购商品七日无理由退货如何计算？",
        },
    )
    assert clocks(question, "received") == {"reply": (0, "same_day", False)}


# --------------------------------------------------------------------------- scenic-area

SCENIC = Scenario(
    preset="scenic-area",
    register={
        "kind": "complaint",
        "channel": "visit",
        # National Day: the area is open and its clocks run in hours and calendar days.
        "received_at": "2026-10-03T10:20:00+08:00",
        "category": "staff_conduct",
        "content": "游客在东门投诉：购票时询问优惠政策，售票员不耐烦并用脏话辱骂她。",
        "demands": "要求售票员道歉",
        "complainant": {"name": "孙悦", "phone": "13300007777"},
        "subject": {"type": "staff", "name": "售票员赵某", "reference": "东门售票处"},
    },
    lead="office",
    co=["reception"],
    at_registration={"mediation": (1, "hours", False)},
    at_acceptance={"reply": (1, "next_day", True)},
    reply_channel="on_the_spot",
    findings="经核实售票员赵某确有辱骂游客行为，已当面向游客赔礼道歉，并按第9条罚款100元。",
    now=datetime(2026, 10, 3, 2, 40, tzinfo=UTC),
)


@pytest.mark.django_db
def test_scenic_area_a_clerk_who_swore_is_fined_and_flagged_at_the_second_complaint() -> None:
    walked = walk(SCENIC)
    policy, case, actors = walked.policy, walked.case, walked.actors
    # "立即到办公室调解": an hour's target, counted on a holiday too.
    assert due(case, "mediation", hard=False) == datetime(2026, 10, 3, 11, 20, tzinfo=CST)
    # 第9条: 100 yuan each time, and an apology.
    fine = next(p for p in policy.accountability.penalties if p.code == "fine")
    assert fine.amount == Decimal("100")
    assert policy.accountability.counts_in_appraisal
    # A second complaint about the same clerk, settled on the spot by the duty manager.
    again = register(
        actors["clerk"],
        {
            "kind": "complaint",
            "channel": "visit",
            "received_at": "2026-10-05T15:00:00+08:00",
            "category": "staff_conduct",
            "content": "游客投诉售票员态度恶劣，大声呵斥。",
            "subject": {"type": "staff", "name": "售票员赵某", "reference": "东门售票处"},
        },
        now=datetime(2026, 10, 5, 7, 5, tzinfo=UTC),
    )
    actions.resolve_on_the_spot(
        again.pk,
        actor=actors["supervisor"],
        data=inputs.ResolveOnTheSpotIn(findings="值班经理当场致歉，游客表示满意。", satisfied=True),
    )
    again.refresh_from_db()
    assert again.status == "replied" and again.complexity == "on_the_spot"
    assert Deadline.objects.get(case=again, stage="mediation").state == Deadline.State.MET
    # 第11条: the second complaint proposes suspension to the head of the area.
    rule = policy.accountability.counting[0]
    since = again.received_at - timedelta(days=rule.window_days)
    count = (
        Case.objects.filter(org=walked.org, subjects__name="售票员赵某", received_at__gte=since)
        .distinct()
        .count()
    )
    assert count >= rule.count == 2
    assert (rule.proposes, rule.notify_role) == ("suspension", "leader")
    assert policy.title_for(rule.notify_role) == "景区负责人"
    # 第5条: no refusing a complaint; the policy lists no ground for it.
    assert policy.rejection_reasons == ()


# --------------------------------------------------------------------------- hospital

HOSPITAL = Scenario(
    preset="hospital",
    register={
        "kind": "complaint",
        "channel": "phone",
        # Friday evening, outside working hours: the administrative duty officer answers.
        "received_at": "2026-06-12T20:05:00+08:00",
        "category": "fees",
        "content": "患者之子来电：其父6月10日住院期间做胸部CT一次，费用清单上CT检查费计收两次。"
        "总值班已登记，夜间无法核对账目。",
        "demands": "核实并退还重复收取的CT检查费",
        "complainant": {"name": "周明", "phone": "13600004444"},
        "subject": {"type": "department", "name": "住院收费处"},
    },
    lead="finance",
    # [福贡]三、3: a phone complainant gives name, address and contact.
    missing=["complainant.address"],
    amend={"complainant": {"name": "周明", "phone": "13600004444", "address": "城关镇建设路5号"}},
    at_registration={
        "acceptance": (7, "calendar_days", True),
        "routing": (1, "next_working_day", True),
    },
    # The 3-working-day limit runs from the department's receipt (assigned), below.
    at_acceptance={},
    reply_channel="letter",
    findings="经财务处核对，CT检查费确系重复计收，已办理退费。",
    now=datetime(2026, 6, 12, 12, 30, tzinfo=UTC),
)


@pytest.mark.django_db
def test_hospital_a_duty_night_billing_call_goes_to_finance_the_next_day() -> None:
    walked = walk(HOSPITAL)
    policy, case, actors = walked.policy, walked.case, walked.actors
    assert policy.duty.after_hours == "duty_officer" and policy.duty.duty_title_zh == "院行政总值班"
    # 次日 of the general office, which works on working days: Friday night → Monday 15 June.
    assert due(case, "routing") == datetime(2026, 6, 15, 17, 30, tzinfo=CST)
    # "7日" as calendar days; the last day (19 June) is the Dragon Boat holiday → Monday.
    assert due(case, "acceptance") == datetime(2026, 6, 22, 17, 30, tzinfo=CST)
    assert clocks(case, "assigned") == {"resolution": (3, "working_days", True)}
    assert case.reply_channel == "letter"
    dispatcher = actors["dispatcher"]
    # A difficult complaint involving two departments: both conditions → one week.
    hard = register(
        actors["clerk"],
        {
            "kind": "complaint",
            "channel": "visit",
            "category": "clinical_care",
            "content": "患者家属反映术后伤口感染，医生与护士说法不一。",
            "demands": "查明原因并给予说法",
            "complainant": {"name": "钱慧"},
            "subject": {"type": "department", "name": "普外科"},
        },
    )
    actions.classify(hard.pk, actor=dispatcher, data=inputs.ClassifyIn(complexity="complex"))
    actions.accept(hard.pk, actor=dispatcher, data=inputs.AcceptIn())
    actions.assign(
        hard.pk,
        actor=dispatcher,
        data=inputs.AssignIn(lead_department="doctor_patient", co_departments=["medical_affairs"]),
    )
    assert clocks(hard, "assigned") == {"resolution": (1, "weeks", True)}
    # Difficult but within one department: still the general three working days.
    alone = policy.rules_for(
        kind="complaint", channel="visit", complexity="complex", start="assigned", departments=1
    )
    assert [(r.amount, r.unit) for r in alone] == [(3, "working_days")]
    # The ward opinion book belongs to the ward: the head nurse checks it daily.
    book = register(
        actors["clerk"],
        {
            "kind": "complaint",
            "channel": "opinion_book",
            "category": "nursing",
            "content": "意见本：夜班呼叫铃响很久无人应答。",
            "demands": "改进夜间巡视",
            "subject": {"type": "department", "name": "心内科病区"},
        },
    )
    assert book.proposed_department is not None
    assert book.proposed_department.code == "clinical_depts"
    assert clocks(book, "received")["acknowledgement"] == (1, "next_working_day", True)
    assert clocks(book, "received")["resolution"] == (0, "same_day", False)
    # An anonymous call is handled under the petition rules, not as a complaint.
    anonymous = register(
        actors["clerk"],
        {
            "kind": "complaint",
            "channel": "phone",
            "category": "conduct",
            "content": "匿名来电反映某医生收受红包。",
            "demands": "查处",
            "subject": {"type": "staff", "name": "某医生"},
        },
    )
    reasons = intake.refusal_reasons_for(policy, "complaint", "phone", anonymous.missing_fields)
    assert reasons == ["anonymous_petition"]
    assert {r.code for r in policy.rejection_reasons} >= {"before_court", "petition_handled"}


@pytest.mark.django_db
def test_hospital_a_death_after_surgery_runs_the_medical_dispute_procedure() -> None:
    org = create_org("hospital-dispute", preset="hospital")
    policy = policy_for(org.active_policy_id or 0)[1]
    actors = staff(org, policy, ["medical_affairs"])
    dispatcher = actors["dispatcher"]
    case = register(
        actors["clerk"],
        {
            "kind": "complaint",
            "channel": "visit",
            "category": "medical_dispute",
            "complexity": "major",
            "content": "患者术后次日死亡，家属对手术及术后护理有异议。",
            "demands": "查明死因，追究责任",
            "complainant": {"name": "何军", "phone": "13200008888"},
            "subject": {"type": "department", "name": "胸外科"},
        },
    )
    assert case.proposed_department is not None
    assert case.proposed_department.code == "medical_affairs"
    procedure = next(p for p in policy.procedures if p.code == "medical_dispute")
    assert "medical_dispute" in procedure.categories
    assert [s.code for s in procedure.steps][-2:] == ["committee", "decision"]
    actions.accept(case.pk, actor=dispatcher, data=inputs.AcceptIn())
    actions.assign(
        case.pk, actor=dispatcher, data=inputs.AssignIn(lead_department="medical_affairs")
    )
    # Sealed in front of both parties: who, what, where, when.
    actions.record(
        case.pk,
        actor=actors["handler:medical_affairs"],
        data=inputs.RecordIn(
            kind="sealed_evidence",
            body="医患双方在场，封存病历及输液器具",
            occurred_at=datetime(2026, 7, 2, 15, 0, tzinfo=CST),
            location="胸外科护士站",
            items=["住院病历（复印件及原件）", "输液袋及输液器"],
            witnesses=["医务科 刘科长", "患者家属 何军"],
            seal_number="FC-2026-007",
        ),
    )
    health = policy.referral_target("health_authority")
    assert health is not None
    actions.notify_authority(
        case.pk, actor=dispatcher, data=inputs.NotifyAuthorityIn(authority=health.name_zh)
    )
    case.refresh_from_db()
    assert case.status == "in_progress" and case.complexity == "major"


# --------------------------------------------------------------------------- law-firm

LAW = Scenario(
    preset="law-firm",
    register={
        "kind": "complaint",
        "channel": "referral",
        "received_at": "2026-03-09T10:00:00+08:00",
        "category": "legal_service",
        "content": "市律师协会转来投诉：当事人吴国强称其委托的本所郑律师未在法定期限内"
        "提交上诉状，致其丧失上诉权利。",
        "demands": "要求律所作出说明并赔偿损失",
        "complainant": {"name": "吴国强"},
        "subject": {"type": "staff", "name": "郑律师", "reference": "诉讼部"},
        # The association wants the firm's written answer by the end of March.
        "customer_deadline": "2026-03-31T17:00:00+08:00",
    },
    lead="complaint_desk",
    co=["partners"],
    missing=["complainant.contact"],
    amend={"complainant": {"name": "吴国强", "phone": "13500005555"}},
    at_registration={"acknowledgement": (2, "working_days", True)},
    at_acceptance={"reply": (0, "customer_date", True)},
    reply_channel="letter",
    written_reply_required=True,
    findings="经核查，郑律师确未在上诉期内提交上诉状；业务分管合伙人决定向当事人致歉、"
    "协商赔偿，并对郑律师作出处理。",
    now=datetime(2026, 3, 9, 3, tzinfo=UTC),
)


@pytest.mark.django_db
def test_law_firm_a_complaint_from_the_bar_association_gets_a_written_reply_by_its_date() -> None:
    walked = walk(LAW)
    policy, case = walked.policy, walked.case
    # Referred in → the designated person (专门负责人), whatever the category.
    assert policy.title_for("dispatcher") == "专门负责人"
    assert policy.route(category="fees", subject_type="", channel="referral", kind="complaint") == (
        "complaint_desk",
        ("partners",),
    )
    # The association's date rules the reply; without one, 15 working days.
    assert Deadline.objects.get(case=case, stage="reply").due_at == datetime(
        2026, 3, 31, 17, 0, tzinfo=CST
    )
    plain = policy.rules_for(
        kind="complaint", channel="referral", complexity="general", start="accepted"
    )
    assert [(r.stage, r.amount, r.unit) for r in plain] == [("reply", 15, "working_days")]
    # 原则上书面答复: even a phone complaint is answered in writing.
    assert policy.reply.written_always and case.reply_channel == "letter"
    # Satisfaction surveyed; dossiers by year (the 2026 dossier holds this case).
    assert policy.follow_up.required and case.satisfaction == "satisfied"
    assert policy.retention.archive_by_year and case.received_at.astimezone(CST).year == 2026
    assert policy.referral_target("bar_association") is not None

"""Clocks counted the way the regulations count them, one scenario per defect.

Every date below is worked out by hand on the 2026 calendar (python-holidays' China
schedule, the State Council notice): 1 January (+2 January) off, 4 January (Sunday)
worked; 1–5 May off, 9 May (Saturday) worked; 19 June off; 25 September off, 20 September
(Sunday) worked; 1–7 October off, 10 October (Saturday) worked. Times are local
(Asia/Shanghai, UTC+8).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tousu.cases import actions, inputs, intake
from tousu.cases.access import Actor
from tousu.cases.deadlines import is_overdue
from tousu.cases.models import Case, Deadline
from tousu.clock.calendar import DueRule, compute_due, default_calendar
from tousu.desk.queues import queue_cases
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy
from tousu.policy.services import create_org
from tousu.policy.tests.scenario import decider, staff

CST = timezone(timedelta(hours=8))


def at(y: int, m: int, d: int, hh: int = 17, mm: int = 30) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=CST)


def _org(preset: str, departments: tuple[str, ...] = ()) -> tuple[Policy, dict[str, Actor]]:
    org = create_org(f"fid-{preset}", preset=preset)
    policy = policy_for(org.active_policy_id or 0)[1]
    return policy, staff(org, policy, list(departments))


def _register(clerk: Actor, now: datetime, **body: Any) -> Case:
    data = {
        "kind": "complaint",
        "channel": "letter",
        "content": "来信反映窗口工作人员办事拖拉",
        "demands": "请调查处理",
        "complainant": {"name": "吴静", "phone": "13700007777", "address": "中山路1号"},
        "subject": {"type": "other", "name": "被投诉对象", "address": "中山路2号"},
        "received_at": now.isoformat(),
        **body,
    }
    return intake.register(clerk, inputs.RegisterIn.model_validate(data), now=now)


def _clock(case: Case, stage: str, *, hard: bool = True) -> Deadline:
    return Deadline.objects.get(case=case, stage=stage, hard=hard)


# ------------------------------------------------------------ 1. counts from / known at


@pytest.mark.django_db
def test_gov_service_reply_counts_from_receipt_though_known_at_acceptance() -> None:
    policy, actors = _org("gov-service")
    chief = decider(actors, policy.permissions.decide_acceptance)
    # A letter arrives Monday 1 June 2026, 10:00; it is accepted only on Friday 5 June.
    received = at(2026, 6, 1, 10, 0)
    case = _register(actors["clerk"], received, category=policy.categories[0].code)
    assert not Deadline.objects.filter(case=case, stage="reply").exists()  # not known yet
    accepted = at(2026, 6, 5, 10, 0)
    actions.accept(case.pk, actor=chief, data=inputs.AcceptIn(), now=accepted)
    reply = _clock(case, "reply")
    # 第5条 "一般书面投诉在2个工作日内作出答复", from receipt: day 0 = Mon 1 June,
    # day 1 = Tue 2, day 2 = Wed 3 June; closes at 17:00 (the centre's hours).
    # (Counted from acceptance it would have been Tue 9 June.)
    assert reply.started_at == received and reply.known_at == accepted
    assert reply.due_at == at(2026, 6, 3, 17, 0)
    # Overdue the moment it became known, and shown so: the overdue queue lists it.
    assert is_overdue(reply, accepted)
    assert case in queue_cases("overdue", actors["supervisor"], accepted)
    # Classified complex: the 5-day limit, still from receipt: 2, 3, 4, 5, 8 June.
    actions.classify(
        case.pk, actor=chief, data=inputs.ClassifyIn(complexity="complex"), now=accepted
    )
    reply.refresh_from_db()
    assert reply.due_at == at(2026, 6, 8, 17, 0) and reply.started_at == received


@pytest.mark.django_db
def test_tobacco_verification_counts_from_the_reports_receipt() -> None:
    policy, actors = _org("tobacco")
    chief = decider(actors, policy.permissions.decide_acceptance)
    # A report arrives Monday 21 September 2026 and is accepted Monday 28 September.
    received = at(2026, 9, 21, 9, 0)
    case = _register(actors["clerk"], received, kind="report", category=policy.categories[0].code)
    actions.accept(case.pk, actor=chief, data=inputs.AcceptIn(), now=at(2026, 9, 28, 9, 0))
    # 处罚程序规定 §18: 15 working days from receipt: 22, 23, 24 (25 off), 28, 29, 30 Sept,
    # (1–7 Oct off) 8, 9, 10 (make-up Saturday), 12, 13, 14, 15, 16, 19 October.
    assert _clock(case, "verification").due_at.astimezone(CST) == at(2026, 10, 19)


@pytest.mark.django_db
def test_a_reopened_case_does_not_count_from_the_first_receipt() -> None:
    policy, actors = _org("gov-service")
    chief = decider(actors, policy.permissions.decide_acceptance)
    case = _register(actors["clerk"], at(2026, 6, 1, 10, 0), category=policy.categories[0].code)
    actions.reject(
        case.pk, actor=chief, data=inputs.RejectIn(reason_code=policy.rejection_reasons[0].code),
        now=at(2026, 6, 1, 11, 0),
    )  # fmt: skip
    # Reopened Monday 15 June: the new round counts from then (day 2 = Wed 17 June).
    actions.reopen(
        case.pk, actor=chief, data=inputs.ReopenIn(reason="补充了材料"), now=at(2026, 6, 15, 9, 0)
    )
    actions.accept(case.pk, actor=chief, data=inputs.AcceptIn(), now=at(2026, 6, 15, 10, 0))
    reply = Deadline.objects.get(case=case, stage="reply", hard=True, state="open")
    assert reply.due_at.astimezone(CST) == at(2026, 6, 17, 17, 0)


# ------------------------------------------------------------ 2. a refusal starts its clocks


def _food_drug_case() -> tuple[Case, Policy, dict[str, Actor]]:
    policy, actors = _org("food-drug")
    # Received Monday 28 September 2026, 10:00.
    case = _register(
        actors["clerk"], at(2026, 9, 28, 10, 0), kind="report", channel="web",
        category=policy.categories[0].code,
    )  # fmt: skip
    return case, policy, actors


@pytest.mark.django_db
def test_food_drug_a_refusal_leaves_a_notice_deadline_until_the_notice_is_recorded() -> None:
    case, policy, actors = _food_drug_case()
    chief = decider(actors, policy.permissions.decide_acceptance)
    # 不予受理 decided Tuesday 29 September 2026.
    actions.reject(
        case.pk, actor=chief, data=inputs.RejectIn(reason_code="statutory_procedure"),
        now=at(2026, 9, 29, 10, 0),
    )  # fmt: skip
    case.refresh_from_db()
    assert case.status == "rejected"
    notice = _clock(case, "notification")
    # 六 "自作出不予受理决定之日起15日内": 29 September + 15 days = Wednesday 14 October,
    # a working day.
    assert notice.state == "open" and notice.start == "rejected"
    assert notice.due_at.astimezone(CST) == at(2026, 10, 14)
    event = case.events.get(type="rejected")
    started = [(d["stage"], datetime.fromisoformat(d["due_at"])) for d in event.data["started"]]
    assert started == [("notification", notice.due_at)]
    # The notice sent and recorded meets it.
    actions.record(
        case.pk, actor=chief, data=inputs.RecordIn(kind="notification", body="已电话告知不予受理及理由"),
        now=at(2026, 10, 9, 10, 0),
    )  # fmt: skip
    notice.refresh_from_db()
    assert notice.state == "met"


@pytest.mark.django_db
def test_food_drug_a_refusal_told_at_once_meets_its_notice() -> None:
    case, policy, actors = _food_drug_case()
    chief = decider(actors, policy.permissions.decide_acceptance)
    actions.reject(
        case.pk, actor=chief,
        data=inputs.RejectIn(reason_code="statutory_procedure", complainant_told=True, told_via="phone"),
        now=at(2026, 9, 29, 10, 0),
    )  # fmt: skip
    assert _clock(case, "notification").state == "met"


# ------------------------------------------------------------ 3. medical disputes


@pytest.mark.django_db
def test_hospital_medical_disputes_do_not_get_the_general_resolution_limits() -> None:
    policy, actors = _org("hospital", ("medical_affairs", "finance"))
    dispatcher = actors["dispatcher"]
    monday = at(2026, 6, 1, 9, 0)
    dispute = _register(
        actors["clerk"], monday, channel="visit", category="medical_dispute",
        content="患者家属对手术结果有异议",
    )  # fmt: skip
    actions.accept(dispute.pk, actor=dispatcher, data=inputs.AcceptIn(), now=monday)
    actions.assign(
        dispute.pk, actor=dispatcher, data=inputs.AssignIn(lead_department="medical_affairs"),
        now=monday,
    )  # fmt: skip
    # The 医疗事故处理条例 procedure, not "一般性投诉处理不超过三个工作日".
    assert not Deadline.objects.filter(case=dispute, stage="resolution").exists()
    # A billing complaint assigned the same Monday keeps its 3 working days: 2, 3, 4 June.
    billing = _register(actors["clerk"], monday, channel="visit", category="fees")
    actions.accept(billing.pk, actor=dispatcher, data=inputs.AcceptIn(), now=monday)
    actions.assign(
        billing.pk, actor=dispatcher, data=inputs.AssignIn(lead_department="finance"), now=monday
    )
    assert _clock(billing, "resolution").due_at.astimezone(CST) == at(2026, 6, 4)


# ------------------------------------------------------------ 4. 次日 and rest days


def test_next_day_moves_off_a_rest_day_unless_the_office_is_open_every_day() -> None:
    cal, shanghai = default_calendar(), ZoneInfo("Asia/Shanghai")
    start = at(2026, 9, 30, 10, 0)
    # 次日 of Wednesday 30 September is National Day: 1–7 October off → Thursday 8 October.
    assert compute_due(start, DueRule(1, "next_day"), cal, shanghai)[0] == at(2026, 10, 8)
    # A scenic area open every day: 1 October itself.
    open_daily = DueRule(1, "next_day", rest_days_open=True)
    assert compute_due(start, open_daily, cal, shanghai)[0] == at(2026, 10, 1)


@pytest.mark.django_db
def test_hospital_duty_night_routing_waits_for_the_general_offices_next_working_day() -> None:
    policy, actors = _org("hospital")
    # Wednesday 30 September 2026, 19:00, the duty officer's night before National Day.
    case = _register(actors["clerk"], at(2026, 9, 30, 19, 0), channel="phone", category="fees")
    # "次日由院办…通报": the general office's next working day is Thursday 8 October.
    assert _clock(case, "routing").due_at.astimezone(CST) == at(2026, 10, 8)


@pytest.mark.django_db
def test_scenic_area_tells_the_visitor_on_national_day_itself() -> None:
    policy, actors = _org("scenic-area")
    chief = decider(actors, policy.permissions.decide_acceptance)
    case = _register(
        actors["clerk"], at(2026, 9, 30, 10, 0), channel="visit",
        category=policy.categories[0].code,
    )  # fmt: skip
    actions.accept(case.pk, actor=chief, data=inputs.AcceptIn(), now=at(2026, 9, 30, 10, 30))
    # 次日 = Thursday 1 October: the area is open every day (rest_days_open).
    close = policy.working_hours.end
    assert _clock(case, "reply").due_at.astimezone(CST) == at(2026, 10, 1, close.hour, close.minute)


# ------------------------------------------------------------ 5. engine quirks


@pytest.mark.django_db
def test_same_day_without_after_hours_ends_that_day_at_24_00() -> None:
    policy, actors = _org("work-safety")
    close = policy.working_hours.end
    # "收到举报当日记录在案": received Wednesday 30 September 2026, 19:00 (after close):
    # still that day, at 24:00 (民法典 art. 203(2)) — not Thursday 8 October.
    evening = _register(
        actors["clerk"], at(2026, 9, 30, 19, 0), kind="report", channel="phone",
        category=policy.categories[0].code,
    )  # fmt: skip
    assert _clock(evening, "acceptance").due_at.astimezone(CST) == at(2026, 10, 1, 0, 0)
    # Received 10:00 the same day: close of business that day.
    morning = _register(
        actors["clerk"], at(2026, 9, 30, 10, 0), kind="report", channel="phone",
        category=policy.categories[0].code,
    )  # fmt: skip
    assert _clock(morning, "acceptance").due_at.astimezone(CST) == at(
        2026, 9, 30, close.hour, close.minute
    )


@pytest.mark.django_db
def test_petitions_an_extension_counts_from_day_60_before_it_was_moved() -> None:
    policy, actors = _org("petitions", ("letters",))
    chief = decider(actors, policy.permissions.decide_acceptance)
    case = _register(actors["clerk"], at(2026, 6, 29, 10, 0), category=policy.categories[0].code)
    # Accepted Wednesday 1 July 2026: 60 days → Sunday 30 August → Monday 31 August.
    actions.accept(case.pk, actor=chief, data=inputs.AcceptIn(), now=at(2026, 7, 1, 10, 0))
    assert _clock(case, "resolution").due_at.astimezone(CST) == at(2026, 8, 31)
    actions.assign(
        case.pk, actor=chief, data=inputs.AssignIn(lead_department="letters"),
        now=at(2026, 7, 1, 11, 0),
    )  # fmt: skip
    actions.request_extension(
        case.pk, actor=actors["handler:letters"],
        data=inputs.RequestExtensionIn(stage="resolution", amount=30, reason="情况复杂"),
        now=at(2026, 8, 20, 10, 0),
    )  # fmt: skip
    actions.approve_extension(
        case.pk, actor=actors["leader"], data=inputs.ApproveExtensionIn(),
        now=at(2026, 8, 20, 11, 0),
    )  # fmt: skip
    # 30 more days from day 60 (30 August): Tuesday 29 September — not 30 September.
    assert _clock(case, "resolution").due_at.astimezone(CST) == at(2026, 9, 29)


# ------------------------------------------------------------ presets that said otherwise


def test_integrity_takes_a_case_within_article_6_or_7_without_also_requiring_article_2s_kind() -> (
    None
):
    from tousu.policy.loader import parse_toml, preset_source

    conditions = [c.zh for c in parse_toml(preset_source("integrity")).acceptance.conditions]
    # 第六条(二) (abuse of staff) is neither 吃拿卡要 nor 乱收费, and is still taken.
    scope = conditions[0]
    assert "第六条" in scope and "第七条" in scope
    assert "吃拿卡要" not in scope and "乱收费" not in scope


@pytest.mark.django_db
def test_law_firm_the_front_desk_accepts_a_written_complaint_itself() -> None:
    policy, actors = _org("law-firm")
    clerk = actors["clerk"]
    # 一（一）"书面的投诉和意见反馈由行政总台负责受理".
    case = _register(clerk, at(2026, 3, 9, 10, 0), category=policy.categories[0].code)
    actions.accept(case.pk, actor=clerk, data=inputs.AcceptIn(), now=at(2026, 3, 9, 11, 0))
    case.refresh_from_db()
    assert case.status == "accepted"


@pytest.mark.django_db
def test_tobacco_the_address_is_for_reports_and_is_completed_not_refused() -> None:
    policy, actors = _org("tobacco")
    officer = _register(
        actors["clerk"], at(2026, 6, 15, 9, 0), channel="visit",
        category=policy.categories[0].code, subject={"type": "staff", "name": "稽查员 赵某"},
    )  # fmt: skip
    # 六 is about the person reported; a complaint about an officer needs no address.
    assert officer.missing_fields == []
    report = _register(
        actors["clerk"], at(2026, 6, 15, 9, 0), kind="report", channel="phone",
        category=policy.categories[0].code, subject={"type": "merchant", "name": "李记小卖部"},
    )  # fmt: skip
    assert report.missing_fields == ["subject.address"]
    assert intake.refusal_reasons_for(policy, "report", "phone", report.missing_fields) == []


@pytest.mark.django_db
def test_consumer_12315_checking_a_report_is_verification_not_acceptance() -> None:
    policy, actors = _org("consumer-12315")
    # Received Monday 2 November 2026: 15 working days → Monday 23 November.
    report = _register(
        actors["clerk"], at(2026, 11, 2, 10, 0), kind="report", channel="phone",
        category=policy.categories[0].code,
    )  # fmt: skip
    stages = {d.stage: d for d in Deadline.objects.filter(case=report, hard=True)}
    assert set(stages) == {"verification"}
    assert stages["verification"].due_at.astimezone(CST) == at(2026, 11, 23)


@pytest.mark.django_db
def test_enterprise_a_later_customer_date_does_not_lengthen_the_5_day_limit() -> None:
    policy, actors = _org("enterprise")
    # Received Monday 23 November 2026 10:15; the customer asks for an answer by 15
    # December. 五: dealt with in 5 working days all the same: 24–27, 30 November.
    case = _register(
        actors["clerk"], at(2026, 11, 23, 10, 15), channel="email",
        category=policy.categories[0].code, customer_deadline="2026-12-15T17:00:00+08:00",
        complainant={"name": "赵建国", "email": "zhao@example.cn", "phone": "13700007777"},
    )  # fmt: skip
    assert _clock(case, "resolution").due_at.astimezone(CST) == at(2026, 11, 30)
    assert _clock(case, "reply").due_at.astimezone(CST) == at(2026, 12, 15, 17, 0)

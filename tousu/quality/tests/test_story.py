"""The PCB story (pcb-quality): 120 delaminating boards of SO-2611-0042.

Sales registers the complaint form with the return quantity "not yet determined"; QA
leads; manufacturing and QA get sub-tasks with due dates in working days; manufacturing
finds the lamination press temperature fault (night shift, line 2, 28 October); QA
records the 8D report; after the resolution the effect check meets the verification
stage; an open sub-task past its due date is reported to its department head once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tousu.cases import inputs, intake
from tousu.cases.access import Actor, visible_cases
from tousu.cases.actions import ACTION_FUNCTIONS
from tousu.cases.errors import TousuError
from tousu.cases.models import Assignment, Case, CaseRecord, Deadline, Event, Notification
from tousu.jobs.queue import run_sweep
from tousu.quality import ledger
from tousu.quality.models import SubTask
from tousu.quality.services import sweep_subtasks
from tousu.quality.tests.conftest import Plant

pytestmark = pytest.mark.django_db

CN = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CN)


def act(action: str, case: Case, actor: Actor, body: dict[str, Any], now: datetime) -> Case:
    fn, schema = ACTION_FUNCTIONS[action]
    return fn(case.pk, actor=actor, data=schema.model_validate(body), now=now)


def snapshot(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.status, case.last_seq, dict(case.fields), Event.objects.count(),
        CaseRecord.objects.count(), Assignment.objects.filter(active=True).count(),
        list(SubTask.objects.order_by("pk").values_list("state", "result", "due_at")),
        list(Deadline.objects.order_by("pk").values_list("state", flat=True)),
    )  # fmt: skip


def refused(
    action: str, case: Case, actor: Actor, body: dict[str, Any], now: datetime, code: str
) -> TousuError:
    before = snapshot(case)
    with pytest.raises(TousuError) as exc:
        act(action, case, actor, body, now)
    assert exc.value.code == code, exc.value.as_json()
    assert exc.value.zh and exc.value.en
    assert snapshot(case) == before
    return exc.value


FORM = {
    "order_no": "SO-2611-0042",
    "part_no": "PCB-8L-A33",
    "ship_qty": 2000,
    "ship_date": "2026-11-03",
    "defective_qty": 120,
    "return_qty": "undetermined",  # 客户加工中未确定
    "customer_demand": "退货",
    "samples": True,
}


def register(plant: Plant, now: datetime) -> Case:
    data = inputs.RegisterIn.model_validate(
        {
            "kind": "complaint", "channel": "phone", "category": "quality",
            "content": "订单SO-2611-0042的PCB-8L-A33共2000片，其中120片分层起泡。",
            "demands": "退货120片，其余客户加工中未确定",
            "complainant": {"name": "客户采购部", "phone": "13800000000"},
            "subject": {"type": "product", "name": "PCB-8L-A33"},
            "fields": FORM,
        }
    )  # fmt: skip
    return intake.register(plant.actor("rep"), data, now=now)


def handled(plant: Plant) -> Case:
    """Registered Thursday 5 November 2026, accepted and given to QA (lead) that morning."""
    case = register(plant, at(2026, 11, 5, 9, 0))
    act("accept", case, plant.actor("pm_officer"), {}, at(2026, 11, 5, 9, 30))
    act("assign", case, plant.actor("pm_officer"), {"lead_department": "qa"}, at(2026, 11, 5, 10))
    case.refresh_from_db()
    return case


def test_the_pcb_story_from_the_form_to_the_effect_check(plant: Plant) -> None:
    case = handled(plant)
    assert case.number == "261101"  # YYMMNN, restarting each month
    assert case.fields["return_qty"] == "undetermined"
    assert case.fields["ship_qty"] == 2000 and not case.missing_fields
    mfg, qa = plant.actor("mfg_engineer"), plant.actor("qa_engineer")
    assert not visible_cases(mfg).filter(pk=case.pk).exists()

    # Friday 6 November: QA's head hands manufacturing and QA their parts. Two working
    # days from a Friday skip the weekend: Tuesday 10 November at close of business.
    friday = at(2026, 11, 6, 10, 0)
    act("assign_subtask", case, plant.actor("qa_head"), {"default": "manufacturing_report"}, friday)
    act(
        "assign_subtask", case, plant.actor("qa_head"),
        {"department": "qa", "instruction": "检验确认分层原因，拟定责任人员", "due_in_working_days": 3},
        friday,
    )  # fmt: skip
    tasks = list(SubTask.objects.filter(case=case).order_by("no"))
    assert [(t.no, t.department.code, t.state) for t in tasks] == [
        (1, "manufacturing", "open"),
        (2, "qa", "open"),
    ]
    assert tasks[0].due_at == at(2026, 11, 10, 17, 30)  # Fri + 2 working days (Mon, Tue)
    assert tasks[1].due_at == at(2026, 11, 11, 17, 30)
    assert tasks[0].instruction.startswith("详细调查，提报生产单位、机班别")
    assigned = Event.objects.filter(case=case, type="subtask_assigned").order_by("seq")
    assert [e.data["department"] for e in assigned] == ["manufacturing", "qa"]
    assert assigned[0].data["due_rule"] == {"amount": 2, "unit": "working_days"}
    # Manufacturing co-handles the case now: its staff see it and were told.
    co = Assignment.objects.get(case=case, department__code="manufacturing", active=True)
    assert co.role == "co" and tasks[0].assignment_id == co.pk
    assert visible_cases(mfg).filter(pk=case.pk).exists()
    told = Notification.objects.filter(case=case, kind="subtask_assigned")
    assert set(told.values_list("user__username", flat=True)) == {
        "pcb_mfg_head",
        "pcb_mfg_engineer",
        "pcb_qa_engineer",
    }  # fmt: skip  (the assigner, QA's head, is not told about their own act)

    # Manufacturing may not answer QA's sub-task; it answers its own on Monday.
    monday = at(2026, 11, 9, 15, 0)
    refusal = refused(
        "complete_subtask", case, mfg, {"subtask": 2, "result": "不归我们"}, monday,
        "not_your_subtask",
    )  # fmt: skip
    assert refusal.status == 403
    result = "压合课2号线夜班10月28日层压机温控故障，层压温度偏低致分层"
    act("complete_subtask", case, mfg, {"subtask": 1, "result": result}, monday)
    done = SubTask.objects.get(case=case, no=1)
    assert (done.state, done.result, done.completed_by_id) == ("done", result, mfg.user_id)
    last = Event.objects.filter(case=case).order_by("-seq").first()
    assert last is not None and last.type == "subtask_completed"
    assert last.data == {"subtask": 1, "department": "manufacturing", "on_time": True}
    refused(
        "complete_subtask", case, mfg, {"subtask": 1, "result": "again"}, monday,
        "subtask_not_open",
    )  # fmt: skip

    # QA records the 8D fields; the event keeps old and new values.
    act(
        "record_quality", case, qa,
        {"fields": {
            "production_unit": "压合课", "shift": "2号线夜班", "production_date": "2026-10-28",
            "quality_confirmed": True,
            "root_cause": "夜班2号线层压机温控故障，层压温度偏低",
            "containment": "隔离同批在库品，客户端库存全检",
            "corrective_action": "更换温控器，增加首件温度点检",
            "corrective_action_date": "2026-11-09",
            "responsibility": "制造责任", "responsible_unit": "制造部",
        }, "note": "会同制造部确认"},
        at(2026, 11, 9, 16, 0),
    )  # fmt: skip
    case.refresh_from_db()
    assert case.fields["shift"] == "2号线夜班" and case.fields["return_qty"] == "undetermined"
    recorded = Event.objects.filter(case=case, type="quality_recorded").get()
    assert recorded.data["changes"]["root_cause"] == [None, "夜班2号线层压机温控故障，层压温度偏低"]
    assert recorded.data["changes"]["quality_confirmed"] == [None, True]
    assert "deadlines_met" not in recorded.data
    # A correction is visible as such.
    act(
        "record_quality", case, qa, {"fields": {"responsible_unit": "制造部压合课"}},
        at(2026, 11, 9, 16, 30),
    )  # fmt: skip
    corrected = Event.objects.filter(case=case, type="quality_recorded").order_by("-seq")[0]
    assert corrected.data["changes"] == {"responsible_unit": ["制造部", "制造部压合课"]}
    refused(
        "record_quality",
        case,
        qa,
        {"fields": {"responsible_unit": "制造部压合课"}},
        at(2026, 11, 9, 16, 40),
        "invalid_value",
    )  # fmt: skip  (nothing new)
    # Malformed values and fields the policy does not define: 422, nothing written.
    for bad in (
        {"production_date": "2026-10-32"},
        {"defective_qty": "一百二十"},
        {"responsibility": "天灾"},
        {"lot_size": 5},
        {"ship_qty": "undetermined"},
    ):
        err = refused("record_quality", case, qa, {"fields": bad}, monday, "invalid_value")
        assert err.status == 422
    # The auditor reads, never writes.
    err = refused(
        "record_quality", case, plant.actor("auditor"), {"fields": {"containment": "x"}},
        monday, "action_forbidden",
    )  # fmt: skip
    assert err.status == 403

    # Resolved on Tuesday; the effect check is a later target (verification stage).
    act(
        "resolve", case, qa,
        {"findings": "层压温度异常导致分层，制造责任", "responsibility": "organisation"},
        at(2026, 11, 10, 11, 0),
    )  # fmt: skip
    verification = Deadline.objects.get(case=case, stage="verification")
    assert verification.state == "open"
    act(
        "record_quality", case, plant.actor("supervisor"),
        {"fields": {"verification_result": "有效", "verification_date": "2026-12-01",
                    "verification_note": "连续三批未再发生分层"}},
        at(2026, 12, 1, 10, 0),
    )  # fmt: skip
    verification.refresh_from_db()
    assert (verification.state, verification.met_at) == ("met", at(2026, 12, 1, 10, 0))
    checked = Event.objects.filter(case=case, type="quality_recorded").order_by("-seq")[0]
    assert checked.data["deadlines_met"] == ["verification"]
    assert checked.from_status == checked.to_status == "resolved"

    # QA's own sub-task stayed open past its due date: QA's head hears once.
    assert sweep_subtasks(at(2026, 11, 11, 17, 0)) == 0  # not yet due
    assert sweep_subtasks(at(2026, 11, 12, 9, 0)) == 1
    assert sweep_subtasks(at(2026, 11, 12, 10, 0)) == 0
    assert run_sweep(at(2026, 11, 13, 9, 0).isoformat())["subtasks_overdue"] == 0
    overdue = Event.objects.filter(case=case, type="subtask_overdue").get()
    assert overdue.data["department"] == "qa" and overdue.data["subtask"] == 2
    assert overdue.actor is not None and overdue.actor.username == "tousu-system"
    notices = Notification.objects.filter(case=case, kind="subtask_overdue")
    assert list(notices.values_list("user__username", flat=True)) == ["pcb_qa_head"]

    # The ledger line for the case (the ledger export asks every provider).
    from tousu.reports.extras import PROVIDERS

    assert "tousu.quality.ledger.lines" in PROVIDERS
    lines = ledger.lines([case.pk], plant.actor("supervisor"))[case.pk]
    assert lines == [
        "子任务：制造部 已完成；质量管理部 逾期",
        "8D：原因已确认，对策已定，效果确认：有效",
    ]


def test_working_days_skip_the_national_day_holiday_and_dates_are_explicit(
    plant: Plant,
) -> None:
    case = handled(plant)
    head = plant.actor("qa_head")
    # Wednesday 30 September 2026, 2 working days: 1–7 October is the National Day holiday,
    # so the days are Thursday 8 and Friday 9 October.
    act("assign_subtask", case, head, {"default": "qa_investigation", "due_in_working_days": 2},
        at(2026, 9, 30, 10, 0))  # fmt: skip
    task = SubTask.objects.get(case=case, no=1)
    assert task.due_at == at(2026, 10, 9, 17, 30)
    assert task.instruction.startswith("调查及检验确认")
    # An explicit date: close of business that day.
    act(
        "assign_subtask", case, head,
        {"department": "sales", "instruction": "告知客户处理进度", "due_date": "2026-11-09"},
        at(2026, 11, 6, 10, 0),
    )  # fmt: skip
    sales = SubTask.objects.get(case=case, no=2)
    assert sales.due_at == at(2026, 11, 9, 17, 30) and sales.due_rule == {"date": "2026-11-09"}
    # Sales' rep (an intake clerk of sales who registered the case) completes it.
    act("complete_subtask", case, plant.actor("rep"), {"subtask": 2, "result": "已电话告知"},
        at(2026, 11, 9, 9, 0))  # fmt: skip
    assert SubTask.objects.get(case=case, no=2).state == "done"

    now = at(2026, 11, 6, 11, 0)
    for body in (
        {"department": "qa", "instruction": "x", "due_date": "2026-11-05"},  # in the past
        {"department": "qa", "instruction": "x", "due_date": "2026-11-09",
         "due_in_working_days": 2},  # both
        {"department": "qa", "instruction": "x"},  # no limit
        {"department": "warehouse", "instruction": "x", "due_in_working_days": 1},
        {"default": "no_such_task"},
    ):  # fmt: skip
        refused("assign_subtask", case, head, body, now, "invalid_value")
    # The sales manager heads a co-handling department, not the lead one: 403.
    err = refused(
        "assign_subtask", case, plant.actor("sales_manager"),
        {"department": "sales", "instruction": "x", "due_in_working_days": 1}, now,
        "action_forbidden",
    )  # fmt: skip
    assert err.status == 403
    # Another organisation's case does not exist for the outsider.
    refused(
        "assign_subtask", case, plant.actor("outsider"),
        {"department": "qa", "instruction": "x", "due_in_working_days": 1}, now, "not_found",
    )  # fmt: skip


def test_a_cancelled_sub_task_ends_the_departments_part(plant: Plant) -> None:
    case = handled(plant)
    now = at(2026, 11, 6, 10, 0)
    act("assign_subtask", case, plant.actor("pm_officer"), {"default": "manufacturing_report"}, now)
    mfg = plant.actor("mfg_engineer")
    assert visible_cases(mfg).filter(pk=case.pk).exists()
    refused("cancel_subtask", case, plant.actor("mfg_head"), {"subtask": 1, "reason": "不需要"},
            now, "action_forbidden")  # fmt: skip
    act("cancel_subtask", case, plant.actor("qa_head"),
        {"subtask": 1, "reason": "原因已由质量管理部查明"}, now)  # fmt: skip
    task = SubTask.objects.get(case=case, no=1)
    assert (task.state, task.cancel_reason) == ("cancelled", "原因已由质量管理部查明")
    event = Event.objects.filter(case=case).order_by("-seq")[0]
    assert event.type == "subtask_cancelled" and event.data["assignment_ended"] is True
    assert event.record is not None and event.record.body == "原因已由质量管理部查明"
    assert not visible_cases(mfg).filter(pk=case.pk).exists()
    refused("complete_subtask", case, mfg, {"subtask": 1, "result": "x"}, now, "action_forbidden")
    # A cancelled sub-task is never reported overdue.
    assert sweep_subtasks(at(2026, 12, 1, 9, 0)) == 0


def test_a_new_lead_department_leaves_open_sub_tasks_with_their_departments(
    plant: Plant,
) -> None:
    """Re-assigning the case (分办 again) ends the old parts; a department that still owes
    a sub-task keeps a co-handling part, so its staff can still see and finish it."""
    case = handled(plant)
    now = at(2026, 11, 6, 10, 0)
    act("assign_subtask", case, plant.actor("pm_officer"), {"default": "manufacturing_report"}, now)
    mfg = plant.actor("mfg_engineer")
    act("assign", case, plant.actor("pm_officer"), {"lead_department": "sales"}, now)
    event = Event.objects.filter(case=case).order_by("-seq")[0]
    assert event.type == "assigned" and event.data["kept_for_subtasks"] == ["manufacturing"]
    assert visible_cases(mfg).filter(pk=case.pk).exists()
    act("complete_subtask", case, mfg, {"subtask": 1, "result": "二号线夜班压合温度异常"}, now)
    assert SubTask.objects.get(case=case, no=1).state == "done"

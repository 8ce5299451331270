"""Quality complaints: the 8D-style quality report and sub-tasks to departments.

Each function is a case action (:data:`tousu.cases.actions.ACTION_FUNCTIONS`), run in
:func:`tousu.cases.steps.step`: locked, authorised, one transaction, one event, so a
refusal changes nothing.

- ``record_quality`` sets the policy's own fields (its ``[[fields]]``, type-checked like
  intake) during and after the investigation; the event names every change with its old
  and new value, and a value in a field the policy marks with ``meets`` (效果确认) meets
  those deadline stages.
- ``assign_subtask`` gives a department its part of the case (分派子任务) with its own due
  date — working days in the organisation's calendar, or a date — and a co-handling
  assignment so that its staff can see the case; ``complete_subtask`` is that
  department's answer; ``cancel_subtask`` withdraws it with a reason.
- ``mark_subtask_overdue`` (the job worker) tells the department head, once, that a
  sub-task passed its due date.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Max
from django.utils.translation import gettext_lazy

from tousu.cases import deadlines
from tousu.cases.access import Actor, system_actor
from tousu.cases.errors import TousuError, action_forbidden, conflict, invalid
from tousu.cases.intake import UNDETERMINED, validate_fields
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Assignment, Case
from tousu.cases.steps import Step, department_by_code, step
from tousu.clock.calendar import DueRule, compute_due
from tousu.clock.overrides import calendar_for
from tousu.orgs.models import Department, Membership, Organisation
from tousu.orgs.roles import Role
from tousu.policy.schema import Policy
from tousu.policy.sections import SubTaskDefault
from tousu.quality import inputs as qi
from tousu.quality.models import SubTask

ASSIGNERS = (Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER)

# --------------------------------------------------------------------------- quality report


def record_quality(
    case_id: int, *, actor: Actor, data: qi.RecordQualityIn, now: datetime | None = None
) -> Case:
    """8D: cause, containment, corrective action, responsibility, effect check.

    An empty value clears a field; the event keeps ``{code: [old, new]}`` for every change,
    so nothing is changed unseen.
    """
    with step("record_quality", case_id, actor, now) as s:
        case = s.case
        given = {k: v for k, v in data.fields.items() if v not in (None, "")}
        clean = validate_fields(s.policy, case.kind, given)
        cleared = [k for k, v in data.fields.items() if v in (None, "")]
        # Codes to clear are checked like the others (an unknown code is refused).
        validate_fields(s.policy, case.kind, dict.fromkeys(cleared, ""))
        current: dict[str, Any] = dict(case.fields or {})
        changes: dict[str, list[Any]] = {}
        for code, value in clean.items():
            if current.get(code) != value:
                changes[code] = [current.get(code), value]
                current[code] = value
        for code in cleared:
            if code in current:
                changes[code] = [current.pop(code), None]
        if not changes:
            raise invalid("fields", gettext_lazy("没有需要记录的改动"))
        case.fields = current
        specs = {f.code: f for f in s.policy.fields}
        stages = {
            stage
            for code, (_old, new) in changes.items()
            if new not in (None, UNDETERMINED)
            for stage in specs[code].meets
        }
        met = deadlines.meet(case, frozenset(stages), s.now)
        if met:
            s.data["deadlines_met"] = sorted({*s.data.get("deadlines_met", []), *met})
        s.data["changes"] = dict(sorted(changes.items()))
        if data.note:
            s.data["_record"] = s.record("quality_note", data.note)
    return s.case


# --------------------------------------------------------------------------- sub-tasks


def _may_assign(s: Step) -> None:
    """Deciders assign anywhere they reach; a department head only on their lead case."""
    if s.actor.has_role(*ASSIGNERS):
        return
    headed: set[int] = set()
    for dept_id in s.actor.departments_with_role(Role.DEPARTMENT_HEAD):
        headed |= Department.objects.get(pk=dept_id).subtree_ids()
    if s.case.lead_department_id is None or s.case.lead_department_id not in headed:
        raise action_forbidden(s.transition.action)


def keep_subtask_departments(case: Case, now: datetime) -> list[str]:
    """After a re-assignment (分办 again): a department with an open sub-task keeps a
    co-handling part in the case, or its staff could no longer see the work they owe.
    Answers the codes of the departments given a part again."""
    kept: list[str] = []
    active = set(
        Assignment.objects.filter(case=case, active=True).values_list("department_id", flat=True)
    )
    for task in (
        SubTask.objects.filter(case=case, state=SubTask.State.OPEN)
        .select_related("department")
        .order_by("no")
    ):
        if task.department_id in active or task.department_id == case.lead_department_id:
            continue
        task.assignment = Assignment.objects.create(
            case=case, department_id=task.department_id, role=Assignment.Role.CO,
            assigned_at=now,
        )  # fmt: skip
        task.save(update_fields=["assignment"])
        active.add(task.department_id)
        kept.append(task.department.code)
    return kept


def defaults_for(policy: Policy, category: str) -> list[SubTaskDefault]:
    """The policy's default sub-tasks for a category (all of them when it is not set)."""
    return [
        d for d in policy.subtasks if not category or not d.categories or category in d.categories
    ]


def due_for(
    org_id: int, tz: ZoneInfo, policy: Policy, start: datetime, amount: int, unit: str
) -> tuple[datetime, bool]:
    """End of a sub-task's period: close of business of the last day, in the org's calendar."""
    return compute_due(
        start,
        DueRule(amount=amount, unit=unit),  # type: ignore[arg-type]
        calendar_for(org_id),
        tz,
        close_of_business=policy.working_hours.end,
        working_start=policy.working_hours.start,
    )


def _walled(case: Case, department: Department) -> None:
    """Where the policy keeps the subject's department out, it gets no part of the case."""
    if case.subjects.filter(
        superseded_at__isnull=True, excluded_department_id=department.pk
    ).exists():
        raise invalid(
            "department", gettext_lazy("被投诉人所在部门须回避，不能分派子任务"),
        )  # fmt: skip


def assign_subtask(
    case_id: int, *, actor: Actor, data: qi.AssignSubtaskIn, now: datetime | None = None
) -> Case:
    with step("assign_subtask", case_id, actor, now) as s:
        _may_assign(s)
        case = s.case
        default = None
        if data.default:
            default = next((d for d in s.policy.subtasks if d.code == data.default), None)
            if default is None:
                raise invalid(
                    "default", gettext_lazy("制度未定义该默认子任务：{default}"), {"default": data.default},
                )  # fmt: skip
        code = data.department or (default.department if default else "")
        if not code:
            raise invalid("department", gettext_lazy("请选择承办子任务的部门"))
        dept = department_by_code(case.org, code, "department")
        _walled(case, dept)
        instruction = data.instruction or (default.zh if default else "")
        if not instruction:
            raise invalid("instruction", gettext_lazy("请填写子任务要求"))
        tz = ZoneInfo(case.org.time_zone)
        if data.due_date is not None and data.due_in_working_days is not None:
            raise invalid(
                "due_date", gettext_lazy("期限只能填写工作日数或日期中的一项"),
            )  # fmt: skip
        if data.due_date is not None:
            if data.due_date < s.now.astimezone(tz).date():
                raise invalid("due_date", gettext_lazy("期限不能早于今天"))
            due_at = datetime.combine(data.due_date, s.policy.working_hours.end, tzinfo=tz)
            provisional = False
            rule: dict[str, Any] = {"date": data.due_date.isoformat()}
        else:
            amount = data.due_in_working_days
            unit = "working_days"
            if amount is None and default is not None:
                amount, unit = default.amount, default.unit
            if amount is None:
                raise invalid(
                    "due_in_working_days", gettext_lazy("请填写期限（工作日数或日期）"),
                )  # fmt: skip
            due_at, provisional = due_for(case.org_id, tz, s.policy, s.now, amount, unit)
            rule = {"amount": amount, "unit": unit}
        assignment = None
        if dept.pk != case.lead_department_id:
            assignment = Assignment.objects.filter(case=case, department=dept, active=True).first()
            if assignment is None:
                assignment = Assignment.objects.create(
                    case=case, department=dept, role=Assignment.Role.CO, assigned_at=s.now
                )
        no = (SubTask.objects.filter(case=case).aggregate(n=Max("no"))["n"] or 0) + 1
        task = SubTask.objects.create(
            case=case, no=no, department=dept, default=default.code if default else "",
            instruction=instruction, due_at=due_at, due_rule=rule, provisional=provisional,
            assignment=assignment, assigned_by_id=actor.user_id, assigned_at=s.now,
        )  # fmt: skip
        s.data.update(
            subtask=task.no, department=dept.code, due_at=due_at.isoformat(), due_rule=rule,
            **({"default": task.default} if task.default else {}),
        )  # fmt: skip
        for user_id in _department_staff(case.org_id, dept.pk):
            s.notify(user_id, "subtask_assigned")
    return s.case


def _department_staff(org_id: int, department_id: int, heads_only: bool = False) -> list[int]:
    roles = [Role.DEPARTMENT_HEAD] if heads_only else [Role.DEPARTMENT_HEAD, Role.HANDLER]
    return sorted(
        set(
            Membership.objects.filter(
                org_id=org_id, department_id=department_id, role__in=roles, active=True
            ).values_list("user_id", flat=True)
        )
    )


def _task(s: Step, no: int) -> SubTask:
    task = (
        SubTask.objects.select_for_update()
        .select_related("department")
        .filter(case=s.case, no=no)
        .first()
    )
    if task is None:
        raise invalid("subtask", gettext_lazy("本案没有第{no}号子任务"), {"no": no})
    if task.state != SubTask.State.OPEN:
        raise conflict(
            "subtask_not_open",
            gettext_lazy("第{no}号子任务已{state}"),
            details={"state": task.state},
            params={"no": no, "state": SubTask.State(task.state).label},
        )
    return task


def complete_subtask(
    case_id: int, *, actor: Actor, data: qi.CompleteSubtaskIn, now: datetime | None = None
) -> Case:
    """The department's answer: only its own members complete it."""
    with step("complete_subtask", case_id, actor, now) as s:
        task = _task(s, data.subtask)
        own = {m.department_id for m in actor.memberships if m.department_id is not None}
        if task.department_id not in own | set(actor.department_ids):
            raise TousuError(
                "not_your_subtask", gettext_lazy("该子任务分派给其他部门，只能由该部门人员完成"),
                status=403,
            )  # fmt: skip
        task.state = SubTask.State.DONE
        task.result = data.result
        task.completed_by_id = actor.user_id
        task.completed_at = s.now
        task.save(update_fields=["state", "result", "completed_by", "completed_at"])
        s.data.update(
            subtask=task.no, department=task.department.code, on_time=s.now <= task.due_at
        )
        s.notify(task.assigned_by_id, "subtask_completed")
    return s.case


def cancel_subtask(
    case_id: int, *, actor: Actor, data: qi.CancelSubtaskIn, now: datetime | None = None
) -> Case:
    with step("cancel_subtask", case_id, actor, now) as s:
        _may_assign(s)
        task = _task(s, data.subtask)
        task.state = SubTask.State.CANCELLED
        task.cancelled_by_id = actor.user_id
        task.cancelled_at = s.now
        task.cancel_reason = data.reason
        task.save(update_fields=["state", "cancelled_by", "cancelled_at", "cancel_reason"])
        # The department keeps the case only while another of its sub-tasks needs it.
        if task.assignment_id is not None and not (
            SubTask.objects.filter(assignment_id=task.assignment_id)
            .exclude(state=SubTask.State.CANCELLED)
            .exists()
        ):
            Assignment.objects.filter(pk=task.assignment_id, active=True).update(
                active=False, ended_at=s.now
            )
            s.data["assignment_ended"] = True
        s.data.update(subtask=task.no, department=task.department.code)
        s.data["_record"] = s.record("subtask_cancel_reason", data.reason)
    return s.case


# --------------------------------------------------------------------------- the sweep


class AlreadyDone(Exception):
    """Another worker, or an earlier sweep, has already told the department."""


def mark_subtask_overdue(case_id: int, *, subtask_id: int, now: datetime) -> Case:
    """A sub-task passed its due date: its department head hears once, on the case."""
    org = Organisation.objects.get(cases__pk=case_id)
    with step("mark_subtask_overdue", case_id, system_actor(org), now) as s:
        claimed = SubTask.objects.filter(
            pk=subtask_id, case_id=case_id, state=SubTask.State.OPEN, overdue_at__isnull=True,
            due_at__lt=s.now,
        ).update(overdue_at=s.now)  # fmt: skip
        if claimed != 1:
            raise AlreadyDone
        task = SubTask.objects.select_related("department").get(pk=subtask_id)
        heads = _department_staff(s.case.org_id, task.department_id, heads_only=True)
        s.data.update(
            subtask=task.no, department=task.department.code, due_at=task.due_at.isoformat(),
            notified=len(heads),
        )  # fmt: skip
        for user_id in heads:
            s.notify(user_id, "subtask_overdue")
    return s.case


def sweep_subtasks(now: datetime, *, batch: int = 500) -> int:
    """Tell department heads about sub-tasks past their due date; returns how many."""
    sources = TABLE["mark_subtask_overdue"].sources
    candidates = SubTask.objects.filter(
        state=SubTask.State.OPEN, overdue_at__isnull=True, due_at__lt=now,
        case__status__in=sources,
    ).order_by("due_at")  # fmt: skip
    told = 0
    for subtask_id, case_id in candidates.values_list("pk", "case_id")[:batch]:
        try:
            mark_subtask_overdue(case_id, subtask_id=subtask_id, now=now)
        except (AlreadyDone, TousuError):
            continue
        told += 1
    return told


__all__ = [
    "assign_subtask",
    "cancel_subtask",
    "complete_subtask",
    "mark_subtask_overdue",
    "record_quality",
    "sweep_subtasks",
]

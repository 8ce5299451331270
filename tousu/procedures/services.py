"""Policy procedures as case actions: open one on a case, record its steps.

Each function is a case action (:data:`tousu.cases.actions.ACTION_FUNCTIONS`): it runs in
:func:`tousu.cases.steps.step`, so a refusal changes nothing and every change writes one
event. Events carry the procedure, the step, the form and non-identifying details (a
seal number, a target code, the family's answer), never a name.

Who may take a step: the transition table lets staff who reach the case record; the
procedure narrows that to the groups its step names (领导小组, 办公室...), each group being
fixed roles, optionally within one department.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Max
from django.utils.translation import gettext_lazy

from tousu.cases.access import Actor, reaches
from tousu.cases.errors import TousuError, conflict, invalid
from tousu.cases.models import Case
from tousu.cases.steps import Step, step
from tousu.i18n import either
from tousu.orgs.models import Department, Membership
from tousu.orgs.roles import DEPARTMENT_ROLES
from tousu.policy.schema import Policy
from tousu.policy.sections import Procedure, ProcedureGroup
from tousu.procedures import forms
from tousu.procedures.inputs import RecordProcedureStepIn, StartProcedureIn
from tousu.procedures.models import ProcedureRun, StepRecord


def procedure_of(policy: Policy, code: str) -> Procedure:
    proc = next((p for p in policy.procedures if p.code == code), None)
    if proc is None:
        raise invalid("procedure", gettext_lazy("制度中没有该程序：{code}"), {"code": code})
    return proc


def applies(proc: Procedure, case: Case) -> bool:
    """A procedure without categories applies to every case; otherwise to its categories."""
    return not proc.categories or case.category in proc.categories


def _department_id(case: Case, group: ProcedureGroup) -> int | None:
    if not group.department:
        return None
    return (
        Department.objects.filter(org_id=case.org_id, code=group.department)
        .values_list("pk", flat=True)
        .first()
    )


def in_group(actor: Actor, case: Case, group: ProcedureGroup) -> bool:
    """Whether one of the actor's memberships makes them part of the group on this case."""
    dept_id = _department_id(case, group)
    for m in actor.memberships:
        if m.role not in group.roles or not reaches(actor, case, role=m.role):
            continue
        if group.department and m.role in DEPARTMENT_ROLES and m.department_id != dept_id:
            continue
        return True
    return False


def _only_groups(
    s: Step, proc: Procedure, codes: Iterable[str], what_zh: str, what_en: str
) -> None:
    groups = [g for code in codes if (g := proc.group(code)) is not None]
    if not groups or any(in_group(s.actor, s.case, g) for g in groups):
        return
    zh = "或".join(g.zh for g in groups)
    en = " or ".join(g.en or g.zh for g in groups)
    raise TousuError(
        "procedure_group_only",
        gettext_lazy("{what}只能由{groups}办理"),
        status=403,
        details={"groups": [g.code for g in groups]},
        params={"what": either(what_zh, what_en), "groups": either(zh, en)},
    )


def group_members(case: Case, group: ProcedureGroup) -> list[int]:
    """The organisation's staff in the group (for notices)."""
    dept_id = _department_id(case, group)
    user_ids: set[int] = set()
    for user_id, role, department_id in Membership.objects.filter(
        org_id=case.org_id, active=True, role__in=group.roles
    ).values_list("user_id", "role", "department_id"):
        if group.department and role in DEPARTMENT_ROLES and department_id != dept_id:
            continue
        user_ids.add(user_id)
    return sorted(user_ids)


def start_procedure(
    case_id: int, *, actor: Actor, data: StartProcedureIn, now: datetime | None = None
) -> Case:
    """启动程序: open a policy procedure on a case of one of its categories."""
    with step("start_procedure", case_id, actor, now) as s:
        proc = procedure_of(s.policy, data.procedure)
        if not applies(proc, s.case):
            cats = "、".join(
                c.name_zh for code in proc.categories if (c := s.policy.category(code)) is not None
            )
            raise invalid(
                "procedure",
                gettext_lazy("“{procedure}”只适用于以下类别的案件：{categories}；本案类别不符"),
                {
                    "procedure": either(proc.zh, proc.en),
                    "categories": either(cats, ", ".join(proc.categories)),
                },
            )
        _only_groups(s, proc, proc.started_by, f"启动“{proc.zh}”", "open this procedure")
        if ProcedureRun.objects.filter(case=s.case, code=proc.code).exists():
            raise conflict(
                "procedure_started",
                gettext_lazy("本案已启动“{procedure}”"),
                params={"procedure": either(proc.zh, proc.en)},
            )
        ProcedureRun.objects.create(
            case=s.case, code=proc.code, started_by_id=actor.user_id, started_at=s.now
        )
        s.data["procedure"] = proc.code
        if proc.complexity and s.case.complexity != proc.complexity:
            s.data["complexity"] = [s.case.complexity, proc.complexity]
            s.case.complexity = proc.complexity
        notified: set[int] = set()
        for code in proc.notify:
            group = proc.group(code)
            if group is None:
                continue
            for user_id in group_members(s.case, group):
                if user_id not in notified:
                    notified.add(user_id)
                    s.notify(user_id, "procedure_started")
        s.data["notified_groups"] = list(proc.notify)
        if data.note:
            s.data["_record"] = s.record("procedure_note", data.note, {"procedure": proc.code})
    return s.case


def record_procedure_step(
    case_id: int, *, actor: Actor, data: RecordProcedureStepIn, now: datetime | None = None
) -> Case:
    """Record one step of an open procedure with its record form (a correction is a new record)."""
    with step("record_procedure_step", case_id, actor, now) as s:
        proc = procedure_of(s.policy, data.procedure)
        run = ProcedureRun.objects.filter(case=s.case, code=proc.code).first()
        if run is None:
            raise conflict(
                "procedure_not_started",
                gettext_lazy("本案尚未启动“{procedure}”，请先启动程序"),
                params={"procedure": either(proc.zh, proc.en)},
            )
        st = proc.step(data.step)
        if st is None:
            raise invalid(
                "step",
                gettext_lazy("“{procedure}”没有该步骤：{step}"),
                {"procedure": either(proc.zh, proc.en), "step": data.step},
            )
        _only_groups(s, proc, st.by, f"“{st.zh}”", "take this step")
        details, patient = forms.check(st, s.policy, data, s.now)
        if (
            st.record == "decision_notice"
            and not StepRecord.objects.filter(run=run, form="committee_decision").exists()
        ):
            raise conflict(
                "no_committee_decision",
                gettext_lazy("裁定委员会尚未作出决定，无可告知的决定"),
            )
        no = (StepRecord.objects.filter(case=s.case).aggregate(n=Max("no"))["n"] or 0) + 1
        details.update(procedure=proc.code, step=st.code, form=st.record, no=no)
        record = s.record("procedure_step", data.body, details)
        previous = StepRecord.objects.filter(run=run, step=st.code).count()
        StepRecord.objects.create(
            run=run, case=s.case, no=no, step=st.code, form=st.record, record=record,
            seal_number=data.seal_number, target=data.target, patient_side=patient,
            recorded_by_id=actor.user_id, recorded_at=s.now,
        )  # fmt: skip
        s.data.update(procedure=proc.code, step=st.code, form=st.record, no=no)
        if previous:
            s.data["earlier_records"] = previous
        for key in ("seal_number", "target", "answer", "body_frozen"):
            if getattr(data, key):
                s.data[key] = getattr(data, key)
        if details.get("autopsy_limit_passed"):
            s.data["autopsy_limit_passed"] = True
        s.data["_record"] = record
    return s.case

"""Routing and handling: assignment (分办), transfers and their receipt, returns,
records, pauses, extensions, escalation, splits and merges."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy

from tousu.cases import deadlines, inputs, values
from tousu.cases.access import Actor
from tousu.cases.decisions import involve
from tousu.cases.errors import (
    TousuError,
    action_forbidden,
    invalid,
)
from tousu.cases.intake import intake_of, register
from tousu.cases.models import (
    Assignment,
    Case,
    CaseLink,
    Status,
)
from tousu.cases.registry import run_hooks
from tousu.cases.steps import (
    department_by_code,
    running_deadline,
    staff_in,
    stage_list,
    step,
)
from tousu.cases.sweeps import restart_clocks
from tousu.orgs.models import Membership
from tousu.orgs.roles import Role


def assign(
    case_id: int, *, actor: Actor, data: inputs.AssignIn, now: datetime | None = None
) -> Case:
    """分办: set the lead department (and co-handling ones), optionally a handler."""
    with step("assign", case_id, actor, now) as s:
        org = s.case.org
        lead = department_by_code(org, data.lead_department, "lead_department")
        co = [
            department_by_code(org, c, "co_departments")
            for c in data.co_departments
            if c != lead.code
        ]
        _not_walled(s.case, {lead.pk, *(d.pk for d in co)}, "lead_department")
        only_head = not actor.has_role(Role.DISPATCHER, Role.SUPERVISOR)
        if only_head and (lead.pk not in actor.department_ids or co):
            raise action_forbidden("assign")
        handler_id = staff_in(org, data.handler, lead, "handler", s.case) if data.handler else None
        Assignment.objects.filter(case=s.case, active=True).update(active=False, ended_at=s.now)
        Assignment.objects.create(
            case=s.case, department=lead, role=Assignment.Role.LEAD, handler_id=handler_id,
            assigned_at=s.now,
        )  # fmt: skip
        for dept in co:
            Assignment.objects.create(
                case=s.case, department=dept, role=Assignment.Role.CO, assigned_at=s.now
            )
        moved = s.case.lead_department_id != lead.pk
        s.case.lead_department = lead
        # Features keep what they owe on the case (a department's open sub-task keeps it in).
        run_hooks("assigned", s)
        s.case.handler_id = handler_id
        if data.note:
            s.data["_record"] = s.record("assignment_note", data.note)
        s.data.update(lead=lead.code, co=[d.code for d in co], handler=handler_id)
        before = (s.case.involved_departments, s.case.complexity)
        involve(s, 1 + len(co))
        if (s.case.involved_departments, s.case.complexity) != before:
            s.data["recomputed"] = deadlines.recompute(s.case, s.policy)
        if s.before == Status.ACCEPTED:
            s.data["started"] = stage_list(
                deadlines.start_clocks(s.case, s.policy, "assigned", s.now)
            )
        if moved:
            s.notify(s.case.first_contact_owner_id, "case_moved")
        s.notify(handler_id, "case_assigned")
    return s.case


def _not_walled(case: Case, department_ids: set[int], field_name: str) -> None:
    """Where the policy keeps the subject's department out, it cannot handle the case."""
    walled = set(
        case.subjects.filter(superseded_at__isnull=True)
        .exclude(excluded_department=None)
        .values_list("excluded_department_id", flat=True)
    )
    if walled & department_ids:
        raise invalid(
            field_name, gettext_lazy("被投诉人所在部门须回避，不能承办本案"),
        )  # fmt: skip


def transfer(
    case_id: int, *, actor: Actor, data: inputs.TransferIn, now: datetime | None = None
) -> Case:
    """内部转办: hand the case to another department, which must receive it explicitly."""
    with step("transfer", case_id, actor, now) as s:
        dept = department_by_code(s.case.org, data.department, "department")
        if dept.pk == s.case.lead_department_id:
            raise invalid("department", gettext_lazy("不能转办给本部门"))
        _not_walled(s.case, {dept.pk}, "department")
        s.case.pending_department = dept
        s.data["_record"] = s.record("transfer_reason", data.reason)
        s.data.update(
            to=dept.code,
            **({"from": s.case.lead_department.code} if s.case.lead_department else {}),
        )
        s.notify(s.case.first_contact_owner_id, "case_moved")
    return s.case


def receive(
    case_id: int, *, actor: Actor, data: inputs.ReceiveIn, now: datetime | None = None
) -> Case:
    with step("receive", case_id, actor, now) as s:
        dept = s.case.pending_department
        assert dept is not None
        handler_id = (
            staff_in(s.case.org, data.handler, dept, "handler", s.case)
            if data.handler
            else actor.user_id
        )
        Assignment.objects.filter(case=s.case, active=True, role=Assignment.Role.LEAD).update(
            active=False, ended_at=s.now
        )
        Assignment.objects.create(
            case=s.case, department=dept, role=Assignment.Role.LEAD, handler_id=handler_id,
            assigned_at=s.now,
        )  # fmt: skip
        s.data.update(department=dept.code, handler=handler_id)
        s.case.lead_department = dept
        s.case.pending_department = None
        s.case.handler_id = handler_id
        if data.note:
            s.data["_record"] = s.record("receipt_note", data.note)
        s.notify(s.case.first_contact_owner_id, "case_moved")
    return s.case


def return_case(
    case_id: int, *, actor: Actor, data: inputs.ReturnIn, now: datetime | None = None
) -> Case:
    """退回: a transfer goes back to the sender; a case in handling goes back to dispatch."""
    with step("return", case_id, actor, now) as s:
        s.data["_record"] = s.record("return_reason", data.reason)
        if s.case.status == Status.TRANSFERRING:
            s.data["department"] = (
                s.case.pending_department.code if s.case.pending_department else ""
            )
            s.case.pending_department = None
            s.case.status = Status.IN_PROGRESS
        else:
            s.data["department"] = s.case.lead_department.code if s.case.lead_department else ""
            Assignment.objects.filter(case=s.case, active=True).update(active=False, ended_at=s.now)
            s.case.lead_department = None
            s.case.handler_id = None
            s.case.status = Status.ACCEPTED
        s.notify(s.case.first_contact_owner_id, "case_returned")
    return s.case


# --------------------------------------------------------------------------- handling


def record(
    case_id: int, *, actor: Actor, data: inputs.RecordIn, now: datetime | None = None
) -> Case:
    """An investigation note, mediation session, meeting, evidence or sealed evidence."""
    if data.kind == "sealed_evidence" and (len(data.witnesses) < 2 or not data.items):
        raise invalid(
            "witnesses", gettext_lazy("封存实物须列明封存物品并至少有两名见证人"),
        )  # fmt: skip
    with step("record", case_id, actor, now) as s:
        if data.occurred_at is not None:
            values.not_after_now(data.occurred_at, s.now, "occurred_at")
        details = data.model_dump(mode="json", exclude={"kind", "body"}, exclude_defaults=True)
        rec = s.record(data.kind, data.body, details)
        s.data["_record"] = rec
        s.data["kind"] = data.kind
        if data.outcome:
            s.data["outcome"] = data.outcome
        if data.kind in ("acknowledgement", "notification"):
            # Telling the sender the case arrived, or the decision and how it will be handled.
            s.data["deadlines_met"] = deadlines.meet(s.case, frozenset({data.kind}), s.now)
    return s.case


def pause(case_id: int, *, actor: Actor, data: inputs.PauseIn, now: datetime | None = None) -> Case:
    with step("pause", case_id, actor, now, reason_code=data.reason_code) as s:
        s.case.paused_from = s.case.status
        deadlines.pause(s.case, s.now)
        if data.note:
            s.data["_record"] = s.record("pause_note", data.note)
    return s.case


def resume(
    case_id: int, *, actor: Actor, data: inputs.ResumeIn, now: datetime | None = None
) -> Case:
    with step("resume", case_id, actor, now) as s:
        s.case.status = s.case.paused_from or Status.IN_PROGRESS
        s.case.paused_from = ""
        s.data["moved"] = deadlines.resume(s.case, s.policy, s.now)
        if data.note:
            s.data["_record"] = s.record("resume_note", data.note)
    return s.case


def request_extension(
    case_id: int, *, actor: Actor, data: inputs.RequestExtensionIn, now: datetime | None = None
) -> Case:
    with step("request_extension", case_id, actor, now) as s:
        if s.case.pending_extension_id is not None:
            raise TousuError(
                "extension_pending",
                gettext_lazy("已有待审批的延期申请"),
                status=409,
            )
        deadline = running_deadline(s.case, data.stage)
        limit = s.policy.extension.max_amount - deadline.extended
        if data.amount > limit:
            raise invalid(
                "amount", gettext_lazy("延期不得超过制度上限（剩余 {limit}）"), {"limit": limit},
            )  # fmt: skip
        rec = s.record(
            "extension_request", data.reason, {"stage": data.stage, "amount": data.amount}
        )
        s.case.pending_extension = rec
        s.data.update(
            _record=rec, stage=data.stage, amount=data.amount, unit=s.policy.extension.unit
        )
    return s.case


def approve_extension(
    case_id: int, *, actor: Actor, data: inputs.ApproveExtensionIn, now: datetime | None = None
) -> Case:
    with step("approve_extension", case_id, actor, now) as s:
        request = s.case.pending_extension
        if request is None:
            raise TousuError(
                "no_extension_request",
                gettext_lazy("没有待审批的延期申请"),
                status=409,
            )
        if request.created_by_id == actor.user_id:
            raise TousuError(
                "self_approval",
                gettext_lazy("不能审批本人提出的延期申请"),
                status=403,
            )
        amount = min(data.amount or request.data["amount"], request.data["amount"])
        s.data.update(request=request.pk, approved=data.approved, stage=request.data["stage"])
        if data.approved:
            deadline = running_deadline(s.case, request.data["stage"])
            deadlines.extend(deadline, s.policy, amount)
            s.data.update(amount=amount, due_at=deadline.due_at.isoformat())
        if data.note:
            s.data["_record"] = s.record("extension_decision", data.note)
        s.case.pending_extension = None
        s.notify(request.created_by_id, "extension_decided")
    return s.case


def escalate(
    case_id: int, *, actor: Actor, data: inputs.EscalateIn, now: datetime | None = None
) -> Case:
    with step("escalate", case_id, actor, now) as s:
        s.data.update(
            _record=s.record("escalation_reason", data.reason),
            to_role=data.to_role,
            major=data.major,
        )
        if data.major:
            s.case.complexity = "major"
        recipients = Membership.objects.filter(org=s.case.org, role=data.to_role, active=True)
        if data.to_role == "department_head" and s.case.lead_department_id:
            recipients = recipients.filter(department_id=s.case.lead_department_id)
        for user_id in recipients.values_list("user_id", flat=True).distinct():
            s.notify(user_id, "case_escalated")
    return s.case


def notify_authority(
    case_id: int, *, actor: Actor, data: inputs.NotifyAuthorityIn, now: datetime | None = None
) -> Case:
    """Report a violation to a regulator; the case stays here and goes on."""
    with step("notify_authority", case_id, actor, now) as s:
        if data.notified_at is not None:
            values.not_after_now(data.notified_at, s.now, "notified_at")
        s.data.update(authority=data.authority, reference=data.reference,
                      notified_at=(data.notified_at or s.now).isoformat())  # fmt: skip
        if data.note:
            s.data["_record"] = s.record("authority_notice", data.note)
    return s.case


def split(case_id: int, *, actor: Actor, data: inputs.SplitIn, now: datetime | None = None) -> Case:
    """A mixed submission becomes linked cases with their own clocks; this one goes on."""
    with step("split", case_id, actor, now) as s:
        if s.policy.split.mixed_submissions != "split":
            raise TousuError(
                "split_not_in_policy",
                gettext_lazy("本单位制度不拆分混合件，请在同一案件中处理"),
                status=409,
            )
        complainant, subject = intake_of(s.case)
        numbers = []
        for part in data.parts:
            payload = inputs.RegisterIn(
                kind=part.kind,
                channel=s.case.channel,
                received_at=s.case.received_at,
                category=part.category,
                complexity=part.complexity,
                content=part.content,
                demands=part.demands,
                complainant=complainant,
                subject=subject,
            )
            new = register(
                actor, payload, now=s.now, first_contact_owner_id=s.case.first_contact_owner_id
            )
            CaseLink.objects.create(
                from_case=new, to_case=s.case, type=CaseLink.Type.SPLIT_FROM, created_at=s.now
            )
            numbers.append(new.number)
        s.data["parts"] = numbers
        if data.note:
            s.data["_record"] = s.record("split_note", data.note)
    return s.case


def merge(case_id: int, *, actor: Actor, data: inputs.MergeIn, now: datetime | None = None) -> Case:
    """A duplicate is merged into another case of the same organisation."""
    with step("merge", case_id, actor, now) as s:
        target = Case.objects.filter(org=s.case.org, number=data.into).exclude(pk=s.case.pk).first()
        if target is None or not target.is_open:
            raise invalid(
                "into",
                gettext_lazy("合并目标须为本单位另一在办案件"),
            )
        CaseLink.objects.create(
            from_case=s.case, to_case=target, type=CaseLink.Type.MERGED_INTO, created_at=s.now
        )
        s.data["into"] = target.number
        if data.note:
            s.data["_record"] = s.record("merge_note", data.note)
        if s.policy.duplicates.same_facts == "merge_restart_clock":
            restart_clocks(target.pk, merged=str(s.case.number), by=actor.user_id, now=s.now)
    return s.case

"""Every change to a case after registration, as typed actions.

Each runs inside :func:`tousu.cases.steps.step`: locked, authorised, one
transaction, one event. Views, the API, importers and jobs call only these
functions (and :func:`tousu.cases.intake.register`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tousu.accountability import services as penalties
from tousu.cases import deadlines, inputs, safeguards
from tousu.cases.access import Actor
from tousu.cases.errors import (
    TousuError,
    action_forbidden,
    invalid,
)
from tousu.cases.intake import amend, intake_of, proposal, register
from tousu.cases.models import (
    Assignment,
    Case,
    CaseLink,
    Status,
)
from tousu.cases.reporter_actions import STAFF_FUNCTIONS
from tousu.cases.steps import (
    Step,
    check_category,
    department_by_code,
    running_deadline,
    staff_in,
    stage_list,
    step,
)
from tousu.cases.sweeps import SYSTEM_FUNCTIONS, restart_clocks
from tousu.orgs.models import Membership, Organisation
from tousu.orgs.roles import Role
from tousu.procedures import inputs as procedure_inputs
from tousu.procedures import services as procedures
from tousu.quality import inputs as quality_inputs
from tousu.quality import services as quality
from tousu.remedies import services as remedies

# --------------------------------------------------------------------------- decisions


def classify(
    case_id: int, *, actor: Actor, data: inputs.ClassifyIn, now: datetime | None = None
) -> Case:
    with step("classify", case_id, actor, now) as s:
        changes: dict[str, Any] = {}
        if data.kind is not None and data.kind != s.case.kind:
            if data.kind not in s.policy.kinds:
                raise invalid(
                    "kind",
                    "本单位不受理此类案件",
                    f"This organisation does not take {data.kind} cases",
                )
            changes["kind"] = [s.case.kind, data.kind]
            s.case.kind = data.kind
        if data.category is not None and data.category != s.case.category:
            check_category(s.policy, data.category)
            changes["category"] = [s.case.category, data.category]
            s.case.category = data.category
            subject = s.case.subjects.filter(superseded_at__isnull=True).first()
            lead_id, co, referral = proposal(
                s.policy, s.case.org_id, category=data.category, channel=s.case.channel,
                kind=s.case.kind, subject_type=subject.type if subject else "",
            )  # fmt: skip
            s.case.proposed_department_id = lead_id
            s.case.proposed_co_departments = co
            s.case.proposed_referral = referral
        if data.complexity is not None and data.complexity != s.case.complexity:
            changes["complexity"] = [s.case.complexity, data.complexity]
            s.case.complexity = data.complexity
        if data.departments is not None:
            for code in data.departments:
                department_by_code(s.case.org, code, "departments")
            changes["departments"] = sorted(set(data.departments))
            _involve(s, max(1, len(set(data.departments))))
        if data.note:
            s.data["_record"] = s.record("classification_note", data.note)
        s.data["changes"] = changes
        if changes:
            s.data["recomputed"] = deadlines.recompute(s.case, s.policy)
    return s.case


def _involve(s: Step, departments: int) -> None:
    """Record how many departments a case involves; the policy may class it as more complex."""
    s.case.involved_departments = departments
    order = ["on_the_spot", "general", "complex", "major"]
    for level in s.policy.complexity_levels:
        if (
            level.departments_min
            and departments >= level.departments_min
            and order.index(level.level) > order.index(s.case.complexity)
        ):
            s.data["complexity_from_departments"] = [s.case.complexity, level.level]
            s.case.complexity = level.level


def resolve_on_the_spot(
    case_id: int, *, actor: Actor, data: inputs.ResolveOnTheSpotIn, now: datetime | None = None
) -> Case:
    """首问当场解决: the first-contact owner settles it at once; still a full record."""
    with step("resolve_on_the_spot", case_id, actor, now) as s:
        s.data["_record"] = s.record("on_the_spot_findings", data.findings)
        s.case.complexity = "on_the_spot"
        s.case.reply_channel = data.reply_channel
        if data.satisfied is not None:
            s.case.satisfaction = "satisfied" if data.satisfied else "dissatisfied"
        s.data.update(reply_channel=data.reply_channel, satisfied=data.satisfied)
        s.data["started"] = stage_list(deadlines.start_clocks(s.case, s.policy, "replied", s.now))
    return s.case


def accept(
    case_id: int, *, actor: Actor, data: inputs.AcceptIn, now: datetime | None = None
) -> Case:
    with step("accept", case_id, actor, now) as s:
        if s.case.missing_fields:
            raise TousuError(
                "missing_fields",
                "受理前须补全以下信息：" + "、".join(s.case.missing_fields),
                "Complete these before acceptance: " + ", ".join(s.case.missing_fields),
                status=409,
                details={"missing_fields": s.case.missing_fields},
            )
        if data.note:
            s.data["_record"] = s.record("acceptance_note", data.note)
        started = deadlines.start_clocks(s.case, s.policy, "accepted", s.now)
        started += deadlines.start_clocks(s.case, s.policy, "decided", s.now)
        s.data["started"] = stage_list(started)
    return s.case


def reject(
    case_id: int, *, actor: Actor, data: inputs.RejectIn, now: datetime | None = None
) -> Case:
    with step("reject", case_id, actor, now, reason_code=data.reason_code) as s:
        reason = s.policy.reason(data.reason_code)
        if reason is None:
            raise invalid(
                "reason_code", f"制度未列出此不予受理理由：{data.reason_code}",
                f"Not a non-acceptance reason of this policy: {data.reason_code}",
            )  # fmt: skip
        if data.note:
            s.data["_record"] = s.record("rejection_note", data.note)
        s.data.update(complainant_told=data.complainant_told, told_via=data.told_via or "")
    return s.case


def refer(case_id: int, *, actor: Actor, data: inputs.ReferIn, now: datetime | None = None) -> Case:
    """转送/移送: to another organisation of this installation, or to an outside authority."""
    if bool(data.target_org) == bool(data.authority):
        raise invalid(
            "target_org", "须指明转送的单位（target_org）或外部机关（authority）之一",
            "Give exactly one of target_org (an organisation here) or authority (outside)",
        )  # fmt: skip
    with step("refer", case_id, actor, now) as s:
        if data.note:
            s.data["_record"] = s.record("referral_note", data.note)
        s.data.update(complainant_told=data.complainant_told, told_via=data.told_via or "")
        if data.authority:
            s.data["authority"] = data.authority
        else:
            target = (
                Organisation.objects.filter(slug=data.target_org).exclude(pk=s.case.org_id).first()
            )
            if target is None or target.active_policy_id is None:
                raise invalid("target_org", "未找到接收单位", "No such receiving organisation")
            copy = _register_referral(s, target)
            CaseLink.objects.create(
                from_case=s.case, to_case=copy, type=CaseLink.Type.REFERRED_TO, created_at=s.now
            )
            s.data.update(target_org=target.slug, target_number=copy.number)
    return s.case


def _register_referral(s: Step, target: Organisation) -> Case:
    """The receiving organisation gets its own case, registered by the referring user.

    That user has no membership there, so it is registered as a system intake
    (first-contact owner: the receiving organisation's first dispatcher).
    """
    owner = (
        Membership.objects.filter(org=target, role=Role.DISPATCHER, active=True)
        .order_by("pk")
        .first()
    ) or Membership.objects.filter(org=target, active=True).order_by("pk").first()
    if owner is None:
        raise invalid(
            "target_org", "接收单位尚无工作人员", "The receiving organisation has no staff"
        )
    receiver = Actor(
        user_id=owner.user_id, username="", org=target, memberships=(owner,),
        department_ids=frozenset(),
    )  # fmt: skip
    complainant, subject = intake_of(s.case)
    payload = inputs.RegisterIn(
        kind=s.case.kind,
        channel="referral",
        received_at=s.now,
        content=s.case.content,
        demands=s.case.demands,
        complainant=complainant,
        subject=subject,
    )
    return register(receiver, payload, now=s.now)


# --------------------------------------------------------------------------- routing


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
        kept = quality.keep_subtask_departments(s.case, s.now)
        if kept:
            s.data["kept_for_subtasks"] = kept
        s.case.handler_id = handler_id
        if data.note:
            s.data["_record"] = s.record("assignment_note", data.note)
        s.data.update(lead=lead.code, co=[d.code for d in co], handler=handler_id)
        before = (s.case.involved_departments, s.case.complexity)
        _involve(s, 1 + len(co))
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
            field_name, "被投诉人所在部门须回避，不能承办本案",
            "The department of the person complained about cannot handle this case",
        )  # fmt: skip


def transfer(
    case_id: int, *, actor: Actor, data: inputs.TransferIn, now: datetime | None = None
) -> Case:
    """内部转办: hand the case to another department, which must receive it explicitly."""
    with step("transfer", case_id, actor, now) as s:
        dept = department_by_code(s.case.org, data.department, "department")
        if dept.pk == s.case.lead_department_id:
            raise invalid(
                "department", "不能转办给本部门", "Cannot transfer to the current department"
            )
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
            "witnesses", "封存实物须列明封存物品并至少有两名见证人",
            "Sealed evidence needs the items sealed and at least two witnesses",
        )  # fmt: skip
    with step("record", case_id, actor, now) as s:
        if data.occurred_at is not None:
            inputs.not_after_now(data.occurred_at, s.now, "occurred_at")
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
                "已有待审批的延期申请",
                "An extension request is already pending",
                status=409,
            )
        deadline = running_deadline(s.case, data.stage)
        limit = s.policy.extension.max_amount - deadline.extended
        if data.amount > limit:
            raise invalid(
                "amount", f"延期不得超过制度上限（剩余 {limit}）",
                f"The extension exceeds the policy's limit ({limit} left)",
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
                "没有待审批的延期申请",
                "There is no pending extension request",
                status=409,
            )
        if request.created_by_id == actor.user_id:
            raise TousuError(
                "self_approval",
                "不能审批本人提出的延期申请",
                "You cannot approve your own request",
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
            inputs.not_after_now(data.notified_at, s.now, "notified_at")
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
                "本单位制度不拆分混合件，请在同一案件中处理",
                "This organisation's policy handles mixed submissions as one case",
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
                "合并目标须为本单位另一在办案件",
                "The target must be another open case here",
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


def resolve(
    case_id: int, *, actor: Actor, data: inputs.ResolveIn, now: datetime | None = None
) -> Case:
    with step("resolve", case_id, actor, now) as s:
        rec = s.record(
            "findings", data.findings, {"measures": data.measures} if data.measures else {}
        )
        s.case.responsibility = data.responsibility
        s.case.validity = "" if data.valid is None else ("valid" if data.valid else "invalid")
        s.data.update(_record=rec, responsibility=data.responsibility, validity=s.case.validity)
        s.data["started"] = stage_list(deadlines.start_clocks(s.case, s.policy, "resolved", s.now))
    return s.case


def reply(case_id: int, *, actor: Actor, data: inputs.ReplyIn, now: datetime | None = None) -> Case:
    """答复: a case that came in writing gets a written reply."""
    with step("reply", case_id, actor, now) as s:
        rules = s.policy.reply
        written_in = rules.written_for_written and s.case.channel in s.policy.written_channels
        if (written_in or rules.written_always) and data.channel not in rules.written_forms:
            raise TousuError(
                "written_reply_required",
                "本案须书面答复（可用：" + "、".join(rules.written_forms) + "）",
                "This case needs a written reply (one of: " + ", ".join(rules.written_forms) + ")",
                status=422,
                details=[{"field": "channel", "allowed": list(rules.written_forms)}],
            )
        s.case.reply_channel = data.channel
        if data.delivered_at is not None:
            inputs.not_after_now(data.delivered_at, s.now, "delivered_at")
        delivered = (data.delivered_at or s.now).isoformat()
        s.data.update(
            _record=s.record("reply", data.body), channel=data.channel, delivered_at=delivered
        )
        s.data["started"] = stage_list(deadlines.start_clocks(s.case, s.policy, "replied", s.now))
        if s.case.review_level:
            stage = "review" if s.case.review_level == 1 else "second_review"
            s.data["deadlines_met"] = deadlines.meet(s.case, frozenset({stage}), s.now)
    return s.case


def request_review(
    case_id: int, *, actor: Actor, data: inputs.RequestReviewIn, now: datetime | None = None
) -> Case:
    """复查 / 复核: the petitioner asks the next level up to review the handling opinion.

    Within the policy's window after the last answer; after the last level, the same
    facts are not taken again.
    """
    with step("request_review", case_id, actor, now) as s:
        if data.requested_at is not None:
            inputs.not_after_now(data.requested_at, s.now, "requested_at")
        start_review(s, data.reason, data.requested_at or s.now)
    return s.case


def start_review(s: Step, reason: str, asked: datetime) -> None:
    """The body of ``request_review``: checks the policy's levels and window, then starts
    the review clock (also taken for the reporter's "I disagree" on the portal)."""
    rules = s.policy.reviews
    if rules.levels == 0:
        raise TousuError(
            "no_review_in_policy", "本单位制度未设复查、复核程序",
            "This organisation's policy has no review procedure", status=409,
        )  # fmt: skip
    if s.case.review_level >= rules.levels:
        raise TousuError(
            "final_review_done", "复核意见为最终意见，同一事实不再受理",
            "The second review was final; the same facts are not taken again", status=409,
        )  # fmt: skip
    answered = (
        s.case.events.filter(type="replied").order_by("-seq").values_list("at", flat=True).first()
    )
    tz = ZoneInfo(s.case.org.time_zone)
    if (
        answered is not None
        and (asked.astimezone(tz).date() - answered.astimezone(tz).date()).days
        > rules.request_window_days
    ):
        raise TousuError(
            "review_window_passed",
            f"已超过{rules.request_window_days}日的申请期限",
            f"The {rules.request_window_days}-day window to ask for a review has passed",
            status=409,
        )
    s.case.review_level += 1
    start = "review_requested" if s.case.review_level == 1 else "second_review_requested"
    s.data.update(
        _record=s.record("review_request", reason),
        level=s.case.review_level,
        started=stage_list(deadlines.start_clocks(s.case, s.policy, start, asked)),
    )


def follow_up(
    case_id: int, *, actor: Actor, data: inputs.FollowUpIn, now: datetime | None = None
) -> Case:
    with step("follow_up", case_id, actor, now) as s:
        if data.reached and data.satisfaction:
            s.case.satisfaction = data.satisfaction
        if data.note:
            s.data["_record"] = s.record("follow_up_note", data.note)
        s.data.update(reached=data.reached, satisfaction=data.satisfaction, channel=data.channel)
    return s.case


def close(case_id: int, *, actor: Actor, data: inputs.CloseIn, now: datetime | None = None) -> Case:
    with step("close", case_id, actor, now) as s:
        if data.note:
            s.data["_record"] = s.record("closing_note", data.note)
    return s.case


def reopen(
    case_id: int, *, actor: Actor, data: inputs.ReopenIn, now: datetime | None = None
) -> Case:
    """重新核实: the complainant disagrees; the case is looked at again, linked to the earlier handling."""
    with step("reopen", case_id, actor, now) as s:
        start_reverification(s, data.reason)
    return s.case


def start_reverification(s: Step, reason: str) -> None:
    """The body of ``reopen`` (also taken for the reporter's "I disagree" on the portal)."""
    s.case.reopen_count += 1
    s.data.update(
        _record=s.record("reopen_reason", reason),
        round=s.case.reopen_count,
        earlier_handling_until_seq=s.case.last_seq,
        earlier_outcome={
            "validity": s.case.validity,
            "responsibility": s.case.responsibility,
            "satisfaction": s.case.satisfaction,
        },
    )
    # The earlier outcome stays in the timeline; the case awaits a new one.
    s.case.validity = s.case.responsibility = s.case.satisfaction = ""
    s.case.status = Status.IN_PROGRESS if s.case.lead_department_id else Status.REGISTERED
    start = "accepted" if s.case.lead_department_id else "received"
    s.data["started"] = stage_list(deadlines.start_clocks(s.case, s.policy, start, s.now))
    s.notify(s.case.handler_id, "case_reopened")


def withdraw(
    case_id: int, *, actor: Actor, data: inputs.WithdrawIn, now: datetime | None = None
) -> Case:
    with step("withdraw", case_id, actor, now) as s:
        s.data["_record"] = s.record("withdrawal_reason", data.reason)
    return s.case


ActionFn = Callable[..., Case]
ACTION_FUNCTIONS: dict[str, tuple[ActionFn, type[inputs.In]]] = {
    "amend": (amend, inputs.AmendIn),
    "classify": (classify, inputs.ClassifyIn),
    "resolve_on_the_spot": (resolve_on_the_spot, inputs.ResolveOnTheSpotIn),
    "accept": (accept, inputs.AcceptIn),
    "reject": (reject, inputs.RejectIn),
    "refer": (refer, inputs.ReferIn),
    "assign": (assign, inputs.AssignIn),
    "transfer": (transfer, inputs.TransferIn),
    "receive": (receive, inputs.ReceiveIn),
    "return": (return_case, inputs.ReturnIn),
    "record": (record, inputs.RecordIn),
    "pause": (pause, inputs.PauseIn),
    "resume": (resume, inputs.ResumeIn),
    "request_extension": (request_extension, inputs.RequestExtensionIn),
    "approve_extension": (approve_extension, inputs.ApproveExtensionIn),
    "escalate": (escalate, inputs.EscalateIn),
    "notify_authority": (notify_authority, inputs.NotifyAuthorityIn),
    "split": (split, inputs.SplitIn),
    "merge": (merge, inputs.MergeIn),
    "resolve": (resolve, inputs.ResolveIn),
    "reply": (reply, inputs.ReplyIn),
    "follow_up": (follow_up, inputs.FollowUpIn),
    "close": (close, inputs.CloseIn),
    "reopen": (reopen, inputs.ReopenIn),
    "request_review": (request_review, inputs.RequestReviewIn),
    "recuse": (safeguards.recuse, inputs.RecuseIn),
    "hold": (safeguards.hold, inputs.HoldIn),
    "redact": (safeguards.redact, inputs.RedactIn),
    "release_hold": (safeguards.release_hold, inputs.HoldIn),
    "request_recusal": (safeguards.request_recusal, inputs.RequestRecusalIn),
    "decide_recusal": (safeguards.decide_recusal, inputs.DecideRecusalIn),
    "request_reveal": (safeguards.request_reveal, inputs.RequestRevealIn),
    "approve_reveal": (safeguards.approve_reveal, inputs.ApproveRevealIn),
    "withdraw": (withdraw, inputs.WithdrawIn),
    "propose_penalty": (penalties.propose_penalty, inputs.ProposePenaltyIn),
    "decide_penalty": (penalties.decide_penalty, inputs.DecidePenaltyIn),
    "appeal_penalty": (penalties.appeal_penalty, inputs.AppealPenaltyIn),
    "decide_appeal": (penalties.decide_appeal, inputs.DecideAppealIn),
    "record_notice_delivered": (penalties.record_notice_delivered, inputs.RecordNoticeDeliveredIn),
    "propose_remedy": (remedies.propose_remedy, inputs.ProposeRemedyIn),
    "approve_remedy": (remedies.approve_remedy, inputs.ApproveRemedyIn),
    "record_remedy_paid": (remedies.record_remedy_paid, inputs.RecordRemedyPaidIn),
    "propose_reward": (remedies.propose_reward, inputs.ProposeRewardIn),
    "approve_reward": (remedies.approve_reward, inputs.ApproveRewardIn),
    "hand_over_reward": (remedies.hand_over_reward, inputs.HandOverRewardIn),
    "start_procedure": (procedures.start_procedure, procedure_inputs.StartProcedureIn),
    "record_procedure_step": (
        procedures.record_procedure_step,
        procedure_inputs.RecordProcedureStepIn,
    ),
    "record_quality": (quality.record_quality, quality_inputs.RecordQualityIn),
    "assign_subtask": (quality.assign_subtask, quality_inputs.AssignSubtaskIn),
    "complete_subtask": (quality.complete_subtask, quality_inputs.CompleteSubtaskIn),
    "cancel_subtask": (quality.cancel_subtask, quality_inputs.CancelSubtaskIn),
    **STAFF_FUNCTIONS,
}

__all__ = ["ACTION_FUNCTIONS", "SYSTEM_FUNCTIONS", "register"]

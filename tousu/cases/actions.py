"""Every change to a case, as typed actions.

Each action (1) locks the case row, (2) checks the actor's permission, then the
transition table, (3) applies the change, (4) writes its event — all in one
transaction, so a refused or failing action changes nothing. Views, the API,
importers and jobs call only these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tousu.cases import deadlines, events, inputs
from tousu.cases.access import Actor, in_scope
from tousu.cases.errors import (
    TousuError,
    action_forbidden,
    invalid,
    not_found,
    transition_forbidden,
)
from tousu.cases.lifecycle import TABLE, Transition
from tousu.cases.models import (
    Assignment,
    Case,
    CaseLink,
    CaseRecord,
    Deadline,
    Notification,
    Party,
    Status,
    Subject,
)
from tousu.cases.numbering import take_number
from tousu.orgs.models import Department, Membership, Organisation, department_id
from tousu.orgs.roles import Role
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy

# A received_at this far ahead of the server clock is treated as clock skew, not the future.
CLOCK_SKEW = timedelta(minutes=2)
WRITTEN_REPLY_CHANNELS = frozenset({"letter", "email", "fax", "web"})


@dataclass
class Step:
    """What an action works with inside its transaction."""

    case: Case
    actor: Actor
    transition: Transition
    policy: Policy
    now: datetime
    before: str
    data: dict[str, Any] = field(default_factory=dict)

    def record(self, kind: str, body: str = "", data: dict[str, Any] | None = None) -> CaseRecord:
        return CaseRecord.objects.create(
            case=self.case,
            kind=kind,
            body=body,
            data=data or {},
            created_by_id=self.actor.user_id,
            created_at=self.now,
        )

    def notify(self, user_id: int | None, kind: str) -> None:
        """An in-app notice for a colleague (the body holds no personal data)."""
        if user_id is not None and user_id != self.actor.user_id:
            Notification.objects.create(
                user_id=user_id, case=self.case, kind=kind, created_at=self.now
            )


def _policy(case: Case) -> Policy:
    return policy_for(case.policy_version_id)[1]


def permitted(actor: Actor, case: Case, transition: Transition, policy: Policy) -> bool:
    roles = transition.roles
    if transition.action == "approve_extension":
        roles = roles & frozenset(policy.extension.approver_roles)
    for role in roles & actor.roles:
        if transition.scope == "pending_department":
            if case.pending_department_id in actor.department_ids:
                return True
        elif transition.scope == "return":
            dept = case.pending_department_id or case.lead_department_id
            if dept in actor.department_ids:
                return True
        elif in_scope(actor, case, role=role):
            return True
    return False


@contextmanager
def _step(
    action: str, case_id: int, actor: Actor, now: datetime | None, *, reason_code: str = ""
) -> Iterator[Step]:
    """Lock, authorise, yield for the change, then write the event and save."""
    transition = TABLE[action]
    with transaction.atomic():
        case = (
            Case.objects.select_for_update()
            .select_related("org")
            .filter(pk=case_id, org_id=actor.org.pk)
            .first()
        )
        if case is None:
            raise not_found()
        policy = _policy(case)
        if not permitted(actor, case, transition, policy):
            raise action_forbidden(action)
        if case.status not in transition.sources:
            raise transition_forbidden(action, case.status)
        step = Step(case, actor, transition, policy, now or timezone.now(), case.status)
        yield step
        if transition.target is not None and step.case.status == step.before:
            step.case.status = transition.target
        met = deadlines.meet(case, transition.meets, step.now)
        if met:
            step.data["deadlines_met"] = met
        if not case.is_open:
            deadlines.cancel_running(case)
        record_id = step.data.pop("_record", None)
        events.append(
            case,
            _EVENT_TYPES[action],
            actor_id=actor.user_id,
            at=step.now,
            from_status=step.before,
            to_status=case.status,
            reason_code=reason_code,
            record=record_id,
            data=step.data,
        )
        case.updated_at = step.now
        case.save()


_EVENT_TYPES = {
    "register": "registered", "classify": "classified",
    "resolve_on_the_spot": "resolved_on_the_spot", "accept": "accepted", "reject": "rejected",
    "refer": "referred", "assign": "assigned", "transfer": "transferred", "receive": "received",
    "return": "returned", "record": "recorded", "pause": "paused", "resume": "resumed",
    "request_extension": "extension_requested", "approve_extension": "extension_decided",
    "escalate": "escalated", "notify_authority": "authority_notified", "split": "split",
    "merge": "merged", "resolve": "resolved", "reply": "replied", "follow_up": "followed_up",
    "close": "closed", "reopen": "reopened", "withdraw": "withdrawn",
}  # fmt: skip


def _department(org: Organisation, code: str, field_name: str) -> Department:
    dept = Department.objects.filter(org=org, code=code, active=True).first()
    if dept is None:
        raise invalid(field_name, f"未知部门：{code}", f"Unknown department: {code}")
    return dept


def _staff_in(org: Organisation, username: str, department: Department, field_name: str) -> int:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not Membership.objects.filter(
        user=user, org=org, department=department, active=True,
        role__in=[Role.HANDLER, Role.DEPARTMENT_HEAD],
    ).exists():  # fmt: skip
        raise invalid(
            field_name,
            f"{username} 不是{department.name}的承办人员",
            f"{username} is not a handler in {department.name_en or department.code}",
        )
    return int(user.pk)


def _category(policy: Policy, code: str, field_name: str = "category") -> None:
    if code and policy.category(code) is None:
        raise invalid(field_name, f"未知类别：{code}", f"Unknown category: {code}")


# --------------------------------------------------------------------------- register


def _check_fields(
    policy: Policy, kind: str, values: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    specs = {f.code: f for f in policy.fields}
    for code in values:
        if code not in specs:
            raise invalid(
                f"fields.{code}", f"制度未定义字段：{code}", f"The policy defines no field {code!r}"
            )
    clean: dict[str, Any] = {}
    missing = []
    for code, spec in specs.items():
        if spec.kinds and kind not in spec.kinds:
            continue
        value = values.get(code)
        if value is None or value == "":
            if spec.required:
                missing.append(f"fields.{code}")
            continue
        ok = {
            "string": isinstance(value, str) and len(value) <= spec.max_length,
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "decimal": isinstance(value, (int, float, str)) and not isinstance(value, bool)
            and _is_number(value),
            "boolean": isinstance(value, bool),
            "date": isinstance(value, str) and _is_date(value),
            "choice": value in spec.choices,
        }[spec.type]  # fmt: skip
        if not ok:
            raise invalid(
                f"fields.{code}",
                f"字段 {spec.label_zh} 的值无效（应为 {spec.type}）",
                f"Field {spec.label_en or code} must be a valid {spec.type}",
            )
        clean[code] = value
    return clean, missing


def _is_number(value: object) -> bool:
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def register(
    actor: Actor,
    data: inputs.RegisterIn,
    *,
    now: datetime | None = None,
    first_contact_owner_id: int | None = None,
) -> Case:
    """Register a case from any channel.

    The actor becomes its first-contact owner unless one is carried over (a case
    split off keeps the owner of the case it came from).
    """
    now = now or timezone.now()
    if not actor.roles & TABLE["register"].roles:
        raise action_forbidden("register")
    org = actor.org
    if org.active_policy_id is None:
        raise TousuError(
            "no_policy", "本单位尚未启用制度", "The organisation has no active policy", status=409
        )
    version_number, policy = policy_for(org.active_policy_id)
    if data.kind not in policy.kinds:
        raise invalid(
            "kind", "本单位不受理此类案件", f"This organisation does not take {data.kind} cases"
        )
    if data.channel not in policy.channels:
        raise invalid("channel", "本单位未开通该渠道", f"Channel {data.channel} is not enabled")
    _category(policy, data.category)
    received_at = data.received_at or now
    if received_at > now + CLOCK_SKEW:
        raise invalid(
            "received_at", "收到时间不能晚于当前时间", "received_at cannot be in the future"
        )
    fields, missing = _check_fields(policy, data.kind, data.fields)
    person = data.complainant
    if not person.anonymous and not person.name:
        missing.append("complainant.name")
    if person.anonymous and not policy.anonymous_allowed:
        missing.append("complainant.name")
    if data.subject is None or not (
        data.subject.name or data.subject.reference or data.subject.url
    ):
        missing.append("subject")
    category = policy.category(data.category) if data.category else None
    proposed_id = department_id(org.pk, category.lead) if category and category.lead else None

    with transaction.atomic():
        case = Case.objects.create(
            org=org,
            policy_version_id=org.active_policy_id,
            kind=data.kind,
            channel=data.channel,
            category=data.category,
            complexity=data.complexity or "general",
            status=Status.REGISTERED,
            received_at=received_at,
            registered_at=now,
            registered_by_id=actor.user_id,
            first_contact_owner_id=first_contact_owner_id or actor.user_id,
            proposed_department_id=proposed_id,
            content=data.content,
            demands=data.demands,
            fields=fields,
            missing_fields=sorted(set(missing)),
            customer_deadline=data.customer_deadline,
            updated_at=now,
        )
        role = Party.Role.REPORTER if data.kind == "report" else Party.Role.COMPLAINANT
        party = Party.objects.create(
            case=case,
            role=role,
            anonymous=person.anonymous,
            **person.model_dump(exclude={"anonymous", "agent"}),
        )
        if person.agent is not None and person.agent.name:
            Party.objects.create(
                case=case, role=Party.Role.AGENT, represents=party, **person.agent.model_dump()
            )
        if data.subject is not None:
            Subject.objects.create(case=case, **data.subject.model_dump())
        running = deadlines.start_clocks(case, policy, "received", received_at, new_case=True)
        events.append(
            case,
            "registered",
            actor_id=actor.user_id,
            at=now,
            to_status=case.status,
            data={
                "kind": case.kind,
                "channel": case.channel,
                "category": case.category,
                "complexity": case.complexity,
                "received_at": received_at.isoformat(),
                "policy_version": version_number,
                "proposed_department": category.lead if proposed_id and category else "",
                "missing_fields": case.missing_fields,
                "deadlines": [{"stage": d.stage, "due_at": d.due_at.isoformat()} for d in running],
            },
        )
        # Last step: the counter row stays locked only from here to commit.
        case.number = take_number(org, policy.numbering, now)
        case.save(update_fields=["number", "last_seq", "last_hash"])
    case.started_deadlines = running  # type: ignore[attr-defined]  # spares the caller a query
    return case


# --------------------------------------------------------------------------- decisions


def classify(
    case_id: int, *, actor: Actor, data: inputs.ClassifyIn, now: datetime | None = None
) -> Case:
    with _step("classify", case_id, actor, now) as s:
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
            _category(s.policy, data.category)
            changes["category"] = [s.case.category, data.category]
            s.case.category = data.category
            cat = s.policy.category(data.category)
            if cat is not None and cat.lead:
                s.case.proposed_department = Department.objects.filter(
                    org=s.case.org, code=cat.lead, active=True
                ).first()
        if data.complexity is not None and data.complexity != s.case.complexity:
            changes["complexity"] = [s.case.complexity, data.complexity]
            s.case.complexity = data.complexity
        if data.departments is not None:
            for code in data.departments:
                _department(s.case.org, code, "departments")
            changes["departments"] = sorted(set(data.departments))
        if data.note:
            s.data["_record"] = s.record("classification_note", data.note)
        s.data["changes"] = changes
    return s.case


def resolve_on_the_spot(
    case_id: int, *, actor: Actor, data: inputs.ResolveOnTheSpotIn, now: datetime | None = None
) -> Case:
    """首问当场解决: the first-contact owner settles it at once; still a full record."""
    with _step("resolve_on_the_spot", case_id, actor, now) as s:
        s.data["_record"] = s.record("on_the_spot_findings", data.findings)
        s.case.complexity = "on_the_spot"
        s.case.reply_channel = data.reply_channel
        if data.satisfied is not None:
            s.case.satisfaction = "satisfied" if data.satisfied else "dissatisfied"
        s.data.update(reply_channel=data.reply_channel, satisfied=data.satisfied)
        s.data["started"] = _stages(deadlines.start_clocks(s.case, s.policy, "replied", s.now))
    return s.case


def accept(
    case_id: int, *, actor: Actor, data: inputs.AcceptIn, now: datetime | None = None
) -> Case:
    with _step("accept", case_id, actor, now) as s:
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
        s.data["started"] = _stages(deadlines.start_clocks(s.case, s.policy, "accepted", s.now))
    return s.case


def reject(
    case_id: int, *, actor: Actor, data: inputs.RejectIn, now: datetime | None = None
) -> Case:
    with _step("reject", case_id, actor, now, reason_code=data.reason_code) as s:
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
    with _step("refer", case_id, actor, now) as s:
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
    complainant, subject = _intake_of(s.case)
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


def _intake_of(case: Case) -> tuple[inputs.ComplainantIn, inputs.SubjectIn | None]:
    """The complainant (with agent) and subject of a case, as inputs for a linked case."""
    parties = list(case.parties.order_by("pk"))
    person = next((p for p in parties if p.role != Party.Role.AGENT), None)
    agent = next((p for p in parties if p.role == Party.Role.AGENT), None)
    complainant = inputs.ComplainantIn(anonymous=True)
    if person is not None:
        complainant = inputs.ComplainantIn(
            anonymous=person.anonymous,
            name=person.name,
            phone=person.phone,
            email=person.email,
            address=person.address,
            employer=person.employer,
            id_number=person.id_number,
            agent=inputs.AgentIn(name=agent.name, relation=agent.relation, phone=agent.phone)
            if agent
            else None,
        )
    first = case.subjects.order_by("pk").first()
    subject = None
    if first is not None:
        subject = inputs.SubjectIn(
            type=first.type,
            name=first.name,
            address=first.address,
            url=first.url,
            reference=first.reference,
        )
    return complainant, subject


def _stages(items: list[Deadline]) -> list[dict[str, str]]:
    return [{"stage": d.stage, "due_at": d.due_at.isoformat()} for d in items]


# --------------------------------------------------------------------------- routing


def assign(
    case_id: int, *, actor: Actor, data: inputs.AssignIn, now: datetime | None = None
) -> Case:
    """分办: set the lead department (and co-handling ones), optionally a handler."""
    with _step("assign", case_id, actor, now) as s:
        org = s.case.org
        lead = _department(org, data.lead_department, "lead_department")
        co = [_department(org, c, "co_departments") for c in data.co_departments if c != lead.code]
        only_head = not actor.has_role(Role.DISPATCHER, Role.SUPERVISOR)
        if only_head and (lead.pk not in actor.department_ids or co):
            raise action_forbidden("assign")
        handler_id = _staff_in(org, data.handler, lead, "handler") if data.handler else None
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
        s.case.handler_id = handler_id
        if data.note:
            s.data["_record"] = s.record("assignment_note", data.note)
        s.data.update(lead=lead.code, co=[d.code for d in co], handler=handler_id)
        if s.before == Status.ACCEPTED:
            s.data["started"] = _stages(deadlines.start_clocks(s.case, s.policy, "assigned", s.now))
        if moved:
            s.notify(s.case.first_contact_owner_id, "case_moved")
        s.notify(handler_id, "case_assigned")
    return s.case


def transfer(
    case_id: int, *, actor: Actor, data: inputs.TransferIn, now: datetime | None = None
) -> Case:
    """内部转办: hand the case to another department, which must receive it explicitly."""
    with _step("transfer", case_id, actor, now) as s:
        dept = _department(s.case.org, data.department, "department")
        if dept.pk == s.case.lead_department_id:
            raise invalid(
                "department", "不能转办给本部门", "Cannot transfer to the current department"
            )
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
    with _step("receive", case_id, actor, now) as s:
        dept = s.case.pending_department
        assert dept is not None
        handler_id = (
            _staff_in(s.case.org, data.handler, dept, "handler") if data.handler else actor.user_id
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
    with _step("return", case_id, actor, now) as s:
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
    with _step("record", case_id, actor, now) as s:
        details = data.model_dump(mode="json", exclude={"kind", "body"}, exclude_defaults=True)
        rec = s.record(data.kind, data.body, details)
        s.data["_record"] = rec
        s.data["kind"] = data.kind
        if data.outcome:
            s.data["outcome"] = data.outcome
        if data.kind == "acknowledgement":
            s.data["deadlines_met"] = deadlines.meet(s.case, frozenset({"acknowledgement"}), s.now)
    return s.case


def pause(case_id: int, *, actor: Actor, data: inputs.PauseIn, now: datetime | None = None) -> Case:
    with _step("pause", case_id, actor, now, reason_code=data.reason_code) as s:
        s.case.paused_from = s.case.status
        deadlines.pause(s.case, s.now)
        if data.note:
            s.data["_record"] = s.record("pause_note", data.note)
    return s.case


def resume(
    case_id: int, *, actor: Actor, data: inputs.ResumeIn, now: datetime | None = None
) -> Case:
    with _step("resume", case_id, actor, now) as s:
        s.case.status = s.case.paused_from or Status.IN_PROGRESS
        s.case.paused_from = ""
        s.data["moved"] = deadlines.resume(s.case, s.now)
        if data.note:
            s.data["_record"] = s.record("resume_note", data.note)
    return s.case


def request_extension(
    case_id: int, *, actor: Actor, data: inputs.RequestExtensionIn, now: datetime | None = None
) -> Case:
    with _step("request_extension", case_id, actor, now) as s:
        if s.case.pending_extension_id is not None:
            raise TousuError(
                "extension_pending",
                "已有待审批的延期申请",
                "An extension request is already pending",
                status=409,
            )
        deadline = _running(s.case, data.stage)
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
    with _step("approve_extension", case_id, actor, now) as s:
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
            deadline = _running(s.case, request.data["stage"])
            deadlines.extend(deadline, amount, s.policy.extension.unit)
            s.data.update(amount=amount, due_at=deadline.due_at.isoformat())
        if data.note:
            s.data["_record"] = s.record("extension_decision", data.note)
        s.case.pending_extension = None
        s.notify(request.created_by_id, "extension_decided")
    return s.case


def _running(case: Case, stage: str) -> Deadline:
    deadline = Deadline.objects.filter(
        case=case, stage=stage, state__in=[Deadline.State.OPEN, Deadline.State.PAUSED]
    ).first()
    if deadline is None:
        raise invalid(
            "stage",
            f"该阶段没有正在计时的期限：{stage}",
            f"No running deadline for stage {stage!r}",
        )
    return deadline


def escalate(
    case_id: int, *, actor: Actor, data: inputs.EscalateIn, now: datetime | None = None
) -> Case:
    with _step("escalate", case_id, actor, now) as s:
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
    with _step("notify_authority", case_id, actor, now) as s:
        s.data.update(authority=data.authority, reference=data.reference,
                      notified_at=(data.notified_at or s.now).isoformat())  # fmt: skip
        if data.note:
            s.data["_record"] = s.record("authority_notice", data.note)
    return s.case


def split(case_id: int, *, actor: Actor, data: inputs.SplitIn, now: datetime | None = None) -> Case:
    """A mixed submission becomes linked cases with their own clocks; this one goes on."""
    with _step("split", case_id, actor, now) as s:
        complainant, subject = _intake_of(s.case)
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
    with _step("merge", case_id, actor, now) as s:
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
    return s.case


def resolve(
    case_id: int, *, actor: Actor, data: inputs.ResolveIn, now: datetime | None = None
) -> Case:
    with _step("resolve", case_id, actor, now) as s:
        rec = s.record(
            "findings", data.findings, {"measures": data.measures} if data.measures else {}
        )
        s.case.responsibility = data.responsibility
        s.case.validity = "" if data.valid is None else ("valid" if data.valid else "invalid")
        s.data.update(_record=rec, responsibility=data.responsibility, validity=s.case.validity)
        s.data["started"] = _stages(deadlines.start_clocks(s.case, s.policy, "resolved", s.now))
    return s.case


def reply(case_id: int, *, actor: Actor, data: inputs.ReplyIn, now: datetime | None = None) -> Case:
    """答复: a case that came in writing gets a written reply."""
    with _step("reply", case_id, actor, now) as s:
        written_in = s.case.channel in s.policy.written_channels
        if written_in and data.channel not in WRITTEN_REPLY_CHANNELS:
            raise TousuError(
                "written_reply_required",
                "书面投诉须书面答复（信函、电子邮件、传真或网上答复）",
                "A case received in writing needs a written reply (letter, e-mail, fax or web)",
                status=422,
                details=[{"field": "channel"}],
            )
        s.case.reply_channel = data.channel
        delivered = (data.delivered_at or s.now).isoformat()
        s.data.update(
            _record=s.record("reply", data.body), channel=data.channel, delivered_at=delivered
        )
        s.data["started"] = _stages(deadlines.start_clocks(s.case, s.policy, "replied", s.now))
    return s.case


def follow_up(
    case_id: int, *, actor: Actor, data: inputs.FollowUpIn, now: datetime | None = None
) -> Case:
    with _step("follow_up", case_id, actor, now) as s:
        if data.reached and data.satisfaction:
            s.case.satisfaction = data.satisfaction
        if data.note:
            s.data["_record"] = s.record("follow_up_note", data.note)
        s.data.update(reached=data.reached, satisfaction=data.satisfaction, channel=data.channel)
    return s.case


def close(case_id: int, *, actor: Actor, data: inputs.CloseIn, now: datetime | None = None) -> Case:
    with _step("close", case_id, actor, now) as s:
        if data.note:
            s.data["_record"] = s.record("closing_note", data.note)
    return s.case


def reopen(
    case_id: int, *, actor: Actor, data: inputs.ReopenIn, now: datetime | None = None
) -> Case:
    """重新核实: the complainant disagrees; the case is looked at again, linked to the earlier handling."""
    with _step("reopen", case_id, actor, now) as s:
        s.case.reopen_count += 1
        s.data.update(
            _record=s.record("reopen_reason", data.reason),
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
        s.data["started"] = _stages(deadlines.start_clocks(s.case, s.policy, start, s.now))
        s.notify(s.case.handler_id, "case_reopened")
    return s.case


def withdraw(
    case_id: int, *, actor: Actor, data: inputs.WithdrawIn, now: datetime | None = None
) -> Case:
    with _step("withdraw", case_id, actor, now) as s:
        s.data["_record"] = s.record("withdrawal_reason", data.reason)
    return s.case


ActionFn = Callable[..., Case]
ACTION_FUNCTIONS: dict[str, tuple[ActionFn, type[inputs.In]]] = {
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
    "withdraw": (withdraw, inputs.WithdrawIn),
}

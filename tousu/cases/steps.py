"""The machinery every case action runs in.

:func:`step` (1) locks the case row, (2) checks the actor's permission, then the
transition table, (3) lets the action apply its change, (4) marks the deadlines
the action fulfils and writes its event — all in one transaction, so a refused
or failing action changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tousu.cases import deadlines, events
from tousu.cases.access import Actor, identity_visible, is_excluded, reaches
from tousu.cases.errors import (
    action_forbidden,
    invalid,
    not_found,
    transition_forbidden,
)
from tousu.cases.lifecycle import TABLE, Transition
from tousu.cases.models import (
    Case,
    CaseRecord,
    Deadline,
    Notification,
)
from tousu.cases.redaction import names_identity
from tousu.orgs.models import Department, Membership, Organisation
from tousu.orgs.roles import Role
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy


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
    # Free text this step wrote into sealed records (to warn a writer who names the sender).
    written: list[str] = field(default_factory=list)

    def record(self, kind: str, body: str = "", data: dict[str, Any] | None = None) -> CaseRecord:
        self.written.append(body)
        self.written.extend(v for v in (data or {}).values() if isinstance(v, str))
        return CaseRecord.objects.create(
            case=self.case,
            kind=kind,
            body=body,
            data=data or {},
            created_by_id=self.actor.user_id,
            created_at=self.now,
        )

    def members(self, roles: Iterable[str]) -> set[int]:
        """Users holding these roles for this case: heads of its lead department, or
        holders of an organisation-wide role (handlers and clerks are reached by name)."""
        wanted = set(roles)
        users: set[int] = set()
        qs = Membership.objects.filter(org_id=self.case.org_id, active=True)
        if Role.DEPARTMENT_HEAD in wanted and self.case.lead_department_id:
            users |= set(
                qs.filter(
                    role=Role.DEPARTMENT_HEAD, department_id=self.case.lead_department_id
                ).values_list("user_id", flat=True)
            )
        org_wide = wanted - {Role.DEPARTMENT_HEAD, Role.HANDLER, Role.INTAKE_CLERK}
        if org_wide:
            users |= set(qs.filter(role__in=org_wide).values_list("user_id", flat=True))
        return users

    def notify(self, user_id: int | None, kind: str) -> None:
        """An in-app notice for a colleague (the body holds no personal data).

        Never to someone excluded from the case: a notice would tip off the subject.
        """
        if (
            user_id is not None
            and user_id != self.actor.user_id
            and not is_excluded(user_id, self.case)
        ):
            note = Notification.objects.create(
                user_id=user_id, case=self.case, kind=kind, created_at=self.now
            )
            transaction.on_commit(lambda: _enqueue_delivery(note.pk))


def _enqueue_delivery(notification_id: int) -> None:
    from tousu.jobs.queue import deliver_task

    deliver_task([notification_id])


def case_policy(case: Case) -> Policy:
    return policy_for(case.policy_version_id)[1]


# Actions whose roles the policy names (a regulation says who decides, who closes).
POLICY_ROLES: dict[str, Callable[[Policy], Iterable[str]]] = {
    "accept": lambda p: p.permissions.decide_acceptance,
    "reject": lambda p: p.permissions.decide_acceptance,
    "refer": lambda p: p.permissions.decide_acceptance,
    "close": lambda p: p.permissions.close,
    "decide_recusal": lambda p: p.recusal.approver_roles,
    "approve_reveal": lambda p: p.permissions.custodian,
    "approve_extension": lambda p: p.extension.approver_roles,
    # Accountability: who proposes, approves and hears appeals (the appeal authority first).
    "propose_penalty": lambda p: p.permissions.propose_penalty,
    "decide_penalty": lambda p: p.permissions.approve_penalty,
    "decide_appeal": lambda p: (
        (p.accountability.appeal_to,) if p.accountability.appeal_to else p.permissions.hear_appeal
    ),
    # Remedies: the roles of the policy's approval limits, or its compensation approvers.
    "approve_remedy": lambda p: (
        *(row.role for row in p.approval_limits),
        *p.permissions.approve_compensation,
    ),
    "approve_reward": lambda p: p.permissions.approve_reward,
    # Delivery (送达) of a written penalty notice: its deciders and the record readers.
    "record_notice_delivered": lambda p: (
        *p.permissions.approve_penalty,
        *p.permissions.hear_appeal,
        *((p.accountability.appeal_to,) if p.accountability.appeal_to else ()),
        *p.permissions.view_staff_record,
    ),
}


def roles_for(transition: Transition, policy: Policy) -> frozenset[str]:
    """The roles that may take an action under this policy.

    The policy chooses among the roles the table allows for that action; it can
    never hand an action to a role the table keeps away from it (an auditor
    never writes).
    """
    choose = POLICY_ROLES.get(transition.action)
    if choose is None:
        return transition.roles
    return transition.roles & frozenset(choose(policy))


def permitted(
    actor: Actor, case: Case, transition: Transition, policy: Policy, *, not_excluded: bool = False
) -> bool:
    """Whether the actor may take this action on the case (its state is checked later).

    ``not_excluded``: the caller already checked, once for many actions, that the actor
    is not excluded from the case (recused, or the subject of it).
    """
    if actor.system or transition.system:
        return actor.system and transition.system and case.org_id == actor.org.pk
    if actor.reporter:
        # Only the reporter's own actions, on the case their receipt opened.
        return (
            transition.reporter
            and case.org_id == actor.org.pk
            and case.pk == actor.reporter_case_id
        )
    if transition.scope == "penalised":
        # The penalised person appeals their own decision, even when the case is about them
        # (and hidden from them); the action checks that the penalty is theirs.
        return case.org_id == actor.org.pk and bool(roles_for(transition, policy) & actor.roles)
    if not not_excluded and is_excluded(actor.user_id, case):
        return False
    roles = roles_for(transition, policy)
    for role in roles & actor.roles:
        if transition.scope == "pending_department":
            if case.pending_department_id in actor.department_ids:
                return True
        elif transition.scope == "return":
            dept = case.pending_department_id or case.lead_department_id
            if dept in actor.department_ids:
                return True
        elif reaches(actor, case, role=role):  # exclusion was checked above
            return True
    return False


@contextmanager
def step(
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
        policy = case_policy(case)
        if not permitted(actor, case, transition, policy):
            raise action_forbidden(action)
        if case.status not in transition.sources:
            raise transition_forbidden(action, case.status)
        step = Step(case, actor, transition, policy, now or timezone.now(), case.status)
        # The stages this action fulfils are met first, so the clocks it starts (a reply
        # clock on acceptance, a notice clock on the decision) are not met at once.
        met = deadlines.meet(case, transition.meets, step.now)
        if met:
            step.data["deadlines_met"] = met
        yield step
        if transition.target is not None and step.case.status == step.before:
            step.case.status = transition.target
        if not case.is_open:
            deadlines.cancel_running(case)
        if step.written and names_identity(case, step.written) and identity_visible(actor, case):
            # Told to this writer alone, on this answer alone (never stored: an event
            # saying so would tell every reader of the timeline).
            case.identity_in_text = True  # type: ignore[attr-defined]
        record_id = step.data.pop("_record", None)
        events.append(
            case,
            EVENT_TYPES[action],
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
        if action in REPORTER_NEWS:
            transaction.on_commit(lambda: _enqueue_reporter_notice(case.pk, action))


# Steps a named reporter who asked for notices hears about (by e-mail or SMS, no content).
REPORTER_NEWS = frozenset({"accept", "reject", "refer", "message_reporter", "reply", "close"})


def _enqueue_reporter_notice(case_id: int, action: str) -> None:
    from tousu.jobs.queue import reporter_notice_task

    reporter_notice_task(case_id, action)


EVENT_TYPES = {
    "register": "registered", "amend": "amended", "classify": "classified",
    "resolve_on_the_spot": "resolved_on_the_spot", "accept": "accepted", "reject": "rejected",
    "refer": "referred", "assign": "assigned", "transfer": "transferred", "receive": "received",
    "return": "returned", "record": "recorded", "pause": "paused", "resume": "resumed",
    "request_extension": "extension_requested", "approve_extension": "extension_decided",
    "escalate": "escalated", "notify_authority": "authority_notified", "split": "split",
    "merge": "merged", "resolve": "resolved", "reply": "replied", "follow_up": "followed_up",
    "close": "closed", "reopen": "reopened", "withdraw": "withdrawn",
    "request_review": "review_requested", "recuse": "recused",
    "request_recusal": "recusal_requested", "decide_recusal": "recusal_decided",
    "request_reveal": "identity_requested", "approve_reveal": "identity_decided",
    "mark_overdue": "deadline_overdue", "remind": "reminded",
    "recompute_deadlines": "deadlines_recomputed", "shred": "personal_data_destroyed",
    "restart_clocks": "clocks_restarted",
    "hold": "legal_hold_placed", "release_hold": "legal_hold_released",
    "redact": "redactions_marked", "attach": "file_attached",
    "message_reporter": "reporter_messaged", "issue_receipt": "receipt_issued",
    "bind_receipt": "receipt_bound", "reporter_message": "reporter_wrote",
    "reporter_evidence": "reporter_evidence_added", "rate": "reporter_rated",
    "disagree": "reporter_disagreed", "confirm_record": "record_confirmed",
    "correct_record": "record_corrected",
    "propose_penalty": "penalty_proposed", "decide_penalty": "penalty_decided",
    "appeal_penalty": "penalty_appealed", "decide_appeal": "appeal_decided",
    "propose_remedy": "remedy_proposed", "approve_remedy": "remedy_decided",
    "record_remedy_paid": "remedy_paid", "propose_reward": "reward_proposed",
    "approve_reward": "reward_decided", "hand_over_reward": "reward_handed_over",
    "record_quality": "quality_recorded", "assign_subtask": "subtask_assigned",
    "complete_subtask": "subtask_completed", "cancel_subtask": "subtask_cancelled",
    "mark_subtask_overdue": "subtask_overdue",
    "record_notice_delivered": "penalty_notice_delivered",
    "start_procedure": "procedure_started", "record_procedure_step": "procedure_step_recorded",
}  # fmt: skip


def department_by_code(org: Organisation, code: str, field_name: str) -> Department:
    dept = Department.objects.filter(org=org, code=code, active=True).first()
    if dept is None:
        raise invalid(field_name, f"未知部门：{code}", f"Unknown department: {code}")
    return dept


def staff_in(
    org: Organisation,
    username: str,
    department: Department,
    field_name: str,
    case: Case | None = None,
) -> int:
    """A handler of ``department``; never one excluded from ``case`` (recused or its subject)."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is not None and case is not None and is_excluded(int(user.pk), case):
        raise invalid(
            field_name,
            f"{username} 须回避本案，不能承办",
            f"{username} is excluded from this case and cannot handle it",
        )
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


def check_category(policy: Policy, code: str, field_name: str = "category") -> None:
    if code and policy.category(code) is None:
        raise invalid(field_name, f"未知类别：{code}", f"Unknown category: {code}")


def stage_list(items: list[Deadline]) -> list[dict[str, str]]:
    return [{"stage": d.stage, "due_at": d.due_at.isoformat()} for d in items]


def running_deadline(case: Case, stage: str) -> Deadline:
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

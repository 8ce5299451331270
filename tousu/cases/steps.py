"""The machinery every case action runs in.

:func:`step` (1) locks the case row, (2) checks the actor's permission, then the
transition table, (3) lets the action apply its change, (4) marks the deadlines
the action fulfils and writes its event — all in one transaction, so a refused
or failing action changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tousu.cases import deadlines, events, outbox
from tousu.cases.access import Actor, identity_visible, is_excluded, permitted
from tousu.cases.errors import (
    action_forbidden,
    invalid,
    not_found,
    transition_forbidden,
)
from tousu.cases.lifecycle import TABLE, Transition
from tousu.cases.models import Case, CaseRecord, Deadline, Notification
from tousu.cases.redaction import names_identity
from tousu.i18n import either
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
    # Notices this step wrote: delivered together, by one outbox row, after commit.
    notices: list[int] = field(default_factory=list)

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
            self.tell(user_id, kind)

    def tell(self, user_id: int, kind: str) -> None:
        """Write a notice without the checks of :meth:`notify` (a decision about the reader
        themself reaches them even on a case hidden from them)."""
        note = Notification.objects.create(
            user_id=user_id, case=self.case, kind=kind, created_at=self.now
        )
        self.notices.append(note.pk)


def case_policy(case: Case) -> Policy:
    return policy_for(case.policy_version_id)[1]


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
            deadlines.cancel_running(case, before=step.now)
        if step.written and names_identity(case, step.written) and identity_visible(actor, case):
            # Told to this writer alone, on this answer alone (never stored: an event
            # saying so would tell every reader of the timeline).
            case.identity_in_text = True  # type: ignore[attr-defined]
        record_id = step.data.pop("_record", None)
        events.append(
            case,
            transition.event,
            actor_id=actor.user_id,
            at=step.now,
            from_status=step.before,
            to_status=case.status,
            reason_code=reason_code,
            record=record_id,
            data=step.data,
        )
        case.updated_at = step.now
        deadlines.summarise(case)
        case.save()
        if step.notices:
            outbox.write("deliver", {"notifications": step.notices}, now=step.now)
        if transition.tells_reporter:
            outbox.write("reporter_notice", {"case": case.pk, "action": action}, now=step.now)


def department_by_code(org: Organisation, code: str, field_name: str) -> Department:
    dept = Department.objects.filter(org=org, code=code, active=True).first()
    if dept is None:
        raise invalid(field_name, gettext_lazy("未知部门：{code}"), {"code": code})
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
            gettext_lazy("{username} 须回避本案，不能承办"),
            {"username": username},
        )
    if user is None or not Membership.objects.filter(
        user=user, org=org, department=department, active=True,
        role__in=[Role.HANDLER, Role.DEPARTMENT_HEAD],
    ).exists():  # fmt: skip
        raise invalid(
            field_name,
            gettext_lazy("{username} 不是{department}的承办人员"),
            {"username": username, "department": either(department.name, department.name_en)},
        )
    return int(user.pk)


def check_category(policy: Policy, code: str, field_name: str = "category") -> None:
    if not code:
        return
    category = policy.category(code)
    if category is None:
        raise invalid(field_name, gettext_lazy("未知类别：{code}"), {"code": code})
    if category.retired:
        raise invalid(
            field_name,
            gettext_lazy("类别“{name}”已停用，不能用于新案件"),
            {"name": category.name_zh},
        )


def stage_list(items: list[Deadline]) -> list[dict[str, str]]:
    return [{"stage": d.stage, "due_at": d.due_at.isoformat()} for d in items]


def running_deadline(case: Case, stage: str) -> Deadline:
    deadline = Deadline.objects.filter(
        case=case, stage=stage, state__in=[Deadline.State.OPEN, Deadline.State.PAUSED]
    ).first()
    if deadline is None:
        raise invalid(
            "stage",
            gettext_lazy("该阶段没有正在计时的期限：{stage}"),
            {"stage": stage},
        )
    return deadline

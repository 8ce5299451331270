"""The desk's work queues: what waits on each role, nearest deadline first.

Every queue is a filter on :func:`tousu.cases.access.visible_cases`, so a queue can
never show a case its viewer may not open. Two queues wait on a decision rather than on
work: 待结案 (cases that only need closing, for the roles that close) and 待审批 (requests
awaiting the viewer's decision: extensions, penalties, appeals, remedies, rewards,
recusals, identity reveals — each listed only when the viewer may decide it).

Each role lands on its own queue after signing in (:func:`landing`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy, pgettext_lazy

from tousu.accountability.models import Appeal, Penalty
from tousu.cases.access import Actor, permitted, reaches, roles_for, visible_cases
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseRecord,
    IdentityReveal,
    Kind,
    Recusal,
    Status,
)
from tousu.i18n import Text
from tousu.orgs.models import Department
from tousu.orgs.roles import Role
from tousu.policy.models import policy_for
from tousu.policy.schema import CHANNELS, Policy
from tousu.remedies.models import Remedy, Reward
from tousu.remedies.services import chain, covers
from tousu.web.bulk import ready_to_close


@dataclass(frozen=True)
class Queue:
    code: str
    name: Text

    @property
    def title(self) -> str:
        return str(self.name)


QUEUES = (
    Queue("mine", pgettext_lazy("queue", "我的案件")),
    Queue("department", gettext_lazy("本部门")),
    Queue("dispatch", gettext_lazy("待分办")),
    Queue("close", gettext_lazy("待结案")),
    Queue("approvals", gettext_lazy("待审批")),
    Queue("due_soon", gettext_lazy("即将到期")),
    Queue("overdue", pgettext_lazy("queue", "已超期")),
    Queue("follow_up", gettext_lazy("待回访")),
)
BY_CODE = {q.code: q for q in QUEUES}

# The decisions the 待审批 queue collects: (what waits, the action that decides it).
APPROVALS: dict[str, tuple[str, Text]] = {
    "extension": ("approve_extension", gettext_lazy("延期申请")),
    "penalty": ("decide_penalty", gettext_lazy("处罚意见")),
    "appeal": ("decide_appeal", gettext_lazy("处罚申诉")),
    "remedy": ("approve_remedy", gettext_lazy("赔付/退换货")),
    "reward": ("approve_reward", gettext_lazy("举报奖励")),
    "recusal": ("decide_recusal", gettext_lazy("回避申请")),
    "reveal": ("approve_reveal", gettext_lazy("查看身份申请")),
}

# Where each role lands after signing in, the first that applies to a person with several
# roles (and whose queue they have). An administrator, who handles no cases, lands on the
# organisation's administration.
LANDING: tuple[tuple[str, str], ...] = (
    (Role.LEADER, "approvals"),
    (Role.SUPERVISOR, "close"),
    (Role.DISPATCHER, "dispatch"),
    (Role.DEPARTMENT_HEAD, "department"),
    (Role.HANDLER, "mine"),
    (Role.INTAKE_CLERK, "mine"),
    (Role.AUDITOR, "overdue"),
)


# -- which queues, where one lands ----------------------------------------------------------


def approver_roles(policy: Policy) -> frozenset[str]:
    """The roles that decide at least one kind of request under this policy."""
    roles: set[str] = set()
    for action, _label in APPROVALS.values():
        if action in TABLE:
            roles |= roles_for(TABLE[action], policy)
    return frozenset(roles)


def available(actor: Actor, policy: Policy) -> tuple[Queue, ...]:
    """The queues shown to this person: 待结案 to those who close, 待审批 to approvers."""
    hidden = set()
    if not actor.roles & TABLE["close"].roles:
        hidden.add("close")
    if not actor.roles & approver_roles(policy):
        hidden.add("approvals")
    return tuple(q for q in QUEUES if q.code not in hidden)


def landing(actor: Actor, policy: Policy) -> str | None:
    """The queue this person lands on; None for an administrator with no case role."""
    codes = {q.code for q in available(actor, policy)}
    for role, code in LANDING:
        if role in actor.roles and code in codes:
            return code
    if actor.roles <= {Role.ADMINISTRATOR}:
        return None
    return "mine" if actor.department_ids else "dispatch"


# -- filters a queue can be narrowed by (and saved) ------------------------------------------


@dataclass(frozen=True)
class Narrowing:
    """A queue's filters: kind, category, channel, lead department (empty: all)."""

    kind: str = ""
    category: str = ""
    channel: str = ""
    department: str = ""

    def q(self) -> Q:
        found = Q()
        if self.kind:
            found &= Q(kind=self.kind)
        if self.category:
            found &= Q(category=self.category)
        if self.channel:
            found &= Q(channel=self.channel)
        if self.department:
            found &= Q(lead_department__code=self.department)
        return found

    @property
    def active(self) -> bool:
        return bool(self.kind or self.category or self.channel or self.department)

    def params(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


class NarrowingError(Exception):
    def __init__(self, errors: dict[str, Text]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def narrowing(params: Mapping[str, Any], policy: Policy, org_id: int) -> Narrowing:
    """Read a queue's filters from the query string; :class:`NarrowingError` names a bad one."""
    errors: dict[str, Text] = {}

    def one(name: str, allowed: Iterable[str], what: Text) -> str:
        value = str(params.get(name) or "").strip()
        if value and value not in set(allowed):
            errors[name] = format_lazy(
                gettext_lazy("未知{what}：{shown}"), what=what, shown=value[:40]
            )
            return ""
        return value

    found = Narrowing(
        kind=one("kind", Kind.values, pgettext_lazy("filter", "类型")),
        category=one(
            "category", (c.code for c in policy.categories), pgettext_lazy("filter", "类别")
        ),
        channel=one("channel", (*CHANNELS, "on_the_spot"), pgettext_lazy("filter", "渠道")),
        department=one(
            "department",
            Department.objects.filter(org_id=org_id).values_list("code", flat=True),
            pgettext_lazy("filter", "部门"),
        ),
    )
    if errors:
        raise NarrowingError(errors)
    return found


# -- the queues' cases -----------------------------------------------------------------------


def queue_filter(code: str, actor: Actor, now: datetime) -> Q:
    open_ = Q(status__in=OPEN_STATUSES)
    if code == "mine":
        return open_ & (
            Q(handler_id=actor.user_id)
            | Q(first_contact_owner_id=actor.user_id, status__in=[Status.REGISTERED])
        )
    if code == "department":
        depts = actor.department_ids
        return open_ & (Q(lead_department_id__in=depts) | Q(pending_department_id__in=depts))
    if code == "dispatch":
        return Q(status__in=[Status.REGISTERED, Status.ACCEPTED], lead_department__isnull=True)
    if code == "close":
        return ready_to_close(actor.org.pk)
    if code == "due_soon":
        soon = now + timedelta(hours=settings.TOUSU_REMIND_BEFORE_HOURS)
        # The nearest running hard limit, kept on the case row (Case.next_hard_due_at).
        return open_ & Q(next_hard_due_at__gte=now, next_hard_due_at__lt=soon)
    if code == "overdue":
        return open_ & Q(next_hard_due_at__lt=now)
    if code == "follow_up":
        return Q(status=Status.REPLIED)
    raise KeyError(code)


def _ordered(cases: QuerySet[Case]) -> QuerySet[Case]:
    return (
        cases.select_related("lead_department")
        # Nearest running deadline first (kept on the case row: Case.next_due_at), cases
        # without one last (the same on both databases).
        .order_by(F("next_due_at").asc(nulls_last=True), "-received_at", "-pk")
    )


def queue_cases(
    code: str,
    actor: Actor,
    now: datetime,
    narrowed: Narrowing | None = None,
    waiting: Mapping[int, list[str]] | None = None,
) -> QuerySet[Case]:
    """The queue's cases, nearest open deadline first (cases without one last).

    ``waiting``: for 待审批, what :func:`approvals` found (computed once per request).
    """
    cases = visible_cases(actor)
    if code == "approvals":
        ids = list((waiting if waiting is not None else approvals(actor)).keys())
        cases = cases.filter(pk__in=ids)
    else:
        cases = cases.filter(queue_filter(code, actor, now))
    if narrowed is not None and narrowed.active:
        cases = cases.filter(narrowed.q())
    return _ordered(cases)


class Counted:
    """A queue whose length is already known, for Django's paginator."""

    def __init__(self, cases: QuerySet[Case], total: int) -> None:
        self.cases = cases
        self.total = total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: slice) -> list[Case]:
        return list(self.cases[index])


def counts(
    actor: Actor,
    now: datetime,
    shown: Iterable[Queue] = QUEUES,
    waiting: Mapping[int, list[str]] | None = None,
) -> dict[str, int]:
    """How many cases wait in each queue shown, for the tabs: one scan of the open cases
    (and, for 待审批, the requests found by :func:`approvals`)."""
    codes = [q.code for q in shown]
    scanned = [c for c in codes if c != "approvals"]
    waiting_statuses = OPEN_STATUSES | {Status.REPLIED}
    totals = (
        visible_cases(actor)
        .filter(status__in=waiting_statuses)
        .aggregate(**{c: Count("pk", filter=queue_filter(c, actor, now)) for c in scanned})
        if scanned
        else {}
    )
    result = {code: int(n or 0) for code, n in totals.items()}
    if "approvals" in codes:
        result["approvals"] = len(waiting if waiting is not None else approvals(actor))
    return result


# -- 待审批: what awaits this person's decision ------------------------------------------------


def _pending(actor: Actor) -> dict[int, list[tuple[str, Any]]]:
    """Requests awaiting a decision on the cases this person sees: case id → (what, row)."""
    seen = visible_cases(actor).values("pk")
    found: dict[int, list[tuple[str, Any]]] = defaultdict(list)
    extensions = CaseRecord.objects.filter(
        pk__in=Case.objects.filter(pk__in=seen, pending_extension__isnull=False).values(
            "pending_extension_id"
        )
    )
    for record in extensions:
        found[record.case_id].append(("extension", record))
    for penalty in Penalty.objects.filter(case_id__in=seen, status=Penalty.Status.PROPOSED):
        found[penalty.case_id].append(("penalty", penalty))
    for appeal in Appeal.objects.filter(
        penalty__case_id__in=seen, status=Appeal.Status.PENDING
    ).select_related("penalty"):
        found[appeal.penalty.case_id].append(("appeal", appeal))
    for remedy in Remedy.objects.filter(case_id__in=seen, state=Remedy.State.PROPOSED):
        found[remedy.case_id].append(("remedy", remedy))
    for reward in Reward.objects.filter(case_id__in=seen, state=Reward.State.PROPOSED):
        found[reward.case_id].append(("reward", reward))
    for recusal in Recusal.objects.filter(case_id__in=seen, state=Recusal.State.PENDING):
        found[recusal.case_id].append(("recusal", recusal))
    for reveal in IdentityReveal.objects.filter(
        case_id__in=seen, state=IdentityReveal.State.PENDING
    ):
        found[reveal.case_id].append(("reveal", reveal))
    return found


def _may_decide(actor: Actor, case: Case, policy: Policy, what: str, row: Any) -> bool:
    """Whether this person may decide this request (the checks its action makes first)."""
    action = APPROVALS[what][0]
    transition = TABLE.get(action)
    if transition is None or case.status not in transition.sources:
        return False
    if not permitted(actor, case, transition, policy, not_excluded=True):
        return False
    me = actor.user_id
    if what == "extension":
        return bool(row.created_by_id != me)
    if what == "remedy":
        if row.proposed_by_id == me:
            return False
        held = {role for role in actor.roles if reaches(actor, case, role=role)}
        rows = chain(policy, row.kind)
        if rows:
            return any(covers(limit, row) for limit in rows if limit.role in held)
        return bool(held & set(policy.permissions.approve_compensation))
    if what == "recusal":
        return bool(row.user_id != me)
    if what == "reveal":
        return me not in (row.requested_by_id, case.handler_id)
    return True  # penalties, appeals, rewards: the table's roles and the policy decide


def approvals(actor: Actor) -> dict[int, list[str]]:
    """The cases with a request this person may decide: case id → what waits (labels)."""
    pending = _pending(actor)
    if not pending:
        return {}
    cases = Case.objects.filter(pk__in=list(pending)).select_related("org")
    result: dict[int, list[str]] = {}
    for case in cases:
        policy = policy_for(case.policy_version_id)[1]
        labels = [
            str(APPROVALS[what][1])
            for what, row in pending[case.pk]
            if _may_decide(actor, case, policy, what, row)
        ]
        if labels:
            result[case.pk] = list(dict.fromkeys(labels))
    return result

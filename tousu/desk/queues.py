"""The desk's work queues: what needs doing, nearest deadline first.

Every queue is a filter on :func:`tousu.cases.access.visible_cases`, so a queue can
never show a case its viewer may not open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy, pgettext_lazy

from tousu.cases.access import Actor, visible_cases
from tousu.cases.models import OPEN_STATUSES, Case, Deadline, Status
from tousu.i18n import Text


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
    Queue("due_soon", gettext_lazy("即将到期")),
    Queue("overdue", pgettext_lazy("queue", "已超期")),
    Queue("follow_up", gettext_lazy("待回访")),
)
BY_CODE = {q.code: q for q in QUEUES}


def _open_hard(now: datetime, *, before: datetime | None = None, overdue: bool) -> Exists:
    deadlines = Deadline.objects.filter(
        case_id=OuterRef("pk"), state=Deadline.State.OPEN, hard=True
    )
    if overdue:
        deadlines = deadlines.filter(due_at__lt=now)
    else:
        deadlines = deadlines.filter(due_at__gte=now, due_at__lt=before)
    return Exists(deadlines)


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
    if code == "due_soon":
        soon = now + timedelta(hours=settings.TOUSU_REMIND_BEFORE_HOURS)
        return open_ & Q(_open_hard(now, before=soon, overdue=False))
    if code == "overdue":
        return open_ & Q(_open_hard(now, overdue=True))
    if code == "follow_up":
        return Q(status=Status.REPLIED)
    raise KeyError(code)


def queue_cases(code: str, actor: Actor, now: datetime) -> QuerySet[Case]:
    """The queue's cases, nearest open deadline first (cases without one last)."""
    next_due = (
        Deadline.objects.filter(case_id=OuterRef("pk"), state=Deadline.State.OPEN)
        .order_by("due_at")
        .values("due_at")[:1]
    )
    return (
        visible_cases(actor)
        .filter(queue_filter(code, actor, now))
        .annotate(next_due=Subquery(next_due))
        .select_related("lead_department")
        # Nearest deadline first, cases without one last (the same on both databases).
        .order_by(F("next_due").asc(nulls_last=True), "-received_at", "-pk")
    )


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


def counts(actor: Actor, now: datetime) -> dict[str, int]:
    """How many cases wait in each queue, for the tabs: one scan of the open cases."""
    waiting = OPEN_STATUSES | {Status.REPLIED}
    totals = (
        visible_cases(actor)
        .filter(status__in=waiting)
        .aggregate(**{q.code: Count("pk", filter=queue_filter(q.code, actor, now)) for q in QUEUES})
    )
    return {code: int(n or 0) for code, n in totals.items()}

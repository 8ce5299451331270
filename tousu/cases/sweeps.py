"""What the job worker does to cases: escalate overdue deadlines, remind before they fall due.

Both are system actions in the transition table, so they run inside
:func:`tousu.cases.steps.step` like any other: locked, one transaction, one event.
Each first claims its deadline with a conditional UPDATE (``... WHERE overdue_at IS
NULL``) and goes on only if it changed exactly one row, so any number of workers
and repeated sweeps act exactly once per deadline. Both take ``now`` as a
parameter, so tests can run them at any moment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from tousu.cases import deadlines
from tousu.cases.access import system_actor
from tousu.cases.errors import TousuError
from tousu.cases.models import Case, Deadline
from tousu.cases.steps import step
from tousu.clock.overrides import clear_cache as clear_calendars
from tousu.orgs.models import Organisation
from tousu.orgs.roles import Role


class AlreadyDone(Exception):
    """Another worker, or an earlier sweep, has already acted on this deadline."""


def _org_of(case_id: int) -> Organisation:
    return Organisation.objects.get(cases__pk=case_id)


def mark_overdue(case_id: int, *, deadline_id: int, now: datetime) -> Case:
    """逾期督办: a hard deadline passed; tell those the policy names, the handler and the
    first-contact owner."""
    with step("mark_overdue", case_id, system_actor(_org_of(case_id)), now) as s:
        claimed = Deadline.objects.filter(
            pk=deadline_id, case_id=case_id, state=Deadline.State.OPEN, hard=True,
            overdue_at__isnull=True, due_at__lt=s.now,
        ).update(overdue_at=s.now)  # fmt: skip
        if claimed != 1:
            raise AlreadyDone
        deadline = Deadline.objects.get(pk=deadline_id)
        s.data.update(stage=deadline.stage, due_at=deadline.due_at.isoformat())
        recipients = s.members(s.policy.escalation.overdue_to)
        recipients |= {u for u in (s.case.handler_id, s.case.first_contact_owner_id) if u}
        for user_id in sorted(recipients):
            s.notify(user_id, "deadline_overdue")
    return s.case


def remind(case_id: int, *, deadline_id: int, now: datetime) -> Case:
    """到期提醒: a deadline falls due soon; remind whoever must act on it."""
    with step("remind", case_id, system_actor(_org_of(case_id)), now) as s:
        claimed = Deadline.objects.filter(
            pk=deadline_id, case_id=case_id, state=Deadline.State.OPEN,
            reminded_at__isnull=True, due_at__gte=s.now,
        ).update(reminded_at=s.now)  # fmt: skip
        if claimed != 1:
            raise AlreadyDone
        deadline = Deadline.objects.get(pk=deadline_id)
        s.data.update(stage=deadline.stage, due_at=deadline.due_at.isoformat())
        if deadline.stage == "follow_up":
            recipients = {s.case.first_contact_owner_id}
        elif s.case.handler_id:
            recipients = {s.case.handler_id}
        elif s.case.lead_department_id:
            recipients = s.members([Role.DEPARTMENT_HEAD])
        else:
            recipients = s.members(list(s.policy.permissions.decide_acceptance))
        for user_id in sorted(recipients):
            s.notify(user_id, "deadline_due_soon")
    return s.case


def recompute_deadlines(case_id: int, *, reason: str, now: datetime) -> Case:
    """重算期限: the calendar changed (a holiday schedule was loaded); each change is recorded."""
    with step("recompute_deadlines", case_id, system_actor(_org_of(case_id)), now) as s:
        changes = deadlines.recompute(s.case, s.policy)
        if not changes:
            raise AlreadyDone  # nothing moved: no event
        s.data.update(reason=reason, recomputed=changes)
    return s.case


def restart_clocks(case_id: int, *, merged: str, by: int, now: datetime) -> Case:
    """Order 121 Art. 35: new facts merged into a case restart its running clocks (a paused
    one stays paused), recorded on that case's own timeline."""
    with step("restart_clocks", case_id, system_actor(_org_of(case_id)), now) as s:
        running = Deadline.objects.filter(case=s.case, state__in=deadlines.RUNNING)
        running.update(started_at=s.now, known_at=s.now, paused_days=0)
        running.filter(state=Deadline.State.PAUSED).update(paused_at=s.now)
        s.data.update(merged=merged, by=by, recomputed=deadlines.recompute(s.case, s.policy))
    return s.case


def recompute_after_calendar_change(
    org_id: int | None, years: tuple[int, ...], *, reason: str, now: datetime
) -> int:
    """Recompute the running deadlines a calendar change can reach; returns cases changed.

    Reached: deadlines started or due in a changed year, and every provisional one.
    ``org_id`` None means an installation-wide change (every organisation).
    """
    clear_calendars()
    running = Deadline.objects.filter(state__in=deadlines.RUNNING)
    if org_id is not None:
        running = running.filter(case__org_id=org_id)
    reached = running.filter(
        Q(provisional=True) | Q(due_at__year__in=years) | Q(started_at__year__in=years)
    )
    changed = 0
    for case_id in reached.values_list("case_id", flat=True).distinct().order_by("case_id"):
        try:
            recompute_deadlines(case_id, reason=reason, now=now)
        except (AlreadyDone, TousuError):
            continue
        changed += 1
    return changed


@dataclass
class SweepResult:
    overdue: int = 0
    reminded: int = 0
    skipped: int = 0


def due_soon_window() -> timedelta:
    return timedelta(hours=getattr(settings, "TOUSU_REMIND_BEFORE_HOURS", 24))


def overdue_candidates(now: datetime) -> QuerySet[Deadline]:
    # Uses the index deadline_state_due.
    return Deadline.objects.filter(
        state=Deadline.State.OPEN, hard=True, overdue_at__isnull=True, due_at__lt=now
    )


def reminder_candidates(now: datetime) -> QuerySet[Deadline]:
    # Uses the index deadline_state_due.
    return Deadline.objects.filter(
        state=Deadline.State.OPEN,
        reminded_at__isnull=True,
        due_at__gte=now,
        due_at__lt=now + due_soon_window(),
    )


def sweep(now: datetime, *, batch: int = 500) -> SweepResult:
    """One pass: escalate what is overdue, remind what falls due soon. Idempotent."""
    result = SweepResult()
    passes: list[tuple[QuerySet[Deadline], Callable[..., Case], str]] = [
        (overdue_candidates(now), mark_overdue, "overdue"),
        (reminder_candidates(now), remind, "reminded"),
    ]
    for candidates, act, counter in passes:
        for deadline_id, case_id in candidates.order_by("due_at").values_list("pk", "case_id")[
            :batch
        ]:
            try:
                act(case_id, deadline_id=deadline_id, now=now)
            except (AlreadyDone, TousuError):
                # Claimed elsewhere, or the case moved on (closed) since we looked.
                result.skipped += 1
            else:
                setattr(result, counter, getattr(result, counter) + 1)
    return result


# The core's system actions (tousu.cases.actions registers them; the apps above add theirs
# from their ready(): retention shred, quality the overdue sub-task).
CORE_SYSTEM_FUNCTIONS: dict[str, Callable[..., Case]] = {
    "mark_overdue": mark_overdue,
    "remind": remind,
    "recompute_deadlines": recompute_deadlines,
    "restart_clocks": restart_clocks,
}

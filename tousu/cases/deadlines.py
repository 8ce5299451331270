"""Deadlines on a case: started by events, met by actions, moved by pauses and extensions.

The arithmetic lives in :mod:`tousu.clock.calendar`; the rules come from the
policy version the case was registered under.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tousu.cases.models import Case, Deadline
from tousu.clock.calendar import DueRule, compute_due, default_calendar
from tousu.policy.schema import DeadlineRule, Policy


def due_for(
    rule: DeadlineRule, start: datetime, policy: Policy, tz: ZoneInfo
) -> tuple[datetime, bool]:
    """When a rule's period ends for a clock started at ``start``.

    Not for ``customer_date`` or ``none`` rules, which have no arithmetic.
    """
    assert rule.unit != "customer_date" and rule.unit != "none"
    return compute_due(
        start,
        DueRule(
            amount=rule.amount,
            unit=rule.unit,
            end_of_day=rule.end_of_day,
            after_hours_next_working_day=rule.after_hours,
        ),
        default_calendar(),
        tz,
        close_of_business=policy.working_hours.end,
        working_start=policy.working_hours.start,
    )


def start_clocks(
    case: Case, policy: Policy, start: str, at: datetime, *, new_case: bool = False
) -> list[Deadline]:
    """Create the deadlines whose clock starts with ``start`` (received, accepted, ...).

    A stage whose clock is already running keeps it; a "no limit" rule makes no
    clock. ``new_case`` skips the look-up when nothing can be running yet.
    """
    rules = policy.rules_for(
        kind=case.kind,
        channel=case.channel,
        complexity=case.complexity,
        start=start,
        category=case.category,
        departments=case.involved_departments,
        customer_date=case.customer_deadline is not None,
    )
    if not rules:
        return []
    tz = ZoneInfo(case.org.time_zone)
    running: set[tuple[str, bool]] = set()
    if not new_case:
        running = set(
            Deadline.objects.filter(
                case=case, state__in=[Deadline.State.OPEN, Deadline.State.PAUSED]
            ).values_list("stage", "hard")
        )
    created = []
    for rule in rules:
        if (rule.stage, rule.hard) in running or rule.unit == "none":
            continue
        if rule.unit == "customer_date":
            assert case.customer_deadline is not None
            due_at, provisional = case.customer_deadline, False
        else:
            due_at, provisional = due_for(rule, at, policy, tz)
        created.append(
            Deadline(
                case=case,
                stage=rule.stage,
                start=start,
                started_at=at,
                due_at=due_at,
                hard=rule.hard,
                provisional=provisional,
                rule=rule.model_dump(
                    mode="json",
                    include={
                        "amount",
                        "unit",
                        "end_of_day",
                        "after_hours",
                        "clause",
                        "org_default",
                    },
                ),
                text_zh=rule.text_zh,
                text_en=rule.text_en,
            )
        )
    Deadline.objects.bulk_create(created)
    return created


def meet(case: Case, stages: frozenset[str], at: datetime) -> list[str]:
    """Mark the running deadlines of these stages as met; returns the stages met."""
    if not stages:
        return []
    running = Deadline.objects.filter(
        case=case, stage__in=stages, state__in=[Deadline.State.OPEN, Deadline.State.PAUSED]
    )
    met = sorted(running.values_list("stage", flat=True))
    running.update(state=Deadline.State.MET, met_at=at, paused_at=None)
    return met


def cancel_running(case: Case) -> None:
    Deadline.objects.filter(
        case=case, state__in=[Deadline.State.OPEN, Deadline.State.PAUSED]
    ).update(state=Deadline.State.CANCELLED)


def pause(case: Case, at: datetime) -> None:
    Deadline.objects.filter(case=case, state=Deadline.State.OPEN, hard=True).update(
        state=Deadline.State.PAUSED, paused_at=at
    )


def resume(case: Case, at: datetime) -> list[dict[str, str]]:
    """Restart paused clocks; each moves by the working days the pause lasted."""
    cal = default_calendar()
    tz = ZoneInfo(case.org.time_zone)
    moved = []
    for deadline in Deadline.objects.filter(case=case, state=Deadline.State.PAUSED):
        assert deadline.paused_at is not None
        paused_days = cal.working_days_between(
            deadline.paused_at.astimezone(tz).date(), at.astimezone(tz).date()
        )
        due_local = deadline.due_at.astimezone(tz)
        new_date = cal.add_working_days(due_local.date(), paused_days)
        deadline.due_at = due_local.replace(
            year=new_date.date.year, month=new_date.date.month, day=new_date.date.day
        )
        deadline.provisional = deadline.provisional or new_date.provisional
        deadline.state = Deadline.State.OPEN
        deadline.paused_at = None
        deadline.save(update_fields=["due_at", "provisional", "state", "paused_at"])
        moved.append({"stage": deadline.stage, "due_at": deadline.due_at.isoformat()})
    return moved


def extend(deadline: Deadline, amount: int, unit: str) -> None:
    """Move a deadline later by an approved extension."""
    cal = default_calendar()
    tz = ZoneInfo(deadline.case.org.time_zone)
    due_local = deadline.due_at.astimezone(tz)
    if unit == "working_days":
        new = cal.add_working_days(due_local.date(), amount)
    elif unit == "months":
        new = cal.add_months(due_local.date(), amount)
    elif unit == "weeks":
        new = cal.add_weeks(due_local.date(), amount)
    else:  # calendar days; hours-based extensions are not offered by any policy
        new = cal.add_calendar_days(due_local.date(), amount)
    deadline.due_at = due_local.replace(year=new.date.year, month=new.date.month, day=new.date.day)
    deadline.provisional = deadline.provisional or new.provisional
    deadline.extended += amount
    deadline.save(update_fields=["due_at", "provisional", "extended"])


def is_overdue(deadline: Deadline, now: datetime) -> bool:
    return deadline.state == Deadline.State.OPEN and deadline.hard and deadline.due_at < now


def remaining(deadline: Deadline, now: datetime) -> timedelta | None:
    if deadline.state != Deadline.State.OPEN:
        return None
    return deadline.due_at - now

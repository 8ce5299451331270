"""Deadlines on a case: started by events, met by actions, moved by pauses and extensions.

A deadline's due time is always derived the same way (:func:`due_of`): the rule's
period from the moment its clock started, plus the working days it stood paused,
plus approved extensions — so re-classifying a case, or loading the year's
holiday schedule, recomputes it exactly. The arithmetic lives in
:mod:`tousu.clock.calendar`; the rules come from the policy version the case was
registered under; the calendar is the organisation's (with its overrides).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tousu.cases.models import Case, Deadline
from tousu.clock.calendar import Due, DueRule, WorkCalendar, compute_due
from tousu.clock.overrides import calendar_for
from tousu.policy.schema import DeadlineRule, Policy

RUNNING = (Deadline.State.OPEN, Deadline.State.PAUSED)


def _shift(cal: WorkCalendar, day: date, amount: int, unit: str) -> Due:
    if unit == "working_days":
        return cal.add_working_days(day, amount)
    if unit == "months":
        return cal.add_months(day, amount)
    if unit == "weeks":
        return cal.add_weeks(day, amount)
    return cal.add_calendar_days(day, amount)


def due_of(
    rule: DeadlineRule,
    started_at: datetime,
    policy: Policy,
    cal: WorkCalendar,
    tz: ZoneInfo,
    *,
    customer_deadline: datetime | None = None,
    paused_days: int = 0,
    extended: int = 0,
) -> tuple[datetime, bool]:
    """When a clock running under ``rule`` ends, and whether that rests on an unpublished
    holiday schedule (provisional)."""
    if paused_days and rule.unit in ("working_days", "calendar_days"):
        # Time paused is excluded from the period itself (Order 121: testing time is not
        # counted), so a calendar-day period that lands on a holiday rolls forward once.
        rule = rule.model_copy(update={"amount": rule.amount + paused_days})
        paused_days = 0
    if rule.unit == "customer_date":
        assert customer_deadline is not None
        due, provisional = customer_deadline, False
    else:
        assert rule.unit != "none"
        due, provisional = compute_due(
            started_at,
            DueRule(
                amount=rule.amount,
                unit=rule.unit,
                end_of_day=rule.end_of_day,
                after_hours_next_working_day=rule.after_hours,
            ),
            cal,
            tz,
            close_of_business=policy.working_hours.end,
            working_start=policy.working_hours.start,
        )
    local = due.astimezone(tz)
    # A pause counts in the rule's own kind of day; an extension in the policy's unit.
    pause_unit = "working_days" if rule.unit == "working_days" else "calendar_days"
    moves = [(paused_days, pause_unit), (extended, policy.extension.unit)]
    for amount, unit in moves:
        if amount:
            # 24:00 is stored as 00:00 of the next day: shift the last day, not that one.
            midnight = local.time() == time(0) and rule.end_of_day
            day = local.date() - timedelta(days=1) if midnight else local.date()
            shifted = _shift(cal, day, amount, unit)
            provisional = provisional or shifted.provisional
            new_day = shifted.date + timedelta(days=1) if midnight else shifted.date
            local = datetime.combine(new_day, local.timetz())
    return local, provisional


def _rules(case: Case, policy: Policy, start: str) -> list[DeadlineRule]:
    return policy.rules_for(
        kind=case.kind,
        channel=case.channel,
        complexity=case.complexity,
        start=start,
        category=case.category,
        departments=case.involved_departments,
        customer_date=case.customer_deadline is not None,
    )


def start_clocks(
    case: Case,
    policy: Policy,
    start: str,
    at: datetime,
    *,
    new_case: bool = False,
    skip: set[tuple[str, bool]] | None = None,
) -> list[Deadline]:
    """Create the deadlines whose clock starts with ``start`` (received, accepted, ...).

    A stage whose clock is already running keeps it; a "no limit" rule makes no
    clock. ``new_case`` skips the look-up when nothing can be running yet.
    """
    rules = _rules(case, policy, start)
    if not rules:
        return []
    tz = ZoneInfo(case.org.time_zone)
    cal = calendar_for(case.org_id)
    running: set[tuple[str, bool]] = set()
    if not new_case:
        running = set(
            Deadline.objects.filter(case=case, state__in=RUNNING).values_list("stage", "hard")
        )
    created = []
    for rule in rules:
        key = (rule.stage, rule.hard)
        if key in running or (skip and key in skip) or rule.unit == "none":
            continue
        due_at, provisional = due_of(
            rule, at, policy, cal, tz, customer_deadline=case.customer_deadline
        )
        created.append(
            Deadline(
                case=case,
                stage=rule.stage,
                start=start,
                started_at=at,
                due_at=due_at,
                hard=rule.hard,
                provisional=provisional,
                rule=_rule_json(rule),
                text_zh=rule.text_zh,
                text_en=rule.text_en,
            )
        )
    Deadline.objects.bulk_create(created)
    return created


def _rule_json(rule: DeadlineRule) -> dict[str, object]:
    return rule.model_dump(
        mode="json",
        include={"amount", "unit", "end_of_day", "after_hours", "clause", "org_default"},
    )


def recompute(case: Case, policy: Policy) -> list[dict[str, str]]:
    """Re-derive every running deadline (after re-classification or a calendar change).

    A stage whose rule no longer applies is cancelled; a rule that now applies to a
    clock already started gets its deadline. Returns the changes, for the event.
    """
    tz = ZoneInfo(case.org.time_zone)
    cal = calendar_for(case.org_id)
    changes: list[dict[str, str]] = []
    started: dict[str, datetime] = {}
    for deadline in Deadline.objects.filter(case=case, state__in=RUNNING):
        started.setdefault(deadline.start, deadline.started_at)
        rule = next(
            (r for r in _rules(case, policy, deadline.start)
             if (r.stage, r.hard) == (deadline.stage, deadline.hard) and r.unit != "none"),
            None,
        )  # fmt: skip
        if rule is None:
            deadline.state = Deadline.State.CANCELLED
            deadline.save(update_fields=["state"])
            changes.append({"stage": deadline.stage, "from": deadline.due_at.isoformat(), "to": ""})
            continue
        due_at, provisional = due_of(
            rule, deadline.started_at, policy, cal, tz,
            customer_deadline=case.customer_deadline,
            paused_days=deadline.paused_days, extended=deadline.extended,
        )  # fmt: skip
        if (due_at, provisional) != (deadline.due_at, deadline.provisional) or deadline.rule != (
            _rule_json(rule)
        ):
            changes.append(
                {
                    "stage": deadline.stage,
                    "from": deadline.due_at.isoformat(),
                    "to": due_at.isoformat(),
                }
            )
            deadline.due_at, deadline.provisional = due_at, provisional
            deadline.rule, deadline.text_zh, deadline.text_en = (
                _rule_json(rule), rule.text_zh, rule.text_en,
            )  # fmt: skip
            deadline.save(update_fields=["due_at", "provisional", "rule", "text_zh", "text_en"])
    # Every stage that ever had a clock keeps its history: a met or cancelled one is not
    # started again.
    had = set(Deadline.objects.filter(case=case).values_list("stage", "hard"))
    for start, at in started.items():
        for new in start_clocks(case, policy, start, at, skip=had):
            changes.append({"stage": new.stage, "from": "", "to": new.due_at.isoformat()})
    return changes


def meet(case: Case, stages: frozenset[str], at: datetime) -> list[str]:
    """Mark the running deadlines of these stages as met; returns the stages met."""
    if not stages:
        return []
    running = Deadline.objects.filter(case=case, stage__in=stages, state__in=RUNNING)
    met = sorted(set(running.values_list("stage", flat=True)))
    running.update(state=Deadline.State.MET, met_at=at, paused_at=None)
    return met


def cancel_running(case: Case) -> None:
    Deadline.objects.filter(case=case, state__in=RUNNING).update(state=Deadline.State.CANCELLED)


def pause(case: Case, at: datetime) -> None:
    Deadline.objects.filter(case=case, state=Deadline.State.OPEN, hard=True).update(
        state=Deadline.State.PAUSED, paused_at=at
    )


def resume(case: Case, policy: Policy, at: datetime) -> list[dict[str, str]]:
    """Restart paused clocks; each moves by the working days the pause lasted."""
    cal = calendar_for(case.org_id)
    tz = ZoneInfo(case.org.time_zone)
    moved = []
    for deadline in Deadline.objects.filter(case=case, state=Deadline.State.PAUSED):
        assert deadline.paused_at is not None
        since, until = deadline.paused_at.astimezone(tz).date(), at.astimezone(tz).date()
        if deadline.rule.get("unit") == "working_days":
            deadline.paused_days += max(0, cal.working_days_between(since, until))
        else:
            deadline.paused_days += max(0, (until - since).days)
        deadline.state = Deadline.State.OPEN
        deadline.paused_at = None
        _rederive(deadline, case, policy, cal, tz)
        deadline.save(update_fields=["due_at", "provisional", "state", "paused_at", "paused_days"])
        moved.append({"stage": deadline.stage, "due_at": deadline.due_at.isoformat()})
    return moved


def extend(deadline: Deadline, policy: Policy, amount: int) -> None:
    """Move a deadline later by an approved extension (in the policy's extension unit)."""
    case = deadline.case
    deadline.extended += amount
    _rederive(deadline, case, policy, calendar_for(case.org_id), ZoneInfo(case.org.time_zone))
    deadline.save(update_fields=["due_at", "provisional", "extended"])


def _rederive(
    deadline: Deadline, case: Case, policy: Policy, cal: WorkCalendar, tz: ZoneInfo
) -> None:
    rule = DeadlineRule.model_validate(
        {
            "stage": deadline.stage,
            "start": deadline.start,
            "hard": deadline.hard,
            "text_zh": deadline.text_zh or deadline.stage,
            **{k: v for k, v in deadline.rule.items() if k != "org_default"},
        }
    )
    deadline.due_at, deadline.provisional = due_of(
        rule, deadline.started_at, policy, cal, tz,
        customer_deadline=case.customer_deadline,
        paused_days=deadline.paused_days, extended=deadline.extended,
    )  # fmt: skip


def is_overdue(deadline: Deadline, now: datetime) -> bool:
    return deadline.state == Deadline.State.OPEN and deadline.hard and deadline.due_at < now


def remaining_working_days(
    deadline: Deadline, now: datetime, cal: WorkCalendar, tz: ZoneInfo
) -> int | None:
    """Working days left until the due day (negative once overdue); None when not running."""
    if deadline.state not in RUNNING:
        return None
    today = now.astimezone(tz).date()
    due_day = deadline.due_at.astimezone(tz).date()
    return cal.working_days_between(today, due_day)

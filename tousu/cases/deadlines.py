"""Deadlines on a case: started by events, met by actions, moved by pauses and extensions.

A deadline's due time is always derived the same way (:func:`due_of`): the rule's
period from the moment its clock started, plus the working days it stood paused,
plus approved extensions — so re-classifying a case, or loading the year's
holiday schedule, recomputes it exactly. The arithmetic lives in
:mod:`tousu.clock.calendar`; the rules come from the policy version the case was
registered under; the calendar is the organisation's (with its overrides).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from tousu.cases.models import Case, Deadline, Event
from tousu.clock.calendar import DueRule, WorkCalendar, period, shift_day
from tousu.clock.overrides import calendar_for
from tousu.policy.schema import DeadlineRule, Policy
from tousu.policy.words import stored_rule

RUNNING = (Deadline.State.OPEN, Deadline.State.PAUSED)

# The deadline the ledger shows as 办理时限: the case's governing hard limit, the later
# stages first (a review's limit over the reply's, the reply's over the acceptance's).
GOVERNING_STAGES = (
    "second_review",
    "review",
    "reply",
    "resolution",
    "mediation",
    "first_response",
    "verification",
    "investigation_start",
    "notification",
    "routing",
    "acceptance",
    "acknowledgement",
)
_RANK = {stage: i for i, stage in enumerate(GOVERNING_STAGES)}
SUMMARY_FIELDS = ("governing_due_at", "next_due_at", "next_hard_due_at", "missed_deadline")
_READ = ("pk", "stage", "state", "hard", "started_at", "due_at", "met_at", "overdue_at")


def summary(rows: list[Deadline]) -> dict[str, object]:
    """What the case row keeps of its deadlines (see ``Case.governing_due_at``)."""
    governing = [
        d for d in rows
        if d.hard and d.stage in _RANK and d.state != Deadline.State.CANCELLED
    ]  # fmt: skip
    governing.sort(key=lambda d: (_RANK[d.stage], -d.started_at.timestamp(), -(d.pk or 0)))
    running = [d.due_at for d in rows if d.state == Deadline.State.OPEN]
    hard = [d.due_at for d in rows if d.state == Deadline.State.OPEN and d.hard]
    missed = any(
        d.hard
        and (
            d.overdue_at is not None
            or (d.state == Deadline.State.MET and d.met_at is not None and d.met_at > d.due_at)
        )
        for d in rows
    )
    return {
        "governing_due_at": governing[0].due_at if governing else None,
        "next_due_at": min(running, default=None),
        "next_hard_due_at": min(hard, default=None),
        "missed_deadline": missed,
    }


def summarise(case: Case, rows: list[Deadline] | None = None) -> bool:
    """Bring the case's clock summary up to date from its deadlines (read unless given);
    answers whether it changed. The caller saves the case."""
    if rows is None:
        rows = list(Deadline.objects.filter(case_id=case.pk).only(*_READ))
    changed = False
    for name, value in summary(rows).items():
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed = True
    return changed


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
    holiday schedule (provisional).

    ``started_at`` is the moment the clock counts from. Pauses and extensions are added
    to the period's last day *before* it was moved off a rest day (petitions: 60 days
    from 1 July end on Sunday 30 August, moved to Monday 31 August; 30 more days run from
    30 August to 29 September, not from 31 August).
    """
    if paused_days and rule.unit in ("working_days", "calendar_days"):
        # Time paused is excluded from the period itself (Order 121: testing time is not
        # counted), so a calendar-day period that lands on a holiday rolls forward once.
        rule = rule.model_copy(update={"amount": rule.amount + paused_days})
        paused_days = 0
    if rule.unit == "customer_date":
        assert customer_deadline is not None
        due, provisional = customer_deadline, False
        nominal = due.astimezone(tz).date()
    else:
        assert rule.unit != "none"
        p = period(
            started_at,
            DueRule(
                amount=rule.amount,
                unit=rule.unit,
                end_of_day=rule.end_of_day,
                after_hours_next_working_day=rule.after_hours,
                rest_days_open=rule.rest_days_open,
            ),
            cal,
            tz,
            close_of_business=policy.working_hours.end,
            working_start=policy.working_hours.start,
        )
        due, provisional, nominal = p.end, p.provisional, p.nominal
    local = due.astimezone(tz)
    # A pause counts in the rule's own kind of day; an extension in the policy's unit.
    pause_unit = "working_days" if rule.unit == "working_days" else "calendar_days"
    moves = [(paused_days, pause_unit), (extended, policy.extension.unit)]
    if any(amount for amount, _ in moves):
        # 24:00 is stored as 00:00 of the next day: the time of day is kept, the day moves.
        # (For day units; an end at close of business is never 00:00.)
        midnight = rule.unit not in ("hours", "customer_date") and local.time() == time(0)
        day = nominal
        for amount, unit in moves:
            if amount:
                shifted = shift_day(cal, day, amount, unit, roll=False)
                provisional = provisional or shifted.provisional
                day = shifted.date
        if not rule.rest_days_open:
            day = cal.next_working_day(day - timedelta(days=1)).date  # off a rest day
        new_day = day + timedelta(days=1) if midnight else day
        local = datetime.combine(new_day, local.timetz())
    return local, provisional


def received_after_hours(case: Case, policy: Policy) -> bool:
    """Whether the case was received outside the policy's working hours: on a rest day
    (holidays and 调休 from the organisation's calendar), before opening or from closing."""
    local = case.received_at.astimezone(ZoneInfo(case.org.time_zone))
    hours = policy.working_hours
    working_day = calendar_for(case.org_id).is_working_day(local.date())
    return not working_day or not hours.start <= local.time() < hours.end


def _rules(case: Case, policy: Policy, start: str) -> list[DeadlineRule]:
    after_hours = any(r.received_in != "any" for r in policy.deadlines) and (
        received_after_hours(case, policy)
    )
    return policy.rules_for(
        kind=case.kind,
        channel=case.channel,
        complexity=case.complexity,
        start=start,
        category=case.category,
        departments=case.involved_departments,
        customer_date=case.customer_deadline is not None,
        after_hours=after_hours,
    )


# The case events that mark each clock start (``received`` is the case's own receipt time).
_START_EVENTS: dict[str, tuple[str, ...]] = {
    "accepted": ("accepted",),
    "rejected": ("rejected",),
    "decided": ("accepted", "rejected"),
    "assigned": ("assigned",),
    "resolved": ("resolved", "resolved_on_the_spot"),
    "replied": ("replied", "resolved_on_the_spot"),
    "review_requested": ("review_requested",),
    "second_review_requested": ("review_requested",),
}


def counted_from(
    case: Case, rule: DeadlineRule, known_at: datetime, since: datetime | None = None
) -> datetime:
    """The moment a clock that became known at ``known_at`` counts from.

    A rule without ``counts_from`` counts from when it becomes known. Otherwise it counts
    from the earlier event: the case's receipt, or that event's time on the case's
    timeline. A reopened case (重新核实) is a new round: nothing counts from before the
    reopening (``since``, or the last ``reopened`` event before ``known_at``).
    """
    event = rule.counted_from
    if event == rule.start:
        return known_at
    origin: datetime | None
    if event == "received":
        origin = case.received_at
    else:
        origin = (
            Event.objects.filter(case=case, type__in=_START_EVENTS[event], at__lte=known_at)
            .order_by("-seq")
            .values_list("at", flat=True)
            .first()
        )
    if since is None:
        since = (
            Event.objects.filter(case=case, type="reopened", at__lte=known_at)
            .order_by("-seq")
            .values_list("at", flat=True)
            .first()
        )
    if origin is None or (since is not None and origin < since):
        origin = since or known_at
    return min(origin, known_at)


def start_clocks(
    case: Case,
    policy: Policy,
    start: str,
    at: datetime,
    *,
    new_case: bool = False,
    skip: set[tuple[str, bool]] | None = None,
    since: datetime | None = None,
) -> list[Deadline]:
    """Create the deadlines that become known with ``start`` (received, accepted, ...) at ``at``.

    Each counts from its rule's ``counts_from`` moment (see :func:`counted_from`), so a
    clock can be overdue the moment it is created — and then shows so at once. A stage
    whose clock is already running keeps it; a "no limit" rule makes no clock.
    ``new_case`` skips the look-up when nothing can be running yet; ``since`` starts a
    new round (a reopened case).
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
        origin = counted_from(case, rule, at, since)
        due_at, provisional = due_of(
            rule, origin, policy, cal, tz, customer_deadline=case.customer_deadline
        )
        created.append(
            Deadline(
                case=case,
                stage=rule.stage,
                start=start,
                started_at=origin,
                known_at=at,
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
    data = rule.model_dump(
        mode="json",
        include={
            "amount", "unit", "end_of_day", "after_hours", "clause", "org_default",
            "counts_from", "rest_days_open", "extendable",
        },
    )  # fmt: skip
    # Newer facts only when set, so clocks stored before them compare equal.
    if data["counts_from"] is None:
        del data["counts_from"]
    if not data["rest_days_open"]:
        del data["rest_days_open"]
    if data["extendable"]:
        del data["extendable"]
    return data


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
        known = deadline.known_at or deadline.started_at
        started.setdefault(deadline.start, known)
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
        # A rule now chosen may count from another moment than the one it replaces (the
        # same moment keeps its time: a merge may have restarted it).
        origin = deadline.started_at
        was = deadline.rule.get("counts_from") or deadline.start
        if deadline.known_at is not None and rule.counted_from != was:
            origin = counted_from(case, rule, deadline.known_at)
        due_at, provisional = due_of(
            rule, origin, policy, cal, tz,
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
            deadline.started_at = origin
            deadline.rule, deadline.text_zh, deadline.text_en = (
                _rule_json(rule), rule.text_zh, rule.text_en,
            )  # fmt: skip
            deadline.save(
                update_fields=["due_at", "provisional", "started_at", "rule", "text_zh", "text_en"]
            )
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


def cancel_running(case: Case, before: datetime | None = None) -> None:
    """Cancel the running clocks; with ``before``, only those known before it (the clocks
    the closing step itself starts, such as the refusal notice, keep running)."""
    running = Deadline.objects.filter(case=case, state__in=RUNNING)
    if before is not None:
        running = running.filter(Q(known_at__isnull=True) | Q(known_at__lt=before))
    running.update(state=Deadline.State.CANCELLED)


def close_round(case: Case) -> list[str]:
    """Cancel every clock still running when a case is reopened for re-verification (its
    round is over: a follow-up target after a reply that is being redone); answers the
    stages cancelled, for the event that closes them."""
    running = Deadline.objects.filter(case=case, state__in=RUNNING)
    stages = sorted(set(running.values_list("stage", flat=True)))
    running.update(state=Deadline.State.CANCELLED)
    return stages


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
    rule = stored_rule(deadline.stage, deadline.start, deadline.hard, deadline.rule)
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

"""The clock summary a case row keeps (governing limit, nearest running limit, nearest hard
limit, a missed limit) is what its deadlines say, after every action (hypothesis).

A complaint is registered, then driven through a random course of the actions that touch
clocks — each chosen among those its current state allows, taken by a role that may take
it, at a later moment each time — with the sweep (overdue marks and reminders) and a
calendar change (a new day off, deadlines recomputed) in between. After every step the
stored fields must equal :func:`tousu.cases.deadlines.summary` of the case's deadline rows,
and an independent reading of those rows: the ledger's SQL for the governing deadline and
for a missed one, and plain aggregates for the nearest ones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, Min, Q
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from tousu.cases import sweeps
from tousu.cases.deadlines import summary
from tousu.cases.errors import TousuError
from tousu.cases.inputs import RegisterIn
from tousu.cases.intake import register
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case, Deadline
from tousu.cases.registry import ACTION_FUNCTIONS
from tousu.clock.models import HolidayOverride
from tousu.clock.overrides import clear_cache as clear_calendars
from tousu.conftest import World
from tousu.orgs import models as org_models
from tousu.policy import models as policy_models
from tousu.policy.loader import preset_source
from tousu.policy.services import activate_policy
from tousu.reports.query import deadline_due, late_deadlines

TZ = ZoneInfo("Asia/Shanghai")
# A Monday in a year whose holiday schedule is published; every step moves on from here.
START = datetime(2026, 3, 2, 9, 30, tzinfo=TZ)
FIELDS = ("governing_due_at", "next_due_at", "next_hard_due_at", "missed_deadline")

COMPLAINT: dict[str, Any] = {
    "kind": "complaint",
    "channel": "phone",
    "category": "fees",
    "content": "CT检查被重复收费两次，要求退还多收的费用。",
    "demands": "退还重复收取的费用",
    "complainant": {"name": "王建国", "phone": "13912345678"},
    "subject": {"type": "department", "name": "门诊收费处"},
}

# The general policy with a review and a second review (复查、复核), each with its clock.
WITH_REVIEWS = (
    preset_source("general")
    + """
[reviews]
levels = 2
request_window_days = 30

[[deadlines]]
stage = "review"
start = "review_requested"
amount = 30
unit = "calendar_days"
extendable = false
text_zh = "收到复查请求之日起30日内提出复查意见"

[[deadlines]]
stage = "second_review"
start = "second_review_requested"
amount = 30
unit = "calendar_days"
extendable = false
text_zh = "收到复核请求之日起30日内提出复核意见"
"""
)

# The case's actions that start, stop, move or mark its clocks: who takes each, and with
# what ("handler": whoever handles the case now, the dispatcher while nobody does).
MOVES: dict[str, tuple[str, dict[str, Any]]] = {
    "accept": ("dispatcher", {}),
    "reject": ("dispatcher", {"reason_code": "before_court", "complainant_told": True,
                              "told_via": "phone"}),
    "assign": ("dispatcher", {"lead_department": "finance", "handler": "handler"}),
    "transfer": ("handler", {"department": "service", "reason": "属服务态度问题"}),
    "receive": ("handler2", {}),
    "return": ("handler2", {"reason": "不属本部门职责"}),
    "pause": ("handler", {"reason_code": "testing", "note": "送检"}),
    "resume": ("handler", {}),
    "request_extension": ("handler", {"stage": "reply", "amount": 2, "reason": "需鉴定"}),
    "approve_extension": ("supervisor", {"note": "同意"}),
    "resolve": ("handler", {"findings": "系统重复计费，已退费", "responsibility": "organisation"}),
    "reply": ("handler", {"channel": "phone", "body": "已退还重复收取的费用"}),
    "follow_up": ("clerk", {"reached": True, "satisfaction": "dissatisfied"}),
    "close": ("supervisor", {}),
    "reopen": ("supervisor", {"reason": "投诉人对处理结果有异议"}),
    "request_review": ("clerk", {"reason": "对处理意见不服，申请复查"}),
    "merge": ("supervisor", {}),  # into the other open case
}  # fmt: skip
# Besides the actions: the worker's sweep, and a day off declared (the calendar changes).
SWEEP, CALENDAR = "sweep (overdue, reminders)", "calendar change"
# Moves that end or divert the course are drawn less often than the others (4).
WEIGHTS = {"merge": 1, "reject": 1, "return": 1, "transfer": 2, SWEEP: 2, CALENDAR: 1}
# The move that takes the case on from each state: drawn half the time, so that most
# courses get as far as the reply, the follow-up, closing and a review.
ONWARD = {
    "registered": "accept", "accepted": "assign", "in_progress": "resolve", "paused": "resume",
    "transferring": "receive", "resolved": "reply", "replied": "follow_up",
    "followed_up": "close", "closed": "request_review", "rejected": "reopen",
}  # fmt: skip
# How far each step moves the clock on.
GAPS = st.sampled_from(
    [timedelta(0), timedelta(hours=3), timedelta(days=1), timedelta(days=4), timedelta(days=12),
     timedelta(days=40)]
)  # fmt: skip


def _clear_caches() -> None:
    # Ids are handed out again after each example's rollback (SQLite): nothing cached by id
    # may outlive it.
    org_models._DEPARTMENT_IDS.clear()
    policy_models._LOADED.clear()
    clear_calendars()


def _check(case_id: int, now: datetime) -> None:
    case = Case.objects.get(pk=case_id)
    stored = {name: getattr(case, name) for name in FIELDS}
    rows = list(case.deadlines.all())
    assert stored == summary(rows), (case.status, [_row(d) for d in rows])

    # The same, read again another way: the ledger's subquery for the governing deadline,
    # aggregates for the nearest running ones, the ledger's condition for a missed one.
    governing = Case.objects.filter(pk=case_id).annotate(due=deadline_due()).get().due
    assert case.governing_due_at == governing
    running = Deadline.objects.filter(case_id=case_id, state=Deadline.State.OPEN)
    assert case.next_due_at == running.aggregate(at=Min("due_at"))["at"]
    assert case.next_hard_due_at == running.filter(hard=True).aggregate(at=Min("due_at"))["at"]
    missed = Deadline.objects.filter(
        Q(overdue_at__isnull=False) | Q(state=Deadline.State.MET, met_at__gt=F("due_at")),
        case_id=case_id,
        hard=True,
    ).exists()
    assert case.missed_deadline == missed
    # The ledger's 超期 (late now) is a missed limit or a running hard one already past.
    late = late_deadlines(now).filter(case_id=case_id).exists()
    running_late = case.next_hard_due_at is not None and case.next_hard_due_at < now
    assert late == (case.missed_deadline or running_late)


def _row(d: Deadline) -> tuple[Any, ...]:
    return (d.stage, d.state, d.hard, d.due_at, d.met_at, d.overdue_at)


class Course:
    """One case's course: the moves taken, each at its own moment."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.now = START
        clerk = world.actor("clerk")
        body = {**COMPLAINT, "received_at": START.isoformat()}
        self.case = register(clerk, RegisterIn.model_validate(body), now=START)
        # An open case to merge into (its clocks restart when one is merged into it).
        self.other = register(clerk, RegisterIn.model_validate(body), now=START)
        self.days_off: set[date] = set()
        self.taken: list[str] = []

    @property
    def status(self) -> str:
        return str(Case.objects.values_list("status", flat=True).get(pk=self.case.pk))

    def choices(self) -> list[str]:
        """The moves the case's state allows, each as often as its weight."""
        status = self.status
        allowed = [m for m in MOVES if status in TABLE[m].sources] + [SWEEP, CALENDAR]
        return [m for m in allowed for _ in range(WEIGHTS.get(m, 4))]

    def take(self, move: str, gap: timedelta, day: int) -> None:
        self.now += gap
        try:
            self._do(move, day)
        except TousuError as refused:
            # Allowed from the state, refused for another reason (nothing to approve, a
            # handler no longer in charge): nothing changed, which is checked all the same.
            self.taken.append(f"{move} (refused: {refused.code})")
            event(f"refused: {move} ({refused.code})")
        else:
            self.taken.append(move)
            event(f"taken: {move}")
        note(" → ".join(self.taken))

    def _do(self, move: str, day: int) -> None:
        if move == SWEEP:
            sweeps.sweep(self.now)
            return
        if move == CALENDAR:
            off = (self.now + timedelta(days=day)).astimezone(TZ).date()
            if off not in self.days_off:
                self.days_off.add(off)
                HolidayOverride.objects.create(
                    org=self.world.org, date=off, working=False, name="本地停工",
                    created_by=self.world.users["admin"],
                )  # fmt: skip
            sweeps.recompute_after_calendar_change(
                self.world.org.pk, (off.year,), reason="holiday_override", now=self.now
            )
            return
        persona, body = MOVES[move]
        if persona == "handler":
            handler = Case.objects.filter(pk=self.case.pk).values_list(
                "handler__username", flat=True
            )
            persona = handler.get() or "dispatcher"
        if move == "merge":
            body = {"into": self.other.number}
        fn: Callable[..., Case] = ACTION_FUNCTIONS[move][0]
        schema = ACTION_FUNCTIONS[move][1]
        actor = self.world.actor(persona)
        fn(self.case.pk, actor=actor, data=schema.model_validate(body), now=self.now)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_stored_clock_summary_is_what_the_deadlines_say_after_every_action(
    world: World, data: st.DataObject
) -> None:
    _clear_caches()
    with transaction.atomic():
        if data.draw(st.booleans(), label="reviews"):
            activate_policy(world.org, WITH_REVIEWS)
        course = Course(world)
        _check(course.case.pk, course.now)
        _check(course.other.pk, course.now)
        for _ in range(data.draw(st.integers(min_value=1, max_value=24), label="steps")):
            onward = ONWARD.get(course.status)
            if onward is not None and data.draw(st.booleans(), label="onward"):
                move = onward
            else:
                move = data.draw(st.sampled_from(course.choices()), label="move")
            gap = data.draw(GAPS, label="gap")
            day = data.draw(st.integers(min_value=0, max_value=30), label="day off in")
            course.take(move, gap, day)
            _check(course.case.pk, course.now)
            _check(course.other.pk, course.now)
        transaction.set_rollback(True)
    _clear_caches()

"""After-hours intake landing with the duty officer, and the next-day hand-on to the office.

How a case "lands with" the duty officer, and why first contact is untouched
---------------------------------------------------------------------------
首问负责 (first receiver owns it) is a duty of the person who took the call or the
letter: they register it and stay its first-contact owner until it is settled or
handed over by an action that records it. The duty officer (总值班) is a second,
organisational responsibility for the duty period: "正常工作时间以外的投诉由总值班
接待和处理" — the officer must know what came in, decide what can be handled at
once, and pass on the rest (次日 / next working day) from the duty log.

So landing changes nothing on the case: not ``first_contact_owner``, not
``handler``, not who may see it. It writes one :class:`~tousu.duty.models.DutyIntake`
row (the duty log entry: which shift, when, and the day it passes to the office)
and tells the officer in the in-app inbox. When the officer took the call
themselves they are both first-contact owner and duty officer, and no notice is
sent. The officer sees the case only if their roles already let them (an intake
clerk on the hotline shift sees what they registered, a supervisor on general
duty sees everything); a notice is never sent about a case its recipient may not
open, nor to anyone excluded from it.

Landing applies when the policy sends after-hours intake to a duty officer
(``duty.after_hours == "duty_officer"``) or keeps 24-hour reception
(``duty.reception_24h``), the case was received outside working hours, it is being
registered outside working hours too (a night call written up by the office in the
morning is already with the office), and someone is on the roster at the moment of
receipt. Otherwise nothing happens: organisations without duty rules are untouched.

The hand-on (移交)
-----------------
``hand_on_date`` is the day after the duty day (``next_day``, 次日) or the next
working day (``next_working_day``). The duty day is the day the receipt falls on,
except that a receipt before opening time on a shift that began the day before
belongs to that day's night: Friday's night duty is passed on on Saturday
(next_day) or Monday (next_working_day), whether the call came at 22:00 or 01:00.

From that day the office (dispatchers, else intake clerks) sees the case on its
duty page while it still waits for dispatch. :func:`hand_on` marks each due row
once (a conditional update, so two runs never notify twice): still waiting →
``handed_on`` and the office is notified; already dispatched, resolved or closed
→ ``settled``. It runs when a hand-over note is acknowledged and from
:func:`run_hand_on` (a periodic job).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from tousu.cases.access import Actor, is_excluded
from tousu.cases.errors import TousuError
from tousu.cases.models import Case, Notification
from tousu.clock.calendar import WorkCalendar
from tousu.clock.overrides import calendar_for
from tousu.duty import services
from tousu.duty.models import DutyIntake, HandOnState, Shift, ShiftKind
from tousu.orgs.models import Organisation
from tousu.orgs.services import audit
from tousu.policy.schema import Policy

LANDED = "after_hours_intake"
HANDED_ON = "duty_hand_on"
_KIND_ORDER = {ShiftKind.GENERAL: 0, ShiftKind.HOTLINE: 1, ShiftKind.OTHER: 2}


def _deliver_later(note: Notification) -> None:
    def deliver() -> None:
        # Not at the top: jobs.queue imports this module while it registers its tasks (a cycle).
        from tousu.jobs.queue import deliver_task

        deliver_task([note.pk])

    transaction.on_commit(deliver)


def _notify(user_id: int, case: Case, kind: str, now: datetime) -> None:
    _deliver_later(
        Notification.objects.create(user_id=user_id, case=case, kind=kind, created_at=now)
    )


def hand_on_date(
    rule: str, received: datetime, shift: Shift, opening: time, cal: WorkCalendar
) -> date:
    """The day the office takes over a case received at local ``received`` on ``shift``."""
    duty_day = received.date()
    shift_day = shift.starts_at.astimezone(received.tzinfo).date()
    if received.time() < opening and shift_day < duty_day:
        duty_day -= timedelta(days=1)
    if rule == "next_day":
        return duty_day + timedelta(days=1)
    return cal.next_working_day(duty_day).date


def _officer_shift(shifts: list[Shift], registrar_id: int) -> Shift:
    """The registrar's own shift when they are on duty; else general duty before hotline
    before other, the earliest started first."""
    for shift in shifts:
        if shift.user_id == registrar_id:
            return shift
    return min(shifts, key=lambda s: (_KIND_ORDER.get(ShiftKind(s.kind), 9), s.starts_at, s.pk))


def land_after_hours(
    case: Case, policy: Policy, *, actor: Actor, now: datetime
) -> DutyIntake | None:
    """Record a case received after hours with the duty officer on shift and tell them.

    Called by registration inside its transaction, after parties and subjects are saved
    (the case may not have its number yet). See the module docstring for when it applies.
    """
    duty = policy.duty
    if duty.after_hours != "duty_officer" and not duty.reception_24h:
        return None
    org = actor.org
    tz = services.tz_of(org)
    cal = calendar_for(org.pk)
    received = case.received_at.astimezone(tz)
    if not services.outside_hours(policy.working_hours, cal, received):
        return None
    if not services.outside_hours(policy.working_hours, cal, now.astimezone(tz)):
        return None
    shifts = services.on_duty(org, case.received_at)
    if not shifts:
        return None
    shift = _officer_shift(shifts, actor.user_id)
    row = DutyIntake.objects.create(
        org=org,
        case=case,
        shift=shift,
        received_at=case.received_at,
        hand_on_date=hand_on_date(duty.hand_on, received, shift, policy.working_hours.start, cal),
        created_at=now,
    )
    notified = False
    if shift.user_id != actor.user_id and not is_excluded(shift.user_id, case):
        try:
            officer = services.actor_of(org, shift.user_id)
        except TousuError:  # left the organisation since the roster was made: no one to tell
            officer = None
        if officer is not None and services.may_see(officer, case):
            _notify(shift.user_id, case, LANDED, now)
            notified = True
    audit(
        "dutyintake.landed", row, org=org, case=case.pk, shift=shift.pk,
        officer=shift.user.get_username(), notified=notified,
        hand_on_date=row.hand_on_date.isoformat(),
    )  # fmt: skip
    return row


@dataclass(frozen=True)
class HandOnResult:
    handed_on: int = 0
    settled: int = 0
    notified: int = 0


def hand_on(org: Organisation, now: datetime) -> HandOnResult:
    """Pass to the office what the duty officers could not settle, due by today (local).

    Each row is claimed with a conditional update, so a second run (or a second worker)
    finds nothing left to do.
    """
    today = now.astimezone(services.tz_of(org)).date()
    due = list(
        DutyIntake.objects.filter(
            org=org, hand_on_state=HandOnState.PENDING, hand_on_date__lte=today
        ).select_related("case", "shift__user")
    )
    if not due:
        return HandOnResult()
    office = [services.actor_of(org, user_id) for user_id in services.office_members(org)]
    handed = settled = notified = 0
    for row in due:
        case = row.case
        waiting = Case.objects.filter(services.AWAITING_DISPATCH, pk=case.pk).exists()
        state = HandOnState.HANDED_ON if waiting else HandOnState.SETTLED
        with transaction.atomic():
            claimed = DutyIntake.objects.filter(pk=row.pk, hand_on_state=HandOnState.PENDING)
            if not claimed.update(hand_on_state=state, handed_on_at=now):
                continue
            if not waiting:
                settled += 1
                continue
            handed += 1
            told = []
            for member in office:
                if member.user_id == row.shift.user_id or is_excluded(member.user_id, case):
                    continue
                if services.may_see(member, case):
                    _notify(member.user_id, case, HANDED_ON, now)
                    told.append(member.username)
            notified += len(told)
            audit(
                "dutyintake.handed_on", row, org=org, case=case.pk, shift=row.shift_id,
                officer=row.shift.user.get_username(), to=told,
            )  # fmt: skip
    return HandOnResult(handed_on=handed, settled=settled, notified=notified)


def run_hand_on(now_iso: str | None = None) -> dict[str, int]:
    """The periodic job: the hand-on for every organisation with rows due."""
    now = timezone.now() if now_iso is None else datetime.fromisoformat(now_iso)
    total = HandOnResult()
    org_ids = (
        DutyIntake.objects.filter(hand_on_state=HandOnState.PENDING)
        .values_list("org_id", flat=True)
        .distinct()
    )
    for org in Organisation.objects.filter(pk__in=list(org_ids)):
        result = hand_on(org, now)
        total = HandOnResult(
            total.handed_on + result.handed_on,
            total.settled + result.settled,
            total.notified + result.notified,
        )
    return {"handed_on": total.handed_on, "settled": total.settled, "notified": total.notified}

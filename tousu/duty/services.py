"""The roster and the hand-over: who is on duty, when the office is closed, and changes.

Every change is a function here that validates first (nothing is saved when it is
refused), runs in one transaction and writes an audit event that names people by
username only. Errors are :class:`~tousu.cases.errors.TousuError` with a stable
code and a Chinese and an English message, so any surface can show them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from tousu.cases.access import Actor, actor_from, case_scope, visible_cases
from tousu.cases.errors import TousuError, conflict, invalid, not_found
from tousu.cases.models import OPEN_STATUSES, Case, Status
from tousu.clock.calendar import WorkCalendar
from tousu.clock.overrides import calendar_for
from tousu.duty import handon
from tousu.duty.models import DutyIntake, HandOnState, HandOver, Shift, ShiftKind
from tousu.orgs.models import Membership, Organisation
from tousu.orgs.roles import Role
from tousu.orgs.services import audit
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy, WorkingHours

MAX_SHIFT = timedelta(hours=72)
MAX_BODY = 4000
# Who keeps the roster (排班): the supervision office, leaders, the administrator.
EDITOR_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR})
# The complaint office that takes over in the morning: dispatchers, else intake clerks.
OFFICE_ROLES = (Role.DISPATCHER, Role.INTAKE_CLERK)
# Besides writer and receiver, who may read hand-over notes (the duty log is theirs).
NOTE_READERS = frozenset({Role.SUPERVISOR, Role.LEADER})
# Not settled on duty: still waiting to be passed to a department (the desk's dispatch queue).
AWAITING_DISPATCH = Q(status__in=[Status.REGISTERED, Status.ACCEPTED], lead_department__isnull=True)


def _aware(value: datetime, field: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise invalid(field, gettext_lazy("时间须带时区"))


def tz_of(org: Organisation) -> ZoneInfo:
    return ZoneInfo(org.time_zone)


def policy_of(org: Organisation) -> Policy | None:
    return policy_for(org.active_policy_id)[1] if org.active_policy_id else None


# -- when the office is closed, who is on duty ----------------------------------------------


def outside_hours(hours: WorkingHours, cal: WorkCalendar, local: datetime) -> bool:
    """Whether a local moment falls outside working hours: a rest day (holidays and 调休
    included, from the working-day calendar) or before opening / at or after closing."""
    return not cal.is_working_day(local.date()) or not hours.start <= local.time() < hours.end


def after_hours(org: Organisation, when: datetime) -> bool:
    """Whether ``when`` (aware) is outside the organisation's working hours.

    Working hours are the policy's ``working_hours``; working days are those of
    :func:`tousu.clock.overrides.calendar_for`, so a make-up Saturday (调休上班) is a
    working day and a public holiday is not.
    """
    _aware(when, "when")
    policy = policy_of(org)
    hours = policy.working_hours if policy is not None else WorkingHours()
    return outside_hours(hours, calendar_for(org.pk), when.astimezone(tz_of(org)))


def on_duty(org: Organisation, when: datetime, kind: str | None = None) -> list[Shift]:
    """The shifts on the roster at ``when`` (start inclusive, end exclusive), general duty
    first, then by start; cancelled shifts do not count."""
    _aware(when, "when")
    shifts = Shift.objects.filter(
        org=org,
        cancelled_at__isnull=True,
        starts_at__gte=when - MAX_SHIFT,  # bounds the index scan: no shift is longer
        starts_at__lte=when,
        ends_at__gt=when,
    )
    if kind is not None:
        shifts = shifts.filter(kind=kind)
    return list(shifts.select_related("user__staff_profile").order_by("kind", "starts_at", "pk"))


def roster(org: Organisation, start: datetime, end: datetime) -> list[Shift]:
    """Active shifts that start in [start, end), in order."""
    return list(
        Shift.objects.filter(
            org=org, cancelled_at__isnull=True, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("user__staff_profile")
        .order_by("starts_at", "kind", "pk")
    )


# -- people -------------------------------------------------------------------------------


def members(org: Organisation) -> list[AbstractBaseUser]:
    """The organisation's active staff, by username (the roster's choice of people)."""
    ids = Membership.objects.filter(org=org, active=True).values("user_id")
    return list(
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .select_related("staff_profile")
        .order_by("username")
    )


def actor_of(org: Organisation, user_id: int) -> Actor:
    """Another staff member's standing in ``org`` (not_found if they have none)."""
    memberships = tuple(
        Membership.objects.select_related("org", "user")
        .filter(user_id=user_id, org=org, active=True)
        .order_by("pk")
    )
    if not memberships:
        raise not_found()
    return actor_from(user_id, memberships[0].user.get_username(), memberships)


def office_members(org: Organisation) -> list[int]:
    """The complaint office: the dispatchers, or the intake clerks where there are none."""
    for role in OFFICE_ROLES:
        ids = sorted(
            set(
                Membership.objects.filter(
                    org=org, role=role, active=True, user__is_active=True
                ).values_list("user_id", flat=True)
            )
        )
        if ids:
            return ids
    return []


def can_edit_roster(actor: Actor) -> bool:
    return bool(actor.roles & EDITOR_ROLES)


def require_editor(actor: Actor) -> None:
    if not can_edit_roster(actor):
        raise TousuError(
            "roster_forbidden",
            gettext_lazy("只有督办员、分管领导和管理员可以排班"),
            status=403,
        )


def _user(user_id: int) -> AbstractBaseUser:
    return get_user_model().objects.get(pk=user_id)


def _span(shift: Shift, tz: ZoneInfo) -> str:
    start, end = shift.starts_at.astimezone(tz), shift.ends_at.astimezone(tz)
    return f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"


# -- the roster ---------------------------------------------------------------------------


def add_shift(
    actor: Actor,
    *,
    user_id: int,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    note: str = "",
    now: datetime,
) -> Shift:
    """Put a staff member on the roster. Refused (nothing saved): an unknown kind or person,
    an end not after the start, a shift over 72 hours, or an active shift of the same kind
    of the same person overlapping it."""
    require_editor(actor)
    org = actor.org
    if kind not in ShiftKind.values:
        raise invalid("kind", gettext_lazy("未知的班次类型：{kind}"), {"kind": kind})
    _aware(starts_at, "starts_at")
    _aware(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise invalid("ends_at", gettext_lazy("结束时间须晚于开始时间"))
    if ends_at - starts_at > MAX_SHIFT:
        raise invalid("ends_at", gettext_lazy("一个班次最长 72 小时"))
    note = note.strip()
    if len(note) > 200:
        raise invalid("note", gettext_lazy("备注最多 200 字"))
    if not Membership.objects.filter(org=org, user_id=user_id, active=True).exists():
        raise invalid("user", gettext_lazy("本单位没有该工作人员"))
    with transaction.atomic():
        # One roster change per person at a time, so two overlapping adds cannot both pass.
        person = get_user_model().objects.select_for_update().get(pk=user_id)
        clash = (
            Shift.objects.filter(
                org=org,
                user_id=user_id,
                kind=kind,
                cancelled_at__isnull=True,
                starts_at__lt=ends_at,
                ends_at__gt=starts_at,
            )  # fmt: skip
            .order_by("starts_at")
            .first()
        )
        if clash is not None:
            span = _span(clash, tz_of(org))
            raise conflict(
                "shift_overlap",
                gettext_lazy("{get_username} 在 {span} 已有同类班次，时间不能重叠"),
                details={"shift": clash.pk},
                params={"get_username": person.get_username(), "span": span},
            )
        shift = Shift.objects.create(
            org=org, user_id=user_id, kind=kind, starts_at=starts_at, ends_at=ends_at,
            note=note, created_by_id=actor.user_id, created_at=now,
        )  # fmt: skip
        audit(
            "shift.added", shift, org=org, actor=_user(actor.user_id),
            user=person.get_username(), kind=kind, starts_at=starts_at.isoformat(),
            ends_at=ends_at.isoformat(),
        )  # fmt: skip
    return shift


def cancel_shift(actor: Actor, shift_id: int, *, now: datetime) -> Shift:
    """Take a shift off the roster (the row stays, with ``cancelled_at``). A shift that has
    already ended is part of the duty record and cannot be cancelled."""
    require_editor(actor)
    with transaction.atomic():
        shift = (
            Shift.objects.select_for_update()
            .select_related("user")
            .filter(pk=shift_id, org=actor.org)
            .first()
        )
        if shift is None:
            raise not_found()
        if shift.cancelled_at is not None:
            raise conflict("shift_cancelled", gettext_lazy("该班次已取消"))
        if shift.ends_at <= now:
            raise conflict("shift_ended", gettext_lazy("已结束的班次不能取消"))
        shift.cancelled_at = now
        shift.cancelled_by_id = actor.user_id
        shift.save(update_fields=["cancelled_at", "cancelled_by"])
        audit(
            "shift.cancelled", shift, org=actor.org, actor=_user(actor.user_id),
            user=shift.user.get_username(), kind=shift.kind,
            starts_at=shift.starts_at.isoformat(), ends_at=shift.ends_at.isoformat(),
        )  # fmt: skip
    return shift


# -- what came in on a shift --------------------------------------------------------------


def my_shift(actor: Actor, now: datetime) -> Shift | None:
    """The actor's current shift, or else the last one that has started."""
    return (
        Shift.objects.filter(
            org=actor.org, user_id=actor.user_id, cancelled_at__isnull=True, starts_at__lte=now
        )
        .order_by("-starts_at", "-pk")
        .first()
    )


def shift_cases(shift: Shift, viewer: Actor) -> QuerySet[Case]:
    """Cases that came in on a shift, as far as ``viewer`` may see them: received during
    it, registered by its holder during it, or landed with its holder after hours."""
    window = Q(received_at__gte=shift.starts_at, received_at__lt=shift.ends_at)
    theirs = Q(
        registered_by_id=shift.user_id,
        registered_at__gte=shift.starts_at,
        registered_at__lt=shift.ends_at,
    )
    landed = Q(pk__in=DutyIntake.objects.filter(shift=shift).values("case_id"))
    return visible_cases(viewer).filter(window | theirs | landed).order_by("received_at", "pk")


def open_shift_cases(shift: Shift, viewer: Actor) -> QuerySet[Case]:
    return shift_cases(shift, viewer).filter(status__in=OPEN_STATUSES)


def next_on_duty(shift: Shift) -> Shift | None:
    """Who takes over: the first shift by someone else starting within a day of this one's
    end (an hour early counts), the same kind first."""
    later = list(
        Shift.objects.filter(
            org_id=shift.org_id,
            cancelled_at__isnull=True,
            starts_at__gte=shift.ends_at - timedelta(hours=1),
            starts_at__lt=shift.ends_at + timedelta(days=1),
        )
        .exclude(user_id=shift.user_id)
        .select_related("user")
        .order_by("starts_at", "pk")
    )
    later.sort(key=lambda s: s.kind != shift.kind)  # stable: same kind first, then by start
    return later[0] if later else None


# -- hand-over ----------------------------------------------------------------------------


def numbers_visible(actor: Actor, numbers: Iterable[str]) -> list[str]:
    wanted = list(numbers)
    seen = set(visible_cases(actor).filter(number__in=wanted).values_list("number", flat=True))
    return [n for n in wanted if n in seen]


def write_hand_over(
    actor: Actor,
    *,
    body: str,
    to_user_id: int | None = None,
    to_office: bool = False,
    shift: Shift | None = None,
    now: datetime,
) -> HandOver:
    """Write a hand-over note to the next on duty or to the complaint office.

    The note carries the open cases of the writer's shift (``shift``), limited to the
    cases the writer may see and, for a note to one person, that person may see too.
    """
    org = actor.org
    body = body.strip()
    if not body:
        raise invalid("body", gettext_lazy("请填写交接内容"))
    if len(body) > MAX_BODY:
        raise invalid("body", gettext_lazy("交接内容最多 {MAX_BODY} 字"), {"MAX_BODY": MAX_BODY})
    if (to_user_id is None) == (not to_office):
        raise invalid("to", gettext_lazy("请选择接班人或投诉办公室（二选一）"))
    receiver: Actor | None = None
    if to_user_id is not None:
        if to_user_id == actor.user_id:
            raise invalid("to", gettext_lazy("不能交接给自己"))
        try:
            receiver = actor_of(org, to_user_id)
        except TousuError:
            raise invalid("to", gettext_lazy("本单位没有该工作人员")) from None
    if shift is not None and (
        shift.org_id != org.pk or shift.user_id != actor.user_id or not shift.active
    ):
        raise invalid("shift", gettext_lazy("只能交接本人的班次"))
    numbers: list[str] = []
    if shift is not None:
        numbers = [str(n) for n in open_shift_cases(shift, actor).values_list("number", flat=True)]
        if receiver is not None:
            numbers = numbers_visible(receiver, numbers)
    with transaction.atomic():
        note = HandOver.objects.create(
            org=org, from_shift=shift, from_user_id=actor.user_id, to_user_id=to_user_id,
            to_office=to_office, written_at=now, body=body, case_numbers=numbers,
        )  # fmt: skip
        audit(
            "handover.written", note, org=org, actor=_user(actor.user_id),
            to=receiver.username if receiver else "office", shift=shift.pk if shift else None,
            cases=len(numbers),
        )  # fmt: skip
    return note


def can_receive(actor: Actor, note: HandOver) -> bool:
    if note.to_user_id is not None:
        return note.to_user_id == actor.user_id
    return actor.has_role(*OFFICE_ROLES)


def can_read(actor: Actor, note: HandOver) -> bool:
    return note.org_id == actor.org.pk and (
        note.from_user_id == actor.user_id
        or can_receive(actor, note)
        or bool(actor.roles & NOTE_READERS)
    )


def notes_for(actor: Actor, *, limit: int = 30) -> list[HandOver]:
    """Recent hand-over notes the actor may read, newest first."""
    mine = Q(from_user_id=actor.user_id) | Q(to_user_id=actor.user_id)
    if actor.has_role(*OFFICE_ROLES):
        mine |= Q(to_office=True)
    if actor.roles & NOTE_READERS:
        mine = Q()
    return list(
        HandOver.objects.filter(mine, org=actor.org)
        .select_related(
            "from_user__staff_profile",
            "to_user__staff_profile",
            "received_by__staff_profile",
            "from_shift",
        )
        .order_by("-written_at", "-pk")[:limit]
    )


def listed_cases(note: HandOver, viewer: Actor) -> list[str]:
    """The note's case numbers that ``viewer`` may see now."""
    return numbers_visible(viewer, note.case_numbers)


def acknowledge(actor: Actor, note_id: int, *, now: datetime) -> HandOver:
    """接班签收: only the receiver (for the office: any of its members) acknowledges, once.

    The acknowledgement is also when the office takes over what the duty officer could
    not settle: the hand-on runs for the organisation (see :mod:`tousu.duty.handon`).
    """
    note = HandOver.objects.filter(pk=note_id, org=actor.org).first()
    if note is None or not can_read(actor, note):
        raise not_found()
    if not can_receive(actor, note):
        raise TousuError(
            "handover_not_receiver",
            gettext_lazy("只有接班人可以签收该交接班记录"),
            status=403,
        )
    with transaction.atomic():
        done = HandOver.objects.filter(pk=note.pk, received_at__isnull=True).update(
            received_at=now, received_by_id=actor.user_id
        )
        if not done:
            raise conflict("handover_received", gettext_lazy("该交接班记录已签收"))
        note.refresh_from_db()
        audit(
            "handover.received", note, org=actor.org, actor=_user(actor.user_id),
            by=actor.username,
        )  # fmt: skip
    handon.hand_on(actor.org, now)
    return note


def handed_on(viewer: Actor, now: datetime, *, limit: int = 200) -> list[DutyIntake]:
    """What the duty officers could not settle and the office takes over by today, as far
    as ``viewer`` may see it (shown whether or not the hand-on run has reached it yet)."""
    today = now.astimezone(tz_of(viewer.org)).date()
    waiting = visible_cases(viewer).filter(AWAITING_DISPATCH).values("pk")
    return list(
        DutyIntake.objects.filter(org=viewer.org, hand_on_date__lte=today, case__in=waiting)
        .exclude(hand_on_state=HandOnState.SETTLED)
        .select_related("case", "shift__user")
        .order_by("hand_on_date", "received_at")[:limit]
    )


def may_see(actor: Actor, case: Case) -> bool:
    """Whether ``actor`` may see ``case`` (works before the case has its number)."""
    return Case.objects.filter(case_scope(actor), pk=case.pk).exists()

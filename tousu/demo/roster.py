"""A roster for the demo organisation: two weeks of night duty and daytime hotline.

Called by the demo loader after the logins exist. Shifts go through
:func:`tousu.duty.services.add_shift`, so they are validated and audited like any
roster change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model

from tousu.cases.access import Actor
from tousu.clock.overrides import calendar_for
from tousu.duty.models import Shift, ShiftKind
from tousu.duty.services import add_shift, policy_of, tz_of
from tousu.policy.schema import WorkingHours


def seed_roster(
    *,
    by: Actor,
    night: Sequence[str],
    hotline: Sequence[str] = (),
    now: datetime,
    days_back: int = 7,
    days_ahead: int = 14,
) -> list[Shift]:
    """Night duty (closing to next opening) every day, taken in turn by ``night``; the
    hotline in working hours on working days, in turn by ``hotline`` (usernames)."""
    org = by.org
    tz = tz_of(org)
    policy = policy_of(org)
    hours = policy.working_hours if policy is not None else WorkingHours()
    cal = calendar_for(org.pk)
    users = dict(
        get_user_model()
        .objects.filter(username__in=[*night, *hotline])
        .values_list("username", "pk")
    )
    today = now.astimezone(tz).date()
    shifts: list[Shift] = []
    for i, offset in enumerate(range(-days_back, days_ahead)):
        day = today + timedelta(days=offset)
        if night:
            shifts.append(
                add_shift(
                    by,
                    user_id=users[night[i % len(night)]],
                    kind=ShiftKind.GENERAL,
                    starts_at=datetime.combine(day, hours.end, tzinfo=tz),
                    ends_at=datetime.combine(day + timedelta(days=1), hours.start, tzinfo=tz),
                    now=now,
                )
            )
        if hotline and cal.is_working_day(day):
            shifts.append(
                add_shift(
                    by,
                    user_id=users[hotline[i % len(hotline)]],
                    kind=ShiftKind.HOTLINE,
                    starts_at=datetime.combine(day, hours.start, tzinfo=tz),
                    ends_at=datetime.combine(day, hours.end, tzinfo=tz),
                    now=now,
                )
            )
    return shifts

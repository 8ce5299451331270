"""Holiday overrides: added and withdrawn, with the deadlines they reach recomputed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tousu.cases.models import Event
from tousu.cases.sweeps import recompute_after_calendar_change
from tousu.clock.models import HolidayOverride
from tousu.clock.overrides import add_override, withdraw
from tousu.orgadmin.services import VIA, Refused
from tousu.orgs.models import Organisation


@dataclass(frozen=True)
class Recomputed:
    cases: int
    moved: int  # deadlines whose due time changed


def _recompute(org: Organisation, years: tuple[int, ...], reason: str) -> Recomputed:
    """Recompute the organisation's deadlines a calendar change reaches (as
    ``tousu calendar load`` does) and count the deadlines that moved."""
    now = timezone.now()
    cases = recompute_after_calendar_change(org.pk, years, reason=reason, now=now)
    moved = 0
    events = Event.objects.filter(
        case__org=org, type="deadlines_recomputed", at=now, data__reason=reason
    ).values_list("data", flat=True)
    for data in events:
        for change in data.get("recomputed", []) if isinstance(data, dict) else []:
            if change.get("from") != change.get("to"):
                moved += 1
    return Recomputed(cases, moved)


def add_holiday(
    org: Organisation,
    *,
    day: date,
    working: bool,
    name: str,
    source_notice: str,
    actor: Any,
) -> tuple[HolidayOverride, Recomputed]:
    try:
        row = add_override(
            org=org, day=day, working=working, name=name, source_notice=source_notice,
            actor=actor, via=VIA,
        )  # fmt: skip
    except ValidationError as exc:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        field, found = next(iter(messages.items()))
        raise Refused(found[0], field=field, status=409) from None
    return row, _recompute(org, (day.year,), f"calendar:{source_notice}")


def withdraw_holiday(org: Organisation, row: HolidayOverride, *, actor: Any) -> Recomputed:
    if row.org_id != org.pk:
        raise Refused(gettext_lazy("只能撤销本单位的调整"))
    if not withdraw(row, actor=actor, via=VIA):
        raise Refused(gettext_lazy("该调整已撤销"), status=409)
    return _recompute(org, (row.date.year,), f"calendar:{row.source_notice}:withdrawn")

"""Properties of derived deadlines, over many start times (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tousu.cases.deadlines import due_of
from tousu.clock.calendar import default_calendar
from tousu.policy.loader import parse_toml, preset_source
from tousu.policy.schema import DeadlineRule

POLICY = parse_toml(preset_source("general"))
TZ = ZoneInfo("Asia/Shanghai")
CAL = default_calendar()
starts = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 9, 30), timezones=st.just(UTC)
)


def _rule(amount: int, unit: str = "working_days") -> DeadlineRule:
    return DeadlineRule.model_validate(
        {"stage": "reply", "amount": amount, "unit": unit, "text_zh": "答复"}
    )


@settings(max_examples=150, deadline=None)
@given(start=starts, amount=st.integers(1, 20), paused=st.integers(0, 15))
def test_a_pause_of_k_working_days_moves_a_working_day_deadline_by_k(
    start: datetime, amount: int, paused: int
) -> None:
    plain, _ = due_of(_rule(amount), start, POLICY, CAL, TZ)
    moved, _ = due_of(_rule(amount), start, POLICY, CAL, TZ, paused_days=paused)
    assert moved.date() == CAL.add_working_days(plain.date(), paused).date
    assert CAL.is_working_day(moved.date())


@settings(max_examples=150, deadline=None)
@given(start=starts, later=st.timedeltas(timedelta(0), timedelta(days=30)),
       amount=st.integers(1, 20), unit=st.sampled_from(["working_days", "calendar_days", "months"]))  # fmt: skip
def test_a_later_start_never_gives_an_earlier_deadline(
    start: datetime, later: timedelta, amount: int, unit: str
) -> None:
    first, _ = due_of(_rule(amount, unit), start, POLICY, CAL, TZ)
    second, _ = due_of(_rule(amount, unit), start + later, POLICY, CAL, TZ)
    assert second >= first
    assert CAL.is_working_day(second.astimezone(TZ).date())

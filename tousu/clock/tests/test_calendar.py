"""Working-day calendar tests against the 2025 and 2026 State Council schedules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tousu.clock.calendar import (
    Due,
    DueRule,
    WorkCalendar,
    compute_due,
    default_calendar,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAL = default_calendar()


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


MAKE_UP_WORKDAYS = [
    date(2025, 1, 26),
    date(2025, 2, 8),
    date(2025, 4, 27),
    date(2025, 9, 28),
    date(2025, 10, 11),
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
]

REST_PERIODS = {
    "2025 New Year": (date(2025, 1, 1), date(2025, 1, 1)),
    "2025 Spring Festival": (date(2025, 1, 28), date(2025, 2, 4)),
    "2025 Qingming": (date(2025, 4, 4), date(2025, 4, 6)),
    "2025 Labour Day": (date(2025, 5, 1), date(2025, 5, 5)),
    "2025 Dragon Boat": (date(2025, 5, 31), date(2025, 6, 2)),
    "2025 National Day and Mid-Autumn": (date(2025, 10, 1), date(2025, 10, 8)),
    "2026 New Year": (date(2026, 1, 1), date(2026, 1, 3)),
    "2026 Spring Festival": (date(2026, 2, 15), date(2026, 2, 23)),
    "2026 Qingming": (date(2026, 4, 4), date(2026, 4, 6)),
    "2026 Labour Day": (date(2026, 5, 1), date(2026, 5, 5)),
    "2026 Dragon Boat": (date(2026, 6, 19), date(2026, 6, 21)),
    "2026 Mid-Autumn": (date(2026, 9, 25), date(2026, 9, 27)),
    "2026 National Day": (date(2026, 10, 1), date(2026, 10, 7)),
}


@pytest.mark.parametrize("day", MAKE_UP_WORKDAYS, ids=str)
def test_a_make_up_weekend_day_counts_as_a_working_day(day: date) -> None:
    assert day.weekday() >= 5
    assert CAL.is_working_day(day)


@pytest.mark.parametrize("name", list(REST_PERIODS))
def test_every_day_of_an_official_holiday_period_is_a_rest_day(name: str) -> None:
    first, last = REST_PERIODS[name]
    assert [d for d in _days(first, last) if CAL.is_working_day(d)] == []
    assert CAL.is_working_day(first - timedelta(days=1))
    assert CAL.is_working_day(last + timedelta(days=1))


def test_ordinary_weekdays_work_and_ordinary_weekends_rest() -> None:
    assert CAL.is_working_day(date(2026, 3, 4))  # Wednesday
    assert not CAL.is_working_day(date(2026, 3, 7))  # Saturday
    assert not CAL.is_working_day(date(2026, 3, 8))  # Sunday


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Friday; Sat 09-19 rests, make-up Sun 09-20 is day 1.
        (date(2026, 9, 18), 1, date(2026, 9, 20)),
        (date(2026, 9, 18), 2, date(2026, 9, 21)),
        # Day before National Day: 10-08, 10-09, make-up Sat 10-10, 10-12, 10-13.
        (date(2026, 9, 30), 5, date(2026, 10, 13)),
        # 2025: Oct 1-8 off; 10-09, 10-10, make-up Sat 10-11, 10-13, 10-14.
        (date(2025, 9, 30), 5, date(2025, 10, 14)),
        # Make-up Sat 02-14, then Spring Festival 02-15..23.
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 13), 3, date(2026, 2, 25)),
        # 2025: make-up Sun 01-26, 01-27, then 01-28..02-04 off.
        (date(2025, 1, 24), 3, date(2025, 2, 5)),
        # Labour Day 2026: 05-01..05 off; make-up Sat 05-09.
        (date(2026, 4, 30), 4, date(2026, 5, 9)),
        (date(2026, 3, 4), 0, date(2026, 3, 4)),
    ],
)
def test_adding_working_days_follows_the_official_schedule(
    start: date, n: int, expected: date
) -> None:
    assert CAL.add_working_days(start, n) == Due(expected, provisional=False)


def test_next_working_day_skips_a_whole_holiday() -> None:
    assert CAL.next_working_day(date(2026, 9, 30)).date == date(2026, 10, 8)
    assert CAL.next_working_day(date(2026, 2, 13)).date == date(2026, 2, 14)


def test_three_months_from_31_may_ends_31_august_or_the_next_working_day() -> None:
    assert CAL.add_months(date(2026, 5, 31), 3).date == date(2026, 8, 31)  # Monday
    assert CAL.add_months(date(2025, 5, 31), 3).date == date(2025, 9, 1)  # Sun -> Mon


def test_one_month_from_31_january_ends_at_the_end_of_february() -> None:
    # 2026-02-28 is a make-up Saturday, so no roll-forward.
    assert CAL.add_months(date(2026, 1, 31), 1).date == date(2026, 2, 28)
    assert CAL.add_months(date(2025, 1, 31), 1).date == date(2025, 2, 28)  # Friday
    assert CAL.add_months(date(2025, 11, 30), 3).date == date(2026, 2, 28)


def test_calendar_days_and_weeks_ending_on_a_rest_day_roll_to_the_next_working_day() -> None:
    assert CAL.add_calendar_days(date(2026, 9, 26), 10).date == date(2026, 10, 8)
    assert CAL.add_calendar_days(date(2026, 3, 2), 3).date == date(2026, 3, 5)
    assert CAL.add_weeks(date(2026, 9, 24), 1).date == date(2026, 10, 8)
    assert CAL.add_calendar_days(date(2026, 3, 7), 0).date == date(2026, 3, 7)


def test_working_days_between_counts_the_end_but_not_the_start() -> None:
    # Jan 1-3 off, make-up Sun Jan 4, Mon Jan 5.
    assert CAL.working_days_between(date(2025, 12, 31), date(2026, 1, 5)) == 2
    assert CAL.working_days_between(date(2026, 1, 5), date(2025, 12, 31)) == -2
    assert CAL.working_days_between(date(2026, 3, 4), date(2026, 3, 4)) == 0
    assert CAL.working_days_between(date(2024, 12, 31), date(2026, 12, 31)) == (
        len([d for d in _days(date(2025, 1, 1), date(2026, 12, 31)) if CAL.is_working_day(d)])
    )


def test_2025_and_2026_are_covered_but_2027_is_not_yet() -> None:
    # python-holidays 0.109 has no 2027 State Council schedule (no make-up days).
    assert CAL.is_covered(2025)
    assert CAL.is_covered(2026)
    assert not CAL.is_covered(2027)


def test_a_deadline_running_into_2027_is_provisional() -> None:
    # Dec 31, (Jan 1 holiday), Jan 4, Jan 5.
    assert CAL.add_working_days(date(2026, 12, 30), 3) == Due(date(2027, 1, 5), True)
    assert not CAL.add_working_days(date(2026, 12, 1), 3).provisional
    assert CAL.add_months(date(2026, 11, 30), 2).provisional


def test_an_override_file_completing_2027_removes_the_provisional_flag_and_wins() -> None:
    cal = WorkCalendar({date(2027, 1, 4): False}, complete_years=[2027])
    assert cal.add_working_days(date(2026, 12, 30), 3) == Due(date(2027, 1, 6), False)
    assert (
        not WorkCalendar(complete_years=[2027]).add_working_days(date(2026, 12, 30), 3).provisional
    )


def test_an_override_can_turn_a_holiday_into_a_working_day() -> None:
    cal = WorkCalendar({date(2026, 10, 5): True})
    assert cal.add_working_days(date(2026, 9, 30), 1) == Due(date(2026, 10, 5), False)


def test_negative_periods_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_days(date(2026, 3, 4), -1)
    with pytest.raises(ValueError, match="negative"):
        DueRule(-1, "working_days")


# --- properties (within 2025..2026, where the official data is complete) ---

starts = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 9, 30))
counts = st.integers(min_value=0, max_value=20)
FAST = settings(max_examples=60, deadline=None)


@FAST
@given(starts, st.integers(min_value=1, max_value=20))
def test_the_result_of_adding_working_days_is_a_working_day(s: date, n: int) -> None:
    due = CAL.add_working_days(s, n)
    assert due.date > s
    assert CAL.is_working_day(due.date)
    assert not due.provisional


@FAST
@given(starts, starts, counts)
def test_a_later_start_never_gives_an_earlier_result(a: date, b: date, n: int) -> None:
    a, b = min(a, b), max(a, b)
    assert CAL.add_working_days(a, n).date <= CAL.add_working_days(b, n).date


@FAST
@given(starts, counts, counts)
def test_adding_working_days_in_two_steps_equals_adding_them_at_once(
    s: date, n: int, k: int
) -> None:
    step = CAL.add_working_days(CAL.add_working_days(s, n).date, k).date
    assert step == CAL.add_working_days(s, n + k).date


@FAST
@given(starts, counts)
def test_working_days_between_inverts_adding_working_days(s: date, n: int) -> None:
    assert CAL.working_days_between(s, CAL.add_working_days(s, n).date) == n


@FAST
@given(starts, st.integers(min_value=1, max_value=6), st.sampled_from(["c", "w", "m"]))
def test_calendar_periods_always_end_on_a_working_day(s: date, n: int, kind: str) -> None:
    add = {"c": CAL.add_calendar_days, "w": CAL.add_weeks, "m": CAL.add_months}[kind]
    assert CAL.is_working_day(add(s, n).date)


# --- compute_due ---


def test_five_working_days_from_a_wednesday_morning_end_at_close_of_business() -> None:
    rule = DueRule(5, "working_days")
    expected = (_at(2026, 3, 11, 17, 30), False)
    assert compute_due(_at(2026, 3, 4, 10), rule, CAL, SHANGHAI) == expected
    # The same instant given in UTC is converted to Shanghai time first.
    utc_start = datetime(2026, 3, 4, 2, tzinfo=UTC)
    assert compute_due(utc_start, rule, CAL, SHANGHAI) == expected
    # 2026-03-03 20:00 UTC is already Wednesday 04:00 in Shanghai.
    early = datetime(2026, 3, 3, 20, tzinfo=UTC)
    assert compute_due(early, rule, CAL, SHANGHAI)[0] == _at(2026, 3, 11, 17, 30)
    assert compute_due(early, rule, CAL, SHANGHAI)[0].utcoffset() == timedelta(hours=8)


def test_end_of_day_periods_end_at_midnight_after_the_last_day() -> None:
    rule = DueRule(5, "working_days", end_of_day=True)
    assert compute_due(_at(2026, 3, 4, 10), rule, CAL, SHANGHAI) == (
        _at(2026, 3, 12),
        False,
    )


def test_intake_on_a_holiday_counts_from_the_next_working_day_when_asked() -> None:
    start = _at(2026, 10, 3, 10)  # Saturday inside the National Day holiday
    plain = DueRule(5, "working_days")
    shifted = DueRule(5, "working_days", after_hours_next_working_day=True)
    # Plain: 10-08, 10-09, 10-10 (make-up), 10-12, 10-13.
    assert compute_due(start, plain, CAL, SHANGHAI)[0] == _at(2026, 10, 13, 17, 30)
    # Shifted: day 0 is Thursday 10-08, so one day later.
    assert compute_due(start, shifted, CAL, SHANGHAI)[0] == _at(2026, 10, 14, 17, 30)
    # After close on a working day shifts too; before opening does not.
    evening, dawn = _at(2026, 3, 4, 18), _at(2026, 3, 4, 7)
    assert compute_due(evening, shifted, CAL, SHANGHAI)[0] == _at(2026, 3, 12, 17, 30)
    assert compute_due(dawn, shifted, CAL, SHANGHAI)[0] == _at(2026, 3, 11, 17, 30)


def test_same_day_ends_that_day_and_after_hours_moves_it_to_the_next_working_day() -> None:
    rule = DueRule(0, "same_day")
    assert compute_due(_at(2026, 3, 4, 10), rule, CAL, SHANGHAI)[0] == _at(2026, 3, 4, 17, 30)
    # After close, or on a rest day: still that day, until 24:00 (民法典 art. 203(2)).
    assert compute_due(_at(2026, 9, 30, 20), rule, CAL, SHANGHAI)[0] == _at(2026, 10, 1, 0, 0)
    assert compute_due(_at(2026, 10, 3, 10), rule, CAL, SHANGHAI)[0] == _at(2026, 10, 4, 0, 0)
    shifted = DueRule(0, "same_day", after_hours_next_working_day=True)
    assert compute_due(_at(2026, 9, 30, 20), shifted, CAL, SHANGHAI)[0] == _at(2026, 10, 8, 17, 30)
    # Friday evening: the make-up Sunday 09-20 is the next working day.
    assert compute_due(_at(2026, 9, 18, 20), shifted, CAL, SHANGHAI)[0] == _at(2026, 9, 20, 17, 30)


def test_next_working_day_and_next_day_rules() -> None:
    nwd, nd = DueRule(0, "next_working_day"), DueRule(0, "next_day")
    assert compute_due(_at(2026, 9, 30, 10), nwd, CAL, SHANGHAI)[0] == _at(2026, 10, 8, 17, 30)
    # 次日 is the next calendar day; a Saturday moves to Monday (民法典 art. 203(1)) ...
    assert compute_due(_at(2026, 3, 6, 10), nd, CAL, SHANGHAI)[0] == _at(2026, 3, 9, 17, 30)
    # ... unless the office acting is open every day.
    open_daily = DueRule(0, "next_day", rest_days_open=True)
    assert compute_due(_at(2026, 3, 6, 10), open_daily, CAL, SHANGHAI)[0] == _at(2026, 3, 7, 17, 30)


def test_hours_are_plain_clock_hours() -> None:
    rule = DueRule(24, "hours")
    assert compute_due(_at(2026, 10, 3, 10), rule, CAL, SHANGHAI) == (
        _at(2026, 10, 4, 10),
        False,
    )
    shifted = DueRule(4, "hours", after_hours_next_working_day=True)
    assert compute_due(_at(2026, 10, 3, 10), shifted, CAL, SHANGHAI)[0] == _at(2026, 10, 8, 12, 30)


def test_calendar_months_calendar_days_and_weeks_in_compute_due() -> None:
    start = _at(2026, 5, 31, 10)
    assert compute_due(start, DueRule(3, "months"), CAL, SHANGHAI)[0] == _at(2026, 8, 31, 17, 30)
    start = _at(2026, 9, 26, 10)
    assert compute_due(start, DueRule(10, "calendar_days"), CAL, SHANGHAI)[0] == (
        _at(2026, 10, 8, 17, 30)
    )
    start = _at(2026, 9, 24, 10)
    assert compute_due(start, DueRule(1, "weeks"), CAL, SHANGHAI)[0] == _at(2026, 10, 8, 17, 30)


def test_compute_due_flags_provisional_results_and_custom_hours() -> None:
    rule = DueRule(3, "working_days")
    due, provisional = compute_due(_at(2026, 12, 30, 9), rule, CAL, SHANGHAI)
    assert (due, provisional) == (_at(2027, 1, 5, 17, 30), True)
    due, provisional = compute_due(
        _at(2026, 3, 4, 9), rule, CAL, SHANGHAI, close_of_business=time(18)
    )
    assert (due, provisional) == (_at(2026, 3, 9, 18), False)


def test_compute_due_rejects_naive_datetimes_and_unknown_units() -> None:
    with pytest.raises(ValueError, match="aware"):
        compute_due(datetime(2026, 3, 4, 10), DueRule(1, "working_days"), CAL, SHANGHAI)
    with pytest.raises(ValueError, match="unit"):
        DueRule(1, "fortnights")  # type: ignore[arg-type]


def test_the_default_calendar_is_shared() -> None:
    assert default_calendar() is default_calendar()

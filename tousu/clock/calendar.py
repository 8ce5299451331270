"""Working-day calendar and deadline arithmetic for mainland China.

Conventions (shared by every function here):

* A *working day* (工作日) is decided in this order: an explicit override
  (``True`` = working, ``False`` = rest) wins; otherwise a public holiday or
  substituted day off from python-holidays' China calendar is a rest day;
  otherwise a make-up weekend workday (调休上班, ``weekend_workdays``) is a
  working day; otherwise Monday-Friday are working days.
* Periods never count their start day: day 1 is the first day *after* the
  start, and ``n == 0`` returns the start unchanged.  Negative amounts raise
  ``ValueError``.
* Calendar-based periods (days, weeks, months) whose last day is a rest day
  end on the next working day instead (期间届满日为法定休假日的，顺延至休假日后的第一日).
* A result is *provisional* when any year from the start's year to the
  result's year is not covered, i.e. the State Council's schedule for that
  year is not in the data yet.  python-holidays 0.109 has schedules up to
  2026.  For 2027 it returns only the statutory dates plus its own
  *guessed* "observed" days (e.g. 2027-02-09/10, 2027-05-03/04,
  2027-10-04/05) and no make-up workdays at all, so 2027 results are
  estimates until an override file lists the year in ``complete_years``.
* ``compute_due`` works in local time of the given zone; due instants are
  aware datetimes in that zone.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, TypeAlias, get_args
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "Due", "DueRule", "Period", "Unit", "WorkCalendar", "compute_due", "default_calendar",
    "period", "shift_day",
]  # fmt: skip

_Date: TypeAlias = date
_ONE_DAY = timedelta(days=1)

Unit = Literal[
    "working_days",
    "calendar_days",
    "weeks",
    "months",
    "hours",
    "same_day",
    "next_working_day",
    "next_day",
]
_UNITS: frozenset[str] = frozenset(get_args(Unit))


@dataclass(frozen=True, slots=True)
class Due:
    """A computed day and whether it rests on not-yet-published schedules."""

    date: _Date
    provisional: bool


@functools.cache
def _china_year(year: int) -> tuple[frozenset[date], frozenset[date], bool]:
    """(rest days, make-up workdays, covered) dated in ``year`` per python-holidays.

    python-holidays files make-up days under the schedule's year, and a few
    fall in the December before (2001-12-29 for New Year 2002), so the next
    year is loaded too and everything is filtered by date.  Quirk (0.109):
    those explicit-year entries (2001-12-29/30, 2005-12-31, 2006-12-30/31,
    2011-12-31) appear in ``weekend_workdays`` of *every* instance whatever
    ``years`` is; filtering by date makes that harmless.
    """
    # Same as holidays.China(...), but typed (China.__init__ is not).
    cal = holidays.country_holidays("CN", years=[y for y in (year, year + 1) if y <= 9999])
    rest = frozenset(d for d in cal if d.year == year)
    make_up = frozenset(d for d in cal.weekend_workdays if d.year == year)
    return rest, make_up, bool(make_up)


class WorkCalendar:
    """Chinese working-day calendar with overrides; safe to share between threads."""

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        complete_years: Iterable[int] = (),
    ) -> None:
        self._overrides: dict[date, bool] = dict(overrides or {})
        self._complete: frozenset[int] = frozenset(complete_years)
        self._working: dict[int, frozenset[date]] = {}

    def _working_days_of(self, year: int) -> frozenset[date]:
        days = self._working.get(year)
        if days is None:
            rest, make_up, _ = _china_year(year)
            d, found = date(year, 1, 1), set()
            while d.year == year:
                working = self._overrides.get(d)
                if working is None:
                    working = d not in rest and (d in make_up or d.weekday() < 5)
                if working:
                    found.add(d)
                if d == date.max:
                    break
                d += _ONE_DAY
            days = self._working[year] = frozenset(found)
        return days

    def is_working_day(self, d: date) -> bool:
        return d in self._working_days_of(d.year)

    def is_covered(self, year: int) -> bool:
        """True if the official schedule for ``year`` is known (see module doc)."""
        return year in self._complete or _china_year(year)[2]

    def is_provisional(self, a: date, b: date) -> bool:
        """True if any year between ``a`` and ``b`` (inclusive) is not covered."""
        lo, hi = sorted((a.year, b.year))
        return not all(self.is_covered(y) for y in range(lo, hi + 1))

    def _due(self, start: date, result: date) -> Due:
        return Due(result, self.is_provisional(start, result))

    def _next(self, d: date) -> date:
        d += _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def _roll(self, d: date) -> date:
        return d if self.is_working_day(d) else self._next(d)

    def next_working_day(self, d: date) -> Due:
        """The first working day strictly after ``d``."""
        return self._due(d, self._next(d))

    def add_working_days(self, start: date, n: int) -> Due:
        """The ``n``-th working day after ``start`` (start not counted)."""
        _check(n)
        d = start
        for _ in range(n):
            d = self._next(d)
        return self._due(start, d)

    def add_calendar_days(self, start: date, n: int) -> Due:
        """``start + n`` days, moved forward off a rest day (``n == 0``: start)."""
        _check(n)
        return self._due(start, self._roll(start + timedelta(days=n)) if n else start)

    def add_weeks(self, start: date, n: int) -> Due:
        """``7 * n`` calendar days, moved forward off a rest day."""
        return self.add_calendar_days(start, 7 * n)

    def add_months(self, start: date, n: int) -> Due:
        """Same day-of-month ``n`` months on, clamped to the month's end.

        31 May + 3 months = 31 Aug; 31 Jan + 1 month = 28/29 Feb; then moved
        forward off a rest day.
        """
        _check(n)
        if n == 0:
            return self._due(start, start)
        y, m = divmod(start.month - 1 + n, 12)
        year, month = start.year + y, m + 1
        nxt = date(year + month // 12, month % 12 + 1, 1)
        end = min(start.day, (nxt - _ONE_DAY).day)
        return self._due(start, self._roll(date(year, month, end)))

    def working_days_between(self, a: date, b: date) -> int:
        """Number of working days ``d`` with ``a < d <= b`` (negated if b < a)."""
        if b < a:
            return -self.working_days_between(b, a)
        if a.year == b.year:
            return sum(1 for d in self._working_days_of(a.year) if a < d <= b)
        total = sum(1 for d in self._working_days_of(a.year) if d > a)
        total += sum(len(self._working_days_of(y)) for y in range(a.year + 1, b.year))
        return total + sum(1 for d in self._working_days_of(b.year) if d <= b)


def _check(n: int) -> None:
    if n < 0:
        raise ValueError(f"period must not be negative, got {n}")


@functools.lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """The shared calendar without overrides."""
    return WorkCalendar()


@dataclass(frozen=True, slots=True)
class DueRule:
    """How long a period runs.

    ``amount`` is ignored for ``same_day``, ``next_working_day`` and
    ``next_day``.  ``end_of_day`` (all units but ``hours``): the period ends
    at 24:00 of the last day (next day 00:00) instead of close of business.

    ``after_hours_next_working_day``: when the start is on a rest day or at/
    after close of business, counting starts from the next working day's
    opening: that day becomes the start date and is itself day 0 (not
    counted).  Before opening on a working day, the same day is day 0 (its
    opening is still ahead).  Example: received Saturday 2026-10-03 (National
    Day) 10:00, 5 working days: without the flag day 0 is 10-03 and the
    period ends 2026-10-13 17:30 (10-08, 09, 10 (make-up Sat), 12, 13); with
    it day 0 is Thursday 10-08 and the period ends 2026-10-14 17:30.  For
    ``hours`` the clock then starts at the next working day's opening.

    ``rest_days_open``: the office that must act works every day, so a period
    in calendar days (days, weeks, months, ``next_day``) that ends on a rest
    day stays there instead of moving to the next working day.
    """

    amount: int
    unit: Unit
    end_of_day: bool = False
    after_hours_next_working_day: bool = False
    rest_days_open: bool = False

    def __post_init__(self) -> None:
        if self.unit not in _UNITS:
            raise ValueError(f"unknown unit {self.unit!r}")
        _check(self.amount)


@dataclass(frozen=True, slots=True)
class Period:
    """Where a period ends.

    ``end``: the instant (aware, in the zone asked for); ``last``: its last day;
    ``nominal``: the last day before it was moved off a rest day (the day a
    further period, such as an extension, counts from; equal to ``last`` when
    nothing was moved); ``provisional``: rests on an unpublished schedule.
    """

    end: datetime
    last: _Date
    nominal: _Date
    provisional: bool


def _calendar_last(day: date, n: int, unit: str) -> date:
    """The unmoved last day of a calendar period of ``n`` ``unit`` from ``day``."""
    if n == 0:
        return day
    if unit == "months":
        y, m = divmod(day.month - 1 + n, 12)
        year, month = day.year + y, m + 1
        nxt = date(year + month // 12, month % 12 + 1, 1)
        return date(year, month, min(day.day, (nxt - _ONE_DAY).day))
    return day + timedelta(days=7 * n if unit == "weeks" else n)


def shift_day(cal: WorkCalendar, day: date, n: int, unit: str, *, roll: bool = True) -> Due:
    """``day`` moved on by ``n`` working days, calendar days, weeks or months; a calendar
    period ending on a rest day moves to the next working day unless ``roll`` is False."""
    _check(n)
    if unit == "working_days":
        return cal.add_working_days(day, n)
    last = _calendar_last(day, n, unit)
    if roll and n:
        last = cal._roll(last)
    return Due(last, cal.is_provisional(day, last))


def compute_due(
    start: datetime,
    rule: DueRule,
    cal: WorkCalendar,
    tz: ZoneInfo,
    close_of_business: time = time(17, 30),
    working_start: time = time(8, 30),
) -> tuple[datetime, bool]:
    """When a period starting at aware ``start`` ends, in ``tz``, plus provisional flag.

    See :func:`period`; this returns its ``end`` and ``provisional``.
    """
    p = period(start, rule, cal, tz, close_of_business, working_start)
    return p.end, p.provisional


def period(
    start: datetime,
    rule: DueRule,
    cal: WorkCalendar,
    tz: ZoneInfo,
    close_of_business: time = time(17, 30),
    working_start: time = time(8, 30),
) -> Period:
    """The period starting at aware ``start`` under ``rule``, in ``tz``.

    ``hours`` counts elapsed clock hours and consults the calendar only for
    ``after_hours_next_working_day``.  ``same_day`` ends the day the start falls
    on: at close of business, or at 24:00 when the start comes at/after close or
    on a rest day (民法典 art. 203(2): the last day ends at 24:00, or when business
    hours end where there are such); with ``after_hours_next_working_day`` such
    a start counts from the next working day instead, which it then ends.
    ``next_working_day`` ends at close of the next working day after the start
    date; ``next_day`` (次日) at close of the next calendar day, moved off a rest
    day to the next working day (art. 203(1)) unless ``rest_days_open``.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be an aware datetime")
    local = start.astimezone(tz)
    day, clock = local.date(), local.time()
    closed = not cal.is_working_day(day) or clock >= close_of_business
    if rule.after_hours_next_working_day and (closed or clock < working_start):
        if closed:
            day, closed = cal.next_working_day(day).date, False
        local = max(local, datetime.combine(day, working_start, tzinfo=tz))
    unit, n = rule.unit, rule.amount
    if unit == "hours":
        end = (local.astimezone(UTC) + timedelta(hours=n)).astimezone(tz)
        touched = rule.after_hours_next_working_day
        provisional = touched and cal.is_provisional(start.astimezone(tz).date(), end.date())
        return Period(end, end.date(), end.date(), provisional)
    end_of_day = rule.end_of_day
    if unit == "working_days":
        last = nominal = cal.add_working_days(day, n).date
    elif unit in ("calendar_days", "weeks", "months"):
        nominal = _calendar_last(day, n, unit)
        last = cal._roll(nominal) if n and not rule.rest_days_open else nominal
    elif unit == "same_day":
        # Received after close (or on a rest day) without the after-hours rule: the day
        # still ends at 24:00 of that same day.
        last = nominal = day
        end_of_day = end_of_day or closed
    elif unit == "next_working_day":
        last = nominal = cal.next_working_day(day).date
    else:  # next_day
        nominal = day + _ONE_DAY
        last = nominal if rule.rest_days_open else cal._roll(nominal)
    if end_of_day:
        end = datetime.combine(last + _ONE_DAY, time(0), tzinfo=tz)
    else:
        end = datetime.combine(last, close_of_business, tzinfo=tz)
    return Period(end, last, nominal, cal.is_provisional(start.astimezone(tz).date(), last))

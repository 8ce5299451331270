"""Working-day calendar and deadline arithmetic (pure Python, no database)."""

from tousu.clock.calendar import (
    Due,
    DueRule,
    Unit,
    WorkCalendar,
    compute_due,
    default_calendar,
)

__all__ = ["Due", "DueRule", "Unit", "WorkCalendar", "compute_due", "default_calendar"]

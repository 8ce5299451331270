"""Typed inputs of the quality actions (the API's request schemas)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from tousu.cases.values import Day, In, Reason, Text


class RecordQualityIn(In):
    # The policy's own fields ([[fields]]) by code, checked against their types; an empty
    # value clears a field. "undetermined" where the field allows it.
    fields: dict[str, Any] = Field(min_length=1, max_length=100)
    note: str = Text


class AssignSubtaskIn(In):
    # A default sub-task of the policy ([[subtasks]]): its department, instruction and time
    # limit apply unless given here.
    default: str = Field(default="", max_length=40)
    department: str = Field(default="", max_length=40)
    instruction: str = Field(default="", max_length=5000)
    # Either working days in the organisation's calendar, or a date (close of business).
    due_in_working_days: int | None = Field(default=None, ge=0, le=365)
    due_date: Day | None = None


class CompleteSubtaskIn(In):
    subtask: int = Field(ge=1, le=100_000)
    result: str = Reason


class CancelSubtaskIn(In):
    subtask: int = Field(ge=1, le=100_000)
    reason: str = Reason

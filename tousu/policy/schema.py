"""The policy document: a regulation as validated data.

A policy is a TOML document. Unknown keys are errors (``extra="forbid"``), so a
typo never silently drops a rule. Error messages name the key path.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Kind = Literal["complaint", "report", "consultation", "suggestion"]
CASE_KINDS: tuple[Kind, ...] = ("complaint", "report", "consultation", "suggestion")
CHANNELS = (
    "phone", "letter", "fax", "email", "web", "visit", "sms", "touchscreen",
    "evaluation_form", "box", "opinion_book", "referral", "other",
)  # fmt: skip
COMPLEXITIES = ("on_the_spot", "general", "complex", "major")
# Stage codes are shared by every policy and appear in the API.
STAGES = (
    "acknowledgement", "acceptance", "routing", "notification", "investigation_start",
    "first_response", "verification", "mediation", "resolution", "reply", "follow_up",
    "review", "second_review",
)  # fmt: skip
# The events a clock may start from.
CLOCK_STARTS = ("received", "accepted", "assigned", "resolved", "replied")
UNITS = (
    "working_days", "calendar_days", "weeks", "months", "hours", "same_day",
    "next_working_day", "next_day",
)  # fmt: skip
ROLE_CODES = (
    "intake_clerk", "dispatcher", "handler", "department_head", "supervisor", "leader",
    "auditor", "administrator",
)  # fmt: skip

Unit = Literal[
    "working_days", "calendar_days", "weeks", "months", "hours", "same_day",
    "next_working_day", "next_day",
]  # fmt: skip
Code = Field(pattern=r"^[a-z0-9_]{1,40}$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Identity(Strict):
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    source: str = ""
    summary: str = ""


class Numbering(Strict):
    """Case number template: ``{yyyy}``, ``{yy}``, ``{mm}`` and ``{n}`` (the serial).

    ``{n:02d}`` pads to two digits and widens past 99 instead of overflowing.
    ``reset`` says when the serial starts again at 1 (by the month of registration).
    """

    format: str = "{yyyy}-{n:06d}"
    reset: Literal["month", "year", "never"] = "year"

    @field_validator("format")
    @classmethod
    def _check_format(cls, value: str) -> str:
        names = set(re.findall(r"\{(\w+)(?::[^}]*)?\}", value))
        unknown = names - {"yyyy", "yy", "mm", "n"}
        if unknown:
            raise ValueError(f"unknown placeholder(s) {sorted(unknown)}; use yyyy, yy, mm, n")
        if "n" not in names:
            raise ValueError("the format must contain the serial {n}")
        try:
            value.format(yyyy=2026, yy=26, mm=1, n=1)
        except (ValueError, KeyError, IndexError) as exc:
            raise ValueError(f"not a valid format: {exc}") from None
        return value

    @model_validator(mode="after")
    def _period_in_format(self) -> Numbering:
        # A serial that restarts must be told apart by the period, or numbers repeat.
        names = set(re.findall(r"\{(\w+)", self.format))
        has_year = bool(names & {"yy", "yyyy"})
        if self.reset == "month" and not (has_year and "mm" in names):
            raise ValueError("a serial that restarts monthly needs {yy} or {yyyy} and {mm}")
        if self.reset == "year" and not has_year:
            raise ValueError("a serial that restarts yearly needs {yy} or {yyyy}")
        return self


class WorkingHours(Strict):
    start: time = time(8, 30)
    end: time = time(17, 30)

    @model_validator(mode="after")
    def _order(self) -> WorkingHours:
        if self.start >= self.end:
            raise ValueError("working_hours.start must be before working_hours.end")
        return self


class DepartmentSpec(Strict):
    code: str = Code
    name_zh: str = Field(min_length=1)
    name_en: str = ""
    parent: str = ""


class Category(Strict):
    code: str = Code
    name_zh: str = Field(min_length=1)
    name_en: str = ""
    description: str = ""
    lead: str = ""
    co: tuple[str, ...] = ()
    parent: str = ""


class Reason(Strict):
    code: str = Code
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    redirect_zh: str = ""
    redirect_en: str = ""


class FieldSpec(Strict):
    code: str = Code
    label_zh: str = Field(min_length=1)
    label_en: str = ""
    type: Literal["string", "integer", "decimal", "date", "boolean", "choice"] = "string"
    choices: tuple[str, ...] = ()
    kinds: tuple[Kind, ...] = ()
    required: bool = False
    max_length: int = Field(default=500, ge=1, le=20000)

    @model_validator(mode="after")
    def _choices(self) -> FieldSpec:
        if self.type == "choice" and not self.choices:
            raise ValueError(f"field {self.code!r} of type choice needs choices")
        return self


class DeadlineRule(Strict):
    stage: Literal[
        "acknowledgement", "acceptance", "routing", "notification", "investigation_start",
        "first_response", "verification", "mediation", "resolution", "reply", "follow_up",
        "review", "second_review",
    ]  # fmt: skip
    start: Literal["received", "accepted", "assigned", "resolved", "replied"] = "received"
    amount: int = Field(default=1, ge=0, le=3650)
    unit: Unit = "working_days"
    hard: bool = True
    end_of_day: bool = False
    kinds: tuple[Kind, ...] = ()
    channels: tuple[str, ...] = ()
    complexity: tuple[str, ...] = ()
    text_zh: str = ""
    text_en: str = ""
    clause: str = ""

    def applies(self, *, kind: str, channel: str, complexity: str) -> bool:
        return (
            (not self.kinds or kind in self.kinds)
            and (not self.channels or channel in self.channels)
            and (not self.complexity or complexity in self.complexity)
        )


class Extension(Strict):
    max_amount: int = Field(default=10, ge=0, le=365)
    unit: Unit = "working_days"
    approver_roles: tuple[str, ...] = ("supervisor", "leader")


class Policy(Strict):
    identity: Identity
    kinds: tuple[Kind, ...] = CASE_KINDS
    channels: tuple[str, ...] = CHANNELS
    anonymous_allowed: bool = True
    written_channels: tuple[str, ...] = ("letter", "fax", "email", "web")
    numbering: Numbering = Numbering()
    working_hours: WorkingHours = WorkingHours()
    departments: tuple[DepartmentSpec, ...] = ()
    categories: tuple[Category, ...] = ()
    rejection_reasons: tuple[Reason, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    deadlines: tuple[DeadlineRule, ...] = ()
    extension: Extension = Extension()

    @model_validator(mode="after")
    def _cross_references(self) -> Policy:
        for channel in (*self.channels, *self.written_channels):
            if channel not in CHANNELS:
                raise ValueError(f"unknown channel {channel!r}; known: {', '.join(CHANNELS)}")
        dept_codes = [d.code for d in self.departments]
        _unique("departments", dept_codes)
        for dept in self.departments:
            if dept.parent and dept.parent not in dept_codes:
                raise ValueError(f"department {dept.code!r}: unknown parent {dept.parent!r}")
        cat_codes = [c.code for c in self.categories]
        _unique("categories", cat_codes)
        for cat in self.categories:
            for dept_code in (cat.lead, *cat.co):
                if dept_code and dept_code not in dept_codes:
                    raise ValueError(f"category {cat.code!r}: unknown department {dept_code!r}")
            if cat.parent and cat.parent not in cat_codes:
                raise ValueError(f"category {cat.code!r}: unknown parent {cat.parent!r}")
        _unique("rejection_reasons", [r.code for r in self.rejection_reasons])
        _unique("fields", [f.code for f in self.fields])
        for rule in self.deadlines:
            for channel in rule.channels:
                if channel not in CHANNELS:
                    raise ValueError(f"deadline {rule.stage!r}: unknown channel {channel!r}")
            for level in rule.complexity:
                if level not in COMPLEXITIES:
                    raise ValueError(f"deadline {rule.stage!r}: unknown complexity {level!r}")
        for role in self.extension.approver_roles:
            if role not in ROLE_CODES:
                raise ValueError(f"extension.approver_roles: unknown role {role!r}")
        return self

    # Lookups used on hot paths; the document is immutable, so these are cheap.
    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def reason(self, code: str) -> Reason | None:
        return next((r for r in self.rejection_reasons if r.code == code), None)

    def rules_for(
        self, *, kind: str, channel: str, complexity: str, start: str
    ) -> list[DeadlineRule]:
        """The first matching rule per stage among those whose clock starts at ``start``."""
        chosen: dict[str, DeadlineRule] = {}
        for rule in self.deadlines:
            if (
                rule.start == start
                and rule.stage not in chosen
                and rule.applies(kind=kind, channel=channel, complexity=complexity)
            ):
                chosen[rule.stage] = rule
        return list(chosen.values())


def _unique(what: str, codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"{what}: duplicate code {code!r}")
        seen.add(code)

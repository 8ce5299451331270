"""The policy document: a regulation as validated data.

A policy is a TOML document. Unknown keys are errors (``extra="forbid"``), so a
typo never silently drops a rule. Error messages name the key path.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterable
from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tousu.policy.periods import disagreement, rule_period
from tousu.policy.sections import (
    REQUIRABLE,
    Acceptance,
    Accountability,
    ApprovalLimit,
    ComplexityLevel,
    Deviation,
    Duplicates,
    Duty,
    Escalation,
    FollowUpRules,
    Permissions,
    Procedure,
    PublicNotice,
    RecusalRules,
    ReferralTarget,
    ReplyRules,
    Required,
    Retention,
    Reviews,
    Rewards,
    RoutingRule,
    SplitRules,
    StandingRules,
    SubTaskDefault,
    Title,
)

Kind = Literal["complaint", "report", "consultation", "suggestion"]
CASE_KINDS: tuple[Kind, ...] = ("complaint", "report", "consultation", "suggestion")
CHANNELS = (
    "phone", "letter", "fax", "email", "web", "visit", "sms", "touchscreen",
    "evaluation_form", "box", "opinion_book", "referral", "other",
)  # fmt: skip
COMPLEXITIES = ("on_the_spot", "general", "complex", "major")
# The events a clock may start from. "decided" is either acceptance decision (受理 or 不予受理);
# "accepted" and "rejected" are the one or the other.
ClockStart = Literal[
    "received", "accepted", "rejected", "decided", "assigned", "resolved", "replied",
    "review_requested", "second_review_requested",
]  # fmt: skip
# What has already happened when each event happens: a clock can count from any of these
# (``counts_from``) while it becomes known at the later one (``start``). A reopened case
# starts a new round (see ``tousu.cases.deadlines``).
EARLIER_STARTS: dict[str, frozenset[str]] = {
    "received": frozenset(),
    "accepted": frozenset({"received"}),
    "rejected": frozenset({"received"}),
    "decided": frozenset({"received"}),
    "assigned": frozenset({"received", "accepted", "decided"}),
    "resolved": frozenset({"received", "accepted", "decided", "assigned"}),
    "replied": frozenset({"received", "accepted", "decided", "assigned", "resolved"}),
    "review_requested": frozenset({"replied"}),
    "second_review_requested": frozenset({"replied", "review_requested"}),
}
ROLE_CODES = (
    "intake_clerk", "dispatcher", "handler", "department_head", "supervisor", "leader",
    "auditor", "administrator",
)  # fmt: skip

# customer_date: the date the complainant sets (客户指定期限); none: no limit.
Unit = Literal[
    "working_days", "calendar_days", "weeks", "months", "hours", "same_day",
    "next_working_day", "next_day", "customer_date", "none",
]  # fmt: skip
ExtensionUnit = Literal["working_days", "calendar_days", "weeks", "months"]
Code = Field(pattern=r"^[a-z0-9_]{1,40}$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Identity(Strict):
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    # The regulation this document runs, and who issued it (as in its source text).
    source: str = ""
    issuer: str = ""
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
    examples: tuple[str, ...] = ()
    # Outside the organisation's mandate: propose referral to this target.
    refer_to: str = ""
    # No longer offered for new cases; kept so the cases filed under it keep its name in
    # the ledger, its filters and reports (a category in use is retired, not removed).
    retired: bool = False


class Reason(Strict):
    code: str = Code
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    redirect_zh: str = ""
    redirect_en: str = ""
    clause: str = ""


class FieldSpec(Strict):
    code: str = Code
    label_zh: str = Field(min_length=1)
    label_en: str = ""
    type: Literal["string", "integer", "decimal", "date", "boolean", "choice"] = "string"
    choices: tuple[str, ...] = ()
    kinds: tuple[Kind, ...] = ()
    required: bool = False
    max_length: int = Field(default=500, ge=1, le=20000)
    # Choice fields may allow a value meaning "not yet known" (客户仍在处理，数量待定).
    undetermined_allowed: bool = False
    # "intake": recorded at registration (and amended while the case is open);
    # "investigation": the quality report (8D) recorded by ``record_quality``, also after
    # the resolution (the effect check comes later).
    group: Literal["intake", "investigation"] = "intake"
    # Deadline stages a recorded value of this field meets (效果确认 → "verification").
    meets: tuple[str, ...] = ()
    clause: str = ""

    @model_validator(mode="after")
    def _choices(self) -> FieldSpec:
        if self.type == "choice" and not self.choices:
            raise ValueError(f"field {self.code!r} of type choice needs choices")
        unknown = set(self.meets) - set(DEADLINE_STAGES)
        if unknown:
            raise ValueError(f"field {self.code!r}: unknown deadline stage(s) {sorted(unknown)}")
        return self


DeadlineStage = Literal[
    "acknowledgement", "acceptance", "routing", "notification", "investigation_start",
    "first_response", "verification", "mediation", "resolution", "reply", "follow_up",
    "review", "second_review",
]  # fmt: skip
DEADLINE_STAGES: tuple[str, ...] = typing.get_args(DeadlineStage)


class DeadlineRule(Strict):
    stage: DeadlineStage
    # When the clock becomes known: the event that creates it (a 2- or 5-day limit can only
    # be chosen once the case is accepted and its complexity decided).
    start: ClockStart = "received"
    # When the clock counts from, if earlier than ``start`` (a limit the regulation counts
    # from receipt but that is chosen at acceptance). Absent: ``start`` is both.
    counts_from: ClockStart | None = None
    amount: int = Field(default=1, ge=0, le=3650)
    unit: Unit = "working_days"
    # False: a best-effort target (应尽量, 尽可能) shown beside limits, never escalated.
    hard: bool = True
    # True: the period ends at 24:00 of the last day instead of close of business.
    end_of_day: bool = False
    # True: intake at night, on a weekend or holiday counts from the next working day.
    after_hours: bool = False
    # True: the office that must act is open every day (a scenic area), so a period in
    # calendar days (日, 周, 月, 次日) that ends on a rest day is not moved to the next
    # working day (民法典 art. 203 moves it otherwise).
    rest_days_open: bool = False
    # Selectors: a rule applies when every given selector matches.
    kinds: tuple[Kind, ...] = ()
    channels: tuple[str, ...] = ()
    complexity: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    # The rule does not apply to these categories (nor to their sub-categories): a
    # category with a procedure of its own (医疗纠纷 under the 医疗事故处理条例).
    exclude_categories: tuple[str, ...] = ()
    departments_min: int = Field(default=0, ge=0, le=50)
    # When the case was received: "after_hours" for a rule written for intake outside
    # working hours (nights, rest days, holidays: the duty officer's), "working_hours" for
    # one written for the office's hours; "any" otherwise.
    received_in: Literal["any", "after_hours", "working_hours"] = "any"
    # Not set by the regulation: an organisation default, marked as such.
    org_default: bool = False
    extendable: bool = True
    # The clause's own wording, shown beside the words generated from the numbers above
    # (tousu.policy.words). Optional; a period it states must be the rule's (periods.py).
    text_zh: str = ""
    text_en: str = ""
    clause: str = ""
    note: str = ""

    def applies(
        self,
        *,
        kind: str,
        channel: str,
        complexity: str,
        category: str = "",
        departments: int = 1,
        category_line: tuple[str, ...] = (),
        after_hours: bool = False,
    ) -> bool:
        """``category_line``: the case's category and its parents (for exclusions);
        ``after_hours``: whether the case was received outside working hours."""
        line = category_line or ((category,) if category else ())
        return (
            (not self.kinds or kind in self.kinds)
            and (not self.channels or channel in self.channels)
            and (not self.complexity or complexity in self.complexity)
            and (not self.categories or category in self.categories)
            and not set(line) & set(self.exclude_categories)
            and departments >= self.departments_min
            and (self.received_in == "any" or (self.received_in == "after_hours") == after_hours)
        )

    @property
    def counted_from(self) -> str:
        """The event the period counts from."""
        return self.counts_from or self.start

    @model_validator(mode="after")
    def _words(self) -> DeadlineRule:
        for key in ("text_zh", "text_en"):
            wrong = disagreement(getattr(self, key), self.amount, self.unit)
            if wrong is not None:
                raise ValueError(
                    f"deadline {self.stage!r}: {key} states {wrong.amount} {wrong.unit}"
                    f" but the rule counts {rule_period(self.amount, self.unit)};"
                    f" change the words or the numbers"
                )
        counts_from = self.counts_from or self.start
        if counts_from != self.start and counts_from not in EARLIER_STARTS[self.start]:
            raise ValueError(
                f"deadline {self.stage!r}: a clock that becomes known at {self.start!r}"
                f" cannot count from {counts_from!r}, which is not earlier"
            )
        if self.rest_days_open and self.unit in ("working_days", "next_working_day"):
            raise ValueError(
                f"deadline {self.stage!r}: rest_days_open applies to calendar periods,"
                f" not to {self.unit!r}"
            )
        return self


class Extension(Strict):
    max_amount: int = Field(default=10, ge=0, le=365)
    unit: ExtensionUnit = "working_days"
    approver_roles: tuple[str, ...] = ("supervisor", "leader")
    reason_required: bool = True
    clause: str = ""


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
    standing: StandingRules = StandingRules()
    required: tuple[Required, ...] = ()
    titles: tuple[Title, ...] = ()
    permissions: Permissions = Permissions()
    duty: Duty = Duty()
    acceptance: Acceptance = Acceptance()
    routing: tuple[RoutingRule, ...] = ()
    referral_targets: tuple[ReferralTarget, ...] = ()
    out_of_mandate: str = ""
    complexity_levels: tuple[ComplexityLevel, ...] = ()
    default_complexity: Literal["on_the_spot", "general", "complex", "major"] = "general"
    reply: ReplyRules = ReplyRules()
    follow_up: FollowUpRules = FollowUpRules()
    escalation: Escalation = Escalation()
    retention: Retention = Retention()
    accountability: Accountability = Accountability()
    rewards: Rewards = Rewards()
    approval_limits: tuple[ApprovalLimit, ...] = ()
    procedures: tuple[Procedure, ...] = ()
    # Sub-tasks (分派子任务) offered by default when a case of a category is handled.
    subtasks: tuple[SubTaskDefault, ...] = ()
    public_notice: PublicNotice = PublicNotice()
    deviations: tuple[Deviation, ...] = ()
    recusal: RecusalRules = RecusalRules()
    split: SplitRules = SplitRules()
    duplicates: Duplicates = Duplicates()
    reviews: Reviews = Reviews()

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
        for i, rule in enumerate(self.deadlines):
            where = f"deadlines.{i} ({rule.stage})"
            _known(where, "channel", rule.channels, CHANNELS)
            _known(where, "complexity", rule.complexity, COMPLEXITIES)
            _known(where, "category", rule.categories, cat_codes)
            _known(where, "category", rule.exclude_categories, cat_codes)
        _known("extension.approver_roles", "role", self.extension.approver_roles, ROLE_CODES)
        self._check_sections(dept_codes, cat_codes)
        return self

    def _check_sections(self, dept_codes: list[str], cat_codes: list[str]) -> None:
        field_paths = {f"fields.{f.code}" for f in self.fields} | REQUIRABLE
        reason_codes = [r.code for r in self.rejection_reasons]
        target_codes = [t.code for t in self.referral_targets]
        _unique("referral_targets", target_codes)
        for i, req in enumerate(self.required):
            _known(f"required.{i}", "field", req.fields, field_paths)
            _known(f"required.{i}", "category", req.exclude_categories, cat_codes)
            _known(f"required.{i}", "channel", req.channels, CHANNELS)
            if req.refusal_reason:
                _known(f"required.{i}", "refusal reason", (req.refusal_reason,), reason_codes)
        for i, title in enumerate(self.titles):
            if title.department:
                _known(f"titles.{i}", "department", (title.department,), dept_codes)
        for i, rule in enumerate(self.routing):
            _known(f"routing.{i}", "department", (rule.lead, *rule.co), dept_codes)
            _known(f"routing.{i}", "category", rule.categories, cat_codes)
            _known(f"routing.{i}", "channel", rule.channels, CHANNELS)
        for i, target in enumerate(self.referral_targets):
            _known(f"referral_targets.{i}", "category", target.categories, cat_codes)
        for cat in self.categories:
            if cat.refer_to:
                _known(f"category {cat.code}", "referral target", (cat.refer_to,), target_codes)
        for name, code in (
            ("out_of_mandate", self.out_of_mandate),
            ("escalation.report_violation_to", self.escalation.report_violation_to),
        ):
            if code:
                _known(name, "referral target", (code,), target_codes)
        for i, proc in enumerate(self.procedures):
            _known(f"procedures.{i}", "category", proc.categories, cat_codes)
            for group in proc.groups:
                if group.department:
                    _known(f"procedures.{i}", "department", (group.department,), dept_codes)
            for proc_step in proc.steps:
                _known(f"procedures.{i}", "referral target", proc_step.targets, target_codes)
        _unique("procedures", [p.code for p in self.procedures])
        _unique("subtasks", [t.code for t in self.subtasks])
        for i, task in enumerate(self.subtasks):
            _known(f"subtasks.{i}", "department", (task.department,), dept_codes)
            _known(f"subtasks.{i}", "category", task.categories, cat_codes)
        _unique("complexity_levels", [c.level for c in self.complexity_levels])
        _unique("reply.templates", [t.code for t in self.reply.templates])
        _known("reply.written_forms", "channel", self.reply.written_forms, CHANNELS)

    # Lookups used on hot paths; the document is immutable, so these are cheap.
    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    @property
    def open_categories(self) -> tuple[Category, ...]:
        """The categories a new case may be filed under (the retired ones left out)."""
        return tuple(c for c in self.categories if not c.retired)

    def reason(self, code: str) -> Reason | None:
        return next((r for r in self.rejection_reasons if r.code == code), None)

    def rules_for(
        self,
        *,
        kind: str,
        channel: str,
        complexity: str,
        start: str,
        category: str = "",
        departments: int = 1,
        customer_date: bool = False,
        after_hours: bool = False,
    ) -> list[DeadlineRule]:
        """The rules whose clock starts at ``start``: per stage, the first matching hard
        limit and the first matching best-effort target, in document order.

        A ``customer_date`` rule matches only when the complainant set a date, so the
        next rule for that stage applies otherwise.
        """
        chosen: dict[tuple[str, bool], DeadlineRule] = {}
        line = self.category_line(category)
        for rule in self.deadlines:
            key = (rule.stage, rule.hard)
            if rule.start != start or key in chosen:
                continue
            if rule.unit == "customer_date" and not customer_date:
                continue
            if rule.applies(
                kind=kind, channel=channel, complexity=complexity, category=category,
                departments=departments, category_line=line, after_hours=after_hours,
            ):  # fmt: skip
                chosen[key] = rule
        return list(chosen.values())

    def category_line(self, code: str) -> tuple[str, ...]:
        """The category and its parents, nearest first (a cycle stops the walk)."""
        line: list[str] = []
        while code and code not in line:
            line.append(code)
            cat = self.category(code)
            code = cat.parent if cat is not None else ""
        return tuple(line)

    def title_for(self, role: str) -> str:
        """The organisation's own title for a role, or ""."""
        return next((t.zh for t in self.titles if t.role == role and not t.department), "")

    def route(
        self, *, category: str, subject_type: str, channel: str, kind: str
    ) -> tuple[str, tuple[str, ...]]:
        """(lead, co) department codes proposed for a case: routing rules, then the category."""
        for rule in self.routing:
            if (
                (not rule.categories or category in rule.categories)
                and (not rule.subject_types or subject_type in rule.subject_types)
                and (not rule.channels or channel in rule.channels)
                and (not rule.kinds or kind in rule.kinds)
            ):
                return rule.lead, rule.co
        cat = self.category(category)
        if cat is not None and cat.lead:
            return cat.lead, cat.co
        return "", ()

    def referral_target(self, code: str) -> ReferralTarget | None:
        return next((t for t in self.referral_targets if t.code == code), None)


def _known(where: str, what: str, values: Iterable[str], known: Iterable[str]) -> None:
    allowed = set(known)
    for value in values:
        if value not in allowed:
            raise ValueError(f"{where}: unknown {what} {value!r}")


def _unique(what: str, codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"{what}: duplicate code {code!r}")
        seen.add(code)

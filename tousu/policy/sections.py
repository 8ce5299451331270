"""Sections of the policy document beyond the core (see :mod:`tousu.policy.schema`).

Each section is a regulation's rule as data. Flows that act on some of them
(penalties, rewards, compensation, special procedures) come later; the data is
validated now so that a preset is complete and traceable to its source.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

RoleCode = Literal[
    "intake_clerk", "dispatcher", "handler", "department_head", "supervisor", "leader",
    "auditor", "administrator",
]  # fmt: skip
Kind = Literal["complaint", "report", "consultation", "suggestion"]
Standing = Literal["own_rights", "family", "agent", "anyone", "staff"]
Code = Field(pattern=r"^[a-z0-9_]{1,40}$")

# Paths a policy may require at intake (field codes of the policy's own fields too:
# "fields.<code>").
REQUIRABLE = frozenset(
    {
        "complainant.name", "complainant.phone", "complainant.email", "complainant.address",
        "complainant.employer", "complainant.id_number", "complainant.contact",
        "subject", "subject.name", "subject.address", "subject.reference", "subject.url",
        "demands", "category",
    }
)  # fmt: skip


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    zh: str = Field(min_length=1)
    en: str = ""


class StandingRules(Strict):
    """Who may bring a case of each kind (投诉人资格)."""

    complaint: tuple[Standing, ...] = ("own_rights", "family", "agent")
    report: tuple[Standing, ...] = ("anyone",)
    consultation: tuple[Standing, ...] = ("anyone",)
    suggestion: tuple[Standing, ...] = ("anyone",)
    clause: str = ""


class Required(Strict):
    """Details that must be on the case before acceptance (never before registration)."""

    kinds: tuple[Kind, ...] = ()
    channels: tuple[str, ...] = ()
    # Categories (with their sub-categories) the rule does not apply to: tobacco's
    # register details of the person reported (六) are not asked of reports about officers.
    exclude_categories: tuple[str, ...] = ()
    fields: tuple[str, ...] = Field(min_length=1)
    # A non-acceptance reason the decision offers while something is still missing.
    refusal_reason: str = ""
    clause: str = ""


class Title(Strict):
    """A local title for a fixed role (首问责任人, 督查员, 总值班, 分管副总...)."""

    role: RoleCode
    zh: str = Field(min_length=1)
    en: str = ""
    department: str = ""


class Permissions(Strict):
    """Which fixed roles hold each permission the regulation names."""

    custodian: tuple[RoleCode, ...] = ("leader",)
    decide_acceptance: tuple[RoleCode, ...] = ("dispatcher", "supervisor", "leader")
    close: tuple[RoleCode, ...] = ("dispatcher", "supervisor", "department_head")
    propose_penalty: tuple[RoleCode, ...] = ("supervisor", "department_head")
    approve_penalty: tuple[RoleCode, ...] = ("leader",)
    hear_appeal: tuple[RoleCode, ...] = ("leader",)
    approve_reward: tuple[RoleCode, ...] = ("leader",)
    approve_compensation: tuple[RoleCode, ...] = ("leader",)
    view_staff_record: tuple[RoleCode, ...] = ("supervisor", "leader")
    # Roles that see who brought a case of this kind without asking, beyond need-to-know
    # (the first-contact owner, the registering clerk, the assigned handlers, and whoever
    # is doing a step that needs contact). Reports: nobody unless named here; otherwise
    # only after a custodian's approval.
    see_identity_complaint: tuple[RoleCode, ...] = ()
    see_identity_report: tuple[RoleCode, ...] = ()
    see_identity_consultation: tuple[RoleCode, ...] = ()
    see_identity_suggestion: tuple[RoleCode, ...] = ()

    def see_identity(self, kind: str) -> tuple[str, ...]:
        roles: tuple[str, ...] = getattr(self, f"see_identity_{kind}", ())
        return roles


class Duty(Strict):
    """Reception outside working hours (值班)."""

    reception_24h: bool = False
    # next_working_day: cases wait for the next working day; duty_officer: the duty
    # role receives and handles what it can; handled_now: received now, handled now.
    after_hours: Literal["next_working_day", "duty_officer", "handled_now"] = "next_working_day"
    duty_role: RoleCode | None = None
    duty_title_zh: str = ""
    # What the duty officer could not settle is handed on: next_day (次日) or next_working_day.
    hand_on: Literal["next_day", "next_working_day"] = "next_working_day"
    urgent_first: bool = False
    shifts: bool = False
    clause: str = ""


class Acceptance(Strict):
    conditions: tuple[Text, ...] = ()
    clause: str = ""


class RoutingRule(Strict):
    """Category / subject / channel → lead and co-handling departments (first match wins)."""

    categories: tuple[str, ...] = ()
    subject_types: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    kinds: tuple[Kind, ...] = ()
    lead: str = Field(min_length=1)
    co: tuple[str, ...] = ()
    note: str = ""
    clause: str = ""


class ReferralTarget(Strict):
    code: str = Code
    name_zh: str = Field(min_length=1)
    name_en: str = ""
    type: Literal[
        "authority", "court", "police", "organisation", "association", "petition_office",
        "arbitration", "other",
    ] = "authority"  # fmt: skip
    when_zh: str = ""
    categories: tuple[str, ...] = ()
    clause: str = ""


class ComplexityLevel(Strict):
    level: Literal["on_the_spot", "general", "complex", "major"]
    zh: str = Field(min_length=1)
    en: str = ""
    description: str = ""
    # Classed at least this complex when this many departments are involved.
    departments_min: int = Field(default=0, ge=0, le=50)


class Template(Strict):
    code: str = Code
    title_zh: str = Field(min_length=1)
    body_zh: str = Field(min_length=1)
    title_en: str = ""
    body_en: str = ""


class ReplyRules(Strict):
    written_for_written: bool = True
    # The reply channels that count as a written reply (书面答复).
    written_forms: tuple[str, ...] = ("letter", "email", "fax", "web")
    written_always: bool = False
    default_form: Literal["oral", "written"] = "oral"
    templates: tuple[Template, ...] = ()
    clause: str = ""


class FollowUpRules(Strict):
    required: bool = False
    by_roles: tuple[RoleCode, ...] = ("intake_clerk", "dispatcher", "supervisor")
    satisfaction_scale: tuple[str, ...] = ("satisfied", "basically_satisfied", "dissatisfied")
    dissatisfied: Literal["reverify", "appeal", "record_only"] = "reverify"
    # Days the complainant has to disagree (0: no limit).
    disagreement_window_days: int = Field(default=0, ge=0, le=3650)
    clause: str = ""


class Escalation(Strict):
    major_to: RoleCode | None = "leader"
    major_immediately: bool = True
    overdue_to: tuple[RoleCode, ...] = ("department_head", "supervisor")
    unclear_responsibility_to: RoleCode | None = None
    # A referral target that must be told when a violation of law is found.
    report_violation_to: str = ""
    clause: str = ""


class Retention(Strict):
    years: int = Field(default=2, ge=1, le=100)
    archive_by_year: bool = True
    clause: str = ""


class PenaltySpec(Strict):
    code: Literal[
        "warning", "criticism", "apology", "fine", "appraisal_deduction", "transfer",
        "suspension", "dismissal", "judicial_referral",
    ]  # fmt: skip
    zh: str = Field(min_length=1)
    en: str = ""
    amount: Decimal | None = None


class CountingRule(Strict):
    """E.g. the second complaint against the same staff member within a year → suspension."""

    count: int = Field(ge=2, le=100)
    window_days: int = Field(default=365, ge=1, le=3650)
    proposes: str = Code
    notify_role: RoleCode = "leader"
    zh: str = ""
    clause: str = ""


class Accountability(Strict):
    penalties: tuple[PenaltySpec, ...] = ()
    counting: tuple[CountingRule, ...] = ()
    appeal_to: RoleCode | None = None
    appeal_window_days: int = Field(default=0, ge=0, le=3650)
    decision_stands_during_appeal: bool = True
    notify_in_writing: bool = False
    counts_in_appraisal: bool = False
    clause: str = ""


class Rewards(Strict):
    enabled: bool = False
    via_custodian: bool = True
    clause: str = ""


class ApprovalLimit(Strict):
    """核决权限: up to these limits the role approves; above them, the next row's role."""

    kind: Literal["return", "credit", "compensation", "advance_compensation", "refund"]
    role: RoleCode
    title_zh: str = ""
    max_amount: Decimal | None = None
    max_quantity: int | None = None
    clause: str = ""


# The record form a procedure step writes (tousu.procedures validates each one's details).
ProcedureRecord = Literal[
    "note", "sealing", "authority_notice", "autopsy_notice", "referral", "committee_decision",
    "decision_notice",
]  # fmt: skip
# Forms that name a referral target of the policy (``ProcedureStep.targets``).
TARGETED_RECORDS = frozenset({"authority_notice", "referral"})


class ProcedureGroup(Strict):
    """A group the procedure names (领导小组, 办公室, 科室接待小组) as the fixed roles that form it,
    optionally within one department (the office sits in medical affairs)."""

    code: str = Code
    zh: str = Field(min_length=1)
    en: str = ""
    roles: tuple[RoleCode, ...] = Field(min_length=1)
    department: str = ""
    clause: str = ""


class ProcedureStep(Strict):
    code: str = Code
    zh: str = Field(min_length=1)
    en: str = ""
    # The groups that take this step (codes of the procedure's groups); empty: any staff
    # member the transition table lets record on the case.
    by: tuple[str, ...] = ()
    record: ProcedureRecord = "note"
    # The referral targets an authority notice or a referral may name (empty: any).
    targets: tuple[str, ...] = ()
    # A time limit the step's record states, counted from the event it records (the
    # autopsy within 48 hours of death, 7 days where the body is kept frozen).
    within_hours: int | None = Field(default=None, ge=1, le=8760)
    within_days_frozen: int | None = Field(default=None, ge=1, le=365)
    clause: str = ""


class Procedure(Strict):
    code: str = Code
    zh: str = Field(min_length=1)
    en: str = ""
    categories: tuple[str, ...] = ()
    steps: tuple[ProcedureStep, ...] = Field(min_length=1)
    groups: tuple[ProcedureGroup, ...] = ()
    # Who opens the procedure on a case (group codes; empty: any staff member who may record).
    started_by: tuple[str, ...] = ()
    # Groups told when it is opened, and the complexity the case takes then (a medical
    # dispute is major).
    notify: tuple[str, ...] = ()
    complexity: Literal["general", "complex", "major"] | None = None
    clause: str = ""

    @model_validator(mode="after")
    def _check_codes(self) -> Procedure:
        groups = [g.code for g in self.groups]
        steps = [s.code for s in self.steps]
        for name, codes in (("groups", groups), ("steps", steps)):
            if len(set(codes)) != len(codes):
                raise ValueError(f"procedure {self.code}: duplicate {name} code")
        named = [*self.started_by, *self.notify, *(g for s in self.steps for g in s.by)]
        unknown = sorted(set(named) - set(groups))
        if unknown:
            raise ValueError(f"procedure {self.code}: unknown group {', '.join(unknown)}")
        for s in self.steps:
            if s.targets and s.record not in TARGETED_RECORDS:
                raise ValueError(
                    f"procedure {self.code}, step {s.code}: targets need record "
                    "authority_notice or referral"
                )
        return self

    def step(self, code: str) -> ProcedureStep | None:
        return next((s for s in self.steps if s.code == code), None)

    def group(self, code: str) -> ProcedureGroup | None:
        return next((g for g in self.groups if g.code == code), None)


class PublicNotice(Strict):
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    address: str = ""
    postcode: str = ""
    boxes: tuple[str, ...] = ()
    web: str = ""
    hours_zh: str = ""
    promises_zh: tuple[str, ...] = ()


class Deviation(Strict):
    """Where this document departs from its source regulation, and why."""

    key: str = Field(min_length=1)
    source_zh: str = Field(min_length=1)
    ours: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class RecusalRules(Strict):
    """回避: who orders or decides a recusal, and whether a party's request stops the clock
    until it is decided (SAMR Order 121)."""

    approver_roles: tuple[RoleCode, ...] = ("supervisor", "leader", "department_head")
    request_pauses_clock: bool = False
    # The whole department of the staff member complained about stays out of the case
    # (and cannot handle it), not only the person.
    subject_department_excluded: bool = False
    clause: str = ""


class SplitRules(Strict):
    # A complaint that also reports a violation: split into linked cases, or keep one.
    mixed_submissions: Literal["split", "single"] = "single"
    clause: str = ""


class Duplicates(Strict):
    # Same reporter, facts and target: flag for a person, or merge (restarting the clock).
    same_facts: Literal["flag", "merge", "merge_restart_clock"] = "flag"
    bulk_flag_only: bool = True
    clause: str = ""


class Reviews(Strict):
    """Petitions: review (复查) and second review (复核) by the next level up."""

    levels: int = Field(default=0, ge=0, le=2)
    request_window_days: int = Field(default=30, ge=1, le=365)
    no_reacceptance_after_final: bool = True
    clause: str = ""


class SubTaskDefault(Strict):
    """A sub-task (分派子任务) the desk offers by default for cases of some categories: a
    department's part of the investigation, with its own time limit."""

    code: str = Code
    department: str = Field(min_length=1)
    categories: tuple[str, ...] = ()
    zh: str = Field(min_length=1)
    en: str = ""
    amount: int = Field(default=2, ge=0, le=365)
    unit: Literal["working_days", "calendar_days"] = "working_days"
    clause: str = ""

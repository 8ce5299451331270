"""Typed inputs of the accountability actions (the API's request schemas)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tousu.cases.values import Amount, In, PastMoment, Reason, Text

# Accountability (tousu.accountability): penalties on staff or departments, and appeals.
PenaltyKind = Literal[
    "warning", "criticism", "apology", "fine", "appraisal_deduction", "transfer",
    "suspension", "dismissal", "judicial_referral",
]  # fmt: skip


class ProposePenaltyIn(In):
    # Exactly one: the staff member's username, or the department's code.
    staff: str = Field(default="", max_length=150)
    department: str = Field(default="", max_length=40)
    kind: PenaltyKind
    amount: Amount | None = Field(default=None, gt=0, max_digits=12, decimal_places=2)
    reason: str = Reason


class DecidePenaltyIn(In):
    penalty: int = Field(ge=1, le=2_147_483_647)
    approved: bool
    note: str = Text


class AppealPenaltyIn(In):
    penalty: int = Field(ge=1, le=2_147_483_647)
    reason: str = Reason


class DecideAppealIn(In):
    penalty: int = Field(ge=1, le=2_147_483_647)
    # True: the decision stands; False: it is revoked.
    upheld: bool
    note: str = Text


class RecordNoticeDeliveredIn(In):
    penalty: int = Field(ge=1, le=2_147_483_647)
    # 处罚决定通知书 or 申诉处理决定书
    document: Literal["penalty_notice", "appeal_decision"] = "penalty_notice"
    delivered_at: PastMoment
    how: Literal["in_person", "post", "email", "other"] = "in_person"
    note: str = Text

"""Typed inputs of the remedy and reward actions (the API's request schemas)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tousu.cases.values import Amount, In, PastMoment, Reason, Text

RemedyKind = Literal["advance_compensation", "compensation", "refund", "return", "credit"]
Yuan = Field(default=None, ge=0, max_digits=14, decimal_places=2)
HandOverMethod = Literal["cash", "bank_transfer", "goods", "credit_note", "other"]


class ProposeRemedyIn(In):
    kind: RemedyKind
    # In yuan; a quantity with its unit for returns and exchanges.
    amount: Amount | None = Yuan
    quantity: int | None = Field(default=None, ge=1, le=100_000_000)
    unit: str = Field(default="", max_length=20)
    # 未确定: the quantity is not known yet (the customer is still processing the rest).
    quantity_undetermined: bool = False
    reason: str = Reason


class ApproveRemedyIn(In):
    remedy: int = Field(ge=1, le=100_000)
    approved: bool = True
    note: str = Text


class RecordRemedyPaidIn(In):
    remedy: int = Field(ge=1, le=100_000)
    paid_at: PastMoment
    method: HandOverMethod
    note: str = Text


class ProposeRewardIn(In):
    amount: Amount = Field(gt=0, max_digits=14, decimal_places=2)
    reason: str = Reason


class ApproveRewardIn(In):
    reward: int = Field(ge=1, le=100_000)
    approved: bool = True
    note: str = Text


class HandOverRewardIn(In):
    reward: int = Field(ge=1, le=100_000)
    method: HandOverMethod = "cash"
    # An anonymous reporter's claim: the receipt the claimant shows (checked, never stored).
    receipt: str = Field(default="", max_length=60)
    note: str = Text

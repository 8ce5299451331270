"""Typed inputs of the core's actions. The API uses these as its request schemas.

Built from the typed values of :mod:`tousu.cases.values`; each feature keeps the inputs of
its own actions in its app.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from tousu.cases.values import (  # noqa: F401
    Channel,
    Code,
    Complexity,
    DeadlineMoment,
    In,
    Kind,
    PastMoment,
    Reason,
    ShortText,
    Text,
)


class AgentIn(In):
    name: str = Field(default="", max_length=200)
    relation: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=50)


class ComplainantIn(In):
    anonymous: bool = False
    name: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=50, pattern=r"^[0-9+\-() ]*$")
    email: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=500)
    employer: str = Field(default="", max_length=200)
    id_number: str = Field(default="", max_length=40, pattern=r"^[0-9A-Za-z]*$")
    agent: AgentIn | None = None
    # Asked at intake: may the identity be shared with the subject for mediation?
    consent_share_identity: bool = False

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and ("@" not in value or value.startswith("@") or value.endswith("@")):
            raise ValueError("not an e-mail address")
        return value


class SubjectIn(In):
    type: Literal["staff", "department", "merchant", "product", "content", "other"] = "other"
    # The staff member complained about, when known (username): they never see the case.
    staff: str = Field(default="", max_length=150)
    name: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=500)
    url: str = Field(default="", max_length=1000)
    reference: str = Field(default="", max_length=200)


class RegisterIn(In):
    kind: Kind
    channel: Channel
    received_at: PastMoment | None = None
    category: str = Field(default="", max_length=40)
    complexity: Complexity | None = None
    content: str = Field(min_length=1, max_length=50000)
    demands: str = Field(default="", max_length=20000)
    complainant: ComplainantIn = ComplainantIn(anonymous=True)
    subject: SubjectIn | None = None
    fields: dict[str, Any] = Field(default_factory=dict, max_length=100)
    customer_deadline: DeadlineMoment | None = None


class AmendIn(In):
    complainant: ComplainantIn | None = None
    subject: SubjectIn | None = None
    demands: str | None = Field(default=None, max_length=20000)
    fields: dict[str, Any] = Field(default_factory=dict, max_length=100)
    customer_deadline: DeadlineMoment | None = None
    note: str = Text


class ClassifyIn(In):
    kind: Kind | None = None
    category: str | None = Field(default=None, max_length=40)
    complexity: Complexity | None = None
    departments: list[str] | None = Field(default=None, max_length=20)
    note: str = Text


class ResolveOnTheSpotIn(In):
    findings: str = Reason
    reply_channel: Channel | Literal["on_the_spot"] = "on_the_spot"
    satisfied: bool | None = None


class AcceptIn(In):
    note: str = Text


class RejectIn(In):
    reason_code: str = Code
    note: str = Text
    complainant_told: bool = False
    told_via: Channel | None = None


class ReferIn(In):
    target_org: str | None = Field(default=None, max_length=50)
    authority: str = ShortText
    note: str = Text
    complainant_told: bool
    told_via: Channel | None = None


class AssignIn(In):
    lead_department: str = Code
    co_departments: list[str] = Field(default_factory=list, max_length=20)
    handler: str | None = Field(default=None, max_length=150)
    note: str = Text


class TransferIn(In):
    department: str = Code
    reason: str = Reason


class ReceiveIn(In):
    handler: str | None = Field(default=None, max_length=150)
    note: str = Text


class ReturnIn(In):
    reason: str = Reason


RecordKind = Literal[
    "note", "investigation", "mediation", "meeting", "evidence", "sealed_evidence",
    "call", "acknowledgement", "notification", "site_inspection",
    # 送达: occurred_at = delivered at, participants = recipient, location = where / how,
    # body = what was delivered.
    "delivery",
]  # fmt: skip


class RecordIn(In):
    kind: RecordKind
    body: str = Field(min_length=1, max_length=50000)
    occurred_at: PastMoment | None = None
    participants: list[str] = Field(default_factory=list, max_length=50)
    location: str = ShortText
    items: list[str] = Field(default_factory=list, max_length=100)
    witnesses: list[str] = Field(default_factory=list, max_length=20)
    seal_number: str = ShortText
    outcome: Literal["", "agreement", "no_agreement", "adjourned"] = ""


class PauseIn(In):
    reason_code: Literal["waiting_materials", "testing", "appraisal", "recusal_request", "other"]
    note: str = Text


class ResumeIn(In):
    note: str = Text


class RequestExtensionIn(In):
    stage: str = Field(default="reply", max_length=30)
    amount: int = Field(ge=1, le=365)
    reason: str = Reason


class ApproveExtensionIn(In):
    approved: bool = True
    amount: int | None = Field(default=None, ge=1, le=365)
    note: str = Text


class EscalateIn(In):
    to_role: Literal["department_head", "supervisor", "leader"] = "leader"
    major: bool = False
    reason: str = Reason


class NotifyAuthorityIn(In):
    authority: str = Field(min_length=1, max_length=200)
    reference: str = ShortText
    notified_at: PastMoment | None = None
    note: str = Text


class SplitPartIn(In):
    kind: Kind
    category: str = Field(default="", max_length=40)
    complexity: Complexity | None = None
    content: str = Field(min_length=1, max_length=50000)
    demands: str = Field(default="", max_length=20000)


class SplitIn(In):
    parts: list[SplitPartIn] = Field(min_length=1, max_length=10)
    note: str = Text


class MergeIn(In):
    into: str = Field(min_length=1, max_length=40)
    note: str = Text


class ResolveIn(In):
    findings: str = Reason
    responsibility: Literal["organisation", "complainant", "third_party", "unclear"]
    valid: bool | None = None
    measures: str = Text


class ReplyIn(In):
    channel: Channel | Literal["on_the_spot"]
    body: str = Field(min_length=1, max_length=50000)
    delivered_at: PastMoment | None = None


class FollowUpIn(In):
    reached: bool
    satisfaction: Literal["satisfied", "basically_satisfied", "dissatisfied", ""] = ""
    channel: Channel = "phone"
    note: str = Text


class CloseIn(In):
    note: str = Text


class ReopenIn(In):
    reason: str = Reason


class RequestReviewIn(In):
    reason: str = Reason
    requested_at: PastMoment | None = None


class RecuseIn(In):
    # Empty: the actor declares their own conflict; a username: the approver orders it.
    user: str = Field(default="", max_length=150)
    reason: str = Reason


class RequestRecusalIn(In):
    user: str = Field(min_length=1, max_length=150)
    reason: str = Reason


class DecideRecusalIn(In):
    user: str = Field(min_length=1, max_length=150)
    approved: bool
    note: str = Text


class RequestRevealIn(In):
    reason: str = Reason


class ApproveRevealIn(In):
    requested_by: str = Field(min_length=1, max_length=150)
    approved: bool
    note: str = Text


class RedactIn(In):
    # Words or phrases to hide wherever the case's text is shown in a restricted view.
    phrases: list[str] = Field(min_length=1, max_length=50)

    @field_validator("phrases")
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        cleaned = [p.strip() for p in value if p.strip()]
        if not cleaned or any(len(p) > 200 for p in cleaned):
            raise ValueError("give 1 to 50 phrases of at most 200 characters")
        return cleaned


class HoldIn(In):
    reason: str = Reason


class WithdrawIn(In):
    reason: str = Reason


# -- the reporter's channel (tousu.portal) ---------------------------------------------------

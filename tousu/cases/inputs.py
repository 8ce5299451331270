"""Typed inputs of the actions. The API uses these as its request schemas.

Bounds are generous but finite: every text has a maximum length, every list a
maximum size, so no request can make a case unbounded.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from django.conf import settings
from django.utils import timezone
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from tousu.cases.errors import invalid

Kind = Literal["complaint", "report", "consultation", "suggestion"]
Channel = Literal[
    "phone", "letter", "fax", "email", "web", "visit", "sms", "touchscreen",
    "evaluation_form", "box", "opinion_book", "referral", "other",
]  # fmt: skip
Complexity = Literal["on_the_spot", "general", "complex", "major"]
Code = Field(pattern=r"^[a-z0-9_]{1,40}$")
Text = Field(default="", max_length=20000)
ShortText = Field(default="", max_length=200)
Reason = Field(min_length=1, max_length=5000)


# Moments after this are typing errors, not plans (and beyond what reports can show).
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
# Real time zones lie within ±14 hours; PostgreSQL refuses offsets beyond ±15:59.
MAX_OFFSET = timedelta(hours=14)
# A moment this far ahead of the server clock is clock skew, not the future.
CLOCK_SKEW = timedelta(minutes=2)
# How far ahead a deadline the customer sets may lie.
DEADLINE_HORIZON = timedelta(days=10 * 366)


def records_floor() -> datetime:
    """The organisation's records floor (TOUSU_RECORDS_FLOOR): nothing it records, imports
    or reports happened before it. Midnight UTC of that day."""
    floor: date = settings.TOUSU_RECORDS_FLOOR
    return datetime.combine(floor, time.min, tzinfo=UTC)


def _floor_text() -> str:
    return records_floor().date().isoformat()


def sane_moment(value: datetime, field: str) -> datetime:
    """Refuse moments no organisation could mean (and databases could not store)."""
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise invalid(field, "时区偏移超出范围（±14:00）", "UTC offset out of range (±14:00)")
    try:
        in_range = records_floor() <= value.astimezone(UTC) <= LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        floor = _floor_text()
        raise invalid(
            field,
            f"日期超出可受理范围（{floor} 至 2199 年）",
            f"Date out of the accepted range ({floor} to 2199)",
        )
    return value


# RFC 3339 date-time with its offset, as the OpenAPI schema says (format: date-time): no bare
# dates, no naive times, no numbers of seconds since 1970.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")


def _moment(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        text = value.strip()
        if not _RFC3339.fullmatch(text):
            raise ValueError(
                "须为带时区的日期时间，例如 2026-11-28T09:40:00+08:00 / "
                "must be a date-time with its UTC offset, e.g. 2026-11-28T09:40:00+08:00"
            )
        try:
            moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("日期或时间不存在 / no such date or time") from None
    else:
        return value  # refused by the datetime validator, with its type error
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError(
            "须带时区偏移，例如 2026-11-28T09:40:00+08:00 / "
            "must include a UTC offset, e.g. 2026-11-28T09:40:00+08:00"
        )
    if abs(offset) > MAX_OFFSET:
        raise ValueError("时区偏移超出范围（±14:00） / UTC offset out of range (±14:00)")
    if moment.astimezone(UTC) < records_floor():
        floor = _floor_text()
        raise ValueError(f"不能早于记录起始日 {floor} / cannot be before the records floor {floor}")
    return moment


def _not_ahead(limit: timedelta, zh: str, en: str) -> Any:
    def check(value: datetime) -> datetime:
        if value.astimezone(UTC) > min(timezone.now() + limit, LATEST):
            raise ValueError(f"{zh} / {en}")
        return value

    return check


def not_after_now(value: datetime, now: datetime, field: str) -> datetime:
    """Refuse a moment that has not happened yet (beyond the clock skew), as of ``now``."""
    if value > now + CLOCK_SKEW:
        raise invalid(field, "时间不能晚于当前时间", f"{field} cannot be in the future")
    return value


# Something that happened (received, notified, delivered, paid): a date-time with its offset,
# not before the records floor; the action refuses one after its own now (not_after_now).
PastMoment = Annotated[datetime, BeforeValidator(_moment)]
# A date someone asks for (the customer's deadline): ahead, but not beyond the horizon.
DeadlineMoment = Annotated[
    datetime,
    BeforeValidator(_moment),
    AfterValidator(
        _not_ahead(DEADLINE_HORIZON, "不能晚于十年之后", "cannot be more than ten years ahead")
    ),
]


def _day(value: Any) -> Any:
    if isinstance(value, datetime):
        return value  # refused by the date validator (a moment is not a day)
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError("须为日期，例如 2026-11-28 / must be a date, e.g. 2026-11-28")
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("日期不存在 / no such date") from None
    else:
        return value
    floor = records_floor().date()
    if not floor <= day < LATEST.date():
        raise ValueError(
            f"日期超出可受理范围（{floor} 至 2199 年） / date out of range ({floor} to 2199)"
        )
    return day


# A calendar day (YYYY-MM-DD) between the records floor and 2199.
Day = Annotated[date, BeforeValidator(_day)]


def _decimal(value: Any) -> Any:
    """A JSON number or a numeric string as a Decimal; never a boolean."""
    if isinstance(value, bool):
        raise ValueError("须为数字 / must be a number")
    if isinstance(value, int | float | str):
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError("须为数字 / must be a number") from None
    return value


Amount = Annotated[Decimal, BeforeValidator(_decimal)]


def impossible_text(value: str) -> bool:
    """NUL, or a lone surrogate: text no database column can hold."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _no_nul(value: Any, path: str = "") -> None:
    if isinstance(value, str):
        if impossible_text(value):
            raise ValueError(
                "含有无法保存的字符（NUL 或孤立代理项） / "
                f"NUL characters or lone surrogates are not allowed{' in ' + path if path else ''}"
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key, path)
            _no_nul(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for item in value:
            _no_nul(item, path)


class In(BaseModel):
    """An action's input. Over HTTP it is validated strictly (a boolean is true or false,
    a number is a number: see tousu.api.parsing); forms convert their strings first."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        # Text columns cannot hold NUL (PostgreSQL refuses it); no complainant types one.
        _no_nul(value)
        return value


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

MessageBody = Field(min_length=1, max_length=5000)
# The channels a staff-issued receipt goes out by (the portal issues its own on submission).
ReceiptChannel = Literal["phone", "letter", "visit", "fax", "email", "sms", "box", "other"]


class MessageReporterIn(In):
    body: str = MessageBody


class IssueReceiptIn(In):
    channel: ReceiptChannel = "letter"


class BindReceiptIn(In):
    receipt: str = Field(min_length=16, max_length=60)


class ReporterMessageIn(In):
    body: str = MessageBody


class RateIn(In):
    satisfaction: Literal["satisfied", "basically_satisfied", "dissatisfied"]
    comment: str = Field(default="", max_length=2000)


class DisagreeIn(In):
    reason: str = Reason


class ConfirmRecordIn(In):
    pass


class CorrectRecordIn(In):
    correction: str = Field(min_length=1, max_length=20000)

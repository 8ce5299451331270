"""Typed inputs of the reporter channel's actions: staff writing to the reporter and issuing
or binding receipts, and the reporter's own actions on the portal."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tousu.cases.values import In, Reason

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

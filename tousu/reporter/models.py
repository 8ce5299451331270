"""Receipts: the way back to a case for every reporter, named or anonymous.

A receipt is a random number of 20 digits, shown once (on the portal after a submission,
read out on the phone, printed on a letter of acknowledgement or a report-box form). Only
its keyed hash is stored — HMAC-SHA-256 under a server key kept outside the database — so
a leaked table cannot be searched offline for the 10^20 possible receipts.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from tousu.cases.models import Case, Event
from tousu.orgs.models import Organisation
from tousu.privacy.fields import SealedTextField


class Receipt(models.Model):
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # Empty for a receipt pre-printed on a report-box form until that form is registered.
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="receipts"
    )
    digest = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=20)
    issued_at = models.DateTimeField()
    # Staff who issued it (None: the reporter's own submission on the portal).
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    bound_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case"], name="receipt_case")]


class Message(models.Model):
    """One message between the reporter (on the portal) and the staff handling the case.

    The body is sealed under the case key; the event records that a message was sent,
    never its words. Written once, like the case's events.
    """

    class Direction(models.TextChoices):
        IN = "in", gettext_lazy("投诉举报人来信")
        OUT = "out", gettext_lazy("工作人员留言")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    body = SealedTextField(context="message.body")
    # Staff who wrote it (None: the reporter).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField()
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        indexes = [models.Index(fields=["case", "created_at"], name="message_case_time")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("messages are written once")
        super().save(*args, **kwargs)


class ReporterNotice(models.Model):
    """A named reporter's wish to hear of progress by e-mail or SMS (the address itself
    stays sealed on the case's party). No content is ever sent: only that there is news."""

    class Channel(models.TextChoices):
        EMAIL = "email", gettext_lazy("电子邮件")
        SMS = "sms", gettext_lazy("短信")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reporter_notices")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "channel"], name="reporter_notice_once")
        ]


class ReporterDelivery(models.Model):
    """One attempt to tell a reporter there is news; never the address or the text."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40)
    channel = models.CharField(max_length=10)
    status = models.CharField(max_length=10)  # sent, failed, skipped
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

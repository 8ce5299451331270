"""Delivering in-app notifications by e-mail and SMS, with a log of every attempt."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class StaffContact(models.Model):
    """How a staff member wants to be told: e-mail (their account's address) and/or SMS."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contact"
    )
    phone = models.CharField(max_length=30, blank=True)
    email_notifications = models.BooleanField(default=True)
    sms_notifications = models.BooleanField(default=False)
    # The language of the notices (blank: the organisation's); the last one the person chose
    # on the desk.
    language = models.CharField(max_length=10, blank=True, default="")


class Delivery(models.Model):
    """One attempt to deliver one notification over one channel."""

    class Channel(models.TextChoices):
        EMAIL = "email", gettext_lazy("电子邮件")
        SMS = "sms", gettext_lazy("短信")

    class Status(models.TextChoices):
        SENT = "sent", gettext_lazy("已发送")
        FAILED = "failed", gettext_lazy("失败")

    notification = models.ForeignKey(
        "cases.Notification", on_delete=models.PROTECT, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    # A provider's message id, or the error; never the message body or the address.
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Exactly once per channel: a repeated job finds the row and does not resend.
            models.UniqueConstraint(
                fields=["notification", "channel"],
                condition=models.Q(status="sent"),
                name="delivery_sent_once",
            )
        ]


class NoticePreference(models.Model):
    """How one staff member wants to hear of one kind of notice: in the inbox only, by
    e-mail, by SMS, or both. Without a row, the person's :class:`StaffContact` settings
    apply (e-mail when they have an address, SMS when they turned it on)."""

    class Channel(models.TextChoices):
        INBOX = "inbox", gettext_lazy("仅站内通知")
        EMAIL = "email", gettext_lazy("电子邮件")
        SMS = "sms", gettext_lazy("短信")
        BOTH = "email_sms", gettext_lazy("电子邮件和短信")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notice_preferences"
    )
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notice_preference_once")
        ]

"""Turn in-app notifications into e-mails and SMS after the transaction commits.

Message bodies carry no personal data: the kind of notice, a case number and a
link. Every attempt is logged in :class:`~tousu.notify.models.Delivery`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from tousu.cases.access import PERSONAL_NOTICES, actor_for, visible_notifications
from tousu.cases.errors import TousuError
from tousu.cases.models import Notification
from tousu.notify.models import Delivery, StaffContact
from tousu.notify.sms import provider

SUBJECTS = {
    "deadline_overdue": ("案件已逾期", "Case overdue"),
    "deadline_due_soon": ("案件即将到期", "Case due soon"),
    "case_moved": ("您首问的案件已转办", "A case you first received has moved"),
    "case_returned": ("案件被退回", "A case was returned"),
    "case_assigned": ("新分配的案件", "A case was assigned to you"),
    "case_escalated": ("案件已上报", "A case was escalated to you"),
    "case_reopened": ("案件重新核实", "A case was reopened"),
    "extension_decided": ("延期申请已审批", "Your extension request was decided"),
    "after_hours_intake": ("值班期间收到的案件", "Received after hours on your shift"),
    "duty_hand_on": ("值班移交待分办", "Handed on from duty"),
    "reporter_wrote": ("投诉举报人来信", "The reporter wrote"),
    "reporter_disagreed": ("投诉举报人不认可处理结果", "The reporter disagrees"),
    "record_corrected": ("投诉举报人更正了记录", "The reporter corrected the record"),
    "reporter_rated": ("投诉举报人评价不满意", "The reporter is dissatisfied"),
    "penalty_decided": (
        "对您的处罚决定（见本人记录中的通知书）",
        "A penalty decided about you (the notice is on your record)",
    ),
    "appeal_decided": ("您的申诉已有决定", "Your appeal was decided"),
}


def message(notification: Notification) -> tuple[str, str]:
    """(subject, body) for a notification: its kind, the case number and a link, nothing else."""
    zh, en = SUBJECTS.get(notification.kind, ("案件通知", "Case notice"))
    number = notification.case.number or ""
    base = getattr(settings, "TOUSU_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    link = f"{base}/desk/{notification.case.org.slug}/cases/{number}/"
    if notification.kind in PERSONAL_NOTICES:
        # A decision about the recipient: their own record (the case may be hidden from them).
        link = (
            f"{base}/desk/{notification.case.org.slug}/people/{notification.user.get_username()}/"
        )
    subject = f"[Tousu] {zh} {number} / {en}"
    return subject, f"{zh}：{number}\n{en}: {number}\n{link}\n"


def _still_theirs(note: Notification) -> bool:
    """Whether the recipient may still see the notice, judged when it is sent."""
    try:
        actor = actor_for(note.user, note.case.org.slug)
    except TousuError:
        return False
    return visible_notifications(actor).filter(pk=note.pk).exists()


def deliver(notification_ids: list[int]) -> int:
    """Send each notification over the channels its recipient chose; returns sends made."""
    sent = 0
    for note in Notification.objects.select_related("user", "case", "case__org").filter(
        pk__in=notification_ids
    ):
        if not _still_theirs(note):
            continue  # recused or moved off the case since: the notice is not sent
        contact = StaffContact.objects.filter(user=note.user).first()
        subject, body = message(note)
        channels = []
        if note.user.email and (contact is None or contact.email_notifications):
            channels.append(Delivery.Channel.EMAIL)
        if contact is not None and contact.sms_notifications and contact.phone:
            channels.append(Delivery.Channel.SMS)
        for channel in channels:
            if Delivery.objects.filter(
                notification=note, channel=channel, status=Delivery.Status.SENT
            ).exists():
                continue
            try:
                if channel == Delivery.Channel.EMAIL:
                    send_mail(subject, body, None, [note.user.email])
                    detail = "smtp"
                else:
                    assert contact is not None
                    detail = provider().send(contact.phone, f"{subject}\n{body}")
            except Exception as exc:  # noqa: BLE001 — any provider failure is logged, not raised
                Delivery.objects.create(
                    notification=note, channel=channel, status=Delivery.Status.FAILED,
                    detail=type(exc).__name__,
                )  # fmt: skip
                continue
            try:
                with transaction.atomic():
                    Delivery.objects.create(
                        notification=note, channel=channel, status=Delivery.Status.SENT,
                        detail=detail[:300],
                    )  # fmt: skip
                sent += 1
            except IntegrityError:
                pass  # another worker logged the same send first
    return sent


def deliver_effect(payload: dict[str, Any]) -> int:
    """The outbox effect ``deliver``: {"notifications": [ids]}."""
    return deliver([int(i) for i in payload["notifications"]])

"""Turn in-app notifications into e-mails and SMS after the transaction commits.

Message bodies carry no personal data: the kind of notice, a case number and a
link. Every attempt is logged in :class:`~tousu.notify.models.Delivery`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy

from tousu.cases.access import PERSONAL_NOTICES, actor_for, visible_notifications
from tousu.cases.errors import TousuError
from tousu.cases.models import Notification
from tousu.i18n import SOURCE, Text, recipient_language, render_in
from tousu.notify.models import Delivery, NoticePreference, StaffContact
from tousu.notify.sms import provider
from tousu.orgs.people import notice_email, notice_mobile

SUBJECTS: dict[str, Text] = {
    "deadline_overdue": gettext_lazy("案件已逾期"),
    "deadline_due_soon": gettext_lazy("案件即将到期"),
    "case_moved": gettext_lazy("您首问的案件已转办"),
    "case_returned": gettext_lazy("案件被退回"),
    "case_assigned": gettext_lazy("新分配的案件"),
    "case_escalated": gettext_lazy("案件已上报"),
    "case_reopened": gettext_lazy("案件重新核实"),
    "extension_decided": gettext_lazy("延期申请已审批"),
    "after_hours_intake": gettext_lazy("值班期间收到的案件"),
    "duty_hand_on": gettext_lazy("值班移交待分办"),
    "reporter_wrote": gettext_lazy("投诉举报人来信"),
    "reporter_disagreed": gettext_lazy("投诉举报人不认可处理结果"),
    "record_corrected": gettext_lazy("投诉举报人更正了记录"),
    "reporter_rated": gettext_lazy("投诉举报人评价不满意"),
    "penalty_decided": gettext_lazy("对您的处罚决定（见本人记录中的通知书）"),
    "appeal_decided": gettext_lazy("您的申诉已有决定"),
}


def message(notification: Notification, language: str = SOURCE) -> tuple[str, str]:
    """(subject, body) for a notification in the recipient's language: its kind, the case
    number and a link, nothing else."""
    what = render_in(language, SUBJECTS.get(notification.kind, gettext_lazy("案件通知")))
    number = notification.case.number or ""
    base = getattr(settings, "TOUSU_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    link = f"{base}/desk/{notification.case.org.slug}/cases/{number}/"
    if notification.kind in PERSONAL_NOTICES:
        # A decision about the recipient: their own record (the case may be hidden from them).
        link = (
            f"{base}/desk/{notification.case.org.slug}/people/{notification.user.get_username()}/"
        )
    subject = f"[Tousu] {what} {number}"
    return subject, f"{what}: {number}\n{link}\n"


def _still_theirs(note: Notification) -> bool:
    """Whether the recipient may still see the notice, judged when it is sent."""
    try:
        actor = actor_for(note.user, note.case.org.slug)
    except TousuError:
        return False
    return visible_notifications(actor).filter(pk=note.pk).exists()


def _channels(
    note: Notification, contact: StaffContact | None, *, email_address: str, mobile: str
) -> list[str]:
    """The channels a notice goes out on: the person's choice for its kind (inbox only,
    e-mail, SMS or both), else their contact settings; never to an address they lack."""
    email = bool(email_address)
    sms = contact is not None and bool(mobile)
    chosen = (
        NoticePreference.objects.filter(user_id=note.user_id, kind=note.kind)
        .values_list("channel", flat=True)
        .first()
    )
    if chosen is None:
        email = email and (contact is None or contact.email_notifications)
        sms = sms and contact is not None and contact.sms_notifications
    else:
        email = email and chosen in (NoticePreference.Channel.EMAIL, NoticePreference.Channel.BOTH)
        sms = sms and chosen in (NoticePreference.Channel.SMS, NoticePreference.Channel.BOTH)
    return [
        *([Delivery.Channel.EMAIL] if email else []),
        *([Delivery.Channel.SMS] if sms else []),
    ]


def deliver(notification_ids: list[int]) -> int:
    """Send each notification over the channels its recipient chose; returns sends made."""
    sent = 0
    for note in Notification.objects.select_related("user", "case", "case__org").filter(
        pk__in=notification_ids
    ):
        if not _still_theirs(note):
            continue  # recused or moved off the case since: the notice is not sent
        contact = StaffContact.objects.filter(user=note.user).first()
        language = recipient_language(contact.language if contact else "", note.case.org.language)
        subject, body = message(note, language)
        # The addresses from the staff profile (tousu.orgs.people), the choice of channels
        # from the person's preferences.
        email = notice_email(note.user)
        mobile = notice_mobile(note.user, contact.phone if contact else "")
        channels = _channels(note, contact, email_address=email, mobile=mobile)
        for channel in channels:
            if Delivery.objects.filter(
                notification=note, channel=channel, status=Delivery.Status.SENT
            ).exists():
                continue
            try:
                if channel == Delivery.Channel.EMAIL:
                    send_mail(subject, body, None, [email])
                    detail = "smtp"
                else:
                    detail = provider().send(mobile, f"{subject}\n{body}")
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

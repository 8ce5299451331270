"""Telling a named reporter that their case has news — never what the news is.

At submission a named reporter may ask to be told by e-mail or SMS when the case is
accepted or not, referred, answered, written to or closed. The notice says only that
there is news and where to read it with the receipt (which it never contains); the text
of the reply or message stays behind the receipt. Every attempt is logged without the
address or the text.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext_lazy, pgettext_lazy

from tousu.cases.models import Case
from tousu.i18n import recipient_language, render_in
from tousu.notify.sms import provider
from tousu.reporter.models import ReporterDelivery, ReporterNotice

NEWS = {
    "accept": pgettext_lazy("news", "已受理"),
    "reject": gettext_lazy("已作出不予受理决定"),
    "refer": gettext_lazy("已转送有关机关"),
    "message_reporter": gettext_lazy("办理人员给您留言"),
    "reply": pgettext_lazy("news", "已答复"),
    "close": gettext_lazy("已办结"),
}


def text(case: Case, action: str) -> tuple[str, str]:
    """(subject, body) of the notice in the reporter's language (the one they wrote in on the
    portal), else the organisation's: that there is news, never what it is."""
    language = recipient_language(case.reporter_language, case.org.language)
    base = settings.TOUSU_BASE_URL.rstrip("/")
    values = {
        "org": case.org.name,
        "number": case.number,
        "news": NEWS.get(action, gettext_lazy("有新进展")),
        "link": f"{base}/o/{case.org.slug}/follow/",
    }
    subject = render_in(language, gettext_lazy("{org}：您的投诉举报（{number}）{news}"), values)
    # A mail header is one line: a line break in the organisation's name would make every
    # notice fail to send.
    subject = " ".join(subject.splitlines())
    body = render_in(
        language,
        gettext_lazy(
            "您在{org}的投诉举报（编号 {number}）{news}。\n请凭查询回执登录查看：{link}\n"
        ),
        values,
    )
    return subject, body


def send(case_id: int, action: str) -> int:
    """Send the notices the reporter asked for; returns how many were sent."""
    wishes = list(ReporterNotice.objects.filter(case_id=case_id).select_related("case__org"))
    if not wishes:
        return 0
    case = wishes[0].case
    party = (
        case.parties.filter(superseded_at__isnull=True, role="complainant", anonymous=False)
        .order_by("pk")
        .first()
    )
    subject, body = text(case, action)
    sent = 0
    for wish in wishes:
        address = "" if party is None else (party.email if wish.channel == "email" else party.phone)
        if not address:
            ReporterDelivery.objects.create(
                case=case, action=action, channel=wish.channel, status="skipped",
                detail="no address",
            )  # fmt: skip
            continue
        try:
            if wish.channel == ReporterNotice.Channel.EMAIL:
                send_mail(subject, body, None, [address])
                detail = "smtp"
            else:
                detail = provider().send(address, f"{subject}\n{body}")
        except Exception as exc:  # noqa: BLE001 — a provider failure is logged, not raised
            ReporterDelivery.objects.create(
                case=case, action=action, channel=wish.channel, status="failed",
                detail=type(exc).__name__,
            )  # fmt: skip
            continue
        ReporterDelivery.objects.create(
            case=case, action=action, channel=wish.channel, status="sent", detail=detail[:300]
        )
        sent += 1
    return sent


def send_effect(payload: dict[str, Any]) -> int:
    """The outbox effect ``reporter_notice``: {"case": id, "action": name}."""
    return send(int(payload["case"]), str(payload["action"]))

"""The inbox: a staff member's notices, opened one by one or marked read all at once, and
how they want to hear of each kind (inbox only, e-mail, SMS: see tousu.notify.delivery)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tousu.cases.access import PERSONAL_NOTICES, visible_notifications
from tousu.cases.errors import TousuError, not_found
from tousu.desk.views import _event_label
from tousu.notify.delivery import SUBJECTS
from tousu.notify.models import NoticePreference, StaffContact
from tousu.web.pages import DeskRequest, desk_view, page

# Shown in the inbox: the newest this many.
SHOWN = 200


def notice_label(kind: str) -> str:
    """The notice's kind in words: its mail subject, else the case page's word for it."""
    if kind in SUBJECTS:
        return str(SUBJECTS[kind])
    return _event_label(kind)


@require_GET
@desk_view
def inbox(request: DeskRequest, org: str) -> HttpResponse:
    actor = request.desk.actor
    mine = visible_notifications(actor)
    unread = mine.filter(read_at__isnull=True).count()
    if request.headers.get("HX-Request") and request.GET.get("badge"):
        # The top bar's badge, on every page: one count, no list, no page frame.
        return render(request, "desk/_badge.html", {"unread": unread})
    rows = mine.select_related("case").order_by("-created_at", "-pk")[:SHOWN]
    context = {
        "notes": [
            {
                "id": n.pk,
                "kind": notice_label(n.kind),
                "case": n.case.number,
                # A decision about the reader leads to their own record (the case may be
                # hidden from them); any other notice to its case.
                "personal": n.kind in PERSONAL_NOTICES,
                "at": n.created_at,
                "read": n.read_at is not None,
            }
            for n in rows
        ],
        "unread": unread,
        **_preferences(request),
    }
    return page(request, "desk/inbox.html", context)


@require_POST
@desk_view
def inbox_read(request: DeskRequest, org: str, note_id: int) -> HttpResponse:
    actor = request.desk.actor
    note = visible_notifications(actor).select_related("case").filter(pk=note_id).first()
    if note is None:
        raise not_found()
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    if note.kind in PERSONAL_NOTICES:
        # A decision about the reader (a penalty, an appeal): their own record holds it and
        # its written notice; the case itself may be hidden from them.
        return redirect("desk:people:record", org=org, username=actor.username)
    return redirect("desk:case", org=org, number=note.case.number)


@require_POST
@desk_view
def inbox_read_all(request: DeskRequest, org: str) -> HttpResponse:
    """Mark every unread notice of this organisation read (only the reader's own)."""
    marked = (
        visible_notifications(request.desk.actor)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )
    messages.success(request, gettext("已将 {count} 条通知标为已读").format(count=marked))
    return redirect("desk:inbox", org=org)


# -- how each kind of notice reaches the person ---------------------------------------------


def _kinds(request: DeskRequest) -> list[str]:
    """The kinds a person may set: the notices the system sends, and any they have had."""
    had = (
        visible_notifications(request.desk.actor)
        .order_by()
        .values_list("kind", flat=True)
        .distinct()
    )
    return list(dict.fromkeys([*SUBJECTS, *sorted(had)]))


def _default_channel(request: DeskRequest) -> str:
    """What happens without a choice: the person's contact settings."""
    user = request.user
    contact = StaffContact.objects.filter(user_id=request.desk.actor.user_id).first()
    email = bool(getattr(user, "email", "")) and (contact is None or contact.email_notifications)
    sms = contact is not None and contact.sms_notifications and bool(contact.phone)
    if email and sms:
        return NoticePreference.Channel.BOTH
    if email:
        return NoticePreference.Channel.EMAIL
    if sms:
        return NoticePreference.Channel.SMS
    return NoticePreference.Channel.INBOX


def _preferences(request: DeskRequest) -> dict[str, Any]:
    chosen = dict(
        NoticePreference.objects.filter(user_id=request.desk.actor.user_id).values_list(
            "kind", "channel"
        )
    )
    default = _default_channel(request)
    contact = StaffContact.objects.filter(user_id=request.desk.actor.user_id).first()
    return {
        "preferences": [
            {"kind": kind, "label": notice_label(kind), "channel": chosen.get(kind, default)}
            for kind in _kinds(request)
        ],
        "channel_options": NoticePreference.Channel.choices,
        "has_email": bool(getattr(request.user, "email", "")),
        "has_phone": bool(contact and contact.phone),
    }


@require_POST
@desk_view
def inbox_preferences(request: DeskRequest, org: str) -> HttpResponse:
    """Save the channel of each kind (``pref_<kind>``); a bad value refuses the whole form."""
    allowed = set(NoticePreference.Channel.values)
    kinds = set(_kinds(request))
    wanted: dict[str, str] = {}
    for key in request.POST:
        if not key.startswith("pref_"):
            continue
        value = str(request.POST.get(key) or "")
        kind = key[len("pref_") :]
        if kind not in kinds or value not in allowed:
            raise TousuError(
                "notice_preference_invalid",
                gettext_lazy("通知方式无效：{shown}"),
                status=422,
                params={"shown": f"{kind[:40]}={value[:20]}"},
            )
        wanted[kind] = value
    with transaction.atomic():
        for kind, channel in wanted.items():
            NoticePreference.objects.update_or_create(
                user_id=request.desk.actor.user_id, kind=kind, defaults={"channel": channel}
            )
    messages.success(request, gettext("通知方式已保存"))
    return redirect("desk:inbox", org=org)

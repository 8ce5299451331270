"""Duty pages: the roster (who is on duty, this week and next) and my duty (hand-over).

Views are thin: they parse the form, call one service, and show the page again with
the service's message when it refuses (422/409, nothing saved). A refusal for lack of
rights (403) or an object outside the viewer's reach (404) is the desk's error page.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tousu.cases.errors import TousuError, not_found
from tousu.cases.models import Case
from tousu.clock.overrides import calendar_for
from tousu.duty import services
from tousu.duty.models import HandOver, Shift, ShiftKind
from tousu.i18n import english
from tousu.orgs.people import display_name
from tousu.web import labels
from tousu.web.pages import DeskRequest, desk_view, page

WEEKDAYS = (
    gettext_lazy("周一"), gettext_lazy("周二"), gettext_lazy("周三"), gettext_lazy("周四"), gettext_lazy("周五"),
    gettext_lazy("周六"), gettext_lazy("周日"),
)  # fmt: skip
AFTER_HOURS = {
    "next_working_day": gettext_lazy("非工作时间收到的，次一工作日办理"),
    "duty_officer": gettext_lazy("非工作时间由值班人员接待和处理"),
    "handled_now": gettext_lazy("随时收到、随时办理"),
}  # fmt: skip
HAND_ON = {
    "next_day": gettext_lazy("值班未能处理的，次日移交投诉办公室"),
    "next_working_day": gettext_lazy("值班未能处理的，次一工作日移交投诉办公室"),
}  # fmt: skip


def kind_label(kind: str, request: DeskRequest) -> str:
    title = request.desk.policy.duty.duty_title_zh
    if kind == ShiftKind.GENERAL and title and not english():
        return title
    return str(ShiftKind(kind).label)


def _name(user: Any) -> str:
    return display_name(user)


def _parse_local(value: str, tz: ZoneInfo) -> datetime | None:
    try:
        return datetime.fromisoformat(value.strip()).replace(tzinfo=tz)
    except ValueError:
        return None


def _error(exc: TousuError) -> dict[str, str]:
    fields = exc.details if isinstance(exc.details, list) else []
    key = str(fields[0].get("field", "general")) if fields else "general"
    return {key: exc.text}


# -- the roster ---------------------------------------------------------------------------


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _shift_row(shift: Shift, request: DeskRequest, day: date, now: datetime) -> dict[str, Any]:
    tz = request.desk.tz
    start, end = shift.starts_at.astimezone(tz), shift.ends_at.astimezone(tz)
    later = (end.date() - day).days
    return {
        "id": shift.pk,
        "who": _name(shift.user),
        "username": shift.user.get_username(),
        "start": f"{start:%H:%M}",
        "end": f"{end:%H:%M}" + (f" (+{later})" if later > 0 else ""),
        "note": shift.note,
        "now": shift.starts_at <= now < shift.ends_at,
        "cancellable": shift.ends_at > now,
    }


def _week(request: DeskRequest, monday: date, shifts: list[Shift], now: datetime) -> dict[str, Any]:
    tz = request.desk.tz
    cal = calendar_for(request.desk.org.pk)
    today = now.astimezone(tz).date()
    days = []
    for i in range(7):
        day = monday + timedelta(days=i)
        cells: dict[str, list[dict[str, Any]]] = {k: [] for k in ShiftKind.values}
        for shift in shifts:
            if shift.starts_at.astimezone(tz).date() == day:
                cells[shift.kind].append(_shift_row(shift, request, day, now))
        days.append(
            {
                "date": day,
                "weekday": str(WEEKDAYS[i]),
                "working": cal.is_working_day(day),
                "today": day == today,
                "cells": [cells[k] for k in ShiftKind.values],
            }
        )
    sunday = monday + timedelta(days=6)
    return {"title": f"{monday:%Y-%m-%d} – {sunday:%Y-%m-%d}", "days": days}


def _roster_page(
    request: DeskRequest,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    desk = request.desk
    now = timezone.now()
    tz = desk.tz
    week = request.GET.get("week", "")
    try:
        anchor = date.fromisoformat(week) if week else now.astimezone(tz).date()
    except ValueError:
        anchor = now.astimezone(tz).date()
    monday = _monday(anchor)
    start = datetime.combine(monday, time(0), tzinfo=tz)
    shifts = services.roster(desk.org, start, start + timedelta(days=14))
    duty = desk.policy.duty
    can_edit = services.can_edit_roster(desk.actor)
    context = {
        "now_on_duty": [
            {"kind": kind_label(s.kind, request), "who": _name(s.user), "until": s.ends_at}
            for s in services.on_duty(desk.org, now)
        ],
        "weeks": [
            _week(request, monday, shifts, now),
            _week(request, monday + timedelta(days=7), shifts, now),
        ],
        "kinds": [(k, kind_label(k, request)) for k in ShiftKind.values],
        "previous": (monday - timedelta(days=7)).isoformat(),
        "next": (monday + timedelta(days=7)).isoformat(),
        "this_week": week == "" or _monday(now.astimezone(tz).date()) == monday,
        "can_edit": can_edit,
        "members": [(u.pk, _name(u), u.get_username()) for u in services.members(desk.org)]
        if can_edit
        else [],
        "values": values or _default_shift(request, now),
        "errors": errors or {},
        "rules": {
            "after_hours": str(AFTER_HOURS[duty.after_hours]),
            "hand_on": str(HAND_ON[duty.hand_on]),
            "reception_24h": duty.reception_24h,
            "title": duty.duty_title_zh,
            "clause": duty.clause,
            "hours": f"{desk.policy.working_hours.start:%H:%M}–{desk.policy.working_hours.end:%H:%M}",
        },
    }
    return page(request, "duty/roster.html", context, status=status)


def _default_shift(request: DeskRequest, now: datetime) -> dict[str, str]:
    """Tonight's duty: from closing time today to opening time tomorrow."""
    hours = request.desk.policy.working_hours
    today = now.astimezone(request.desk.tz).date()
    return {
        "kind": ShiftKind.GENERAL,
        "starts_at": datetime.combine(today, hours.end).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": datetime.combine(today + timedelta(days=1), hours.start).strftime(
            "%Y-%m-%dT%H:%M"
        ),
    }


@require_GET
@desk_view
def roster(request: DeskRequest, org: str) -> HttpResponse:
    return _roster_page(request)


@require_POST
@desk_view
def add_shift(request: DeskRequest, org: str) -> HttpResponse:
    desk = request.desk
    services.require_editor(desk.actor)  # the 403 page before anything is read
    values = {k: request.POST.get(k, "") for k in ("user", "kind", "starts_at", "ends_at", "note")}
    starts = _parse_local(values["starts_at"], desk.tz)
    ends = _parse_local(values["ends_at"], desk.tz)
    errors: dict[str, str] = {}
    if not values["user"].isdigit():
        errors["user"] = gettext("请选择值班人员")
    if starts is None:
        errors["starts_at"] = gettext("请填写开始时间")
    if ends is None:
        errors["ends_at"] = gettext("请填写结束时间")
    if errors or starts is None or ends is None:
        return _roster_page(request, values=values, errors=errors, status=422)
    try:
        shift = services.add_shift(
            desk.actor, user_id=int(values["user"]), kind=values["kind"], starts_at=starts,
            ends_at=ends, note=values["note"], now=timezone.now(),
        )  # fmt: skip
    except TousuError as exc:
        if exc.status in (403, 404):
            raise
        return _roster_page(request, values=values, errors=_error(exc), status=exc.status)
    messages.success(request, gettext("已加入值班表"))
    week = shift.starts_at.astimezone(desk.tz).date().isoformat()
    return redirect(reverse("desk:duty:roster", kwargs={"org": org}) + f"?week={week}")


@require_POST
@desk_view
def cancel_shift(request: DeskRequest, org: str, shift_id: int) -> HttpResponse:
    desk = request.desk
    try:
        shift = services.cancel_shift(desk.actor, shift_id, now=timezone.now())
    except TousuError as exc:
        if exc.status in (403, 404):
            raise
        return _roster_page(request, errors=_error(exc), status=exc.status)
    messages.success(request, gettext("已取消该班次"))
    week = shift.starts_at.astimezone(desk.tz).date().isoformat()
    return redirect(reverse("desk:duty:roster", kwargs={"org": org}) + f"?week={week}")


# -- my duty: what came in, the hand-over, what the office takes over -----------------------


def _chosen_shift(request: DeskRequest, now: datetime) -> Shift | None:
    wanted = request.GET.get("shift") or request.POST.get("shift") or ""
    if not wanted:
        return services.my_shift(request.desk.actor, now)
    shift = (
        Shift.objects.filter(
            pk=int(wanted) if wanted.isdigit() else 0,
            org=request.desk.org,
            user_id=request.desk.actor.user_id,
            cancelled_at__isnull=True,
        )
        .select_related("user")
        .first()
    )
    if shift is None:
        raise not_found()
    return shift


def _case_row(case: Case, landed: set[int]) -> dict[str, Any]:
    return {
        "number": case.number,
        "kind": labels.kind(case.kind),
        "channel": labels.channel(case.channel),
        "status": labels.status(case.status),
        "received_at": case.received_at,
        "open": case.is_open,
        "landed": case.pk in landed,
    }


def _note_row(note: HandOver, request: DeskRequest, visible: set[str]) -> dict[str, Any]:
    actor = request.desk.actor
    return {
        "id": note.pk,
        "from": _name(note.from_user),
        "to": _name(note.to_user) if note.to_user else gettext("投诉办公室"),
        "written_at": note.written_at,
        "body": note.body,
        "cases": [n for n in note.case_numbers if n in visible],
        "received_at": note.received_at,
        "received_by": _name(note.received_by) if note.received_by else "",
        "mine_to_receive": note.received_at is None and services.can_receive(actor, note),
        "written_by_me": note.from_user_id == actor.user_id,
    }


def _my_page(
    request: DeskRequest,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    desk = request.desk
    actor = desk.actor
    now = timezone.now()
    shift = _chosen_shift(request, now)
    rows: list[dict[str, Any]] = []
    suggested = ""
    if shift is not None:
        landed = set(shift.intakes.values_list("case_id", flat=True))
        rows = [_case_row(c, landed) for c in services.shift_cases(shift, actor)[:300]]
        follower = services.next_on_duty(shift)
        suggested = str(follower.user_id) if follower else ""
    open_numbers = [r["number"] for r in rows if r["open"]]
    recent = services.notes_for(actor)
    # One query for the whole list: which of the notes' cases this viewer may see now.
    visible = set(
        services.numbers_visible(actor, {n for note in recent for n in note.case_numbers})
    )
    notes = [_note_row(n, request, visible) for n in recent]
    office_view = actor.has_role(*services.OFFICE_ROLES) or bool(
        actor.roles & services.NOTE_READERS
    )
    context = {
        "shift": shift,
        "shift_kind": kind_label(shift.kind, request) if shift else "",
        "shift_current": shift is not None and shift.starts_at <= now < shift.ends_at,
        "rows": rows,
        "open_numbers": open_numbers,
        "receivers": [
            (u.pk, _name(u), u.get_username())
            for u in services.members(desk.org)
            if u.pk != actor.user_id
        ],
        "values": values
        or {
            "to": suggested,
            "body": gettext(
                "本班次情况：\n未办结事项见下列案件，需次日移交的请投诉办公室跟进。\n其他交代："
            ),
        },
        "errors": errors or {},
        "to_receive": [n for n in notes if n["mine_to_receive"]],
        "notes": [n for n in notes if not n["mine_to_receive"]],
        "office_view": office_view,
        "handed_on": [
            {
                "number": row.case.number,
                "status": labels.status(row.case.status),
                "received_at": row.received_at,
                "officer": _name(row.shift.user),
                "hand_on_date": row.hand_on_date,
            }
            for row in (services.handed_on(actor, now) if office_view else [])
        ],
        "upcoming": [
            {"kind": kind_label(s.kind, request), "starts_at": s.starts_at, "ends_at": s.ends_at}
            for s in services.roster(desk.org, now, now + timedelta(days=14))
            if s.user_id == actor.user_id
        ],
    }
    return page(request, "duty/mine.html", context, status=status)


@require_GET
@desk_view
def my_duty(request: DeskRequest, org: str) -> HttpResponse:
    return _my_page(request)


@require_POST
@desk_view
def write_hand_over(request: DeskRequest, org: str) -> HttpResponse:
    desk = request.desk
    now = timezone.now()
    values = {k: request.POST.get(k, "") for k in ("to", "body")}
    shift = _chosen_shift(request, now)
    to = values["to"]
    if to != "office" and not to.isdigit():
        return _my_page(
            request, values=values, status=422,
            errors={"to": gettext("请选择接班人或投诉办公室")},
        )  # fmt: skip
    try:
        services.write_hand_over(
            desk.actor, body=values["body"], shift=shift, now=now,
            to_user_id=None if to == "office" else int(to), to_office=to == "office",
        )  # fmt: skip
    except TousuError as exc:
        if exc.status in (403, 404):
            raise
        return _my_page(request, values=values, errors=_error(exc), status=exc.status)
    messages.success(request, gettext("交接班记录已提交"))
    return redirect("desk:duty:mine", org=org)


@require_POST
@desk_view
def receive(request: DeskRequest, org: str, note_id: int) -> HttpResponse:
    try:
        services.acknowledge(request.desk.actor, note_id, now=timezone.now())
    except TousuError as exc:
        if exc.status in (403, 404):
            raise
        return _my_page(request, errors=_error(exc), status=exc.status)
    messages.success(request, gettext("已签收交接班"))
    return redirect("desk:duty:mine", org=org)

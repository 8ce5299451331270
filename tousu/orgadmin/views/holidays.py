"""Holiday overrides: this organisation's (add, withdraw) and the installation's (read only).

After each change the deadlines the change reaches are recomputed, as
``tousu calendar load`` does, and the page says how many moved.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tousu.cases.errors import not_found
from tousu.clock.models import HolidayOverride
from tousu.clock.overrides import calendar_for
from tousu.orgadmin.access import admin_view
from tousu.orgadmin.forms import HolidayForm
from tousu.orgadmin.links import admin_url
from tousu.orgadmin.services import Refused
from tousu.orgadmin.services import holidays as services
from tousu.orgadmin.views.common import admin_page, refuse
from tousu.web.pages import DeskRequest

WEEKDAYS = (
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
)


def _rows(rows: list[HolidayOverride]) -> list[dict[str, object]]:
    return [
        {
            "row": r,
            "weekday": str(WEEKDAYS[r.date.weekday()]),
        }
        for r in rows
    ]


def _page(
    request: DeskRequest, form: HolidayForm, error: str = "", status: int = 200
) -> HttpResponse:
    desk = request.desk
    own = list(
        HolidayOverride.objects.filter(org=desk.org)
        .select_related("created_by")
        .order_by("-date", "-pk")
    )
    installation = list(HolidayOverride.objects.filter(org__isnull=True).order_by("-date", "-pk"))
    own_active = {r.date for r in own if r.withdrawn_at is None}
    context = {
        "form": form,
        "error": error,
        "own": _rows(own),
        "installation": _rows(installation),
        "shadowed": own_active,
    }
    return admin_page(request, "orgadmin/holidays.html", "holidays", context, status)


@require_GET
@admin_view
def holidays(request: DeskRequest, org: str) -> HttpResponse:
    return _page(request, HolidayForm(initial={"working": "0"}))


def _recomputed(result: services.Recomputed) -> str:
    return gettext("已重算期限：{moved} 个期限的到期时间改变（涉及 {cases} 件案件）").format(
        moved=result.moved, cases=result.cases
    )


@require_POST
@admin_view
def holiday_add(request: DeskRequest, org: str) -> HttpResponse:
    desk = request.desk
    form = HolidayForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=422)
    data = form.cleaned_data
    try:
        row, result = services.add_holiday(
            desk.org, day=data["date"], working=data["working"], name=data["name"].strip(),
            source_notice=data["source_notice"].strip(), actor=request.user,
        )  # fmt: skip
    except Refused as exc:
        return _page(request, form, refuse(form, exc), exc.status)
    working = calendar_for(desk.org.pk).is_working_day(row.date)
    messages.success(
        request,
        (
            gettext("已新增调整：{date} 上班") if working else gettext("已新增调整：{date} 休息")
        ).format(date=f"{row.date:%Y-%m-%d}"),
    )
    messages.info(request, _recomputed(result))
    return redirect(admin_url("holidays", org=org))


@require_POST
@admin_view
def holiday_withdraw(request: DeskRequest, org: str, pk: int) -> HttpResponse:
    desk = request.desk
    row = HolidayOverride.objects.filter(pk=pk, org=desk.org).first()
    if row is None:
        raise not_found()
    try:
        result = services.withdraw_holiday(desk.org, row, actor=request.user)
    except Refused as exc:
        return _page(request, HolidayForm(initial={"working": "0"}), exc.message, exc.status)
    messages.success(
        request,
        gettext("已撤销 {date:%Y-%m-%d} 的调整").format(date=row.date),
    )
    messages.info(request, _recomputed(result))
    return redirect(admin_url("holidays", org=org))

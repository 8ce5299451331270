"""The ledger page, its .xlsx export and the yearly dossier.

All three read :func:`tousu.cases.access.visible_cases` through :mod:`tousu.reports.query`,
so a staff member sees (and exports) exactly the cases their queues would show them.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any, cast

from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tousu.cases.access import visible_cases
from tousu.cases.errors import TousuError, not_found
from tousu.cases.models import Kind, Status
from tousu.i18n import Text, both, localized
from tousu.orgs.services import audit
from tousu.privacy.models import IdentityAccess
from tousu.reports import background, sealed
from tousu.reports import dossier as dossiers
from tousu.reports.ledger import (
    COLUMNS,
    MEASURES,
    PAGE_SIZE,
    build_rows,
    display,
    log_identity,
    with_extras,
)
from tousu.reports.models import Export
from tousu.reports.query import (
    SATISFACTIONS,
    SORTS,
    FilterErrors,
    Filters,
    departments,
    filtered,
    parse_filters,
    sort_key,
    sortable,
)
from tousu.web import bulk, downloads, keyset, labels
from tousu.web.pages import Desk, DeskRequest, desk_view, page

# The filter form's fields, for naming them in error messages.
FIELD_LABELS: dict[str, Text] = {
    "received_from": gettext_lazy("收到日期（起）"),
    "received_to": gettext_lazy("收到日期（止）"),
    "status": gettext_lazy("状态"),
    "category": gettext_lazy("类别"),
    "department": gettext_lazy("承办部门"),
    "channel": gettext_lazy("渠道"),
    "kind": gettext_lazy("类型"),
    "overdue": gettext_lazy("是否超期"),
    "satisfaction": gettext_lazy("满意度"),
    "sort": gettext_lazy("排序"),
    "dir": gettext_lazy("排序方向"),
    "number": gettext_lazy("案件编号"),
}


def _fragment(request: HttpRequest) -> bool:
    """An htmx request for the results only (a history restore wants the whole page)."""
    return bool(
        request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    )


def _read_filters(desk: Desk, request: HttpRequest) -> Filters:
    return parse_filters(request.GET, desk.policy, [d.code for d in departments(desk.actor)])


def _options(desk: Desk) -> dict[str, Any]:
    return {
        "status_options": [(s, labels.status(s)) for s in Status.values],
        "category_options": [
            (c.code, localized(c.name_zh, c.name_en)) for c in desk.policy.categories
        ],
        "department_options": [
            (d.code, localized(d.name, d.name_en)) for d in departments(desk.actor)
        ],
        "channel_options": [(c, labels.channel(c)) for c in desk.policy.channels],
        "kind_options": [(k, labels.kind(k)) for k in Kind.values],
        "satisfaction_options": [
            (s, labels.choice(s) if s != "none" else gettext("未评价")) for s in SATISFACTIONS
        ],
    }


def _headers(filters: Filters | None) -> list[dict[str, Any]]:
    """The table's column headers; the sortable ones link to their sort (toggling)."""
    headers = []
    for column in COLUMNS:
        header: dict[str, Any] = {"code": column.code, "label": column.label}
        if column.code in SORTS:
            current = filters is not None and filters.sort == column.code
            descending = bool(filters and filters.descending)
            header["sortable"] = True
            header["aria_sort"] = (
                ("descending" if descending else "ascending") if current else "none"
            )
            header["next_dir"] = "asc" if current and descending else "desc"
            if not current:
                header["next_dir"] = "desc" if column.code == "received" else "asc"
        headers.append(header)
    headers.append({"code": MEASURES.code, "label": MEASURES.label})
    return headers


@require_GET
@desk_view
def ledger(request: DeskRequest, org: str) -> HttpResponse:
    desk = request.desk
    actor = desk.actor
    now = timezone.now()
    fragment = _fragment(request)
    template = "reports/_ledger_results.html" if fragment else "reports/ledger.html"
    context: dict[str, Any] = {
        "values": request.GET,
        "selected_statuses": request.GET.getlist("status"),
        "query": bulk.back_query(request.GET.urlencode()),
        # The export button posts the page's filters (all of its rows, not one page).
        "export_params": [
            (k, item)
            for k, values in request.GET.lists()
            if k not in ("page", "cursor", "last")
            for item in values
        ],
        **bulk.options(actor, desk.policy),
        **({} if fragment else _options(desk)),
    }
    try:
        filters = _read_filters(desk, request)
    except FilterErrors as exc:
        context.update(
            errors=[
                gettext("{}：{}").format(FIELD_LABELS.get(name, name), message)
                for name, message in exc.messages().items()
            ],
            headers=_headers(None),
            rows=[],
            page=None,
        )
        response = page(request, template, context, status=400)
        patch_vary_headers(response, ["HX-Request"])
        return response
    matching = filtered(actor, filters, now)
    # Pages by where the last one ended (no OFFSET: the thousandth page costs what the first
    # does); the count is exact up to a thousand, an estimate beyond.
    key = sort_key(filters)
    if request.GET.get("last"):
        current = keyset.last_page(sortable(matching, filters), key, PAGE_SIZE)
    else:
        cursor = str(request.GET.get("cursor") or "")
        current = keyset.window(sortable(matching, filters), key, cursor, PAGE_SIZE)
    # One batch call for the page's extra lines (penalties, remedies, ...), never one per row.
    rows = with_extras(actor, build_rows(actor, current.ids, now))
    log_identity(actor, rows, surface="ledger")
    heads = _heads()
    context.update(
        filters=filters,
        headers=_headers(filters),
        page=current,
        total=keyset.count(matching),
        rows=[
            {"number": r.number, "overdue": r.overdue, "cells": _cells_html(r, desk, heads)}
            for r in rows
        ],
    )
    if not fragment:
        context["years"] = _years(desk)
    response = page(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _cells_html(row: Any, desk: Desk, heads: list[tuple[str, str]]) -> SafeString:
    """A row's cells as HTML, written here rather than by the template: fifty rows of
    nineteen cells are most of the page's time when the template decides each one.
    ``heads``: each column's code and its escaped label (the same on every row)."""
    case_url = reverse("desk:case", kwargs={"org": desk.org.slug, "number": row.number})
    parts = []
    for (code, label), value in zip(heads, row.cells(), strict=False):
        text = escape(str(display(value, desk.tz)))
        if code == "number":
            parts.append(f'<th scope="row"><a href="{escape(case_url)}">{text}</a></th>')
        elif code == "overdue" and row.overdue:
            parts.append(f'<td data-label="{label}"><strong class="late">{text}</strong></td>')
        else:
            parts.append(f'<td data-label="{label}" class="c-{code}">{text}</td>')
    measures = linebreaksbr("\n".join(row.extras), autoescape=True)
    parts.append(f'<td data-label="{heads[-1][1]}" class="c-measures">{measures}</td>')
    return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped


def _heads() -> list[tuple[str, str]]:
    return [(c.code, escape(str(c.label))) for c in (*COLUMNS, MEASURES)]


def _years(desk: Desk) -> list[int]:
    """The years with cases this viewer may see (for the dossier links), newest first."""
    # Both ends read along the (org, received) index, stopping at the first visible case.
    received = visible_cases(desk.actor).values_list("received_at", flat=True)
    oldest = received.order_by("received_at").first()
    newest = received.order_by("-received_at").first()
    if oldest is None or newest is None:
        return [timezone.localtime(timezone.now(), desk.tz).year]
    first = timezone.localtime(oldest, desk.tz).year
    last = timezone.localtime(newest, desk.tz).year
    return list(range(last, first - 1, -1))


def _filter_error(exc: FilterErrors) -> TousuError:
    return TousuError(
        "invalid_filter",
        exc.text(),
        status=400,
        details={name: list(both(message)) for name, message in exc.errors.items()},
    )


def _exports_page(org: str, export: Export | None = None) -> str:
    url = reverse("desk:reports:exports", kwargs={"org": org})
    return f"{url}#export-{export.pk}" if export is not None else url


def start_ledger_export(request: DeskRequest, params: Any) -> Export:
    """Check the filters and ask for the export (TousuError 400 when a filter is bad)."""
    desk = request.desk
    try:
        filters = parse_filters(params, desk.policy, [d.code for d in departments(desk.actor)])
    except FilterErrors as exc:
        raise _filter_error(exc) from None
    with transaction.atomic():
        return background.start_ledger(desk.actor, filters)


@require_http_methods(["GET", "POST"])
@desk_view
def export(request: DeskRequest, org: str) -> HttpResponse:
    """POST: ask for the filtered ledger as .xlsx, built in the background; then the
    exports page shows its progress. GET (an old link): the ledger with those filters,
    where the export is asked for."""
    if request.method == "POST":
        if request.POST.get("operation") == "export":  # a queue's bulk bar, posted on
            return export_selection(request, org, bulk.selection(request.POST.getlist("cases")))
        made = start_ledger_export(request, request.POST)
        messages.success(request, gettext("已开始导出台帐，完成后可在此下载"))
        return redirect(_exports_page(org, made))
    try:
        _read_filters(request.desk, request)
    except FilterErrors as exc:
        raise _filter_error(exc) from None
    back = reverse("desk:reports:ledger", kwargs={"org": org})
    query = request.GET.urlencode()
    return redirect(f"{back}?{query}" if query else back)


@require_POST
@desk_view
def dossier_export(request: DeskRequest, org: str, year: int) -> HttpResponse:
    if not dossiers.FIRST_YEAR <= year <= dossiers.LAST_YEAR:
        raise not_found()
    with transaction.atomic():
        made = background.start_dossier(request.desk.actor, year)
    messages.success(request, gettext("已开始导出案宗，完成后可在此下载"))
    return redirect(_exports_page(org, made))


def _mine(request: DeskRequest) -> QuerySet[Export]:
    """The exports this staff member asked for in this organisation (nobody else's)."""
    return Export.objects.filter(
        org=request.desk.org, requested_by_id=request.desk.actor.user_id
    ).defer("named_case_ids", "wrapped_key")


def _shown(export: Export, now: datetime) -> Export:
    """An export past its time reads as expired before upkeep has removed its file."""
    if export.state == Export.State.READY and export.expires_at <= now:
        export.state = Export.State.EXPIRED
    return export


EXPORTS_SHOWN = 50


@require_GET
@desk_view
def exports(request: DeskRequest, org: str) -> HttpResponse:
    """导出文件: the viewer's own exports, newest first, with progress while they run."""
    now = timezone.now()
    listed = [_shown(e, now) for e in _mine(request).order_by("-created_at", "-pk")[:EXPORTS_SHOWN]]
    return page(request, "reports/exports.html", {"exports": listed, "lifetime_hours": 24})


@require_GET
@desk_view
def export_row(request: DeskRequest, org: str, pk: int) -> HttpResponse:
    """One export's row (the page polls it while the export runs)."""
    found = _mine(request).filter(pk=pk).first()
    if found is None:
        raise not_found()
    return page(request, "reports/_export_row.html", {"e": _shown(found, timezone.now())})


@require_GET
@desk_view
def export_download(request: DeskRequest, org: str, pk: int) -> HttpResponse:
    """The finished file, to the one who asked for it only, until it expires. Every
    download is audited; one that names complainants logs each as an identity view."""
    desk = request.desk
    found = Export.objects.filter(org=desk.org, requested_by_id=desk.actor.user_id, pk=pk).first()
    if found is None:
        raise not_found()
    now = timezone.now()
    if found.state == Export.State.EXPIRED or (
        found.state == Export.State.READY and found.expires_at <= now
    ):
        background.expire(found)
        raise TousuError(
            "export_expired",
            gettext_lazy("该导出文件已超过 24 小时，已删除；请重新导出"),
            status=410,
        )
    if found.state != Export.State.READY:
        raise TousuError("export_not_ready", gettext_lazy("该导出文件尚未生成完成"), status=409)
    chunks = sealed.open_chunks(found.file_name, found.wrapped_key, found.pk)
    try:
        first = next(chunks)  # the key opens and the file is there, before anything is sent
    except FileNotFoundError:
        background.expire(found)
        raise TousuError(
            "export_expired", gettext_lazy("该导出文件已删除；请重新导出"), status=410
        ) from None
    with transaction.atomic():
        audit(
            f"{'ledger' if found.kind == Export.Kind.LEDGER else 'dossier'}.exported",
            desk.org,
            org=desk.org,
            actor=request.user,
            export=found.pk,
            params=found.params,
            rows=found.rows_done,
            identities_shown=len(found.named_case_ids),
        )
        IdentityAccess.objects.bulk_create(
            [
                IdentityAccess(case_id=i, user_id=desk.actor.user_id, surface="ledger_export")
                for i in found.named_case_ids
            ],
            batch_size=1000,
        )
    response = StreamingHttpResponse(itertools.chain([first], chunks), content_type=downloads.XLSX)
    response["Content-Length"] = str(found.size or 0)
    response["Content-Disposition"] = downloads.content_disposition(
        found.download_name, fallback=found.download_name.replace("台帐", "ledger")
    )
    response["Cache-Control"] = "no-store"
    return cast(HttpResponse, response)


@require_POST
@desk_view
def ledger_bulk(request: DeskRequest, org: str) -> HttpResponse:
    """Bulk work on the ledger's chosen rows: one action per case (tousu.web.bulk); the
    selection's export is this ledger's export, filtered to the chosen numbers."""
    numbers = bulk.selection(request.POST.getlist("cases"))
    back = reverse("desk:reports:ledger", kwargs={"org": org})
    query = bulk.back_query(str(request.POST.get("back") or ""))
    if bulk.operation(str(request.POST.get("operation") or "")) == "export":
        return export_selection(request, org, numbers)
    outcome = bulk.run(request.desk.actor, request.POST, numbers)
    bulk.tell(request, outcome)
    return redirect(f"{back}?{query}" if query else back)


def export_selection(request: DeskRequest, org: str, numbers: list[str]) -> HttpResponse:
    """A bulk bar's export: the ledger of the chosen cases, asked for like any other."""
    query = QueryDict(mutable=True)
    query.setlist("number", numbers)
    made = start_ledger_export(request, query)
    messages.success(request, gettext("已开始导出所选案件，完成后可在此下载"))
    return redirect(_exports_page(org, made))


@require_GET
@desk_view
def dossier(request: DeskRequest, org: str, year: int) -> HttpResponse:
    if not dossiers.FIRST_YEAR <= year <= dossiers.LAST_YEAR:
        raise not_found()
    desk = request.desk
    result = dossiers.build(desk.actor, year, desk.policy)
    return page(
        request,
        "reports/dossier.html",
        {
            "dossier": result,
            "year": year,
            "previous_year": year - 1 if year > dossiers.FIRST_YEAR else None,
            "next_year": year + 1 if year < dossiers.LAST_YEAR else None,
            "printed_at": timezone.now(),
        },
    )

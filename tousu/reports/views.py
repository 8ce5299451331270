"""The ledger page, its .xlsx export and the yearly dossier.

All three read :func:`tousu.cases.access.visible_cases` through :mod:`tousu.reports.query`,
so a staff member sees (and exports) exactly the cases their queues would show them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from urllib.parse import urlencode

from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tousu.cases.access import visible_cases
from tousu.cases.errors import TousuError, not_found
from tousu.cases.models import Kind, Status
from tousu.i18n import Text, both, localized
from tousu.orgs.services import audit
from tousu.privacy.models import IdentityAccess
from tousu.reports import dossier as dossiers
from tousu.reports import export as xlsx
from tousu.reports.ledger import (
    COLUMNS,
    MEASURES,
    PAGE_SIZE,
    build_rows,
    display,
    log_identity,
    with_extras,
)
from tousu.reports.query import (
    SATISFACTIONS,
    SORTS,
    FilterErrors,
    Filters,
    departments,
    filtered,
    ledger_ids,
    parse_filters,
    sort_key,
    sortable,
)
from tousu.web import bulk, keyset, labels
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
        "max_export": xlsx.MAX_ROWS,
        "query": bulk.back_query(request.GET.urlencode()),
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


@require_GET
@desk_view
def export(request: DeskRequest, org: str) -> HttpResponse:
    """The filtered ledger as .xlsx; every export is audited, every named row logged."""
    desk = request.desk
    actor = desk.actor
    try:
        filters = _read_filters(desk, request)
    except FilterErrors as exc:
        raise TousuError(
            "invalid_filter",
            exc.text(),
            status=400,
            details={name: list(both(message)) for name, message in exc.errors.items()},
        ) from None
    now = timezone.now()
    ids = list(ledger_ids(actor, filters, now))
    if len(ids) > xlsx.MAX_ROWS:
        raise TousuError(
            "export_too_large",
            gettext_lazy(
                "符合条件的案件有 {len} 件，超过单次导出上限 {MAX_ROWS} 件；请按收到日期分段导出"
            ),
            status=422,
            details={"rows": len(ids), "max_rows": xlsx.MAX_ROWS},
            params={"len": len(ids), "MAX_ROWS": xlsx.MAX_ROWS},
        )
    named: list[int] = []
    target = xlsx.temporary()
    try:
        # The ledger is filed in Chinese, whatever the viewer's language.
        with translation.override("zh-hans"):
            written = xlsx.write(
                target,
                xlsx.row_batches(actor, ids, now),
                tz=desk.tz,
                total=len(ids),
                notes=xlsx.notes_for(
                    desk.org.name, actor.username, now, desk.tz, filters, len(ids)
                ),
                on_rows=lambda batch: named.extend(r.case_id for r in batch if r.identity_shown),
            )
        with transaction.atomic():
            audit(
                "ledger.exported",
                desk.org,
                org=desk.org,
                actor=request.user,
                filters=filters.as_params(),
                rows=written,
                identities_shown=len(named),
            )
            IdentityAccess.objects.bulk_create(
                [
                    IdentityAccess(case_id=i, user_id=actor.user_id, surface="ledger_export")
                    for i in named
                ],
                batch_size=1000,
            )
        target.seek(0)
    except BaseException:
        target.close()
        raise
    response = FileResponse(target, content_type=xlsx.CONTENT_TYPE)
    local_now: datetime = timezone.localtime(now, desk.tz)
    response["Content-Disposition"] = xlsx.content_disposition(
        xlsx.filename(desk.org.slug, local_now)
    )
    response["Cache-Control"] = "no-store"
    # A streamed file: desk_view's signature names HttpResponse, and passes it through.
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
        export_url = reverse("desk:reports:export", kwargs={"org": org})
        return redirect(f"{export_url}?{urlencode([('number', n) for n in numbers])}")
    outcome = bulk.run(request.desk.actor, request.POST, numbers)
    bulk.tell(request, outcome)
    return redirect(f"{back}?{query}" if query else back)


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

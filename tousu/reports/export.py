"""The ledger as an .xlsx workbook: the register an office files and prints.

Written with openpyxl's write-only mode into a temporary file, a batch of cases at a
time, so a ledger of a hundred thousand cases never sits in memory whole. Every cell is
written by :func:`tousu.web.cells.xlsx_cell` (text as text, never a formula). The first
sheet, 台帐, has the Chinese column names in row 1 and then exactly one row per case;
the second, 说明, says what was exported, when, with which filters, and names every
column in Chinese and English.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from tousu.cases.access import Actor
from tousu.i18n import SOURCE, both, render_in
from tousu.reports.dossier import Dossier
from tousu.reports.ledger import EXPORT_COLUMNS, Row, Stamp, build_rows, with_extras
from tousu.reports.query import Filters
from tousu.web import downloads
from tousu.web.cells import cell_sheet, xlsx_cell

SHEET_TITLE = "台帐"
NOTES_TITLE = "说明"
# Cases per batch: rows are built with a fixed number of queries per batch, whatever its size.
BATCH = 1000
DATE_FORMAT = "yyyy-mm-dd hh:mm"
WRAPPED = Alignment(wrap_text=True, vertical="top")
CONTENT_TYPE = downloads.XLSX


def filename(org_slug: str, day: datetime) -> str:
    return f"台帐-{org_slug}-{day:%Y%m%d}.xlsx"


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    """Excel has no time zones: the organisation's wall-clock time, to the minute."""
    # Moments in the record are aware (USE_TZ): astimezone is timezone.localtime's work.
    return value.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)


def _format_with(note: str) -> str:
    """A date format that also shows words after the date (the cell stays a real date)."""
    note = note.replace('"', "'").replace("\\", "")
    return f'{DATE_FORMAT} "{note}"' if note else DATE_FORMAT


def _cell(ws: WriteOnlyWorksheet, value: Any, tz: ZoneInfo) -> Any:
    if type(value) is str:  # most cells: asked first
        return xlsx_cell(ws, value) if value else None
    if isinstance(value, Stamp):
        return xlsx_cell(ws, _local(value.at, tz), number_format=_format_with(value.note))
    if isinstance(value, datetime):
        return xlsx_cell(ws, _local(value, tz), number_format=DATE_FORMAT)
    return xlsx_cell(ws, value) if value not in (None, "") else None


def row_batches(actor: Actor, ids: Sequence[int], now: datetime) -> Iterator[list[Row]]:
    for start in range(0, len(ids), BATCH):
        yield with_extras(actor, build_rows(actor, ids[start : start + BATCH], now))


def write(
    target: IO[bytes],
    batches: Iterator[list[Row]],
    *,
    tz: ZoneInfo,
    total: int,
    notes: list[tuple[str, str]],
    on_rows: Callable[[list[Row]], None] | None = None,
) -> int:
    """Write the workbook to ``target``; returns the number of case rows written.

    ``on_rows`` is called with each batch once written (the caller records identity
    accesses from it).
    """
    wb = Workbook(write_only=True)
    ws = cell_sheet(wb, SHEET_TITLE)
    for i, column in enumerate(EXPORT_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    ws.freeze_panes = "A2"
    last = get_column_letter(len(EXPORT_COLUMNS))
    ws.auto_filter.ref = f"A1:{last}{max(total, 0) + 1}"
    bold = Font(bold=True)
    header = []
    centred = Alignment(horizontal="center", vertical="center")
    for column in EXPORT_COLUMNS:
        header.append(xlsx_cell(ws, render_in(SOURCE, column.name), font=bold, alignment=centred))
    ws.append(header)
    written = 0
    try:
        for batch in batches:
            for row in batch:
                ws.append([*(_cell(ws, value, tz) for value in row.cells()), _extras(ws, row)])
            written += len(batch)
            if on_rows is not None:
                on_rows(batch)
    except BaseException:
        # A row that cannot be built (a record that no longer opens): finish the sheet's
        # own temporary file now, so nothing writes to it after it is gone.
        with contextlib.suppress(Exception):
            ws.close()
        raise

    about = cell_sheet(wb, NOTES_TITLE)
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 60
    for key, value in notes:
        about.append([xlsx_cell(about, key), xlsx_cell(about, value)])
    about.append([])
    about.append([_bold(about, "列名"), _bold(about, "Column")])
    for column in EXPORT_COLUMNS:
        zh, en = both(column.name)
        about.append([xlsx_cell(about, zh), xlsx_cell(about, en)])
    wb.save(target)
    return written


def _extras(ws: WriteOnlyWorksheet, row: Row) -> Any:
    """The final column: one line per measure, wrapped."""
    if not row.extras:
        return None
    return xlsx_cell(ws, "\n".join(row.extras), alignment=WRAPPED)


def _bold(ws: WriteOnlyWorksheet, text: str) -> Cell:
    return xlsx_cell(ws, text, font=Font(bold=True))


def notes_for(
    org_name: str, username: str, now: datetime, tz: ZoneInfo, filters: Filters, total: int
) -> list[tuple[str, str]]:
    params = filters.as_params()
    return [
        ("单位 Organisation", org_name),
        ("导出人 Exported by", username),
        ("导出时间 Exported at", timezone.localtime(now, tz).strftime("%Y-%m-%d %H:%M %Z")),
        ("件数 Cases", str(total)),
        (
            "筛选条件 Filters",
            "; ".join(
                f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in params.items()
            ),
        ),
        ("时区 Time zone", str(tz)),
    ]


# -- the yearly dossier -------------------------------------------------------------------

DOSSIER_TOTALS = "统计"
DOSSIER_CASES = "案件目录"
DOSSIER_COLUMNS: tuple[tuple[str, str, str, int], ...] = (
    # (key in the dossier's rows, Chinese heading, English heading, width)
    ("seq", "序号", "No.", 7),
    ("number", "编号", "Number", 18),
    ("received", "收到时间", "Received", 17),
    ("kind", "类型", "Kind", 8),
    ("channel", "渠道", "Channel", 10),
    ("category", "类别", "Category", 16),
    ("department", "承办部门", "Department", 18),
    ("status", "状态", "Status", 12),
)


def dossier_filename(org_slug: str, year: int) -> str:
    return f"案宗-{org_slug}-{year}.xlsx"


def write_dossier(
    target: IO[bytes],
    dossier: Dossier,
    *,
    org_name: str,
    username: str,
    now: datetime,
    tz: ZoneInfo,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """The yearly dossier as a workbook: its totals, then the list of its cases in order
    (the dossier page's tables); returns the number of case rows written."""
    wb = Workbook(write_only=True)
    totals = cell_sheet(wb, DOSSIER_TOTALS)
    totals.column_dimensions["A"].width = 24
    totals.column_dimensions["B"].width = 10
    bold = Font(bold=True)
    for key, value in (
        ("单位 Organisation", org_name),
        ("年度 Year", str(dossier.year)),
        ("件数 Cases", str(dossier.total)),
        ("导出人 Exported by", username),
        ("导出时间 Exported at", timezone.localtime(now, tz).strftime("%Y-%m-%d %H:%M %Z")),
    ):
        totals.append([xlsx_cell(totals, key), xlsx_cell(totals, value)])
    for title, head, rows in (
        ("按状态", "状态", dossier.by_status),
        ("按类别", "类别", dossier.by_category),
        ("按渠道", "渠道", dossier.by_channel),
        ("按月份", "月份", dossier.by_month),
    ):
        totals.append([])
        totals.append([xlsx_cell(totals, title, font=bold)])
        totals.append([xlsx_cell(totals, head, font=bold), xlsx_cell(totals, "件数", font=bold)])
        for total in rows:
            totals.append([xlsx_cell(totals, total.label), xlsx_cell(totals, total.count)])

    ws = cell_sheet(wb, DOSSIER_CASES)
    for i, (_key, _zh, _en, width) in enumerate(DOSSIER_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.append([xlsx_cell(ws, zh, font=bold) for _key, zh, _en, _width in DOSSIER_COLUMNS])
    written = 0
    for case in dossier.cases:
        ws.append([xlsx_cell(ws, case[key]) for key, _zh, _en, _width in DOSSIER_COLUMNS])
        written += 1
        if on_progress is not None and written % BATCH == 0:
            on_progress(written)
    if on_progress is not None:
        on_progress(written)
    wb.save(target)
    return written

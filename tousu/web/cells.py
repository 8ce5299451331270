"""Text and cells as every spreadsheet, CSV file and printed document writes them.

Whatever the public typed is kept as typed in the record; on the way out it must neither
run as a formula in the office's spreadsheet program nor break the file it is written
into. Every export and document goes through this module:

* :func:`xml_text` replaces each character XML 1.0 cannot hold (C0 controls other than
  tab, line feed and carriage return; U+FFFE and U+FFFF; lone surrogates) by U+FFFD.
  .xlsx files are XML, and so are the HTML documents WeasyPrint turns into PDF.
* :func:`xlsx_cell` writes one cell of a write-only worksheet: text is always a string
  cell (never a formula, whatever it starts with, and otherwise unchanged), numbers and
  dates stay numbers and dates.
* :func:`cell_sheet` adds a write-only worksheet that takes only such cells (a plain value
  is refused, so nothing reaches the file without :func:`xlsx_cell`; a formula cell is
  refused too) and writes their rows straight as XML text: the same file openpyxl writes,
  several times faster (a ledger of a hundred thousand rows).
* :func:`csv_field` and :class:`CsvWriter` do the same for .csv, where a cell has no
  type: text starting with ``= + - @``, a tab or a carriage return gets a leading ``'``
  (OWASP, "CSV Injection").

No project imports here: exports and documents of every app can use it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell._writer import _set_attributes  # type: ignore[attr-defined]
from openpyxl.cell.cell import Cell
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter

REPLACEMENT = "\ufffd"
# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel holds at most this many characters in a cell; a longer one makes it "repair" the file.
XLSX_MAX_TEXT = 32_767
ELLIPSIS = "…"
# Spreadsheet programs read a CSV field starting with one of these as a formula.
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Number = int | float | Decimal
# Written as themselves (bool is an int; datetime a date).
_TYPED = (int, float, Decimal, date, time)
_MOMENTS = frozenset({datetime, date, time})


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub(REPLACEMENT, text)


def _text(value: Any) -> str:
    return xml_text(value if isinstance(value, str) else str(value))


def xlsx_cell(
    ws: WriteOnlyWorksheet,
    value: Any,
    *,
    number_format: str | None = None,
    font: Font | None = None,
    alignment: Alignment | None = None,
) -> Cell:
    """One cell for ``ws.append``: text as text, numbers as numbers, dates as dates.

    ``None`` is an empty cell. Anything else that is not a number or a date is written
    as its text, as a string cell: openpyxl would otherwise take text starting with
    ``=`` for a formula.
    """
    cell = Cell(ws, row=1, column=1)  # openpyxl.cell.WriteOnlyCell, one call less
    if value is None:
        pass
    elif number_format is not None and type(value) in _MOMENTS:
        # A date with its own format: what openpyxl's setter does, without the default
        # format it would set first (and the format below replaces).
        cell._value = value  # type: ignore[attr-defined]
        cell.data_type = "d"
    elif type(value) is not str and isinstance(value, _TYPED):
        cell.value = value
    else:
        text = _text(value)
        if len(text) > XLSX_MAX_TEXT:
            text = text[: XLSX_MAX_TEXT - len(ELLIPSIS)] + ELLIPSIS
        # Text as a string cell, set directly: openpyxl's setter would take text starting
        # with "=" for a formula (and check again what xml_text has already cleaned).
        cell._value = text  # type: ignore[attr-defined]
        cell.data_type = "s"
    if number_format is not None:
        cell.number_format = xml_text(number_format)
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


# -- a sheet of cells only, written fast ----------------------------------------------------

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


class _CellRows(WorksheetWriter):
    """openpyxl's sheet writer, with each row written as one piece of XML text."""

    def write_row(self, xf: Any, row: Any, row_idx: int) -> None:
        write = getattr(xf, "_file", None)  # et_xmlfile's writer (lxml's has none)
        cells = list(row)
        sheet: Any = self.ws  # openpyxl's stubs leave the write-only sheet's parts out
        if (
            not callable(write)
            or sheet.row_dimensions.get(row_idx)
            or any(c._comment is not None or c.hyperlink is not None for c in cells)
        ):
            super().write_row(xf, cells, row_idx)
            return
        styles = sheet.parent._cell_styles
        parts = [f'<row r="{row_idx}">']
        for cell in cells:
            styled = cell.has_style
            coordinate = f"{_letter(cell.column)}{row_idx}"
            style = f' s="{styles.add(cell._style)}"' if styled else ""
            value = cell._value
            kind = cell.data_type
            if kind == "f":
                raise ValueError("a formula cell in an export")
            if value is None:
                if styled:
                    parts.append(f'<c r="{coordinate}"{style}></c>')
                continue
            if kind == "s":
                if value == "":
                    parts.append(f'<c r="{coordinate}"{style} t="inlineStr"></c>')
                    continue
                stripped = value.strip()
                space = ' xml:space="preserve"' if stripped and stripped != value else ""
                text = value.translate(_ESCAPES)
                parts.append(
                    f'<c r="{coordinate}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'
                )
                continue
            value, attributes = _set_attributes(cell, styled)  # numbers, dates, booleans
            kind = attributes.get("t", "n")
            shown = "" if value is None or value == "" else safe_string(value)
            parts.append(
                f'<c r="{coordinate}"{style} t="{kind}"><v>{shown.translate(_ESCAPES)}</v></c>'
            )
        parts.append("</row>")
        write("".join(parts))


_LETTERS: dict[int, str] = {}


def _letter(column: int) -> str:
    found = _LETTERS.get(column)
    if found is None:
        found = _LETTERS[column] = get_column_letter(column)
    return found


class CellSheet(WriteOnlyWorksheet):
    """A write-only worksheet whose rows hold only cells (:func:`xlsx_cell`) or None."""

    def _get_writer(self) -> None:
        if self._writer is None:  # type: ignore[has-type]
            writer = _CellRows(self)
            writer.write_top()
            self._writer = writer

    def _values_to_row(self, values: Iterable[Any], row_idx: int) -> Iterable[Cell]:
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if not isinstance(value, Cell):
                raise TypeError("a cell sheet takes cells (tousu.web.cells.xlsx_cell) only")
            value.column = col_idx
            value.row = row_idx
            yield value


def cell_sheet(wb: Workbook, title: str) -> Any:
    """A new last sheet of the write-only workbook ``wb`` that takes only cells (typed as
    ``Workbook.create_sheet`` is: openpyxl's stubs leave its column widths and panes out)."""
    if not wb.write_only:
        raise ValueError("a cell sheet belongs to a write-only workbook")
    ws = CellSheet(parent=wb, title=title)
    wb._add_sheet(ws)  # type: ignore[attr-defined]
    return ws


def csv_field(value: Any) -> Any:
    """One CSV field: numbers as they are, dates in ISO form, text defused and cleaned."""
    if value is None:
        return ""
    if isinstance(value, bool | Number):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    text = _text(value)
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


class CsvWriter:
    """``csv.writer`` whose every field goes through :func:`csv_field`."""

    def __init__(self, target: IO[str], **fmtparams: Any) -> None:
        self._writer = csv.writer(target, **fmtparams)

    def writerow(self, values: Iterable[Any]) -> None:
        self._writer.writerow([csv_field(v) for v in values])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)

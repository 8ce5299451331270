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

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

REPLACEMENT = "\ufffd"
# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel holds at most this many characters in a cell; a longer one makes it "repair" the file.
XLSX_MAX_TEXT = 32_767
ELLIPSIS = "…"
# Spreadsheet programs read a CSV field starting with one of these as a formula.
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Number = int | float | Decimal


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
    cell = WriteOnlyCell(ws)
    if value is None or isinstance(value, bool | Number | datetime | date | time):
        cell.value = value
    else:
        text = _text(value)
        if len(text) > XLSX_MAX_TEXT:
            text = text[: XLSX_MAX_TEXT - len(ELLIPSIS)] + ELLIPSIS
        cell.value = text
        # After the value: openpyxl takes text starting with "=" for a formula.
        cell.data_type = "s"
    if number_format is not None:
        cell.number_format = xml_text(number_format)
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


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

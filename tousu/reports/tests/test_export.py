"""The ledger's .xlsx export: the file opens, holds the filtered rows, and is accounted for."""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from tousu.cases.models import Case
from tousu.orgs.models import AuditEvent
from tousu.privacy.models import IdentityAccess
from tousu.reports.ledger import COLUMNS, EXPORT_COLUMNS
from tousu.reports.models import Export
from tousu.reports.tests import exporting
from tousu.reports.tests.conftest import REPORTER, REPORTER_PHONE

# The regulation's 18 columns, then the measures other apps add (penalties, remedies, ...).
HEADERS = [c.zh for c in EXPORT_COLUMNS]
assert HEADERS[:-1] == [c.zh for c in COLUMNS] and HEADERS[-1] == "处理措施与问责"


def _export(desk: Any, **params: Any) -> Any:
    """The export with these filters, asked for on the ledger, built, then downloaded."""
    return exporting.ledger(desk.client, **params)


def _sheet(response) -> Worksheet:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames[0] == "台帐"
    return book["台帐"]


def _rows(sheet: Worksheet) -> list[list[object]]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _numbers(sheet: Worksheet) -> list[str]:
    return [str(r[0]) for r in _rows(sheet)[1:]]


def test_the_export_opens_with_chinese_headers_and_one_row_per_case(world, desk, cases):
    sheet = _sheet(_export(desk("supervisor"), sort="number", dir="asc"))
    rows = _rows(sheet)
    assert rows[0] == HEADERS
    assert _numbers(sheet) == cases.all()
    fees = dict(zip(HEADERS, rows[1], strict=True))
    # Dates are real dates, in the organisation's time zone.
    assert fees["收到时间"] == datetime(2026, 3, 10, 9, 0)
    assert fees["办理时限"] == datetime(2026, 3, 31, 17, 30)
    assert fees["办结时间"] == datetime(2026, 3, 20, 15, 0)
    assert fees["答复时间与方式"] == datetime(2026, 3, 21, 10, 30)
    assert sheet.cell(row=2, column=HEADERS.index("答复时间与方式") + 1).number_format == (
        'yyyy-mm-dd hh:mm "电话"'
    )
    # The supervisor does not handle it: the complainant is masked (need-to-know)
    assert (
        fees["投诉人"] == "（已保护）" and fees["类别"] == "收费问题" and fees["是否超期"] == "否"
    )
    assert fees["处理结果"] == "本单位责任；属实" and fees["状态"] == "已回访"
    assert sheet.column_dimensions["G"].width == COLUMNS[6].width
    assert sheet.freeze_panes == "A2"


def test_the_ledger_is_filed_in_chinese_whatever_the_viewers_language(world, desk, cases):
    sup = desk("supervisor")
    sup.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    rows = _rows(_sheet(_export(sup, kind="report")))
    assert rows[0] == HEADERS
    row = dict(zip(HEADERS, rows[1], strict=True))
    assert row["类型"] == "举报" and row["投诉人"] == "（已保护）" and row["状态"] == "办理中"


def test_the_export_holds_only_the_filtered_cases(world, desk, cases):
    sup = desk("supervisor")
    assert _numbers(_sheet(_export(sup, overdue="yes"))) == [
        cases.report,
        cases.service,
    ]
    assert _numbers(_sheet(_export(sup, status="rejected"))) == [cases.rejected]
    empty = _rows(_sheet(_export(sup, received_to="2000-01-01")))
    assert empty == [HEADERS]


def test_the_export_is_named_for_the_organisation_and_the_day(world, desk, cases):
    r = _export(desk("supervisor"))
    disposition = r["Content-Disposition"]
    assert disposition.startswith('attachment; filename="ledger-acme-')
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    name = unquote(encoded)
    assert (
        name.startswith("台帐-acme-")
        and name.endswith(".xlsx")
        and len(name) == len("台帐-acme-20260101.xlsx")
    )
    assert encoded.isascii() and "%E5%8F%B0%E5%B8%90" in encoded


def test_a_handler_of_another_department_exports_only_their_own(world, desk, cases):
    sheet = _sheet(_export(desk("handler2")))
    assert _numbers(sheet) == [cases.service]
    text = json.dumps(_rows(sheet), ensure_ascii=False, default=str)
    assert "王建国" not in text and cases.fees not in text
    # Asking for finance's cases gives none of them.
    assert _rows(_sheet(_export(desk("handler2"), department="finance"))) == [HEADERS]


def test_the_exported_reporter_stays_protected(world, desk, cases):
    for persona in ("handler", "supervisor", "auditor"):
        sheet = _sheet(_export(desk(persona), kind="report"))
        row = dict(zip(HEADERS, _rows(sheet)[1], strict=True))
        assert row["投诉人"] == "（已保护）", persona
        assert REPORTER not in str(row["内容摘要"]) and REPORTER_PHONE not in str(row["内容摘要"])


def test_every_export_is_audited_without_personal_data(world, desk, cases):
    _export(desk("handler"), category="fees", overdue="no")
    event = AuditEvent.objects.get(type="ledger.exported")
    assert event.actor == world.users["handler"] and event.org == world.org
    assert event.data["rows"] == 1
    assert event.data["params"] == {
        "category": "fees",
        "overdue": "no",
        "sort": "received",
        "dir": "desc",
    }
    assert "王建国" not in json.dumps(event.data, ensure_ascii=False)


def test_each_named_row_logs_an_identity_access(world, desk, cases):
    _export(desk("handler"))
    logged = IdentityAccess.objects.filter(surface="ledger_export", user=world.users["handler"])
    # handler sees fees (named complainant) and the report (sealed): one access.
    assert list(logged.values_list("case_id", flat=True)) == [
        Case.objects.get(number=cases.fees).pk
    ]
    _export(desk("auditor"))
    assert not IdentityAccess.objects.filter(user=world.users["auditor"]).exists()
    assert AuditEvent.objects.filter(type="ledger.exported").count() == 2


def test_a_bad_filter_exports_nothing(world, desk, cases):
    r = _export(desk("supervisor"), received_from="2026-02-30")
    assert r.status_code == 400 and "日期无效" in r.content.decode()
    assert not Export.objects.exists()
    assert not AuditEvent.objects.filter(type="ledger.exported").exists()


def test_intake_clerks_export_what_they_registered(world, desk, cases):
    sheet = _sheet(_export(desk("clerk"), sort="number", dir="asc"))
    assert _numbers(sheet) == cases.all()

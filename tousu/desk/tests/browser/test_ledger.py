"""The ledger (台帐) is exported as a spreadsheet from its page and downloaded from 导出文件."""

from __future__ import annotations

import re

import openpyxl
import pytest
from django.urls import NoReverseMatch, reverse

from .steps import new_case

CJK = re.compile(r"[\u4e00-\u9fff]")


def _ledger_urls(org: str) -> tuple[str, str]:
    """The ledger page and its export, by URL name (the sections sit in the desk's namespace)."""
    for namespace in ("reports", "desk:reports"):
        try:
            return (
                reverse(f"{namespace}:ledger", kwargs={"org": org}),
                reverse(f"{namespace}:export", kwargs={"org": org}),
            )
        except NoReverseMatch:
            continue
    pytest.skip("ledger export not installed yet")


def test_the_ledger_downloads_as_a_workbook_with_chinese_headers(
    desk_as, live_server, staff, tmp_path
):
    ledger, export = _ledger_urls("acme")
    numbers = {new_case(staff.actor("clerk")).number for _ in range(2)}

    page = desk_as("supervisor")
    page.goto(f"{live_server.url}{ledger}")
    assert "台帐" in page.locator("main").inner_text()
    # The export is built in the background (inline here), then offered on 导出文件.
    page.locator(f'main form[action="{export}"] button').first.click()
    page.wait_for_url(re.compile(r"/ledger/exports/"))
    assert "可下载" in page.locator("#exports").inner_text()
    with page.expect_download() as started:
        page.locator('#exports a[href$="/download"]').first.click()
    download = started.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / "ledger.xlsx"
    download.save_as(saved)

    sheet = openpyxl.load_workbook(saved, read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    headers = [str(h) for h in rows[0] if h not in (None, "")]
    assert headers and all(CJK.search(h) for h in headers), headers
    cells = {str(c) for row in rows[1:] for c in row if c is not None}
    assert numbers <= cells

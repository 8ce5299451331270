"""An intake clerk signs in and registers a phone call with the keyboard, then a letter."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.shortcuts import resolve_url

from tousu.cases.models import Case, Deadline
from tousu.desk.templatetags.desk import local
from tousu.evidence.models import Attachment
from tousu.evidence.tests.samples import PDF

from .conftest import PASSWORD
from .steps import url

CASE_PATH = re.compile(r"/desk/acme/cases/(?P<number>[^/]+)/$")


def _focused(page) -> str:
    return str(page.evaluate("document.activeElement ? document.activeElement.id : ''"))


def _tab_to(page, element_id: str, limit: int = 12) -> None:
    """Press Tab until the field ``element_id`` has the focus (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page) == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id} (stopped on #{_focused(page)})")


def _number_of(page) -> str:
    match = CASE_PATH.search(urlsplit(page.url).path)
    assert match, page.url
    return match["number"]


SCAN = PDF  # a real PDF: the upload pipeline refuses one it cannot read


def test_clerk_signs_in_and_registers_a_call_then_a_letter(
    page, live_server, staff, settings, tmp_path
):
    settings.TOUSU_FILES_DIR = tmp_path / "files"  # the scanned letter is stored here
    # A bookmarked registration page sends a signed-out clerk to the login page first.
    page.goto(url(live_server, "desk:register", org="acme"))
    assert urlsplit(page.url).path == resolve_url(settings.LOGIN_URL)
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert urlsplit(page.url).path == "/desk/acme/new/"
    assert page.locator("h1").inner_text() == "电话快速登记"

    # Keyboard only: the cursor waits in the phone field; Tab moves; Ctrl+Enter registers.
    assert _focused(page) == "c_phone"
    keys = page.keyboard
    keys.type("13912345678")
    _tab_to(page, "c_name")
    keys.type("王建国")
    _tab_to(page, "category")
    keys.type("fees")
    _tab_to(page, "content")
    keys.type("CT检查被重复收费两次，多收了386元。")
    _tab_to(page, "demands")
    keys.type("退还多收的费用")
    _tab_to(page, "s_type")
    keys.press("ArrowDown")  # 工作人员 → 部门
    assert page.locator("#s_type").input_value() == "department"
    _tab_to(page, "s_name")
    keys.type("门诊收费处")
    with page.expect_navigation():
        keys.press("Control+Enter")

    number = _number_of(page)
    assert page.locator("h1").inner_text().startswith(number)
    assert f"已登记：{number}" in page.locator(".messages").inner_text()
    case = Case.objects.get(number=number)
    assert (case.kind, case.channel, case.category, case.status) == (
        "complaint",
        "phone",
        "fees",
        "registered",
    )
    assert case.first_contact_owner_id == staff.users["clerk"].pk
    assert case.subjects.get().type == "department"
    people = page.locator("section[aria-labelledby=h-people]").inner_text()
    assert "王建国" in people and "13912345678" in people
    # The acceptance clock runs and the page shows when it falls due.
    deadline = case.deadlines.get(state=Deadline.State.OPEN)
    shown = page.locator("table.deadlines tbody").inner_text()
    assert local(deadline.due_at, "Asia/Shanghai") in shown
    assert "个工作日" in shown

    # A letter: the form for written channels asks for the address and the ID number.
    page.locator("header.top").get_by_role("link", name="登记").click()
    page.get_by_role("link", name="改为来信/来访登记").click()
    assert page.locator("h1").inner_text() == "登记来信来访"
    assert page.locator("#channel").input_value() == "letter"
    page.get_by_label("姓名", exact=True).fill("周建华")
    page.get_by_label("地址", exact=True).fill("杭州市西湖区文三路88号3幢")
    page.get_by_label("类别").fill("misconduct")
    page.get_by_label("投诉/举报内容").fill("住院结算2号窗口工作人员要求交50元“手续费”，未开收据。")
    page.get_by_label("诉求").fill("退还50元，查处该工作人员")
    page.locator("#s_type").select_option("staff")
    page.get_by_label("名称/姓名").fill("住院结算2号窗口工作人员")
    page.get_by_label("上传扫描件").set_input_files(
        {"name": "来信扫描件.pdf", "mimeType": "application/pdf", "buffer": SCAN}
    )
    with page.expect_navigation():
        page.get_by_role("button", name="登记 Ctrl+Enter").click()

    letter = Case.objects.get(number=_number_of(page))
    assert letter.channel == "letter" and letter.number != number
    assert "来信" in page.locator("dl.facts").inner_text()
    assert (
        "杭州市西湖区文三路88号3幢"
        in page.locator("section[aria-labelledby=h-people]").inner_text()
    )
    scan = Attachment.objects.get(case=letter)
    assert scan.size == len(SCAN)
    assert "来信扫描件.pdf" in page.locator("main").inner_text()

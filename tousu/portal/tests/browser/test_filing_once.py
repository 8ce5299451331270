"""F5 and a double click on the portal's submission file one case: the receipt page shows
its one receipt once; reloaded, it says the case was already filed."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tousu.cases.models import Case
from tousu.reporter import receipts

CONTENT = "医院停车场收费标准未公示，出场时被多收二十元。"


def _fill(page: Any, url: str) -> None:
    page.goto(f"{url}/o/acme/new/")
    page.locator("#kind").select_option("complaint")
    page.get_by_label("发生了什么").fill(CONTENT)
    page.get_by_label("您的诉求").fill("退还多收的停车费")
    page.get_by_label("名称或姓名").fill("医院停车场")
    page.get_by_label("匿名提交").check()


def test_a_reload_and_a_double_click_file_one_case_each(
    page: Any, live_server: Any, staff: Any
) -> None:
    _fill(page, live_server.url)
    with page.expect_navigation():
        page.get_by_role("button", name="提交", exact=True).click()
    assert "/o/acme/new/" in page.url and "我们已收到您的反映" in page.locator("h1").inner_text()
    digits = page.locator("#receipt").inner_text().replace(" ", "")
    case = receipts.find(staff.org, digits)
    assert case is not None and Case.objects.count() == 1

    # F5: no new case, no receipt again; the page says it was filed and where to follow it.
    page.reload()
    assert "没有重复登记" in page.locator("h1").inner_text()
    assert page.locator("#receipt").count() == 0
    assert str(case.number) in page.locator("main").inner_text()
    assert page.get_by_role("link", name="凭回执查询").first.is_visible()
    assert Case.objects.count() == 1

    # A double click on a new form: one more case, and the page answers for that one.
    _fill(page, live_server.url)
    # The second click may abort the first click's navigation: wait for where it ends.
    page.get_by_role("button", name="提交", exact=True).dblclick()
    expect(page).to_have_url(re.compile(r".*/o/acme/new/[^/]+/$"))
    expect(page.locator("h1")).to_be_visible()
    page.wait_for_load_state()
    assert Case.objects.count() == 2
    second = Case.objects.exclude(pk=case.pk).get()
    assert str(second.number) in page.locator("main").inner_text()
    if page.locator("#receipt").count():
        shown = page.locator("#receipt").inner_text().replace(" ", "")
        assert receipts.find(staff.org, shown) == second
    else:  # the first click's answer took the receipt; this one says it was filed
        assert "没有重复登记" in page.locator("h1").inner_text()

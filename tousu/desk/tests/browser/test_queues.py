"""Queues in the browser: a supervisor's bulk close with its refusal, a saved filter reused
after signing in again, and the queues on a phone."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tousu.cases.models import Case, Status
from tousu.desk.tests.making import case_in

from .conftest import PASSWORD
from .steps import url


def _sign_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def test_a_supervisor_closes_five_ready_cases_and_sees_why_the_sixth_was_not(
    desk_as, live_server, staff
):
    # Replied cases are ready to close under this policy (no follow-up required).
    ready = [str(case_in(staff, "replied").number) for _ in range(5)]
    handling = str(case_in(staff, "in_progress").number)

    page = desk_as("supervisor")
    page.goto(url(live_server, "desk:home", org="acme"))
    # The supervisor lands on 待结案, with its count in the tab and in the top bar.
    assert urlsplit(page.url).path == "/desk/acme/queue/close/"
    assert page.locator(".tabs [aria-current=page]").inner_text().split() == ["待结案", "5"]
    top = page.locator("header .waiting a", has_text="待结案")
    assert top.inner_text().split() == ["待结案5"] or top.inner_text().split() == ["待结案", "5"]

    # The case that is not ready is on the ledger: choose all six there.
    page.goto(url(live_server, "desk:reports:ledger", org="acme"))
    page.get_by_label("全选本页").check()
    for number in [*ready, handling]:
        assert page.get_by_label(f"选择 {number}").is_checked()
    with page.expect_navigation():
        page.get_by_role("button", name="批量结案").click()

    messages = page.locator(".messages").inner_text()
    assert "结案：完成 5 件，未能办理 1 件" in messages
    assert f"{handling}：案件状态为“办理中”，尚不能结案" in messages
    assert all(Case.objects.get(number=n).status == Status.CLOSED for n in ready)
    assert Case.objects.get(number=handling).status == Status.IN_PROGRESS


def test_a_saved_filter_is_there_after_signing_in_again(desk_as, live_server, staff):
    report = str(case_in(staff, kind="report").number)
    complaint = str(case_in(staff).number)
    page = desk_as("dispatcher")
    page.goto(url(live_server, "desk:home", org="acme"))
    assert urlsplit(page.url).path == "/desk/acme/queue/dispatch/"
    page.locator("#q-kind").select_option("report")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选", exact=True).click()
    page.get_by_label("将当前条件保存为").fill("待分办的举报")
    with page.expect_navigation():
        page.get_by_role("button", name="保存筛选").click()
    assert "已保存筛选：待分办的举报" in page.locator(".messages").inner_text()

    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()
    _sign_in(page, live_server, "dispatcher")
    with page.expect_navigation():
        page.get_by_role("link", name="待分办的举报").click()
    table = page.locator("#queue-table").inner_text()
    assert report in table and complaint not in table
    assert page.locator("#q-kind").input_value() == "report"


def test_the_queues_on_a_390_px_phone_are_cards_without_sideways_scrolling(
    desk_as, live_server, staff
):
    numbers = [str(case_in(staff, "replied").number) for _ in range(2)]
    page = desk_as("supervisor")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url(live_server, "desk:queue", org="acme", code="close"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide"
    assert page.locator("table.queue thead").is_hidden()  # cards: the labels are in the rows
    for number in numbers:
        cell = page.locator("table.queue tbody th.number", has_text=number)
        box = cell.locator("a").bounding_box()
        line = page.evaluate(
            "el => parseFloat(getComputedStyle(el).lineHeight) || el.getBoundingClientRect().height",
            cell.locator("a").element_handle(),
        )
        assert box is not None and box["height"] <= line * 1.5, "the case number broke over lines"
    # A label and its value share a line; no Chinese label stands one character a line.
    label_heights = page.evaluate(
        """() => [...document.querySelectorAll('table.queue td[data-label]')].map(td => {
               const h = parseFloat(getComputedStyle(td, '::before').lineHeight);
               return [td.getBoundingClientRect().height, h || 24];
           })"""
    )
    assert all(height <= line * 2.2 for height, line in label_heights), label_heights
    # The ledger becomes cards too
    page.goto(url(live_server, "desk:reports:ledger", org="acme"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the ledger is {width} px wide"


def test_each_role_signs_in_and_lands_on_its_own_queue(browser, live_server, staff):
    """The sign-in page leads each persona to what waits on them (their queue's tab is the
    current one), the administrator to the administration."""
    from tousu.desk.tests.test_queues import LANDINGS

    from .conftest import _new_page

    for persona, landing in sorted(LANDINGS.items()):
        context, page = _new_page(browser)
        try:
            _sign_in(page, live_server, persona)
            assert urlsplit(page.url).path == landing, persona
            if "/queue/" in landing:
                current = page.locator("[aria-current='page']").first.inner_text()
                assert current.strip(), persona
        finally:
            context.close()

"""The language switch in the top bar: English and back to Chinese, on the same page."""

from __future__ import annotations

from urllib.parse import urlsplit

from .steps import new_case, url


def test_the_language_switch_turns_the_desk_to_english_and_back(desk_as, live_server, staff):
    new_case(staff.actor("clerk"))
    page = desk_as("dispatcher")
    queue = url(live_server, "desk:queue", org="acme", code="dispatch")
    page.goto(queue)
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    tabs = page.locator("nav.tabs")
    assert "待分办" in tabs.inner_text()

    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert urlsplit(page.url).path == urlsplit(queue).path  # the same page
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Waiting for dispatch" in tabs.inner_text()
    assert "待分办" not in tabs.inner_text()
    assert page.locator("table.cases th").first.inner_text() == "Number"
    assert {c["name"]: c["value"] for c in page.context.cookies()}.get("django_language") == "en"

    with page.expect_navigation():
        page.get_by_role("button", name="中文").click()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert "待分办" in tabs.inner_text()
    assert page.locator("table.cases th").first.inner_text() == "编号"

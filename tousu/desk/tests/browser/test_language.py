"""The language switch in the top bar: 简体 → 繁體 → English → 简体, on the same page, on the
desk (a queue, a case, the administration) and on the portal (the form and the follow page)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .steps import case_url, new_case, url

BUTTONS = {"zh-Hans": "简体", "zh-Hant": "繁體", "en": "English"}
CYCLE = ("zh-Hant", "en", "zh-Hans")


def shows(page: Any, lang: str, words: dict[str, list[str]], where: str = "body") -> None:
    """The page is in ``lang``: <html lang>, the switch marks it, its words are there and
    the other languages' words are not."""
    assert page.locator("html").get_attribute("lang") == lang
    current = page.locator("form.lang button[aria-current=true]")
    assert current.count() == 1 and current.inner_text() == BUTTONS[lang]
    text = page.locator(where).first.inner_text()
    for word in words[lang]:
        assert word in text, (lang, word)
    for other, theirs in words.items():
        if other != lang:
            assert not [w for w in theirs if w in text], (lang, other)


def switch_around(page: Any, words: dict[str, list[str]], where: str = "body") -> None:
    """From 简体 through 繁體 and English back to 简体, staying on the page."""
    path = urlsplit(page.url).path
    shows(page, "zh-Hans", words, where)
    for lang in CYCLE:
        with page.expect_navigation():
            page.locator("form.lang").get_by_role("button", name=BUTTONS[lang]).click()
        assert urlsplit(page.url).path == path  # the same page
        shows(page, lang, words, where)


QUEUE = {
    "zh-Hans": ["工作队列", "编号", "待分办", "台帐"],
    "zh-Hant": ["工作隊列", "編號", "待分辦", "臺帳"],
    "en": ["Queues", "Number", "Waiting for dispatch", "Ledger"],
}
CASE = {
    "zh-Hans": ["办理时限", "打印本页"],
    "zh-Hant": ["辦理時限", "打印本頁"],
    "en": ["Deadlines", "Print this page"],
}
ADMIN = {
    "zh-Hans": ["单位管理", "人员与角色", "通知与文书的语言"],
    "zh-Hant": ["單位管理", "人員與角色", "通知與文書的語言"],
    "en": ["Administration", "Staff and roles", "Language of notices and documents"],
}
SUBMIT = {
    "zh-Hans": ["提交投诉举报", "凭回执查询"],
    "zh-Hant": ["提交投訴舉報", "憑回執查詢"],
    "en": ["Submit a complaint or report", "Follow a case with its receipt"],
}
FOLLOW = {
    "zh-Hans": ["凭回执查询", "查询回执号"],
    "zh-Hant": ["憑回執查詢", "查詢回執號"],
    "en": ["Follow a case with its receipt", "Receipt (20 digits"],
}


def test_the_desk_switches_between_simplified_traditional_and_english(desk_as, live_server, staff):
    case = new_case(staff.actor("clerk"))
    page = desk_as("dispatcher")
    queue = url(live_server, "desk:queue", org="acme", code="dispatch")
    page.goto(queue)
    switch_around(page, QUEUE)
    assert page.locator("table.cases th:not(.pick)").first.inner_text() == "编号"

    page.goto(case_url(live_server, case))
    switch_around(page, CASE)
    # The choice is kept in the language cookie, for the next page too.
    page.locator("form.lang").get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert {c["name"]: c["value"] for c in page.context.cookies()}["django_language"] == "en"
    page.goto(queue)
    shows(page, "en", QUEUE)
    assert "Waiting for dispatch" in page.locator("nav.tabs").inner_text()

    admin = desk_as("admin")
    admin.goto(f"{live_server.url}/desk/acme/manage/")
    switch_around(admin, ADMIN, "main")


def test_the_portal_switches_between_simplified_traditional_and_english(page, live_server, world):
    page.goto(f"{live_server.url}/o/acme/new/")
    switch_around(page, SUBMIT)
    with page.expect_navigation():
        page.locator("footer").get_by_role("link", name="凭回执查询").click()
    assert urlsplit(page.url).path == "/o/acme/follow/"
    switch_around(page, FOLLOW)

"""The administrator shortens the reply limit from 15 to 12 working days in a new policy
version: the portal's notice and a new case's page say 12, a case registered before still
says 15 (its own version's words and dates). Words that still say 15 beside 12 are refused."""

from __future__ import annotations

from typing import Any

from tousu.cases.models import Deadline
from tousu.desk.tests.browser.steps import act, case_url, new_case, url
from tousu.policy.models import PolicyVersion

OLD = "自受理起 15 个工作日"
NEW = "自受理起 12 个工作日"


def accepted(staff: Any) -> Any:
    """A case registered and accepted: its reply clock runs."""
    case = new_case(staff.actor("clerk"))
    return act(case, staff.actor("dispatcher"), "accept", note="属本单位职责，予以受理")


def test_a_shorter_limit_in_a_new_version_changes_every_text_that_shows_it(
    page, desk_as, live_server, staff
) -> None:
    before = accepted(staff)
    page.goto(f"{live_server.url}/o/acme/")
    notice = page.locator("main").inner_text()
    assert OLD in notice and NEW not in notice

    # The number alone changed: refused in both languages, nothing saved.
    admin = desk_as("admin")
    admin.goto(url(live_server, "desk:orgadmin:policy_edit", org="acme"))
    source = admin.locator("textarea").input_value()
    admin.locator("textarea").fill(source.replace("amount = 15\n", "amount = 12\n", 1))
    with admin.expect_navigation():
        admin.get_by_role("button", name="校验并保存为新版本").click()
    problems = admin.get_by_role("alert").inner_text()
    assert "写的是 15 个工作日，而规则的数字是 12 个工作日" in problems
    assert "text_zh states 15 working_days but the rule counts 12 working_days" in problems
    assert PolicyVersion.objects.filter(org=staff.org).count() == 1

    # Number and words together: the new version is active.
    admin.locator("textarea").fill(
        source.replace("amount = 15\n", "amount = 12\n", 1)
        .replace("受理后15个工作日内答复", "受理后12个工作日内答复", 1)
        .replace("Reply within 15 working days", "Reply within 12 working days", 1)
    )
    with admin.expect_navigation():
        admin.get_by_role("button", name="校验并保存为新版本").click()
    assert "制度 v2 现行" in admin.locator("h1").inner_text()

    # The portal's notice says 12 now, with the clause's wording beside it.
    page.goto(f"{live_server.url}/o/acme/")
    notice = page.locator("main").inner_text()
    assert NEW in notice and "受理后12个工作日内答复" in notice
    assert OLD not in notice and "受理后15个工作日内答复" not in notice

    # A new case's page says 12; the case registered before still says 15, and its date.
    after = accepted(staff)
    dispatcher = desk_as("dispatcher")
    dispatcher.goto(case_url(live_server, after))
    rows = dispatcher.locator("table.deadlines").inner_text()
    assert NEW in rows and OLD not in rows
    dispatcher.goto(case_url(live_server, before))
    rows = dispatcher.locator("table.deadlines").inner_text()
    assert OLD in rows and NEW not in rows
    old_reply = Deadline.objects.get(case=before, stage="reply")
    new_reply = Deadline.objects.get(case=after, stage="reply")
    assert (old_reply.rule["amount"], new_reply.rule["amount"]) == (15, 12)

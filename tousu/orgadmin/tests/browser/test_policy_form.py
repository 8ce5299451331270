"""The administrator changes the reply limit on the policy's deadline form: the preview
shows the change, saving makes it the active version with its diff, and the portal's notice
says the new words."""

from __future__ import annotations

from typing import Any

from tousu.desk.tests.browser.steps import url
from tousu.policy.models import PolicyVersion

OLD = "自受理起 15 个工作日"
NEW = "自受理起 12 个工作日"


def test_a_deadline_changed_on_its_form_is_saved_as_a_new_version_with_its_diff(
    page: Any, desk_as: Any, live_server: Any, staff: Any
) -> None:
    admin = desk_as("admin")
    admin.goto(url(live_server, "desk:orgadmin:policy", org="acme"))
    admin.get_by_role("link", name="期限").first.click()
    row = admin.locator("#row-1")
    assert OLD in row.inner_text()
    row.get_by_label("数量").fill("12")
    with admin.expect_navigation():
        admin.get_by_role("button", name="预览改动").click()

    changes = admin.locator("#changes table").inner_text()
    assert OLD in changes and NEW in changes
    assert "受理后12个工作日内答复" in changes  # the clause's wording follows the number
    assert PolicyVersion.objects.filter(org=staff.org).count() == 1  # not saved yet
    admin.get_by_label("修改说明（可选）").fill("答复期限改为12个工作日")
    with admin.expect_navigation():
        admin.get_by_role("button", name="保存为新版本").click()

    assert "制度 v2 现行" in admin.locator("h1").inner_text()
    diff = admin.locator("#changes").inner_text()
    assert OLD in diff and NEW in diff
    staff.org.refresh_from_db()
    assert staff.org.active_policy.number == 2

    page.goto(f"{live_server.url}/o/acme/")
    notice = page.locator("main").inner_text()
    assert NEW in notice and OLD not in notice

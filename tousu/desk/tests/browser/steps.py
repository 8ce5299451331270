"""What the browser tests do again and again: prepare a case, open and submit desk forms."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from tousu.cases.access import Actor
from tousu.cases.actions import ACTION_FUNCTIONS
from tousu.cases.inputs import RegisterIn
from tousu.cases.intake import register
from tousu.cases.models import Case

PHONE_COMPLAINT: dict[str, Any] = {
    "kind": "complaint",
    "channel": "phone",
    "category": "fees",
    "content": "CT检查被重复收费两次，要求退还多收的费用。",
    "demands": "退还重复收取的费用",
    "complainant": {"name": "王建国", "phone": "13912345678", "address": "杭州市西湖区文三路88号"},
    "subject": {"type": "department", "name": "门诊收费处"},
}


def new_case(actor: Actor, **overrides: Any) -> Case:
    """A phone complaint registered by ``actor`` (an intake clerk), as the desk would."""
    return register(actor, RegisterIn.model_validate({**PHONE_COMPLAINT, **overrides}))


def act(case: Case, actor: Actor, action: str, **payload: Any) -> Case:
    """Take one lifecycle action directly (the steps before the one a test is about)."""
    fn, schema = ACTION_FUNCTIONS[action]
    result: Case = fn(case.pk, actor=actor, data=schema.model_validate(payload))
    return result


def url(live_server: Any, name: str, **kwargs: Any) -> str:
    return f"{live_server.url}{reverse(name, kwargs=kwargs)}"


def case_url(live_server: Any, case: Case) -> str:
    """The case's page on the desk of its organisation."""
    return url(live_server, "desk:case", org=case.org.slug, number=case.number)


def open_action(page: Any, action: str) -> Any:
    """Unfold the action's form on the case page; returns the form."""
    details = page.locator(f"details#act-{action}")
    more = page.locator("details.more", has=details)
    if more.count() and more.get_attribute("open") is None:
        more.locator("summary").first.click()  # the actions after the next step: 更多
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    form = details.locator("form")
    form.wait_for(state="visible")
    return form


def submit(page: Any, form: Any) -> None:
    """Press the form's button and wait for the page that comes back."""
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def done_message(page: Any) -> str:
    text: str = page.locator(".messages").inner_text()
    return text


def deadline_row(page: Any, label: str) -> Any:
    """The row of the case page's deadline table whose stage reads ``label``."""
    return page.locator("table.deadlines tbody tr").filter(
        has=page.locator("th", has_text=re.compile(rf"^\s*{re.escape(label)}"))
    )

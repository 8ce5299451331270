"""Words that must not mislead: a named caller who gave no name is not anonymous, and a
deadline rule's own wording is shown only on a case it was written for (the hospital's
after-hours rule on a case received after hours)."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest
from django.test import Client

from tousu.cases.models import Case, Deadline
from tousu.conftest import World
from tousu.ops.tokens import create_token
from tousu.orgadmin.describe import selectors
from tousu.orgs.services import create_user
from tousu.policy.loader import preset_source, validate
from tousu.policy.services import create_org

pytestmark = pytest.mark.django_db

AFTER_HOURS = "总值班不能处理的，次日由院办根据总值班记录书面向相应职能部门通报"


def _ledger_row(client: Any, number: str) -> str:
    page = client.get("ledger/").content.decode()
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{number}.*?</tr>", page, re.S)
    assert row is not None, number
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(0)))


def test_a_named_caller_without_a_name_is_not_called_anonymous(world: World, desk: Any) -> None:
    clerk = desk("clerk")
    named = clerk.register(c_name="").headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    anonymous = (
        clerk.register(c_name="", c_phone="", anonymous="on")
        .headers["Location"]
        .rstrip("/")
        .rsplit("/", 1)[-1]
    )
    # The registering clerk sees the identity: the caller gave a phone number, no name.
    row = _ledger_row(clerk, named)
    assert "未留姓名" in row and "匿名" not in row
    assert "匿名" in _ledger_row(clerk, anonymous)
    # One who may not see the identity reads it as protected, as for any named caller.
    row = _ledger_row(desk("dispatcher"), named)
    assert "（已保护）" in row and "匿名" not in row and "未留姓名" not in row


class Hospital:
    def __init__(self) -> None:
        self.org = create_org("hosp", "某县人民医院", "hospital")
        self.clerk = create_user("hosp_clerk", org=self.org, role="intake_clerk",
                                 department="outpatient")  # fmt: skip
        self.api = Client(headers={"authorization": f"Bearer {create_token(self.clerk)}"})
        self.desk = Client()
        self.desk.force_login(self.clerk)

    def register(self, channel: str, received_at: str) -> Case:
        response = self.api.post(
            "/api/v1/orgs/hosp/cases",
            {
                "kind": "complaint", "channel": channel, "category": "fees",
                "received_at": received_at, "content": "CT检查被重复收费两次。",
                "demands": "退还多收的费用",
                "complainant": {"name": "王建国", "phone": "13912345678", "address": "城关镇"},
                "subject": {"type": "department", "name": "门诊收费处"},
            },
            content_type="application/json",
        )  # fmt: skip
        assert response.status_code == 201, response.content.decode()
        return Case.objects.get(number=response.json()["number"])

    def deadlines_section(self, case: Case) -> str:
        page = self.desk.get(f"/desk/hosp/cases/{case.number}/").content.decode()
        return page[page.index('id="h-deadlines"') : page.index('id="h-people"')]


def test_the_after_hours_routing_rule_is_shown_only_for_after_hours_intake() -> None:
    h = Hospital()
    # A visit on a Tuesday morning: the complaint centre passes it on; no duty officer.
    day = h.register("visit", "2026-11-03T10:00:00+08:00")
    routing = Deadline.objects.get(case=day, stage="routing")
    assert AFTER_HOURS not in routing.text_zh
    assert AFTER_HOURS not in h.deadlines_section(day)
    # A call on a Friday evening lands with the duty officer: the rule is this case's.
    night = h.register("phone", "2026-11-06T20:30:00+08:00")
    routing = Deadline.objects.get(case=night, stage="routing")
    assert routing.text_zh == AFTER_HOURS
    assert AFTER_HOURS in h.deadlines_section(night)
    # Both are passed on by the next working day at the latest (the same clock).
    assert Deadline.objects.get(case=day, stage="routing").due_at.date().isoformat() == "2026-11-04"


def test_the_policy_page_says_which_routing_rule_is_for_after_hours_intake() -> None:
    policy = validate(tomllib.loads(preset_source("hospital")))
    routing = [selectors(r) for r in policy.deadlines if r.stage == "routing"]
    assert routing == ["工作时间以外收到的", "工作时间内收到的"]

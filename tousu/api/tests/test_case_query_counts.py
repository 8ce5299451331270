"""No N+1 in the API's case answers: a case with much on it (files, notes, messages,
remedies, sub-tasks, extensions, pauses) is answered in as many queries as one with little."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tousu.accountability.models import Penalty
from tousu.accountability.records import appeal_from_record
from tousu.conftest import World
from tousu.desk.tests.crowd import BusyCase, Page, listed
from tousu.desk.tests.making import act, case_in
from tousu.ops.tokens import create_token
from tousu.privacy.models import IdentityAccess
from tousu.tests.queries import assert_flat, count_get

V = "/api/v1/orgs/acme/"


@pytest.fixture
def _files_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.TOUSU_FILES_DIR = tmp_path / "files"


STAFF = ("handler", "dispatcher", "supervisor")
CASE_CALLS = {
    "case": ("", r"现场照片\d+|电话联系投诉人（第\d+次）|退费\d+"),
    "remedies": ("/remedies", r'"no": \d+'),
    # Who was shown the identity: the people who opened it (each on another surface).
    "identity access log": ("/identity-access", r'"surface": "[^"]+'),
}


@pytest.mark.usefixtures("_files_in_tmp")
@pytest.mark.parametrize(
    ("call", "persona", "ceiling"),
    [
        ("case", "handler", 27),
        ("case", "supervisor", 29),
        ("remedies", "handler", 6),
        ("identity access log", "auditor", 10),
    ],
)
def test_a_busy_case_is_answered_in_a_fixed_number_of_queries(
    world: World, call: str, persona: str, ceiling: int
) -> None:
    busy = BusyCase(world)
    busy.grow(1)
    suffix, rows = CASE_CALLS[call]
    page = Page(persona, f"{V}cases/{busy.number}{suffix}", ceiling, rows=rows, api=True)
    client = Client()
    headers = {"authorization": f"Bearer {create_token(world.users[persona])}"}

    def shows(few: Any, many: Any) -> None:
        assert 0 < listed(page, few) < listed(page, many)

    def grow() -> None:
        busy.grow(3)
        for i in range(3):
            IdentityAccess.objects.create(
                case=busy.case, user=world.users[STAFF[i]], surface=f"desk-{busy.made}-{i}"
            )

    IdentityAccess.objects.create(case=busy.case, user=world.users["clerk"], surface="desk")
    assert_flat(
        lambda: count_get(client, page.path, headers=headers), grow, ceiling=ceiling, shows=shows
    )


@pytest.mark.parametrize(("persona", "ceiling"), [("supervisor", 7), ("leader", 7)])
def test_a_cases_penalties_are_answered_in_a_fixed_number_of_queries(
    world: World, persona: str, ceiling: int
) -> None:
    case = case_in(world, "resolved")
    made = [0]

    def propose(n: int) -> None:
        for _ in range(n):
            i = made[0]
            made[0] += 1
            act(world, case, "supervisor", "propose_penalty", staff="handler2", kind="warning",
                reason=f"服务态度差{i}")  # fmt: skip
            penalty = Penalty.objects.filter(case_id=case.pk).latest("pk")
            if i % 2:
                act(world, case, "leader", "decide_penalty", penalty=penalty.pk, approved=True)
                appeal_from_record(world.actor("handler2"), penalty.pk, f"事实不清{i}")

    propose(2)
    page = Page(persona, f"{V}cases/{case.number}/penalties", ceiling, rows=r'"id": \d+', api=True)
    client = Client()
    headers = {"authorization": f"Bearer {create_token(world.users[persona])}"}

    def shows(few: Any, many: Any) -> None:
        assert 0 < listed(page, few) < listed(page, many)

    assert_flat(
        lambda: count_get(client, page.path, headers=headers),
        lambda: propose(4),
        ceiling=ceiling,
        shows=shows,
    )

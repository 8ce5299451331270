"""A crowded organisation for the query-count tests: cases in every state with what the lists
show of them (files, notes, requests waiting for a decision, penalties, overdue and reminded
clocks, notices), and rows of everything else a page lists (staff, departments, holidays,
shifts, hand-over notes, saved filters, reply snippets, policy versions).

:meth:`Crowd.grow` adds ``n`` of each; the tests measure a page, grow the crowd, measure it
again. Cases, files, penalties, staff, shifts, notes and policy versions are made through
the actions and services the desk uses; the rows that have none (departments, holidays,
saved filters, snippets) are written directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from tousu.accountability.models import Penalty
from tousu.accountability.records import appeal_from_record
from tousu.cases import sweeps
from tousu.cases.models import Case
from tousu.clock.models import HolidayOverride
from tousu.clock.overrides import clear_cache as clear_calendars
from tousu.conftest import World
from tousu.desk.models import ReplySnippet, SavedFilter
from tousu.duty import services as duty
from tousu.evidence import services as evidence
from tousu.evidence.tests.samples import PDF
from tousu.jobs.queue import huey
from tousu.ops.tokens import create_token
from tousu.orgs import models as org_models
from tousu.orgs.models import Department
from tousu.orgs.services import create_user
from tousu.policy import models as policy_models
from tousu.policy.loader import preset_source
from tousu.policy.services import activate_policy
from tousu.tests.queries import Counted, assert_counts_flat, count_get, logged_in

from .making import PATH, act, case_in

# The caller of every complaint of the crowd.
PHONE = "13912345678"
# The states the cases are left in, in turn (each state of the path once per seven cases).
STATES = ("registered", "accepted", "in_progress", "resolved", "replied", "followed_up", "closed")


class Crowd:
    """The organisation of a :class:`World`, filled ``n`` at a time."""

    def __init__(self, world: World, *, cases: bool = True) -> None:
        self.world = world
        self.made = 0
        self.with_cases = cases
        self.cases: list[Case] = []

    def grow(self, n: int) -> None:
        for _ in range(n):
            if self.with_cases:
                self._case(self.made)
            self._rows(self.made)
            self.made += 1
        # The sweep marks the clocks of the cases received long ago as overdue and reminds
        # the ones falling due: events, notices to the handlers and owners.
        sweeps.sweep(timezone.now())

    def _case(self, i: int) -> None:
        world = self.world
        now = timezone.now()
        overrides: dict[str, Any] = {
            "kind": "report" if i % 3 == 0 else "complaint",
            # One caller, many complaints: the registration form's duplicate look-up.
            "complainant": {"name": f"投诉人{i}", "phone": PHONE},
            # About one person: their staff record lists the cases.
            "subject": {"type": "staff", "staff": "handler2", "name": f"客服部员工{i}"},
        }
        state = STATES[i % len(STATES)]
        if state == "registered":
            # Received long ago: its clocks have run out.
            overrides["received_at"] = (now - timedelta(days=40)).isoformat()
        case = case_in(world, "registered", **overrides)
        evidence.attach(
            case.pk,
            actor=world.actor("clerk"),
            upload=SimpleUploadedFile(f"来信{i}.pdf", PDF),
        )
        act(world, case, "clerk", "record", kind="note", body=f"电话联系投诉人（第{i}次）")
        for reached, persona, action, payload in PATH:
            if state == "registered":
                break
            case = act(world, case, persona, action, **payload)
            if reached == state:
                break
        # Requests waiting for a decision (the 待审批 queue): an extension, a remedy, a penalty.
        if state == "in_progress":
            act(world, case, "handler", "request_extension", stage="reply", amount=1,
                reason="需鉴定")  # fmt: skip
        if state == "accepted":
            act(world, case, "clerk", "propose_remedy", kind="refund", amount="120.00",
                reason="退费")  # fmt: skip
        if state in ("resolved", "replied", "followed_up"):
            act(world, case, "supervisor", "propose_penalty", staff="handler2", kind="warning",
                reason="服务态度差")  # fmt: skip
        if state in ("replied", "followed_up"):
            penalty = Penalty.objects.filter(case_id=case.pk).latest("pk")
            act(world, case, "leader", "decide_penalty", penalty=penalty.pk, approved=True)
            if state == "followed_up":
                appeal_from_record(world.actor("handler2"), penalty.pk, "事实不清")
        self.cases.append(case)

    def _rows(self, i: int) -> None:
        """Everything else the desk lists, one each."""
        world = self.world
        org = world.org
        now = timezone.now()
        SavedFilter.objects.create(
            org=org, owner=world.users["supervisor"], view="ledger", name=f"收费投诉{i}",
            query="category=fees",
        )  # fmt: skip
        SavedFilter.objects.create(
            org=org, owner=world.users["dispatcher"], view="queue:dispatch", name=f"举报{i}",
            query="kind=report",
            department=Department.objects.get(org=org, code="finance"),
        )  # fmt: skip
        ReplySnippet.objects.create(
            org=org, title=f"答复模板{i}", body="您好，{number} 已办结。",
            created_by=world.users["supervisor"],
            department=Department.objects.get(org=org, code="finance") if i % 2 else None,
        )  # fmt: skip
        parent = Department.objects.get(org=org, code="finance")
        Department.objects.create(org=org, code=f"team{i}", name=f"第{i}小组", parent=parent)
        user = create_user(f"staff{i}", org=org, role="handler", department=f"team{i}")
        create_user(f"staff{i}", org=org, role="intake_clerk", department="office")
        # One person with a role in every new department (their page lists them).
        create_user("multi", org=org, role="handler", department=f"team{i}")
        HolidayOverride.objects.create(
            org=org, date=date(2031, 1, 1) + timedelta(days=i), working=False,
            name=f"停工{i}", created_by=world.users["admin"],
        )  # fmt: skip
        start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=i)
        duty.add_shift(
            world.actor("supervisor"), user_id=user.pk, kind="general", starts_at=start,
            ends_at=start + timedelta(hours=8), note=f"第{i}班", now=now,
        )  # fmt: skip
        duty.write_hand_over(world.actor("clerk"), body=f"交接第{i}件事", to_office=True, now=now)
        activate_policy(org, preset_source("general"), preset="general", actor=world.users["admin"])


# -- measuring every page of a list before and after the crowd grows -----------------------


@dataclass(frozen=True)
class Page:
    """One page (or API call) that lists things, as one persona opens it.

    ``rows``: a pattern whose distinct matches are the things listed (by default the case
    numbers); the page must list more of them once the crowd has grown. ``ceiling``: the
    most queries it may make. ``api``: called with the persona's API token, not signed in."""

    persona: str
    path: str
    ceiling: int
    rows: str = r"TS-\d{4}-\d{6}"
    api: bool = False
    # The rows are counts (the queues' tabs): what is listed is their sum.
    sums: bool = False
    # Queries asked only when some listed row needs them (one for all such rows, never one
    # per row): the larger page may make this many more than the smaller one.
    conditional: int = 0
    # A list cut at a fixed length (the latest few): it may list no more once grown.
    capped: bool = False


def listed(page: Page, counted: Counted) -> int:
    found = re.findall(page.rows, counted.text())
    return sum(int(n) for n in found) if page.sums else len(set(found))


@contextmanager
def crowd_measured(
    blocker: Any,
    files: Path,
    pages: dict[str, Page],
    *,
    few: int = 7,
    more: int = 14,
    cases: bool = True,
) -> Iterator[dict[str, tuple[Counted, Counted]]]:
    """A world crowded with ``few`` of everything, each page measured; then ``more`` added
    and each page measured again: name → (few, many). Built once (a test module's fixture)
    in a transaction rolled back at the end."""
    # A due-soon window of 60 days: the clocks of the cases just registered fall in it.
    with (
        blocker.unblock(),
        override_settings(TOUSU_FILES_DIR=files, TOUSU_REMIND_BEFORE_HOURS=1440),
    ):
        _clear_caches()
        outer = transaction.atomic()
        outer.__enter__()
        immediate, huey.immediate = huey.immediate, True
        try:
            world = World()
            crowd = Crowd(world, cases=cases)
            crowd.grow(few)
            # A path may name the person with many roles by their id.
            multi = get_user_model().objects.get(username="multi").pk
            paths = {name: p.path.format(multi=multi) for name, p in pages.items()}
            clients = {
                name: (
                    (Client(), {"authorization": f"Bearer {create_token(world.users[p.persona])}"})
                    if p.api
                    else (logged_in(world.users[p.persona]), {})
                )
                for name, p in pages.items()
            }

            def measure() -> dict[str, Counted]:
                return {
                    name: count_get(clients[name][0], paths[name], headers=clients[name][1])
                    for name in pages
                }

            measure()  # the per-process caches warm up
            before = measure()
            crowd.grow(more)
            measure()  # and again for what the new rows bring (new policy versions, holidays)
            after = measure()
            yield {name: (before[name], after[name]) for name in pages}
        finally:
            huey.immediate = immediate
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            _clear_caches()


def _clear_caches() -> None:
    org_models._DEPARTMENT_IDS.clear()
    policy_models._LOADED.clear()
    clear_calendars()


def check_page(page: Page, few: Counted, many: Counted) -> None:
    """The page lists more once the crowd grew, in no more queries, under its ceiling."""
    grew = listed(page, few) <= listed(page, many) if page.capped else None
    assert listed(page, few) > 0 and (grew or listed(page, few) < listed(page, many)), (
        f"{page.path} lists {listed(page, few)} then {listed(page, many)}: nothing to compare"
    )
    assert_counts_flat(few, many, ceiling=page.ceiling, conditional=page.conditional)


# -- one case with much on it -----------------------------------------------------------------


class BusyCase:
    """One complaint in handling whose page grows: files, notes, messages to the reporter,
    remedies, sub-tasks, extensions, pauses (clocks and events), each added ``n`` at a time."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.made = 0
        case = case_in(world, "registered")
        self.case = act(world, case, "dispatcher", "accept")
        act(world, self.case, "dispatcher", "assign", lead_department="finance", handler="handler")

    @property
    def number(self) -> str:
        return str(self.case.number)

    def grow(self, n: int) -> None:
        world, case = self.world, self.case
        for _ in range(n):
            i = self.made
            self.made += 1
            evidence.attach(
                case.pk, actor=world.actor("handler"),
                upload=SimpleUploadedFile(f"现场照片{i}.pdf", PDF),
            )  # fmt: skip
            act(world, case, "handler", "record", kind="note", body=f"电话联系投诉人（第{i}次）")
            act(world, case, "handler", "message_reporter", body=f"请补充第{i}份凭证")
            act(world, case, "handler", "propose_remedy", kind="refund", amount=f"{i + 1}.00",
                reason=f"退费{i}")  # fmt: skip
            act(world, case, "supervisor", "assign_subtask", department="service",
                instruction=f"协助核查第{i}项", due_in_working_days=2)  # fmt: skip
            act(world, case, "handler", "request_extension", stage="reply", amount=1,
                reason=f"需鉴定{i}")  # fmt: skip
            act(world, case, "supervisor", "approve_extension", note="同意")
            act(world, case, "handler", "pause", reason_code="testing", note=f"送检{i}")
            act(world, case, "handler", "resume")

    # What the case page lists of it: its files, notes and remedies.
    ROWS = r"现场照片\d+|电话联系投诉人（第\d+次）|退费\d+"

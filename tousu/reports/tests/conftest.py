"""Ledger fixtures: the desk clients, and five cases in known states at known times.

=========  ==========  =======  ================  ==========  ============================
case       received    kind     category / dept   status      notes
=========  ==========  =======  ================  ==========  ============================
fees       2026-03-10  投诉     fees / finance    followed_up phone; answered on time, satisfied
service    2026-07-02  投诉     service_attitude  in_progress visit; service; reply overdue
report     2026-09-01  举报     misconduct        in_progress letter; finance; named reporter
rejected   2025-12-15  投诉     fees              rejected    web; anonymous; outside mandate
fresh      (now)       投诉     other             registered  phone; nothing done yet
=========  ==========  =======  ================  ==========  ============================

All five are registered by ``clerk`` through the REST API; the later steps are taken
through the action functions at the times given, so the deadlines come out as stated.
They are built once per test module, in a transaction rolled back at its end; each test
runs in a savepoint inside it, so what a test writes (exports, reveals) is undone.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from tousu.cases import actions, inputs
from tousu.cases.models import Case
from tousu.conftest import World
from tousu.desk.tests.conftest import desk  # noqa: F401 — fixture used by name

TZ = ZoneInfo("Asia/Shanghai")
REPORTER = "李举报"
REPORTER_PHONE = "13800001111"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@dataclass
class Cases:
    fees: str
    service: str
    report: str
    rejected: str
    fresh: str

    def all(self) -> list[str]:
        return [self.fees, self.service, self.report, self.rejected, self.fresh]


def _register(world: World, **body: Any) -> str:
    r = world.api("clerk").register(**body)
    assert r.status_code == 201, r.content.decode()
    return str(r.json()["number"])


def _pk(number: str) -> int:
    return int(Case.objects.get(number=number).pk)


@pytest.fixture(scope="module")
def _module_ledger(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[World, Cases]]:
    from tousu.jobs.queue import huey

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        immediate, huey.immediate = huey.immediate, True
        try:
            built = World()
            for persona in built.users:
                built.api(persona)  # tokens made here outlive each test's rollback
            yield built, _build_cases(built)
        finally:
            huey.immediate = immediate
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(_module_ledger: tuple[World, Cases], db: None) -> World:
    """conftest's `world`, built once per module: each test runs in a savepoint."""
    built = _module_ledger[0]
    mine = copy.copy(built)
    mine.users = dict(built.users)
    mine._tokens = dict(built._tokens)
    return mine


@pytest.fixture
def cases(_module_ledger: tuple[World, Cases], world: World) -> Cases:
    return _module_ledger[1]


def _build_cases(world: World) -> Cases:
    dispatcher = world.actor("dispatcher")
    handler = world.actor("handler")
    clerk = world.actor("clerk")

    fees = _register(world, received_at="2026-03-10T09:00:00+08:00")
    pk = _pk(fees)
    actions.accept(pk, actor=dispatcher, data=inputs.AcceptIn(), now=at("2026-03-10 10:00"))
    actions.assign(
        pk,
        actor=dispatcher,
        data=inputs.AssignIn(lead_department="finance", handler="handler"),
        now=at("2026-03-11 09:00"),
    )
    actions.resolve(
        pk,
        actor=handler,
        data=inputs.ResolveIn(
            findings="重复收费属实，已退费。", responsibility="organisation", valid=True
        ),
        now=at("2026-03-20 15:00"),
    )
    actions.reply(
        pk,
        actor=handler,
        data=inputs.ReplyIn(channel="phone", body="您好，多收的费用已退还。"),
        now=at("2026-03-21 10:30"),
    )
    actions.follow_up(
        pk,
        actor=clerk,
        data=inputs.FollowUpIn(reached=True, satisfaction="satisfied", channel="phone"),
        now=at("2026-03-25 11:00"),
    )

    service = _register(
        world,
        channel="visit",
        category="service_attitude",
        content="窗口工作人员态度恶劣，拒绝解释。",
        complainant={"anonymous": False, "name": "赵女士", "phone": "13700002222"},
        subject={"type": "department", "name": "门诊挂号处"},
        received_at="2026-07-02T14:00:00+08:00",
    )
    pk = _pk(service)
    actions.accept(pk, actor=dispatcher, data=inputs.AcceptIn(), now=at("2026-07-02 15:00"))
    actions.assign(
        pk,
        actor=dispatcher,
        data=inputs.AssignIn(lead_department="service", handler="handler2"),
        now=at("2026-07-03 09:00"),
    )

    report = _register(
        world,
        kind="report",
        channel="letter",
        category="misconduct",
        content=f"我是{REPORTER}，电话{REPORTER_PHONE}，举报收费处张某收受红包。",
        complainant={"anonymous": False, "name": REPORTER, "phone": REPORTER_PHONE},
        subject={"type": "staff", "name": "收费处张某"},
        received_at="2026-09-01T10:00:00+08:00",
    )
    pk = _pk(report)
    actions.accept(pk, actor=dispatcher, data=inputs.AcceptIn(), now=at("2026-09-01 11:00"))
    actions.assign(
        pk,
        actor=dispatcher,
        data=inputs.AssignIn(lead_department="finance", handler="handler"),
        now=at("2026-09-02 09:00"),
    )

    rejected = _register(
        world,
        channel="web",
        content="隔壁商场停车收费太贵。",
        complainant={"anonymous": True},
        subject={"type": "merchant", "name": "隔壁商场"},
        received_at="2025-12-15T16:00:00+08:00",
    )
    actions.reject(
        _pk(rejected),
        actor=dispatcher,
        data=inputs.RejectIn(reason_code="outside_mandate"),
        now=at("2025-12-16 09:00"),
    )

    fresh = _register(
        world,
        category="other",
        content="咨询停车场开放时间。",
        complainant={"anonymous": False, "name": "钱先生", "phone": "13600003333"},
        subject={"type": "other", "name": "停车场"},
    )
    return Cases(fees=fees, service=service, report=report, rejected=rejected, fresh=fresh)


NUMBER = re.compile(r'<th scope="row"><a href="/desk/[^/]+/cases/([^/]+)/">')


def numbers(response: Any) -> list[str]:
    """The case numbers listed in a ledger or dossier page, in order."""
    return NUMBER.findall(response.content.decode())

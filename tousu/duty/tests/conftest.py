"""Duty fixtures: a hospital (duty officer after hours, hand-on the next day) beside acme.

Personas in ``hos`` (the same logins as acme's): supervisor (the administrative duty
officer, 院行政总值班), clerk (intake clerk), dispatcher (the complaint office),
handler (finance), leader, admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from tousu.cases import intake
from tousu.cases.access import Actor
from tousu.cases.inputs import RegisterIn
from tousu.cases.models import Case
from tousu.conftest import World
from tousu.desk.tests.conftest import desk  # noqa: F401 — the desk fixture, used by these tests
from tousu.duty.models import Shift
from tousu.duty.services import add_shift
from tousu.orgs.models import Organisation
from tousu.orgs.services import create_user
from tousu.policy.services import create_org

TZ = ZoneInfo("Asia/Shanghai")

HOSPITAL = {
    "supervisor": ("supervisor", None),
    "clerk": ("intake_clerk", None),
    "dispatcher": ("dispatcher", None),
    "handler": ("handler", "finance"),
    "leader": ("leader", None),
    "admin": ("administrator", None),
}


def at(day: str, clock: str) -> datetime:
    """A Shanghai moment: at("2026-11-24", "22:00")."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TZ)


@dataclass
class Hospital:
    world: World
    org: Organisation

    def user(self, persona: str) -> User:
        return self.world.users[persona]

    def actor(self, persona: str) -> Actor:
        return self.world.actor(persona, self.org)

    def register(self, persona: str, received: datetime, *, now: datetime | None = None) -> Case:
        data = RegisterIn.model_validate(
            {
                "kind": "complaint",
                "channel": "phone",
                "category": "fees",
                "received_at": received,
                "content": "父亲的CT检查被重复收费两次。",
                "complainant": {"anonymous": False, "name": "王建国", "phone": "13912345678"},
            }
        )
        return intake.register(self.actor(persona), data, now=now or received)

    def on_roster(
        self, persona: str, starts: datetime, ends: datetime, kind: str = "general"
    ) -> Shift:
        return add_shift(
            self.actor("admin"), user_id=self.user(persona).pk, kind=kind, starts_at=starts,
            ends_at=ends, now=starts,
        )  # fmt: skip


@pytest.fixture
def hos(world: World) -> Hospital:
    org = create_org("hos", "人民医院", preset="hospital")
    for name, (role, dept) in HOSPITAL.items():
        create_user(name, org=org, role=role, department=dept)
    return Hospital(world, org)

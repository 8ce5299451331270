"""The demo's roster: night duty every day, the hotline on working days."""

from __future__ import annotations

from tousu.conftest import World
from tousu.demo.roster import seed_roster
from tousu.duty import services
from tousu.duty.models import Shift
from tousu.duty.tests.conftest import at
from tousu.orgs.models import AuditEvent


def test_the_demo_roster_covers_every_night_and_the_working_days(world: World) -> None:
    now = at("2026-11-28", "16:00")  # a Saturday
    shifts = seed_roster(
        by=world.actor("admin"), night=("supervisor", "leader"), hotline=("clerk",), now=now,
        days_back=7, days_ahead=7,
    )  # fmt: skip
    assert Shift.objects.count() == len(shifts) == 14 + 10
    assert AuditEvent.objects.filter(type="shift.added").count() == 24
    tonight = services.on_duty(world.org, at("2026-11-28", "23:00"))
    assert [s.kind for s in tonight] == ["general"]
    monday = services.on_duty(world.org, at("2026-11-23", "10:00"))
    assert [(s.kind, s.user.get_username()) for s in monday] == [("hotline", "clerk")]

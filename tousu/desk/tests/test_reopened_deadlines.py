"""After the complainant disagrees, the deadline table has one row per stage: the new
round's, labelled as reopened; the earlier round's clocks are in the timeline, and a target
left open by the earlier round (回访) is closed by the event that reopens the case."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tousu.cases.access import reporter_actor
from tousu.cases.actions import ACTION_FUNCTIONS
from tousu.cases.models import Case, Deadline, Event
from tousu.conftest import World
from tousu.reporter.actions import REPORTER_FUNCTIONS

pytestmark = pytest.mark.django_db


def _act(world: World, persona: str, case: Case, action: str, body: dict[str, Any]) -> None:
    fn, schema = ACTION_FUNCTIONS[action]
    fn(case.pk, actor=world.actor(persona), data=schema.model_validate(body))


def _replied(world: World) -> Case:
    number = world.api("clerk").register().json()["number"]
    case = Case.objects.get(number=number)
    _act(world, "dispatcher", case, "accept", {})
    _act(world, "dispatcher", case, "assign", {"lead_department": "finance", "handler": "handler"})
    _act(
        world, "handler", case, "resolve", {"findings": "已退费", "responsibility": "organisation"}
    )
    _act(world, "handler", case, "reply", {"channel": "phone", "body": "多收的费用已退还。"})
    return case


def _table(page: str) -> list[str]:
    """The deadline table's row headings (stage, and 目标 for a target)."""
    section = page[page.index('id="h-deadlines"') : page.index('id="h-people"')]
    return [
        re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", row))
        for row in re.findall(r'<th scope="row">(.*?)</th>', section, re.S)
    ]


def _check(world: World, desk: Any, case: Case, reopening: Event) -> None:
    # The follow-up target of the earlier round is closed, by the reopening event.
    follow_up = Deadline.objects.get(case=case, stage="follow_up")
    assert follow_up.state == Deadline.State.CANCELLED
    assert reopening.data["deadlines_cancelled"] == ["follow_up"]
    # One row per stage; the reply clock of the new round says it is the reopened one.
    rows = _table(desk("handler").get(f"cases/{case.number}/").content.decode())
    assert len(rows) == len(set(rows)), rows
    assert [r for r in rows if r.startswith("答复")] == ["答复（重新办理）"]
    assert not any(r.startswith("回访") for r in rows), rows
    # A clock of the handling before that is not run again says so.
    assert "受理决定（前次办理）" in rows
    # The read model: the current rows, each with its round; the earlier ones kept apart.
    data = world.api("handler").get(f"/cases/{case.number}").json()
    reply = [d for d in data["deadlines"] if d["stage"] == "reply"]
    assert len(reply) == 1 and reply[0]["round"] == 1 and reply[0]["state"] == "open"
    assert not reply[0]["earlier_round"]
    earlier = {(d["stage"], d["state"]) for d in data["earlier_deadlines"]}
    assert earlier == {("reply", "met"), ("follow_up", "cancelled")}
    # The history stays in the timeline.
    types = [e["type"] for e in data["timeline"]]
    assert "replied" in types


def test_staff_reopening_closes_the_stale_follow_up_and_shows_one_reply_row(
    world: World, desk: Any
) -> None:
    case = _replied(world)
    assert Deadline.objects.get(case=case, stage="follow_up").state == Deadline.State.OPEN
    _act(world, "dispatcher", case, "reopen", {"reason": "投诉人对退费金额有异议"})
    _check(world, desk, case, Event.objects.get(case=case, type="reopened"))


def test_a_follow_up_done_before_the_reopening_is_labelled_as_the_earlier_handling(
    world: World, desk: Any
) -> None:
    case = _replied(world)
    _act(world, "clerk", case, "follow_up", {"reached": True, "satisfaction": "dissatisfied"})
    _act(world, "dispatcher", case, "reopen", {"reason": "投诉人不满意"})
    event = Event.objects.get(case=case, type="reopened")
    assert "deadlines_cancelled" not in event.data  # nothing was left running
    rows = _table(desk("handler").get(f"cases/{case.number}/").content.decode())
    assert "回访（前次办理）(目标)" in rows, rows
    assert [r for r in rows if r.startswith("答复")] == ["答复（重新办理）"]


def test_the_reporter_disagreeing_does_the_same(world: World, desk: Any) -> None:
    case = _replied(world)
    fn, schema = REPORTER_FUNCTIONS["disagree"]
    holder = reporter_actor(world.org, case_id=case.pk)
    fn(case.pk, actor=holder, data=schema.model_validate({"reason": "退费金额不对"}))
    case.refresh_from_db()
    assert case.status == "in_progress"
    _check(world, desk, case, Event.objects.filter(case=case).latest("seq"))

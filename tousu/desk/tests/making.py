"""Cases in a given state for the queue and bulk tests, made through the actions themselves
(the same functions the desk and the API call, each with its event)."""

from __future__ import annotations

from typing import Any

from tousu.cases.actions import ACTION_FUNCTIONS
from tousu.cases.inputs import RegisterIn
from tousu.cases.intake import register
from tousu.cases.models import Case
from tousu.conftest import World

PHONE_COMPLAINT: dict[str, Any] = {
    "kind": "complaint",
    "channel": "phone",
    "category": "fees",
    "content": "CT检查被重复收费两次，要求退还多收的费用。",
    "demands": "退还重复收取的费用",
    "complainant": {"name": "王建国", "phone": "13912345678"},
    "subject": {"type": "department", "name": "门诊收费处"},
}

# The path of a phone complaint, each step as (persona, action, payload).
PATH: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("accepted", "dispatcher", "accept", {}),
    ("in_progress", "dispatcher", "assign", {"lead_department": "finance", "handler": "handler"}),
    ("resolved", "handler", "resolve", {"findings": "系统重复计费，已退费", "responsibility": "organisation"}),
    ("replied", "handler", "reply", {"channel": "phone", "body": "已退还重复收取的费用"}),
    ("followed_up", "clerk", "follow_up", {"reached": True, "satisfaction": "satisfied"}),
    ("closed", "supervisor", "close", {}),
)  # fmt: skip


def act(world: World, case: Case, persona: str, action: str, **payload: Any) -> Case:
    fn, schema = ACTION_FUNCTIONS[action]
    result: Case = fn(case.pk, actor=world.actor(persona), data=schema.model_validate(payload))
    return result


def case_in(world: World, status: str = "registered", **overrides: Any) -> Case:
    """A phone complaint registered by the clerk and taken along the path to ``status``."""
    case = register(
        world.actor("clerk"), RegisterIn.model_validate({**PHONE_COMPLAINT, **overrides})
    )
    if status == "registered":
        return case
    for reached, persona, action, payload in PATH:
        case = act(world, case, persona, action, **payload)
        if reached == status:
            return case
    raise ValueError(status)

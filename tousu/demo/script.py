"""How a demo case is written down: its registration and the steps that follow.

A :class:`Script` is played by :mod:`tousu.demo.organisation` through the real actions, as
the persona who would take each step, at past times.
"""

from __future__ import annotations

from typing import Any, NamedTuple

# One step: hours after the previous step, persona, action, the action's input.
# An input value "@key" stands for the number of the case scripted under that key, and
# "@now" for the moment the step is taken.
Step = tuple[float, str, str, dict[str, Any]]


class Script(NamedTuple):
    key: str
    days_ago: int  # received that many days before today, at ``at`` local time
    at: str
    by: str  # who registers it, ``after`` hours after receipt
    after: float
    case: dict[str, Any]  # a RegisterIn without received_at
    steps: list[Step]
    # Received on the last such weekday (0 Monday ... 6 Sunday) on or before ``days_ago``.
    weekday: int | None = None
    # Received ``days_ago`` days *after* the case scripted under this key (same day: 0).
    follows: str = ""


def case(kind: str, channel: str, category: str, who: dict[str, Any], subject: tuple[str, str] | None,
         content: str, demands: str = "", **more: Any) -> dict[str, Any]:  # fmt: skip
    body = {"kind": kind, "channel": channel, "category": category, "complainant": who,
            "content": content, "demands": demands, **more}  # fmt: skip
    if subject is not None:
        body["subject"] = {"type": subject[0], "name": subject[1]}
    return body


def who(name: str, phone: str = "", **more: str) -> dict[str, Any]:
    return {"name": name, "phone": phone, **more}


ANON: dict[str, Any] = {"anonymous": True}


def accept(hours: float = 0.5, by: str = "dispatcher", note: str = "") -> Step:
    return (hours, by, "accept", {"note": note} if note else {})


def to(dept: str, handler: str | None = None, note: str = "", co: tuple[str, ...] = (),
       hours: float = 0.4, by: str = "dispatcher") -> Step:  # fmt: skip
    payload: dict[str, Any] = {"lead_department": dept, "co_departments": list(co), "note": note}
    if handler:
        payload["handler"] = handler
    return (hours, by, "assign", payload)


def rec(hours: float, by: str, kind: str, body: str, **more: Any) -> Step:
    return (hours, by, "record", {"kind": kind, "body": body, **more})


def fix(hours: float, by: str, findings: str, responsibility: str = "organisation",
        valid: bool | None = True, measures: str = "") -> Step:  # fmt: skip
    return (hours, by, "resolve", {"findings": findings, "responsibility": responsibility,
                                   "valid": valid, "measures": measures})  # fmt: skip


def reply(hours: float, by: str, channel: str, body: str) -> Step:
    return (hours, by, "reply", {"channel": channel, "body": body})


def follow(hours: float, satisfaction: str, note: str, by: str = "clerk") -> Step:
    payload = {"reached": True, "satisfaction": satisfaction, "note": note}
    return (hours, by, "follow_up", payload)


def close(hours: float, by: str, note: str = "") -> Step:
    return (hours, by, "close", {"note": note})

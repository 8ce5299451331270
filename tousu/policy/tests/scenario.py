"""A realistic case walked end to end under one preset, asserting that preset's own rules.

Each preset's scenario test describes its story as a
:class:`Scenario`; :func:`walk` creates an organisation from the preset, staff for
the departments involved, and takes the case from registration to closing through
the real actions, checking along the way what the policy declares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tousu.cases import actions, inputs, intake
from tousu.cases.access import Actor, actor_for
from tousu.cases.events import verify_case
from tousu.cases.models import Case, Deadline, Event
from tousu.orgs.models import Organisation
from tousu.orgs.services import create_user
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy
from tousu.policy.services import create_org


@dataclass
class Scenario:
    preset: str
    # The RegisterIn body of the case, as the intake clerk types it.
    register: dict[str, Any]
    # The department the policy routes it to (proposed at intake, then assigned).
    lead: str
    # Deadlines expected to start at registration: stage -> (amount, unit, hard).
    at_registration: dict[str, tuple[int, str, bool]] = field(default_factory=dict)
    # Deadlines expected to start at acceptance.
    at_acceptance: dict[str, tuple[int, str, bool]] = field(default_factory=dict)
    # Details the intake left missing, and the amendment that completes them.
    missing: list[str] = field(default_factory=list)
    amend: dict[str, Any] | None = None
    co: list[str] = field(default_factory=list)
    # How the answer goes out; when the policy needs a written reply, an oral one is refused.
    reply_channel: str = "phone"
    written_reply_required: bool = False
    findings: str = "经调查，情况属实，已整改。"
    responsibility: str = "organisation"
    satisfaction: str = "satisfied"
    now: datetime | None = None


@dataclass
class Walked:
    case: Case
    policy: Policy
    org: Organisation
    actors: dict[str, Actor]


def staff(org: Organisation, policy: Policy, departments: list[str]) -> dict[str, Actor]:
    """One person per organisation-wide role, and a handler and head per department."""
    slug = org.slug
    users = {
        "clerk": create_user(f"{slug}-clerk", org=org, role="intake_clerk"),
        "dispatcher": create_user(f"{slug}-dispatcher", org=org, role="dispatcher"),
        "supervisor": create_user(f"{slug}-supervisor", org=org, role="supervisor"),
        "leader": create_user(f"{slug}-leader", org=org, role="leader"),
    }
    for code in departments:
        users[f"handler:{code}"] = create_user(
            f"{slug}-h-{code}", org=org, role="handler", department=code
        )
        users[f"head:{code}"] = create_user(
            f"{slug}-head-{code}", org=org, role="department_head", department=code
        )
    return {name: actor_for(user, slug) for name, user in users.items()}


def decider(actors: dict[str, Actor], allowed: tuple[str, ...]) -> Actor:
    """The first organisation-wide persona holding one of the allowed roles."""
    for persona in ("dispatcher", "supervisor", "leader"):
        if actors[persona].roles & set(allowed):
            return actors[persona]
    raise AssertionError(f"no persona holds any of {allowed}")


def _started(case: Case, start: str) -> dict[str, tuple[int, str, bool]]:
    return {
        d.stage: (d.rule["amount"], d.rule["unit"], d.hard)
        for d in Deadline.objects.filter(case=case, start=start)
    }


def walk(sc: Scenario) -> Walked:
    org = create_org(sc.preset.replace("_", "-"), preset=sc.preset)
    policy = policy_for(org.active_policy_id or 0)[1]
    # 1. The organisation has the departments its regulation names.
    assert {d.code for d in policy.departments} <= set(
        org.departments.values_list("code", flat=True)
    )
    actors = staff(org, policy, [sc.lead, *sc.co])
    # 2. Intake: the clerk registers; routing proposes the policy's department.
    case = intake.register(
        actors["clerk"], inputs.RegisterIn.model_validate(sc.register), now=sc.now
    )
    assert case.proposed_department is not None and case.proposed_department.code == sc.lead, (
        case.proposed_department
    )
    assert sorted(case.missing_fields) == sorted(sc.missing), case.missing_fields
    assert _started(case, "received") == sc.at_registration, _started(case, "received")
    if sc.amend is not None:
        actions.ACTION_FUNCTIONS["amend"][0](
            case.pk, actor=actors["clerk"], data=inputs.AmendIn.model_validate(sc.amend)
        )
        case.refresh_from_db()
        assert case.missing_fields == [], case.missing_fields
    # 3. Decision and routing.
    chief = decider(actors, policy.permissions.decide_acceptance)
    actions.accept(case.pk, actor=chief, data=inputs.AcceptIn(note="符合受理条件"))
    case.refresh_from_db()
    assert case.status == "accepted"
    accepted = _started(case, "accepted")
    assert accepted == sc.at_acceptance, accepted
    actions.assign(
        case.pk, actor=chief,
        data=inputs.AssignIn(lead_department=sc.lead, co_departments=sc.co),
    )  # fmt: skip
    handler = actors[f"handler:{sc.lead}"]
    # 4. Handling, reply in the policy's form, follow-up, closing.
    actions.record(
        case.pk, actor=handler, data=inputs.RecordIn(kind="investigation", body="现场调查核实")
    )
    actions.resolve(
        case.pk, actor=handler,
        data=inputs.ResolveIn.model_validate(
            {"findings": sc.findings, "responsibility": sc.responsibility, "valid": True}
        ),
    )  # fmt: skip
    if sc.written_reply_required:
        from tousu.cases.errors import TousuError

        try:
            actions.reply(
                case.pk, actor=handler, data=inputs.ReplyIn(channel="phone", body="电话答复")
            )
        except TousuError as exc:
            assert exc.code == "written_reply_required"
        else:
            raise AssertionError("an oral reply was accepted where the policy needs a written one")
    actions.reply(
        case.pk, actor=handler,
        data=inputs.ReplyIn.model_validate({"channel": sc.reply_channel, "body": "答复意见"}),
    )  # fmt: skip
    follower = next(
        a for name, a in actors.items() if a.roles & set(policy.follow_up.by_roles)
        and name in ("clerk", "dispatcher", "supervisor", "leader")
    )  # fmt: skip
    actions.follow_up(
        case.pk, actor=follower,
        data=inputs.FollowUpIn.model_validate({"reached": True, "satisfaction": sc.satisfaction}),
    )  # fmt: skip
    closer = next(
        (a for n, a in actors.items() if a.roles & set(policy.permissions.close) and ":" not in n),
        actors[f"head:{sc.lead}"],
    )
    actions.close(case.pk, actor=closer, data=inputs.CloseIn())
    case.refresh_from_db()
    assert case.status == "closed"
    assert verify_case(case) == (True, None)
    types = list(Event.objects.filter(case=case).order_by("seq").values_list("type", flat=True))
    assert types[0] == "registered" and types[-1] == "closed", types
    return Walked(case=case, policy=policy, org=org, actors=actors)

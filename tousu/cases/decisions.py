"""Decisions on a case: classification, settling at first contact, acceptance,
refusal and referral (受理、不予受理、转送)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy

from tousu.cases import deadlines, inputs
from tousu.cases.access import Actor
from tousu.cases.details import detail_labels_both
from tousu.cases.errors import (
    TousuError,
    invalid,
)
from tousu.cases.intake import intake_of, proposal, register
from tousu.cases.models import (
    Case,
    CaseLink,
)
from tousu.cases.steps import (
    Step,
    check_category,
    department_by_code,
    stage_list,
    step,
)
from tousu.i18n import either
from tousu.orgs.models import Membership, Organisation
from tousu.orgs.roles import Role


def classify(
    case_id: int, *, actor: Actor, data: inputs.ClassifyIn, now: datetime | None = None
) -> Case:
    with step("classify", case_id, actor, now) as s:
        changes: dict[str, Any] = {}
        if data.kind is not None and data.kind != s.case.kind:
            if data.kind not in s.policy.kinds:
                raise invalid(
                    "kind", gettext_lazy("本单位不受理此类案件：{kind}"), {"kind": data.kind}
                )
            changes["kind"] = [s.case.kind, data.kind]
            s.case.kind = data.kind
        if data.category is not None and data.category != s.case.category:
            check_category(s.policy, data.category)
            changes["category"] = [s.case.category, data.category]
            s.case.category = data.category
            subject = s.case.subjects.filter(superseded_at__isnull=True).first()
            lead_id, co, referral = proposal(
                s.policy, s.case.org_id, category=data.category, channel=s.case.channel,
                kind=s.case.kind, subject_type=subject.type if subject else "",
            )  # fmt: skip
            s.case.proposed_department_id = lead_id
            s.case.proposed_co_departments = co
            s.case.proposed_referral = referral
        if data.complexity is not None and data.complexity != s.case.complexity:
            changes["complexity"] = [s.case.complexity, data.complexity]
            s.case.complexity = data.complexity
        if data.departments is not None:
            for code in data.departments:
                department_by_code(s.case.org, code, "departments")
            changes["departments"] = sorted(set(data.departments))
            involve(s, max(1, len(set(data.departments))))
        if data.note:
            s.data["_record"] = s.record("classification_note", data.note)
        s.data["changes"] = changes
        if changes:
            s.data["recomputed"] = deadlines.recompute(s.case, s.policy)
    return s.case


def involve(s: Step, departments: int) -> None:
    """Record how many departments a case involves; the policy may class it as more complex."""
    s.case.involved_departments = departments
    order = ["on_the_spot", "general", "complex", "major"]
    for level in s.policy.complexity_levels:
        if (
            level.departments_min
            and departments >= level.departments_min
            and order.index(level.level) > order.index(s.case.complexity)
        ):
            s.data["complexity_from_departments"] = [s.case.complexity, level.level]
            s.case.complexity = level.level


def resolve_on_the_spot(
    case_id: int, *, actor: Actor, data: inputs.ResolveOnTheSpotIn, now: datetime | None = None
) -> Case:
    """首问当场解决: the first-contact owner settles it at once; still a full record."""
    with step("resolve_on_the_spot", case_id, actor, now) as s:
        s.data["_record"] = s.record("on_the_spot_findings", data.findings)
        s.case.complexity = "on_the_spot"
        s.case.reply_channel = data.reply_channel
        if data.satisfied is not None:
            s.case.satisfaction = "satisfied" if data.satisfied else "dissatisfied"
        s.data.update(reply_channel=data.reply_channel, satisfied=data.satisfied)
        s.data["started"] = stage_list(deadlines.start_clocks(s.case, s.policy, "replied", s.now))
    return s.case


def accept(
    case_id: int, *, actor: Actor, data: inputs.AcceptIn, now: datetime | None = None
) -> Case:
    with step("accept", case_id, actor, now) as s:
        if s.case.missing_fields:
            raise TousuError(
                "missing_fields",
                gettext_lazy("受理前须补全以下信息：{fields}"),
                status=409,
                params={"fields": either(*detail_labels_both(s.policy, s.case.missing_fields))},
                details={"missing_fields": s.case.missing_fields},
            )
        if data.note:
            s.data["_record"] = s.record("acceptance_note", data.note)
        started = deadlines.start_clocks(s.case, s.policy, "accepted", s.now)
        started += deadlines.start_clocks(s.case, s.policy, "decided", s.now)
        s.data["started"] = stage_list(started)
    return s.case


def reject(
    case_id: int, *, actor: Actor, data: inputs.RejectIn, now: datetime | None = None
) -> Case:
    with step("reject", case_id, actor, now, reason_code=data.reason_code) as s:
        reason = s.policy.reason(data.reason_code)
        if reason is None:
            raise invalid(
                "reason_code", gettext_lazy("制度未列出此不予受理理由：{reason_code}"), {"reason_code": data.reason_code},
            )  # fmt: skip
        if data.note:
            s.data["_record"] = s.record("rejection_note", data.note)
        s.data.update(complainant_told=data.complainant_told, told_via=data.told_via or "")
        # Every decision starts its own clocks (不予受理 → 告知 within the policy's period).
        started = deadlines.start_clocks(s.case, s.policy, "rejected", s.now)
        started += deadlines.start_clocks(s.case, s.policy, "decided", s.now)
        s.data["started"] = stage_list(started)
        if data.complainant_told:
            # Told with the decision: the notice is given as its clock starts.
            told = deadlines.meet(s.case, frozenset({"notification"}), s.now)
            s.data["deadlines_met"] = sorted({*s.data.get("deadlines_met", ()), *told})
    return s.case


def refer(case_id: int, *, actor: Actor, data: inputs.ReferIn, now: datetime | None = None) -> Case:
    """转送/移送: to another organisation of this installation, or to an outside authority."""
    if bool(data.target_org) == bool(data.authority):
        raise invalid(
            "target_org", gettext_lazy("须指明转送的单位（target_org）或外部机关（authority）之一"),
        )  # fmt: skip
    with step("refer", case_id, actor, now) as s:
        if data.note:
            s.data["_record"] = s.record("referral_note", data.note)
        s.data.update(complainant_told=data.complainant_told, told_via=data.told_via or "")
        if data.authority:
            s.data["authority"] = data.authority
        else:
            target = (
                Organisation.objects.filter(slug=data.target_org).exclude(pk=s.case.org_id).first()
            )
            if target is None or target.active_policy_id is None:
                raise invalid("target_org", gettext_lazy("未找到接收单位"))
            copy = _register_referral(s, target)
            CaseLink.objects.create(
                from_case=s.case, to_case=copy, type=CaseLink.Type.REFERRED_TO, created_at=s.now
            )
            s.data.update(target_org=target.slug, target_number=copy.number)
    return s.case


def _register_referral(s: Step, target: Organisation) -> Case:
    """The receiving organisation gets its own case, registered by the referring user.

    That user has no membership there, so it is registered as a system intake
    (first-contact owner: the receiving organisation's first dispatcher).
    """
    owner = (
        Membership.objects.filter(org=target, role=Role.DISPATCHER, active=True)
        .order_by("pk")
        .first()
    ) or Membership.objects.filter(org=target, active=True).order_by("pk").first()
    if owner is None:
        raise invalid("target_org", gettext_lazy("接收单位尚无工作人员"))
    receiver = Actor(
        user_id=owner.user_id, username="", org=target, memberships=(owner,),
        department_ids=frozenset(),
    )  # fmt: skip
    complainant, subject = intake_of(s.case)
    payload = inputs.RegisterIn(
        kind=s.case.kind,
        channel="referral",
        received_at=s.now,
        content=s.case.content,
        demands=s.case.demands,
        complainant=complainant,
        subject=subject,
    )
    return register(receiver, payload, now=s.now)

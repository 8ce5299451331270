"""Who may read penalties, the staff record (本人记录) with its decisions and appeals, and the
penalties shown on a case: the read side of accountability."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from tousu.accountability import inputs
from tousu.accountability.models import Appeal, Penalty
from tousu.accountability.services import (
    appeal_authority,
    appeal_penalty,
    penalised_people,
)
from tousu.cases import redaction, safeguards
from tousu.cases.access import Actor, decided_cases_about, roles_for, visible_cases
from tousu.cases.errors import not_found
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case
from tousu.i18n import bilingual
from tousu.orgs.models import Membership
from tousu.orgs.people import display_name
from tousu.policy.schema import Policy

# --------------------------------------------------------------------------- need to know


def penalty_roles(policy: Policy) -> frozenset[str]:
    """The roles that see a case's penalties: who proposes, decides, hears appeals or reads
    staff records under the policy (within what the table allows)."""
    roles: set[str] = set(policy.permissions.view_staff_record)
    for action in ("propose_penalty", "decide_penalty", "decide_appeal"):
        roles |= roles_for(TABLE[action], policy)
    return frozenset(roles)


def may_see_penalties(actor: Actor, policy: Policy) -> bool:
    return actor.has_role(*penalty_roles(policy))


# --------------------------------------------------------------------------- staff record


@dataclass(frozen=True)
class StaffRecord:
    username: str
    name: str
    own: bool
    complaints: list[dict[str, Any]]
    penalties: list[dict[str, Any]]
    years: list[dict[str, Any]]
    appeal_to: str
    appeal_window_days: int
    stands: bool


def may_view_records(actor: Actor, policy: Policy) -> bool:
    return actor.has_role(*policy.permissions.view_staff_record)


def staff_record(actor: Actor, policy: Policy, username: str) -> StaffRecord:
    """One person's complaints, penalties and appeals, with counts per year (考核).

    The roles the policy allows see anyone's record; a person sees their own, restricted
    (decided cases through the subject's view, decided penalties only, never a reporter).
    Anyone else: not found.
    """
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not Membership.objects.filter(user=user, org_id=actor.org.pk).exists():
        raise not_found()
    own = int(user.pk) == actor.user_id
    if not own and not may_view_records(actor, policy):
        raise not_found()
    tz = ZoneInfo(actor.org.time_zone)
    years: dict[int, dict[str, int]] = {}

    def tally(moment: datetime | None, key: str) -> None:
        if moment is not None:
            row = years.setdefault(moment.astimezone(tz).year, {"complaints": 0, "penalties": 0})
            row[key] += 1

    complaints: list[dict[str, Any]] = []
    if own:
        decided = list(decided_cases_about(actor))
        views = safeguards.subject_views(decided)
        for case in decided:
            complaints.append({**views[case.pk], "received": case.received_at, "link": False})
            tally(case.received_at, "complaints")
    else:
        about = (
            Case.objects.filter(
                org_id=actor.org.pk, number__isnull=False, subjects__staff_id=user.pk,
                subjects__superseded_at__isnull=True,
            )
            .distinct()
            .order_by("-received_at")
        )  # fmt: skip
        seen = set(visible_cases(actor).filter(pk__in=about.values("pk")).values_list("pk"))
        for case in about:
            complaints.append(
                {"number": case.number, "category": case.category, "status": case.status,
                 "received": case.received_at, "link": (case.pk,) in seen}
            )  # fmt: skip
            tally(case.received_at, "complaints")
    penalties = (
        Penalty.objects.filter(org_id=actor.org.pk, staff=user)
        .select_related("case")
        .prefetch_related(Prefetch("appeals", queryset=Appeal.objects.order_by("pk")))
    )
    if own:
        penalties = penalties.exclude(status__in=[Penalty.Status.PROPOSED])
    listed = list(penalties.order_by("-proposed_at", "-pk"))
    # The person's own record never names who brought the case, whoever wrote the text.
    hiders = redaction.identity_maskers(p.case_id for p in listed) if own else {}
    rows = []
    for p in listed:
        hide = hiders[p.case_id] if own else str
        reason = hide(p.reason)
        appeals = [
            {"status": a.status, "label": bilingual(Appeal.Status(a.status).label), "reason": a.reason,
             "filed_at": a.filed_at, "decided_at": a.decided_at, "note": hide(a.note),
             "to_role": a.to_role}
            for a in p.appeals.all()
        ]  # fmt: skip
        rows.append(
            {"id": p.pk, "number": p.case.number, "kind": p.kind, "zh": p.label_zh,
             "en": p.label_en, "amount": p.amount, "reason": reason, "status": p.status,
             "status_label": bilingual(Penalty.Status(p.status).label), "in_force": p.in_force,
             "proposed_at": p.proposed_at, "decided_at": p.decided_at,
             "rule": p.rule_zh, "appeals": appeals,
             "appealable": own and p.status == Penalty.Status.APPROVED and not appeals,
             "notice": p.status in (Penalty.Status.APPROVED, Penalty.Status.REVOKED),
             "appeal_decision": any(a["status"] != Appeal.Status.PENDING for a in appeals),
             "notice_delivered_at": p.notice_delivered_at}
        )  # fmt: skip
        if p.status == Penalty.Status.APPROVED and p.triggered_by_id is None:
            tally(p.decided_at, "penalties")
    rules = policy.accountability
    return StaffRecord(
        username=user.get_username(),
        name=display_name(user),
        own=own,
        complaints=complaints,
        penalties=rows,
        years=[{"year": y, **years[y]} for y in sorted(years, reverse=True)],
        appeal_to=appeal_authority(policy),
        appeal_window_days=rules.appeal_window_days,
        stands=rules.decision_stands_during_appeal,
    )


def appeal_from_record(actor: Actor, penalty_id: int, reason: str) -> Case:
    """The person's own record page files the appeal (the case itself is hidden from them)."""
    penalty = Penalty.objects.filter(pk=penalty_id, org_id=actor.org.pk).first()
    if penalty is None or actor.user_id not in penalised_people(penalty):
        raise not_found()
    return appeal_penalty(
        penalty.case_id,
        actor=actor,
        data=inputs.AppealPenaltyIn.model_validate({"penalty": penalty_id, "reason": reason}),
    )


# --------------------------------------------------------------------------- on the case


def _person(user: Any) -> dict[str, str]:
    return {"username": user.get_username(), "name": display_name(user)}


def case_penalties(actor: Actor, case: Case, policy: Policy) -> list[dict[str, Any]] | None:
    """A case's penalties and appeals for the roles that see them (None for anyone else).

    The caller has already fetched the case through the viewer's scope. Proposers,
    deciders, the appeal authority and the staff-record readers see whom each penalty
    is against; the facts are the decision's own words (no reporter is named in them).
    """
    if not may_see_penalties(actor, policy):
        return None
    rows = []
    penalties = (
        Penalty.objects.filter(case=case)
        .select_related("staff__staff_profile", "department", "proposed_by", "decided_by")
        .prefetch_related("appeals")
        .order_by("proposed_at", "pk")
    )
    for p in penalties:
        appeals = sorted(p.appeals.all(), key=lambda a: a.pk)
        rows.append(
            {
                "id": p.pk,
                "staff": _person(p.staff) if p.staff else None,
                "department": (
                    {"code": p.department.code, "name": p.department.name}
                    if p.department else None
                ),
                "kind": p.kind,
                "label": {"zh": p.label_zh, "en": p.label_en or p.label_zh},
                "amount": str(p.amount) if p.amount is not None else None,
                "reason": p.reason,
                "status": p.status,
                "status_label": bilingual(Penalty.Status(p.status).label),
                "in_force": p.in_force,
                "rule": p.rule_zh,
                "triggered_by": p.triggered_by_id,
                "proposed_by": p.proposed_by.get_username() if p.proposed_by else "",
                "proposed_at": p.proposed_at,
                "decided_by": p.decided_by.get_username() if p.decided_by else "",
                "decided_at": p.decided_at,
                "notice_issued_at": p.notice_issued_at,
                "notice_delivered_at": p.notice_delivered_at,
                "notice_delivered_how": p.notice_delivered_how,
                "appeals": [
                    {
                        "status": a.status,
                        "status_label": bilingual(Appeal.Status(a.status).label),
                        "to_role": a.to_role,
                        "to_title": policy.title_for(a.to_role),
                        "reason": a.reason,
                        "filed_at": a.filed_at,
                        "decided_at": a.decided_at,
                        "note": a.note,
                        "delivered_at": a.delivered_at,
                    }
                    for a in appeals
                ],
            }
        )  # fmt: skip
    return rows

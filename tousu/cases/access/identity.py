"""The identity rule: who sees who brought a case, for one case or a page of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from django.db.models import Q

from tousu.cases.access.actors import Actor
from tousu.cases.models import (
    Assignment,
    Case,
    Deadline,
    IdentityReveal,
    Recusal,
    Subject,
)
from tousu.orgs.roles import DEPARTMENT_ROLES, ORG_WIDE_ROLES, Role
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy


def identity_visible(actor: Actor, case: Case) -> bool:
    """Whether the actor may see who brought the case (need-to-know, see :func:`sees_identity`).

    Remembered on the actor for the case as it stands (its kind and its last event), so
    one page asks once however many of its sections need the answer; any action on the
    case moves ``last_seq`` and asks again.
    """
    key = ("identity_visible", case.pk, case.kind, case.last_seq)
    known = actor.memo.get(key)
    if known is None:
        known = actor.memo[key] = _identity_visible(actor, case)
    return known


class Facts(Protocol):
    """What the identity rule needs to know beyond the case row."""

    # A custodian approved opening a report to this person, or they opened a complaint's
    # masked identity themselves with a reason (break-glass).
    @property
    def opened(self) -> bool: ...

    # They handle the case for a co-handling (or lead) department by name.
    @property
    def assigned(self) -> bool: ...

    # A refusal or referral still has to be told to the sender (its notice clock runs).
    @property
    def notice_open(self) -> bool: ...


# A refusal or referral is told to the sender while its notice clock runs.
TELLING_STATUSES = frozenset({"rejected", "referred"})


def sees_identity(actor: Actor, case: Case, policy: Policy, facts: Facts) -> bool:
    """The identity rule, for an actor already known to reach the case and not excluded.

    Who sees contact details without asking: the first-contact owner and the registering
    clerk, the assigned handler(s), and whoever is doing a step that needs contact while
    that step is open (the follow-up, telling a refusal or a referral); plus the roles the
    policy adds for the kind (``[permissions] see_identity_<kind>``). Everyone else sees
    the masked form; a complaint's identity opens to one who may handle the case when
    they give a reason (logged), a report's only with a custodian's approval.
    What the case row answers is asked before the facts that cost a query.
    """
    roles = actor.roles - {Role.AUDITOR, Role.ADMINISTRATOR}
    if not roles:
        return False
    if roles & set(policy.permissions.see_identity(case.kind)):
        return True
    report = case.kind == "report"
    people = (case.first_contact_owner_id, case.registered_by_id, case.handler_id)
    if not report and actor.user_id in people:
        return True
    if facts.opened:
        return True
    if report:
        return False
    awaiting_follow_up = case.status == "replied" or (
        case.status == "followed_up" and not case.satisfaction
    )
    if awaiting_follow_up and roles & set(policy.follow_up.by_roles):
        return True
    if facts.assigned:
        return True
    return bool(
        case.status in TELLING_STATUSES
        and roles & set(policy.permissions.decide_acceptance)
        and facts.notice_open
    )


def _identity_visible(actor: Actor, case: Case) -> bool:
    return identity_visibility(actor, [case])[case.pk]


class _Facts:
    """The facts of the identity rule for many cases, each fetched in one query for all of
    them, and only when the rule first needs it (a case row often answers alone)."""

    def __init__(self, actor: Actor, case_ids: list[int], telling_ids: list[int]) -> None:
        self.actor, self.ids = actor, case_ids
        # The cases whose refusal or referral is being told (their rows say so): only
        # these can have an open notice clock.
        self.telling_ids = telling_ids

    @cached_property
    def opened(self) -> frozenset[int]:
        return frozenset(
            IdentityReveal.objects.filter(
                case_id__in=self.ids, requested_by_id=self.actor.user_id,
                state=IdentityReveal.State.APPROVED,
            ).values_list("case_id", flat=True)
        )  # fmt: skip

    @cached_property
    def assigned(self) -> frozenset[int]:
        return frozenset(
            Assignment.objects.filter(
                case_id__in=self.ids, handler_id=self.actor.user_id, active=True
            ).values_list("case_id", flat=True)
        )

    @cached_property
    def notice_open(self) -> frozenset[int]:
        if not self.telling_ids:
            return frozenset()
        # Along the (case, stage) index, the state read from the rows: asked for the state
        # too (or joining the cases for their status), SQLite's planner walks every open
        # deadline instead (80 ms for a ledger export's batch of 1,000 cases).
        return frozenset(
            case_id
            for case_id, state in Deadline.objects.filter(
                case_id__in=self.telling_ids, stage="notification"
            ).values_list("case_id", "state")
            if state == Deadline.State.OPEN
        )


@dataclass(frozen=True)
class _FactsOf:
    """One case's view of the shared facts (the :class:`Facts` protocol)."""

    facts: _Facts
    case_id: int

    @property
    def opened(self) -> bool:
        return self.case_id in self.facts.opened

    @property
    def assigned(self) -> bool:
        return self.case_id in self.facts.assigned

    @property
    def notice_open(self) -> bool:
        return self.case_id in self.facts.notice_open


def identity_visibility(actor: Actor, cases: Sequence[Case]) -> dict[int, bool]:
    """Whether this viewer may see who brought each case: the one identity rule
    (:func:`sees_identity`) for one case (the case page, the API) or a page of them (the
    ledger, its export), for a viewer who reaches the case and is not excluded from it.

    At most five queries however many cases, and none the case rows can answer.
    """
    result = {c.pk: False for c in cases}
    roles = actor.roles - {Role.AUDITOR, Role.ADMINISTRATOR}
    if not roles or not cases:
        return result
    org_wide = bool(roles & ORG_WIDE_ROLES)
    by_department = bool(roles & DEPARTMENT_ROLES)
    depts = actor.department_ids
    ours = [c for c in cases if c.org_id == actor.org.pk]
    reached = {
        c.pk
        for c in ours
        if org_wide
        or actor.user_id in (c.first_contact_owner_id, c.registered_by_id)
        or (by_department and {c.lead_department_id, c.pending_department_id} & depts)
    }
    rest = [c.pk for c in ours if c.pk not in reached]
    if by_department and depts and rest:
        # Co-handled for one of their departments.
        reached |= set(
            Assignment.objects.filter(
                case_id__in=rest, department_id__in=depts, active=True
            ).values_list("case_id", flat=True)
        )
    if not reached:
        return result
    own_departments = frozenset(
        m.department_id for m in actor.memberships if m.department_id is not None
    )
    # Shut out (recused, the subject, or walled off for their department): asked of these
    # cases' own rows, by case id (a scan of every subject would cost what one case page may not).
    shut = set(
        Recusal.objects.filter(
            case_id__in=reached, user_id=actor.user_id, state=Recusal.State.ACTIVE
        ).values_list("case_id", flat=True)
    ) | set(
        Subject.objects.filter(case_id__in=reached, superseded_at__isnull=True)
        .filter(Q(staff_id=actor.user_id) | Q(excluded_department_id__in=own_departments))
        .values_list("case_id", flat=True)
    )
    candidates = [c for c in ours if c.pk in reached - shut]
    facts = _Facts(
        actor,
        [c.pk for c in candidates],
        [c.pk for c in candidates if c.status in TELLING_STATUSES],
    )
    for c in candidates:
        policy = policy_for(c.policy_version_id)[1]
        result[c.pk] = sees_identity(actor, c, policy, _FactsOf(facts, c.pk))
    return result

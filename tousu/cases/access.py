"""Fetch-and-authorise: the one way any surface gets an organisation or a case.

Every view, endpoint, export and job goes through these helpers. They answer
"missing" and "forbidden" with the same :func:`~tousu.cases.errors.not_found`,
so that a case's existence is itself need-to-know.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Q, QuerySet

from tousu.cases.errors import not_found
from tousu.cases.models import (
    Assignment,
    Case,
    Deadline,
    IdentityReveal,
    Notification,
    Recusal,
    Subject,
)
from tousu.orgs.models import Department, Membership, Organisation
from tousu.orgs.roles import DEPARTMENT_ROLES, ORG_WIDE_ROLES, Role
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy


@dataclass(frozen=True)
class Actor:
    """A staff member acting within one organisation, with all their memberships there."""

    user_id: int
    username: str
    org: Organisation
    memberships: tuple[Membership, ...]
    # Departments the actor works for, with the subtree below each department they head.
    department_ids: frozenset[int] = field(default_factory=frozenset)
    # The job worker acting for the organisation: only system actions, no case access.
    system: bool = False
    # A reporter on the public portal, holding a receipt for one case (or submitting a
    # new one): only the actions the table marks for reporters, on that case alone.
    reporter_case_id: int | None = None
    # Answers computed for this actor within one request (identity visibility per case
    # state): an actor lives for one request or one job.
    memo: dict[tuple[Any, ...], bool] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @property
    def reporter(self) -> bool:
        return self.username == REPORTER_USERNAME

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(m.role for m in self.memberships)

    @property
    def org_wide(self) -> bool:
        return bool(self.roles & ORG_WIDE_ROLES)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    def departments_with_role(self, *roles: str) -> frozenset[int]:
        ids: set[int] = set()
        for m in self.memberships:
            if m.role in roles and m.department_id is not None:
                ids.add(m.department_id)
        return frozenset(ids)


def actor_for(user: AbstractBaseUser | AnonymousUser, org_slug: str) -> Actor:
    """The user's standing in the organisation, or not_found if they have none."""
    if not user.is_authenticated or not user.is_active:
        raise not_found()
    memberships = tuple(
        Membership.objects.select_related("org")
        .filter(user_id=user.pk, org__slug=org_slug, active=True)
        .order_by("pk")
    )
    return actor_from(int(user.pk), user.get_username(), memberships)


_ACTOR_QUERY = """
SELECT m.id, m.role, m.department_id, m.created_at,
       o.id, o.slug, o.name, o.time_zone, o.active_policy_id, o.created_at,
       u.id, u.username
FROM orgs_membership m
JOIN orgs_organisation o ON o.id = m.org_id
JOIN auth_user u ON u.id = m.user_id
JOIN orgs_apitoken t ON t.user_id = u.id
WHERE t.digest = %s AND t.revoked_at IS NULL AND u.is_active AND m.active AND o.slug = %s
ORDER BY m.id
"""


def actor_for_token(digest: str, org_slug: str) -> Actor | None:
    """The actor behind an API token digest, in one query (the hot path of every call).

    Plain SQL: building this join through the ORM cost more than the rest of a
    registration's queries together. None when the token matches no active
    membership in the organisation; the caller then tells an unknown token (401)
    from a non-member (404).
    """
    with connection.cursor() as cursor:
        cursor.execute(_ACTOR_QUERY, [digest, org_slug])
        rows = cursor.fetchall()
    if not rows:
        return None
    first = rows[0]
    org = Organisation(
        id=first[4], slug=first[5], name=first[6], time_zone=first[7],
        active_policy_id=first[8], created_at=first[9],
    )  # fmt: skip
    org._state.adding = False
    memberships = []
    for row in rows:
        m = Membership(
            id=row[0], role=row[1], department_id=row[2], created_at=row[3],
            user_id=row[10], org=org, active=True,
        )  # fmt: skip
        m._state.adding = False
        memberships.append(m)
    return actor_from(int(first[10]), str(first[11]), tuple(memberships))


def actor_from(user_id: int, username: str, memberships: tuple[Membership, ...]) -> Actor:
    if not memberships:
        raise not_found()
    org = memberships[0].org
    dept_ids: set[int] = set()
    for m in memberships:
        if m.department_id is None:
            continue
        if m.role == Role.DEPARTMENT_HEAD:
            dept_ids |= Department.objects.get(pk=m.department_id).subtree_ids()
        elif m.role in DEPARTMENT_ROLES or m.role == Role.INTAKE_CLERK:
            dept_ids.add(m.department_id)
    return Actor(
        user_id=user_id,
        username=username,
        org=org,
        memberships=memberships,
        department_ids=frozenset(dept_ids),
    )


def excluded(user_id: int, departments: frozenset[int] = frozenset()) -> Q:
    """Cases this person must never see: they are recused, the case is about them, or
    (where the policy says so) about someone in a department they belong to.

    Uncorrelated ``IN`` subqueries: the database finds the person's few excluded cases
    once per query, instead of probing three tables for every case it scans.
    """
    recused = Recusal.objects.filter(user_id=user_id, state=Recusal.State.ACTIVE)
    about_them = Subject.objects.filter(staff_id=user_id, superseded_at__isnull=True)
    found = Q(pk__in=recused.values("case_id")) | Q(pk__in=about_them.values("case_id"))
    if departments:
        walled = Subject.objects.filter(
            excluded_department_id__in=departments, superseded_at__isnull=True
        )
        found |= Q(pk__in=walled.values("case_id"))
    return found


def is_excluded(user_id: int, case: Case) -> bool:
    if Recusal.objects.filter(
        case_id=case.pk, user_id=user_id, state=Recusal.State.ACTIVE
    ).exists():
        return True
    subjects = Subject.objects.filter(case_id=case.pk, superseded_at__isnull=True)
    if subjects.filter(staff_id=user_id).exists():
        return True
    walled = subjects.exclude(excluded_department=None).values_list("excluded_department_id")
    return Membership.objects.filter(
        user_id=user_id, org_id=case.org_id, active=True, department_id__in=walled
    ).exists()


def case_scope(actor: Actor) -> Q:
    """The cases this actor may see, as a filter (organisation isolation included).

    Exclusion always wins: a recused person, or the staff member a case is about, does
    not see it whatever their role.
    """
    if actor.reporter:
        # A reporter sees the one case their receipt opened, nothing else — not even the
        # other cases the portal registered (which all name the same pseudo-user).
        return Q(org_id=actor.org.pk, pk=actor.reporter_case_id or 0)
    own_departments = frozenset(
        m.department_id for m in actor.memberships if m.department_id is not None
    )
    scope = Q(org_id=actor.org.pk) & ~excluded(actor.user_id, own_departments)
    if actor.org_wide:
        return scope
    mine: Q = Q(first_contact_owner_id=actor.user_id) | Q(registered_by_id=actor.user_id)
    depts = actor.departments_with_role(*DEPARTMENT_ROLES)
    if depts:
        dept_ids = actor.department_ids
        # Co-handled cases, found once (uncorrelated IN) rather than probed per case.
        involved = Assignment.objects.filter(department_id__in=dept_ids, active=True)
        mine = mine | Q(lead_department_id__in=dept_ids) | Q(pending_department_id__in=dept_ids)
        mine = mine | Q(pk__in=involved.values("case_id"))
    return scope & mine


def visible_cases(actor: Actor) -> QuerySet[Case]:
    return Case.objects.filter(case_scope(actor), number__isnull=False)


def get_case(actor: Actor, number: str) -> Case:
    """Fetch one case the actor may see, or raise not_found (missing or forbidden alike)."""
    case = (
        visible_cases(actor)
        .select_related(
            "org", "first_contact_owner", "handler", "proposed_department", "lead_department",
            "pending_department",
        )
        .filter(number=number)
        .first()
    )  # fmt: skip
    if case is None:
        raise not_found()
    return case


# Kinds of notice about a decision on the reader themself (a penalty, an appeal): their own
# record holds it and its written notice, so they reach the reader even when the case is
# hidden. Registered by the apps that send them (``AppConfig.ready``).
PERSONAL_NOTICES: set[str] = set()


def personal_notice(*kinds: str) -> None:
    PERSONAL_NOTICES.update(kinds)


def visible_notifications(actor: Actor) -> QuerySet[Notification]:
    """The actor's notices that are still theirs to see: need-to-know like the case itself.

    A notice names a case; once the reader may no longer see that case (recused, moved
    off it, the case turned out to be about them), the notice disappears from every
    surface and is never delivered. Personal notices stay: they lead to the reader's own
    record, not to the case.
    """
    mine = Notification.objects.filter(user_id=actor.user_id, case__org_id=actor.org.pk)
    if actor.reporter or actor.system:
        return mine.none()
    return mine.filter(
        Q(case_id__in=Case.objects.filter(case_scope(actor)).values("pk"))
        | Q(kind__in=PERSONAL_NOTICES)
    )


DECIDED_STATUSES = ("resolved", "replied", "followed_up", "closed")


def decided_cases_about(actor: Actor) -> QuerySet[Case]:
    """The subject's own path: cases about this staff member that are already decided.
    Callers show them only through the restricted view (never the case itself)."""
    return (
        Case.objects.filter(
            org_id=actor.org.pk,
            number__isnull=False,
            status__in=DECIDED_STATUSES,
            subjects__staff_id=actor.user_id,
            subjects__superseded_at__isnull=True,
        )
        .distinct()
        .order_by("-received_at")
    )


def in_scope(actor: Actor, case: Case, *, role: str) -> bool:
    """Whether one of the actor's memberships with ``role`` reaches this case (exclusion
    included)."""
    return reaches(actor, case, role=role) and not is_excluded(actor.user_id, case)


def reaches(actor: Actor, case: Case, *, role: str) -> bool:
    """Whether a membership with ``role`` reaches this case by organisation, department or
    first contact — for callers that have already checked exclusion once."""
    if role not in actor.roles or case.org_id != actor.org.pk:
        return False
    if role in ORG_WIDE_ROLES:
        return True
    if case.first_contact_owner_id == actor.user_id or case.registered_by_id == actor.user_id:
        return True
    if role in DEPARTMENT_ROLES:
        depts = actor.department_ids
        if {case.lead_department_id, case.pending_department_id} & depts:
            return True
        return Assignment.objects.filter(
            case_id=case.pk, department_id__in=depts, active=True
        ).exists()
    return False


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


@dataclass(frozen=True)
class IdentityFacts:
    """The facts fetched in bulk for many cases (a ledger page)."""

    opened: bool = False
    assigned: bool = False
    notice_open: bool = False


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

    def __init__(self, actor: Actor, case_ids: list[int]) -> None:
        self.actor, self.ids = actor, case_ids

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
        return frozenset(
            Deadline.objects.filter(
                case_id__in=self.ids, case__status__in=TELLING_STATUSES, stage="notification",
                state=Deadline.State.OPEN,
            ).values_list("case_id", flat=True)
        )  # fmt: skip


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
    shut = set(
        Case.objects.filter(pk__in=reached)
        .filter(excluded(actor.user_id, own_departments))
        .values_list("pk", flat=True)
    )
    candidates = [c for c in ours if c.pk in reached - shut]
    facts = _Facts(actor, [c.pk for c in candidates])
    for c in candidates:
        policy = policy_for(c.policy_version_id)[1]
        result[c.pk] = sees_identity(actor, c, policy, _FactsOf(facts, c.pk))
    return result


SYSTEM_USERNAME = "tousu-system"
REPORTER_USERNAME = "tousu-reporter"


def system_actor(org: Organisation) -> Actor:
    """The job worker, acting in one organisation. It cannot log in and sees no cases;
    it can take only the actions the transition table marks as system actions."""
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return Actor(
        user_id=int(user.pk), username=SYSTEM_USERNAME, org=org, memberships=(), system=True
    )


def reporter_actor(org: Organisation, case_id: int | None = None) -> Actor:
    """A reporter on the public portal: no staff memberships, no login. Bound to the case
    their receipt opened (``case_id``), or to none while submitting a new report. Events
    they cause name this pseudo-user, never the person."""
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(
        username=REPORTER_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return Actor(
        user_id=int(user.pk), username=REPORTER_USERNAME, org=org, memberships=(),
        reporter_case_id=case_id,
    )  # fmt: skip

"""Who is acting: a staff member in one organisation, the job worker, or a reporter
holding a receipt."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection

from tousu.cases.errors import not_found
from tousu.orgs import people
from tousu.orgs.models import Department, Membership, Organisation
from tousu.orgs.roles import DEPARTMENT_ROLES, ORG_WIDE_ROLES, Role


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

    @cached_property
    def roles(self) -> frozenset[str]:
        # Worked out once: the identity rule asks for every row of a ledger export.
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


# The accounts that act for no person (named where every page reads names).
SYSTEM_USERNAME, REPORTER_USERNAME = people.SYSTEM_USERNAME, people.REPORTER_USERNAME


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

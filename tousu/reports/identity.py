"""Who may see who brought each case of a ledger batch, worked out for the whole batch.

:func:`identity_visibility` answers :func:`tousu.cases.access.sees_identity` for many cases
in a fixed number of queries; :func:`masker` hides a complainant's own details in a text for
those who may not see them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.db.models import (
    Q,
)

from tousu.cases.access import (
    TELLING_STATUSES,
    Actor,
    IdentityFacts,
    sees_identity,
)
from tousu.cases.models import (
    Assignment,
    Case,
    Deadline,
    IdentityReveal,
    Recusal,
    Subject,
)
from tousu.cases.redaction import REDACTED
from tousu.orgs.roles import DEPARTMENT_ROLES, ORG_WIDE_ROLES, Role
from tousu.policy.models import policy_for


def identity_visibility(actor: Actor, cases: Sequence[Case]) -> dict[int, bool]:
    """:func:`tousu.cases.access.identity_visible` for many cases at once (at most seven
    queries): whether this viewer may see who brought each case."""
    result = {c.pk: False for c in cases}
    roles = actor.roles - {Role.AUDITOR, Role.ADMINISTRATOR}
    if not roles or not cases:
        return result
    org_wide = bool(roles & ORG_WIDE_ROLES)
    by_department = bool(roles & DEPARTMENT_ROLES)
    depts = actor.department_ids
    ids = [c.pk for c in cases]
    assigned: set[int] = set()
    if by_department and depts and not org_wide:
        assigned = set(
            Assignment.objects.filter(
                case_id__in=ids, department_id__in=depts, active=True
            ).values_list("case_id", flat=True)
        )
    reached: set[int] = set()
    for c in cases:
        if c.org_id != actor.org.pk:
            continue
        if (
            org_wide
            or actor.user_id in (c.first_contact_owner_id, c.registered_by_id)
            or (
                by_department
                and ({c.lead_department_id, c.pending_department_id} & depts or c.pk in assigned)
            )
        ):
            reached.add(c.pk)
    if not reached:
        return result
    own_departments = [m.department_id for m in actor.memberships if m.department_id is not None]
    excluded = set(
        Recusal.objects.filter(
            case_id__in=reached, user_id=actor.user_id, state=Recusal.State.ACTIVE
        ).values_list("case_id", flat=True)
    ) | set(
        Subject.objects.filter(case_id__in=reached, superseded_at__isnull=True)
        .filter(Q(staff_id=actor.user_id) | Q(excluded_department_id__in=own_departments))
        .values_list("case_id", flat=True)
    )
    candidates = [c.pk for c in cases if c.pk in reached - excluded]
    opened = set(
        IdentityReveal.objects.filter(
            case_id__in=candidates,
            requested_by_id=actor.user_id,
            state=IdentityReveal.State.APPROVED,
        ).values_list("case_id", flat=True)
    )
    handled = set(
        Assignment.objects.filter(
            case_id__in=candidates, handler_id=actor.user_id, active=True
        ).values_list("case_id", flat=True)
    )
    notice_open = set(
        Deadline.objects.filter(
            case_id__in=candidates, case__status__in=TELLING_STATUSES, stage="notification",
            state=Deadline.State.OPEN,
        ).values_list("case_id", flat=True)
    )  # fmt: skip
    for c in cases:
        if c.pk in reached and c.pk not in excluded:
            facts = IdentityFacts(
                opened=c.pk in opened, assigned=c.pk in handled, notice_open=c.pk in notice_open
            )
            result[c.pk] = sees_identity(actor, c, policy_for(c.policy_version_id)[1], facts)
    return result


def masker(values: Iterable[str]) -> Callable[[str], str]:
    """Hide these values in a text, longer first (as tousu.cases.safeguards.redactor)."""
    ordered_values = sorted({v for v in values if v}, key=len, reverse=True)

    def hide(text: str) -> str:
        for value in ordered_values:
            text = text.replace(value, REDACTED)
        return text

    return hide

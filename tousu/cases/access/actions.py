"""May this actor take this action on this case; may they register one."""

from __future__ import annotations

from tousu.cases.access.actors import Actor
from tousu.cases.access.scope import is_excluded, reaches
from tousu.cases.lifecycle import TABLE, Transition
from tousu.cases.models import (
    Case,
)
from tousu.policy.schema import Policy


def roles_for(transition: Transition, policy: Policy) -> frozenset[str]:
    """The roles that may take an action under this policy.

    The policy chooses among the roles the table allows for that action; it can
    never hand an action to a role the table keeps away from it (an auditor
    never writes).
    """
    choose = transition.policy_roles
    if choose is None:
        return transition.roles
    return transition.roles & frozenset(choose(policy))


def permitted(
    actor: Actor, case: Case, transition: Transition, policy: Policy, *, not_excluded: bool = False
) -> bool:
    """Whether the actor may take this action on the case (its state is checked later).

    ``not_excluded``: the caller already checked, once for many actions, that the actor
    is not excluded from the case (recused, or the subject of it).
    """
    if actor.system or transition.system:
        return actor.system and transition.system and case.org_id == actor.org.pk
    if actor.reporter:
        # Only the reporter's own actions, on the case their receipt opened.
        return (
            transition.reporter
            and case.org_id == actor.org.pk
            and case.pk == actor.reporter_case_id
        )
    if transition.scope == "penalised":
        # The penalised person appeals their own decision, even when the case is about them
        # (and hidden from them); the action checks that the penalty is theirs.
        return case.org_id == actor.org.pk and bool(roles_for(transition, policy) & actor.roles)
    if not not_excluded and is_excluded(actor.user_id, case):
        return False
    roles = roles_for(transition, policy)
    for role in roles & actor.roles:
        if transition.scope == "pending_department":
            if case.pending_department_id in actor.department_ids:
                return True
        elif transition.scope == "return":
            dept = case.pending_department_id or case.lead_department_id
            if dept in actor.department_ids:
                return True
        elif reaches(actor, case, role=role):  # exclusion was checked above
            return True
    return False


def may_register(actor: Actor, channel: str | None = None) -> bool:
    """Whether the actor may register a case: staff whose role the table allows, from any
    channel; a reporter only through the portal (the web channel)."""
    if actor.reporter:
        return channel in (None, "web")
    return bool(actor.roles & TABLE["register"].roles)

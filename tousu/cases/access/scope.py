"""Which cases, notices and decisions an actor reaches; who is shut out of a case."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tousu.cases.access.actors import Actor
from tousu.cases.errors import not_found
from tousu.cases.models import (
    Assignment,
    Case,
    Notification,
    Recusal,
    Subject,
)
from tousu.orgs.models import Membership
from tousu.orgs.roles import DEPARTMENT_ROLES, ORG_WIDE_ROLES


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
    if getattr(case, "_cleared_for", None) == user_id:
        return False  # fetched through this person's scope just now (get_case)
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
        # Co-handled cases, found once (uncorrelated IN, from the index
        # assignment_co_handling) rather than probed per case. A department's lead part
        # is the case's lead_department: the lead assignments, as many as the department's
        # cases over the years, are not read again here.
        involved = Assignment.objects.filter(
            department_id__in=dept_ids, active=True, role=Assignment.Role.CO
        )
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
    # The scope already left out every case this person is excluded from: the checks that
    # follow on this page need not ask again (a changed exclusion is read by the next
    # request, and every action re-reads the case under its lock).
    case._cleared_for = actor.user_id  # type: ignore[attr-defined]
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

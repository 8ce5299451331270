"""Files that may identify the person who brought a case: who opens them, and the
custodian's release to the case's handlers.

A file marked "may identify" (a scanned letter with its signature; everything a reporter
submitted through the portal) opens to:

- whoever may see who brought the case (:func:`tousu.cases.access.identity_visible`:
  need-to-know, or an approved reveal);
- the policy's custodians (``[permissions] custodian``), who hold the sealed identities:
  each time they open one is an event on the case (:data:`SEALED_OPENED`);
- the case's handlers — its handler, the handlers of its active assignments, the heads of the
  departments handling it — once a custodian released the file with a reason.

The custodian decides with :func:`decide` (the ``release_file`` action: a reason, an event on
the case): released, or kept sealed; a later decision replaces an earlier one. The
custodian who handles the case themself cannot release a file to themself.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy

from tousu.cases import lifecycle
from tousu.cases.access import Actor, identity_visible
from tousu.cases.errors import TousuError, invalid
from tousu.cases.lifecycle import ACTIVE, S, transition
from tousu.cases.models import Assignment, Case, Event
from tousu.cases.steps import step
from tousu.evidence.models import Attachment, FileRelease
from tousu.orgs.roles import Role
from tousu.policy.models import policy_for

ACTION = "release_file"
# A custodian opened a file that may identify the person (written beside the download).
SEALED_OPENED = "sealed_file_opened"
REASON_MAX = 2000


def register() -> None:
    """The custodian's decision, as a row of the transition table (from ``ready()``)."""
    lifecycle.add(
        transition(
            ACTION,
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED, S.REJECTED, S.REFERRED},
            None,
            {Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.DEPARTMENT_HEAD},
            gettext_lazy("放行或继续封存可能显示身份的附件"),
            event="file_release_decided",
            policy_roles=lambda p: p.permissions.custodian,
        )
    )


def is_custodian(actor: Actor, case: Case) -> bool:
    policy = policy_for(case.policy_version_id)[1]
    return bool(actor.roles & set(policy.permissions.custodian))


def handles(actor: Actor, case: Case) -> bool:
    """Whether the actor handles the case: its handler, an active assignment's handler, or
    the head of a department handling it."""
    if actor.user_id == case.handler_id:
        return True
    heads = actor.departments_with_role(Role.DEPARTMENT_HEAD)
    if heads and case.lead_department_id in heads:
        return True
    return (
        Assignment.objects.filter(case=case, active=True)
        .filter(Q(handler_id=actor.user_id) | Q(department_id__in=heads))
        .exists()
    )


def latest(attachment: Attachment) -> FileRelease | None:
    return (
        FileRelease.objects.filter(attachment=attachment)
        .select_related("decided_by")
        .order_by("-decided_at", "-pk")
        .first()
    )


def released(attachment: Attachment) -> bool:
    decision = latest(attachment)
    return decision is not None and decision.decision == FileRelease.Decision.RELEASED


def opening_right(actor: Actor, case: Case, attachment: Attachment) -> str:
    """Why this viewer (who reaches the case) may open the file: ``""`` for a file that does
    not identify anyone, ``identity``, ``custodian`` or ``released``; ``none`` when they may
    not."""
    if not attachment.identifying:
        return ""
    if identity_visible(actor, case):
        return "identity"
    if is_custodian(actor, case):
        return "custodian"
    if handles(actor, case) and released(attachment):
        return "released"
    return "none"


def file_not_identifying() -> TousuError:
    return TousuError(
        "file_not_identifying",
        gettext_lazy("该附件未标为可能显示身份，无须放行"),
        status=409,
    )


def decide(
    case_id: int,
    *,
    actor: Actor,
    sha256: str,
    release: bool,
    reason: str,
    now: datetime | None = None,
) -> FileRelease:
    """放行 / 继续封存: a custodian's decision on one file, with the reason, as an event."""
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", gettext_lazy("请说明放行或继续封存的理由"))
    if len(reason) > REASON_MAX:
        raise invalid("reason", gettext_lazy("理由过长（最多 {limit} 字）"), {"limit": REASON_MAX})
    with transaction.atomic():
        with step(ACTION, case_id, actor, now) as s:
            attachment = Attachment.objects.filter(case_id=s.case.pk, sha256=sha256).first()
            if attachment is None:
                raise invalid("sha256", gettext_lazy("本案没有该附件"))
            if not attachment.identifying:
                raise file_not_identifying()
            if release and actor.user_id == s.case.handler_id:
                raise TousuError(
                    "custodian_conflict",
                    gettext_lazy("本案承办人不能向自己放行"),
                    status=403,
                )
            decision = (
                FileRelease.Decision.RELEASED if release else FileRelease.Decision.KEPT_SEALED
            )
            record = s.record("file_release_reason", reason)
            s.data.update(sha256=attachment.sha256, decision=str(decision), _record=record)
        event = Event.objects.get(case_id=s.case.pk, seq=s.case.last_seq)
        return FileRelease.objects.create(
            attachment=attachment, decision=decision, decided_by_id=actor.user_id,
            decided_at=s.now, record=record, event=event,
        )  # fmt: skip

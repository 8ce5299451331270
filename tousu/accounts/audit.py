"""Audit records of sign-in: successes, failures, sign-outs, second-factor changes.

They go to :class:`tousu.orgs.models.AuditEvent` (no organisation: signing in is not
tied to one). No address, password or code is recorded; a failure for an unknown
username names it only by a keyed pseudonym, and the client only by the pseudonym of
its address counter.
"""

from __future__ import annotations

from typing import Any

from tousu.orgs.models import AuditEvent


def record(type: str, *, user_id: int | None, actor: bool = True, **data: Any) -> AuditEvent:
    """``type`` like ``signin.succeeded``; ``user_id`` the account concerned, if known.

    ``actor`` False for attempts: whoever failed on an account is not its owner.
    """
    return AuditEvent.objects.create(
        org=None,
        actor_id=user_id if actor else None,
        type=type,
        object_type="user",
        object_id=str(user_id) if user_id is not None else "",
        data=data,
    )

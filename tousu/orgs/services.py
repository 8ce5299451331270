"""Creating staff; every change writes an audit event (:func:`audit`).

An organisation is created with its first policy in :mod:`tousu.policy.services`; an API
token, in the API's format, by :mod:`tousu.ops.tokens`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from tousu.orgs.models import AuditEvent, Department, Membership, Organisation
from tousu.orgs.roles import DEPARTMENT_ROLES, Role


class ServiceError(ValueError):
    """A request that cannot be carried out, with a message fit for the command line."""


def audit(
    type: str, obj: Any, *, org: Organisation | None, actor: Any = None, **data: Any
) -> AuditEvent:
    return AuditEvent.objects.create(
        org=org,
        actor=actor,
        type=type,
        object_type=type.split(".")[0],
        object_id=str(obj.pk),
        data=data,
    )


def create_user(
    username: str,
    *,
    org: Organisation,
    role: str,
    department: str | None = None,
    password: str | None = None,
    actor: Any = None,
) -> User:
    if role not in Role.values:
        raise ServiceError(f"unknown role {role!r}; roles: {', '.join(Role.values)}")
    dept = None
    if department:
        dept = Department.objects.filter(org=org, code=department).first()
        if dept is None:
            raise ServiceError(f"organisation {org.slug!r} has no department {department!r}")
    elif role in DEPARTMENT_ROLES:
        raise ServiceError(f"role {role} needs --department")
    User = get_user_model()
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username)
        if created or password:
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
        if created:
            audit("user.created", user, org=org, actor=actor, username=username)
        membership, granted = Membership.objects.get_or_create(
            user=user, org=org, role=role, department=dept
        )
        if granted:
            audit("membership.granted", membership, org=org, actor=actor, user=user.pk,
                  role=role, department=dept.code if dept else "")  # fmt: skip
    assert isinstance(user, User)
    return user

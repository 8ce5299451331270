"""Creating staff and setting their names; every change writes an audit event (:func:`audit`).

An organisation is created with its first policy in :mod:`tousu.policy.services`; an API
token, in the API's format, by :mod:`tousu.ops.tokens`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field
from django.utils import translation

from tousu.orgs.models import (
    AuditEvent,
    Department,
    Membership,
    Organisation,
    StaffProfile,
    normalise_mobile,
)
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


PROFILE_FIELDS = ("name", "title", "email", "mobile")


def check_password(password: str, user: Any = None) -> None:
    """Refuse a password the sign-in pages would refuse (the configured validators), with
    their message; ServiceError."""
    said = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            try:
                password_validation.validate_password(password, user)
            except ValidationError as exc:
                said.append(" ".join(str(m) for m in exc.messages))
    if said:
        raise ServiceError(" / ".join(dict.fromkeys(said)))


def _clean_profile(values: dict[str, str | None]) -> dict[str, str]:
    """The given profile fields, stripped and checked (ServiceError names the field)."""
    cleaned: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            continue
        text = value.strip()
        if key == "mobile":
            text = normalise_mobile(text)
        field = StaffProfile._meta.get_field(key)
        assert isinstance(field, Field)
        try:
            field.clean(text, None)
        except ValidationError as exc:
            raise ServiceError(f"--{key}: {' '.join(str(m) for m in exc.messages)}") from None
        cleaned[key] = text
    return cleaned


def set_profile(
    user: Any,
    *,
    org: Organisation | None,
    actor: Any = None,
    via: str = "",
    name: str | None = None,
    title: str | None = None,
    email: str | None = None,
    mobile: str | None = None,
) -> StaffProfile:
    """Set a staff member's name, title, e-mail and mobile (None: leave as it is).

    Audited as ``user.profile_changed`` naming the fields that changed, never their values
    (the audit record holds no personal data beyond internal ids).
    """
    values = _clean_profile({"name": name, "title": title, "email": email, "mobile": mobile})
    with transaction.atomic():
        found, _ = StaffProfile.objects.select_for_update().get_or_create(user_id=user.pk)
        changed = [
            key for key in PROFILE_FIELDS if key in values and getattr(found, key) != values[key]
        ]
        if changed:
            for key in changed:
                setattr(found, key, values[key])
            found.save()
            extra = {"via": via} if via else {}
            audit("user.profile_changed", user, org=org, actor=actor, changed=changed, **extra)
    # The user object read the old profile (or none) before: show the new one from now on.
    user.staff_profile = found
    return found


def create_user(
    username: str,
    *,
    org: Organisation,
    role: str,
    department: str | None = None,
    password: str | None = None,
    actor: Any = None,
    name: str | None = None,
    title: str | None = None,
    email: str | None = None,
    mobile: str | None = None,
    via: str = "",
) -> User:
    """A new account with its role in ``org``, or a further role for an existing one.

    Every account gets a profile (``name`` and the rest; an empty name shows as 工作人员).
    Without a password the account cannot sign in until one is set (see
    :mod:`tousu.accounts.setpassword`). A password the validators refuse is refused.
    """
    if role not in Role.values:
        raise ServiceError(f"unknown role {role!r}; roles: {', '.join(Role.values)}")
    dept = None
    if department:
        dept = Department.objects.filter(org=org, code=department).first()
        if dept is None:
            raise ServiceError(f"organisation {org.slug!r} has no department {department!r}")
    elif role in DEPARTMENT_ROLES:
        raise ServiceError(f"role {role} needs --department")
    profile = _clean_profile({"name": name, "title": title, "email": email, "mobile": mobile})
    User = get_user_model()
    if password:
        existing = User.objects.filter(username=username).first()
        check_password(password, existing or User(username=username, email=email or ""))
    extra = {"via": via} if via else {}
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username)
        if created or password:
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
        if created:
            audit("user.created", user, org=org, actor=actor, username=username, **extra)
            StaffProfile.objects.create(user=user, **profile)
        elif profile:
            set_profile(user, org=org, actor=actor, via=via, **profile)
        membership, granted = Membership.objects.get_or_create(
            user=user, org=org, role=role, department=dept
        )
        if granted:
            audit("membership.granted", membership, org=org, actor=actor, user=user.pk,
                  role=role, department=dept.code if dept else "", **extra)  # fmt: skip
    assert isinstance(user, User)
    return user

"""Creating organisations, staff and tokens; every change writes an audit event."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from tousu.orgs.models import ApiToken, AuditEvent, Department, Membership, Organisation
from tousu.orgs.roles import DEPARTMENT_ROLES, Role
from tousu.policy.loader import parse_toml, preset_source
from tousu.policy.models import PolicyVersion
from tousu.policy.schema import Policy
from tousu.security import crypto


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


def activate_policy(
    org: Organisation, source: str, *, preset: str = "", actor: Any = None
) -> PolicyVersion:
    """Validate and activate a new policy version; an invalid document changes nothing."""
    policy = parse_toml(source)
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=org.pk)
        number = (
            org.policies.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        version = PolicyVersion.objects.create(
            org=org, number=number, preset=preset, source=source,
            document=PolicyVersion.dump(policy), created_by=actor,
        )  # fmt: skip
        _ensure_departments(org, policy)
        org.active_policy = version
        org.save(update_fields=["active_policy"])
        audit("policy.activated", version, org=org, actor=actor, number=number, preset=preset)
    return version


def _ensure_departments(org: Organisation, policy: Policy) -> None:
    """Create the departments a policy names that the organisation does not have yet."""
    for spec in policy.departments:
        parent = (
            Department.objects.filter(org=org, code=spec.parent).first() if spec.parent else None
        )
        dept, created = Department.objects.get_or_create(
            org=org, code=spec.code,
            defaults={"name": spec.name_zh, "name_en": spec.name_en, "parent": parent},
        )  # fmt: skip
        if created:
            audit("department.created", dept, org=org, code=dept.code)


def create_org(
    slug: str, name: str = "", preset: str = "general", actor: Any = None
) -> Organisation:
    if Organisation.objects.filter(slug=slug).exists():
        raise ServiceError(f"organisation {slug!r} already exists")
    source = preset_source(preset)
    with transaction.atomic():
        org = Organisation(slug=slug, name=name or slug)
        org.full_clean(exclude=["active_policy"])
        org.save()
        audit("organisation.created", org, org=org, actor=actor, slug=slug)
        activate_policy(org, source, preset=preset, actor=actor)
    org.refresh_from_db()
    return org


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


def create_token(user: Any, label: str = "") -> str:
    """A new API token, returned once; only its SHA-256 digest is stored."""
    from tousu.api.auth import TOKEN_PREFIX, token_digest

    token = TOKEN_PREFIX + crypto.token_urlsafe(32)  # 256 bits of randomness
    row = ApiToken.objects.create(
        user=user, digest=token_digest(token), prefix=token[:8], label=label
    )
    audit("token.created", row, org=None, actor=user, prefix=row.prefix)
    return token

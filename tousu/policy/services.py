"""Activating policies, and creating an organisation with its first one; every change writes
an audit event (moved from orgs.services: orgs sits below the policy models)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tousu.orgs.models import Department, Organisation
from tousu.orgs.services import ServiceError, audit
from tousu.policy.loader import parse_toml, preset_source
from tousu.policy.models import PolicyVersion
from tousu.policy.schema import Policy


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

"""The department tree: created, renamed, moved, deactivated (never deleted) and reactivated."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy

from tousu.orgadmin.services import VIA, Refused, lock_org, plain
from tousu.orgs.models import Department, Membership, Organisation
from tousu.orgs.services import audit
from tousu.policy.schema import Policy


def policy_references(policy: Policy, code: str) -> list[str]:
    """Where the policy names department ``code`` (key paths)."""
    found = []
    for cat in policy.categories:
        if cat.lead == code:
            found.append(f"categories[{cat.code}].lead")
        if code in cat.co:
            found.append(f"categories[{cat.code}].co")
    for i, rule in enumerate(policy.routing):
        if rule.lead == code:
            found.append(f"routing.{i}.lead")
        if code in rule.co:
            found.append(f"routing.{i}.co")
    for i, title in enumerate(policy.titles):
        if title.department == code:
            found.append(f"titles.{i}.department")
    return found


def department_rows(org: Organisation, policy: Policy) -> list[dict[str, Any]]:
    """The organisation's departments in tree order, with depth and standing."""
    depts = list(Department.objects.filter(org=org).order_by("code"))
    members = dict(
        Membership.objects.filter(org=org, active=True, department__isnull=False)
        .values("department")
        .annotate(n=Count("user", distinct=True))
        .values_list("department", "n")
    )
    in_policy = {d.code for d in policy.departments}
    children: dict[int | None, list[Department]] = {}
    for d in depts:
        children.setdefault(d.parent_id, []).append(d)
    rows: list[dict[str, Any]] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for d in children.get(parent, []):
            if d.pk in seen:
                continue
            seen.add(d.pk)
            rows.append(
                {
                    "dept": d,
                    "depth": min(depth, 6),
                    "in_policy": d.code in in_policy,
                    "members": members.get(d.pk, 0),
                    "references": policy_references(policy, d.code),
                }
            )
            walk(d.pk, depth + 1)

    walk(None, 0)
    for d in depts:  # unreachable from a root (not expected): listed rather than hidden
        if d.pk not in seen:
            seen.add(d.pk)
            rows.append({"dept": d, "depth": 0, "in_policy": d.code in in_policy,
                         "members": members.get(d.pk, 0),
                         "references": policy_references(policy, d.code)})  # fmt: skip
    return rows


def create_department(
    org: Organisation,
    *,
    code: str,
    name: str,
    name_en: str,
    parent: Department | None,
    actor: Any,
) -> Department:
    with transaction.atomic():
        lock_org(org.pk)
        if Department.objects.filter(org=org, code=code).exists():
            raise Refused(
                gettext_lazy("本单位已有代码为 {code} 的部门（停用的部门也保留代码）"),
                field="code",
                params={"code": code},
            )
        if parent is not None and (parent.org_id != org.pk or not parent.active):
            raise Refused(gettext_lazy("上级部门不存在或已停用"), field="parent")
        dept = Department.objects.create(
            org=org, code=code, name=name, name_en=name_en, parent=parent
        )
        audit("department.created", dept, org=org, actor=actor, via=VIA, code=code,
              changed={"code": code, "name": name, "name_en": name_en,
                       "parent": plain(parent)})  # fmt: skip
    return dept


def rename_department(dept: Department, *, name: str, name_en: str, actor: Any) -> Department:
    with transaction.atomic():
        current = Department.objects.select_for_update().get(pk=dept.pk)
        if (current.name, current.name_en) == (name, name_en):
            raise Refused(gettext_lazy("名称没有改动"), field="name")
        before = {"name": current.name, "name_en": current.name_en}
        current.name, current.name_en = name, name_en
        current.save(update_fields=["name", "name_en"])
        audit("department.changed", current, org=current.org, actor=actor, via=VIA,
              action="rename", code=current.code, before=before,
              changed={"name": name, "name_en": name_en})  # fmt: skip
    return current


def move_department(dept: Department, parent: Department | None, *, actor: Any) -> Department:
    """Put ``dept`` under ``parent`` (None: top level); never under itself or its own subtree."""
    with transaction.atomic():
        org = lock_org(dept.org_id)
        current = Department.objects.get(pk=dept.pk)
        if parent is not None:
            parent = Department.objects.filter(pk=parent.pk, org=org).first()
            if parent is None or not parent.active:
                raise Refused(gettext_lazy("上级部门不存在或已停用"), field="parent")
            if parent.pk in current.subtree_ids():
                raise Refused(
                    gettext_lazy("不能移到自身或其下级部门之下（会形成循环）"),
                    field="parent",
                )
        if current.parent_id == (parent.pk if parent is not None else None):
            raise Refused(gettext_lazy("上级部门没有改动"), field="parent")
        old_parent = current.parent
        current.parent = parent
        current.save(update_fields=["parent"])
        audit("department.changed", current, org=org, actor=actor, via=VIA, action="move",
              code=current.code, before={"parent": plain(old_parent)},
              changed={"parent": plain(parent)})  # fmt: skip
    return current


def set_department_active(
    dept: Department, active: bool, *, policy: Policy, actor: Any
) -> Department:
    """Deactivate (never delete) or reactivate a department.

    A department is kept active while the active policy routes cases to it, while
    it has active sub-departments, or while staff hold active roles in it.
    """
    with transaction.atomic():
        org = lock_org(dept.org_id)
        current = Department.objects.select_related("parent").get(pk=dept.pk)
        if current.active == active:
            raise Refused(gettext_lazy("部门已是该状态") if active else gettext_lazy("部门已停用"))
        if active and current.parent is not None and not current.parent.active:
            raise Refused(
                gettext_lazy("上级部门 {code} 已停用，请先启用它或移动本部门"),
                params={"code": current.parent.code},
            )
        if not active:
            refs = policy_references(policy, current.code)
            if refs:
                where = ", ".join(refs)
                raise Refused(
                    gettext_lazy("现行制度仍把案件分给该部门（{where}）；请先修改制度"),
                    status=409,
                    params={"where": where},
                )
            children = list(
                Department.objects.filter(parent=current, active=True).values_list(
                    "code", flat=True
                )
            )
            if children:
                where = ", ".join(sorted(children))
                raise Refused(
                    gettext_lazy("该部门下还有启用的下级部门（{where}）；请先停用或移走它们"),
                    status=409,
                    params={"where": where},
                )
            staff = Membership.objects.filter(department=current, active=True).count()
            if staff:
                raise Refused(
                    gettext_lazy("还有 {staff} 个在职角色属于该部门；请先调整这些人员的角色"),
                    status=409,
                    params={"staff": staff},
                )
        current.active = active
        current.save(update_fields=["active"])
        audit("department.changed", current, org=org, actor=actor, via=VIA,
              action="reactivate" if active else "deactivate", code=current.code,
              changed={"active": active})  # fmt: skip
    return current

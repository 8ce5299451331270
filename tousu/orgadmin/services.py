"""What the administration pages change, each change one transaction with its audit record.

The pages call these; these call the project's own services where one exists
(``activate_policy``, ``create_user``, ``add_override``, ``withdraw``,
``recompute_after_calendar_change``) and write the audit records the same way
the Django admin does (``<model>.created`` / ``<model>.changed`` with the changed
fields), marked ``via="desk"``.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from tousu.cases.models import Case, Event
from tousu.cases.sweeps import recompute_after_calendar_change
from tousu.clock.models import HolidayOverride
from tousu.clock.overrides import add_override, withdraw
from tousu.desk.i18n import t
from tousu.orgs.models import AuditEvent, Department, Membership, Organisation
from tousu.orgs.roles import Role
from tousu.orgs.services import ServiceError, audit, create_user
from tousu.policy.loader import parse_toml
from tousu.policy.management.commands.policy import _flatten
from tousu.policy.models import PolicyVersion
from tousu.policy.schema import Policy
from tousu.policy.services import activate_policy

VIA = "desk"


class Refused(Exception):
    """A change the rules do not allow; nothing was written. ``field`` names the input."""

    def __init__(self, zh: str, en: str, *, field: str = "__all__", status: int = 422) -> None:
        super().__init__(en)
        self.zh, self.en, self.field, self.status = zh, en, field, status

    @property
    def message(self) -> str:
        return t(self.zh, self.en)


# -- policy ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    version: PolicyVersion
    previous: int | None
    departments_created: tuple[str, ...]
    # Deactivated departments the new version routes cases to (they will receive none).
    inactive_referenced: tuple[str, ...] = ()


def normalise_source(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def save_policy(
    org: Organisation, source: str, *, note: str, based_on: int | None, actor: Any
) -> Saved:
    """Validate ``source`` and make it the organisation's new active version.

    An invalid document raises :class:`~tousu.policy.loader.PolicyError` and writes
    nothing. Refused when another version was activated since the edit began
    (``based_on``) or when nothing changed. Departments the document names that the
    organisation lacks are created, as ``tousu policy activate`` does.
    """
    source = normalise_source(source)
    policy = parse_toml(source)
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=org.pk)
        current = (
            PolicyVersion.objects.filter(org=locked, pk=locked.active_policy_id or 0)
            .only("number", "source")
            .first()
        )
        if current is not None and based_on is not None and current.number != based_on:
            raise Refused(
                f"编辑期间已有新版本 v{current.number} 生效；请在新版本基础上重新修改",
                f"Version v{current.number} was activated while you edited; "
                "start again from that version",
                status=409,
            )
        if current is not None and normalise_source(current.source) == source:
            raise Refused(
                "与当前生效版本完全相同，没有可保存的改动",
                "The text is the same as the active version: nothing to save",
                field="source",
            )
        before = set(Department.objects.filter(org=locked).values_list("code", flat=True))
        version = activate_policy(locked, source, actor=actor)
        created = tuple(
            sorted(
                set(Department.objects.filter(org=locked).values_list("code", flat=True)) - before
            )
        )
        previous = current.number if current is not None else None
        audit("policy.edited", version, org=locked, actor=actor, via=VIA, number=version.number,
              previous=previous, note=note, departments_created=list(created))  # fmt: skip
    inactive = tuple(
        code
        for code in Department.objects.filter(org=org, active=False)
        .order_by("code")
        .values_list("code", flat=True)
        if policy_references(policy, code)
    )
    return Saved(version, previous, created, inactive)


def version_notes(org: Organisation) -> dict[int, str]:
    """The change note given with each version saved on the desk, by version id."""
    notes: dict[int, str] = {}
    for object_id, data in AuditEvent.objects.filter(org=org, type="policy.edited").values_list(
        "object_id", "data"
    ):
        if object_id.isdigit() and isinstance(data, dict):
            notes[int(object_id)] = str(data.get("note", ""))
    return notes


def versions(org: Organisation) -> list[dict[str, Any]]:
    """Every version of the organisation's policy, newest first."""
    notes = version_notes(org)
    cases = dict(
        Case.objects.filter(org=org)
        .values("policy_version")
        .annotate(n=Count("pk"))
        .values_list("policy_version", "n")
    )
    rows = (
        PolicyVersion.objects.filter(org=org)
        .select_related("created_by")
        .defer("document", "source")
        .order_by("-number")
    )
    return [
        {
            "number": v.number,
            "created_at": v.created_at,
            "created_by": v.created_by.get_username() if v.created_by else "",
            "preset": v.preset,
            "note": notes.get(v.pk, ""),
            "active": v.pk == org.active_policy_id,
            "cases": cases.get(v.pk, 0),
        }
        for v in rows
    ]


@dataclass(frozen=True)
class Change:
    key: str
    old: str | None
    new: str | None


def _flat(policy: Policy) -> dict[str, Any]:
    return _flatten(json.loads(policy.model_dump_json()))


def rule_diff(old: Policy | None, new: Policy) -> list[Change]:
    """The rules that differ, as ``tousu policy diff`` prints them."""
    left = _flat(old) if old is not None else {}
    right = _flat(new)
    changes = []
    for key in sorted(left.keys() | right.keys()):
        if left.get(key, ...) != right.get(key, ...):
            changes.append(
                Change(
                    key,
                    json.dumps(left[key], ensure_ascii=False) if key in left else None,
                    json.dumps(right[key], ensure_ascii=False) if key in right else None,
                )
            )
    return changes


def source_diff(old: PolicyVersion | None, new: PolicyVersion) -> list[str]:
    """The TOML text's line diff (comments and layout included)."""
    before = normalise_source(old.source).splitlines() if old is not None else []
    label = f"v{old.number}" if old is not None else "(none)"
    return list(
        difflib.unified_diff(
            before,
            normalise_source(new.source).splitlines(),
            label,
            f"v{new.number}",
            lineterm="",
        )
    )


# -- departments ----------------------------------------------------------------------------


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


def _lock_org(org_id: int) -> Organisation:
    """Serialise changes to an organisation's tree and administrators."""
    return Organisation.objects.select_for_update().get(pk=org_id)


def _plain(dept: Department | None) -> str:
    return dept.code if dept is not None else ""


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
        _lock_org(org.pk)
        if Department.objects.filter(org=org, code=code).exists():
            raise Refused(
                f"本单位已有代码为 {code} 的部门（停用的部门也保留代码）",
                f"The organisation already has a department with code {code} "
                "(a deactivated one keeps its code)",
                field="code",
            )
        if parent is not None and (parent.org_id != org.pk or not parent.active):
            raise Refused(
                "上级部门不存在或已停用", "No such active parent department", field="parent"
            )
        dept = Department.objects.create(
            org=org, code=code, name=name, name_en=name_en, parent=parent
        )
        audit("department.created", dept, org=org, actor=actor, via=VIA, code=code,
              changed={"code": code, "name": name, "name_en": name_en,
                       "parent": _plain(parent)})  # fmt: skip
    return dept


def rename_department(dept: Department, *, name: str, name_en: str, actor: Any) -> Department:
    with transaction.atomic():
        current = Department.objects.select_for_update().get(pk=dept.pk)
        if (current.name, current.name_en) == (name, name_en):
            raise Refused("名称没有改动", "The names are unchanged", field="name")
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
        org = _lock_org(dept.org_id)
        current = Department.objects.get(pk=dept.pk)
        if parent is not None:
            parent = Department.objects.filter(pk=parent.pk, org=org).first()
            if parent is None or not parent.active:
                raise Refused(
                    "上级部门不存在或已停用", "No such active parent department", field="parent"
                )
            if parent.pk in current.subtree_ids():
                raise Refused(
                    "不能移到自身或其下级部门之下（会形成循环）",
                    "A department cannot be moved under itself or one of its own "
                    "sub-departments (that would make a cycle)",
                    field="parent",
                )
        if current.parent_id == (parent.pk if parent is not None else None):
            raise Refused("上级部门没有改动", "The parent is unchanged", field="parent")
        old_parent = current.parent
        current.parent = parent
        current.save(update_fields=["parent"])
        audit("department.changed", current, org=org, actor=actor, via=VIA, action="move",
              code=current.code, before={"parent": _plain(old_parent)},
              changed={"parent": _plain(parent)})  # fmt: skip
    return current


def set_department_active(
    dept: Department, active: bool, *, policy: Policy, actor: Any
) -> Department:
    """Deactivate (never delete) or reactivate a department.

    A department is kept active while the active policy routes cases to it, while
    it has active sub-departments, or while staff hold active roles in it.
    """
    with transaction.atomic():
        org = _lock_org(dept.org_id)
        current = Department.objects.select_related("parent").get(pk=dept.pk)
        if current.active == active:
            raise Refused(
                "部门已是该状态" if active else "部门已停用",
                "The department is already active" if active else "Already deactivated",
            )
        if active and current.parent is not None and not current.parent.active:
            raise Refused(
                f"上级部门 {current.parent.code} 已停用，请先启用它或移动本部门",
                f"The parent {current.parent.code} is deactivated: reactivate it or move "
                "this department first",
            )
        if not active:
            refs = policy_references(policy, current.code)
            if refs:
                where = ", ".join(refs)
                raise Refused(
                    f"现行制度仍把案件分给该部门（{where}）；请先修改制度",
                    f"The active policy still routes cases to this department ({where}); "
                    "edit the policy first",
                    status=409,
                )
            children = list(
                Department.objects.filter(parent=current, active=True).values_list(
                    "code", flat=True
                )
            )
            if children:
                where = ", ".join(sorted(children))
                raise Refused(
                    f"该部门下还有启用的下级部门（{where}）；请先停用或移走它们",
                    f"Active sub-departments remain ({where}): deactivate or move them first",
                    status=409,
                )
            staff = Membership.objects.filter(department=current, active=True).count()
            if staff:
                raise Refused(
                    f"还有 {staff} 个在职角色属于该部门；请先调整这些人员的角色",
                    f"{staff} active role(s) belong to this department: change those "
                    "staff members' roles first",
                    status=409,
                )
        current.active = active
        current.save(update_fields=["active"])
        audit("department.changed", current, org=org, actor=actor, via=VIA,
              action="reactivate" if active else "deactivate", code=current.code,
              changed={"active": active})  # fmt: skip
    return current


# -- staff and roles ------------------------------------------------------------------------


def staff_rows(org: Organisation) -> list[dict[str, Any]]:
    """Everyone who holds or held a role in the organisation, with their roles."""
    by_user: dict[int, dict[str, Any]] = {}
    rows = (
        Membership.objects.filter(org=org)
        .select_related("user", "department")
        .order_by("user__username", "role", "pk")
    )
    for m in rows:
        entry = by_user.setdefault(m.user_id, {"user": m.user, "memberships": [], "active": False})
        entry["memberships"].append(m)
        entry["active"] = entry["active"] or m.active
    return list(by_user.values())


def member_of(org: Organisation, user_id: int) -> AbstractUser | None:
    """A person who holds or held a role in the organisation (else None: not ours to show)."""
    if not Membership.objects.filter(org=org, user_id=user_id).exists():
        return None
    user = get_user_model().objects.filter(pk=user_id).first()
    assert user is None or isinstance(user, AbstractUser)
    return user


def other_orgs(user_id: int, org: Organisation) -> list[str]:
    """Slugs of the other organisations the person has an active role in."""
    return sorted(
        set(
            Membership.objects.filter(user_id=user_id, active=True)
            .exclude(org=org)
            .values_list("org__slug", flat=True)
        )
    )


def create_staff(
    org: Organisation,
    *,
    username: str,
    last_name: str,
    first_name: str,
    email: str,
    password: str,
    role: str,
    department: Department | None,
    actor: Any,
) -> AbstractUser:
    """A new account with its first role; an existing username is refused (add a role instead)."""
    User = get_user_model()
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise Refused(
                "该用户名已被使用；如是本单位人员，请在其页面添加角色",
                "This username is taken; for a member of this organisation, add a role "
                "on their page",
                field="username",
            )
        _check_department(org, department)
        try:
            user = create_user(
                username, org=org, role=role, password=password, actor=actor,
                department=department.code if department is not None else None,
            )  # fmt: skip
        except ServiceError as exc:
            raise Refused(str(exc), str(exc)) from None
        user.first_name, user.last_name, user.email = first_name, last_name, email
        user.save(update_fields=["first_name", "last_name", "email"])
    return user


def _check_department(org: Organisation, department: Department | None) -> None:
    if department is not None and (department.org_id != org.pk or not department.active):
        raise Refused("部门不存在或已停用", "No such active department", field="department")


def add_role(
    org: Organisation, user: AbstractUser, *, role: str, department: Department | None, actor: Any
) -> Membership:
    """Grant a role (re-activating the same role held before, which keeps its history)."""
    with transaction.atomic():
        _lock_org(org.pk)
        _check_department(org, department)
        existing = Membership.objects.filter(
            user_id=user.pk, org=org, role=role, department=department
        ).first()
        if existing is not None and existing.active:
            raise Refused("此人已有该角色", "This person already holds that role", field="role")
        if existing is not None:
            return set_membership_active(existing, True, actor=actor)
        try:
            create_user(
                user.get_username(), org=org, role=role, actor=actor,
                department=department.code if department is not None else None,
            )  # fmt: skip
        except ServiceError as exc:
            raise Refused(str(exc), str(exc)) from None
        return Membership.objects.get(user_id=user.pk, org=org, role=role, department=department)


def set_membership_active(membership: Membership, active: bool, *, actor: Any) -> Membership:
    """Deactivate or re-activate one role. The organisation always keeps an administrator,
    and no administrator can take away their own last administrator role."""
    with transaction.atomic():
        org = _lock_org(membership.org_id)
        current = Membership.objects.select_related("department").get(pk=membership.pk)
        if current.active == active:
            raise Refused(
                "该角色已是启用状态" if active else "该角色已撤销",
                "The role is already active" if active else "The role is already deactivated",
            )
        if active and current.department is not None and not current.department.active:
            raise Refused(
                f"部门 {current.department.code} 已停用，不能恢复此角色",
                f"Department {current.department.code} is deactivated; the role cannot be restored",
                status=409,
            )
        if not active and current.role == Role.ADMINISTRATOR:
            admins = Membership.objects.filter(
                org=org, role=Role.ADMINISTRATOR, active=True, user__is_active=True
            ).exclude(pk=current.pk)
            actor_id = getattr(actor, "pk", None)
            if current.user_id == actor_id and not admins.filter(user_id=actor_id).exists():
                raise Refused(
                    "不能撤销您自己的最后一个管理员角色；请由另一位管理员办理",
                    "You cannot remove your own last administrator role; another "
                    "administrator must do it",
                    status=409,
                )
            if not admins.exists():
                raise Refused(
                    "本单位至少要保留一位管理员",
                    "The organisation must keep at least one administrator",
                    status=409,
                )
        current.active = active
        current.save(update_fields=["active"])
        audit("membership.changed", current, org=org, actor=actor, via=VIA,
              action="reactivate" if active else "deactivate", user=current.user_id,
              role=current.role, department=_plain(current.department),
              changed={"active": active})  # fmt: skip
    return current


def set_account_active(
    org: Organisation, user: AbstractUser, active: bool, *, actor: Any
) -> AbstractUser:
    """Switch a person's login off or on, only when this is their only organisation."""
    with transaction.atomic():
        _lock_org(org.pk)
        current = get_user_model().objects.select_for_update().get(pk=user.pk)
        assert isinstance(current, AbstractUser)
        if current.is_active == active:
            raise Refused(
                "账号已是启用状态" if active else "账号已停用",
                "The account is already active" if active else "The account is already off",
            )
        if current.pk == getattr(actor, "pk", None):
            raise Refused("不能停用您自己的账号", "You cannot switch off your own account")
        if current.is_superuser:
            raise Refused(
                "这是系统超级管理员账号，不能在此停用",
                "This is an installation superuser's account; it cannot be switched off here",
                status=403,
            )
        others = other_orgs(current.pk, org)
        if others:
            where = ", ".join(others)
            raise Refused(
                f"此人还在其他单位任职（{where}），只能撤销其在本单位的角色",
                f"This person also works for other organisations ({where}); remove their "
                "roles here instead",
                status=409,
            )
        if (
            not active
            and Membership.objects.filter(
                org=org, user_id=current.pk, role=Role.ADMINISTRATOR, active=True
            ).exists()
        ):
            admins = Membership.objects.filter(
                org=org, role=Role.ADMINISTRATOR, active=True, user__is_active=True
            ).exclude(user_id=current.pk)
            if not admins.exists():
                raise Refused(
                    "本单位至少要保留一位管理员",
                    "The organisation must keep at least one administrator",
                    status=409,
                )
        current.is_active = active
        current.save(update_fields=["is_active"])
        audit("user.changed", current, org=org, actor=actor, via=VIA,
              action="reactivate" if active else "deactivate",
              changed={"is_active": active})  # fmt: skip
    return current


# -- holiday overrides ----------------------------------------------------------------------


@dataclass(frozen=True)
class Recomputed:
    cases: int
    moved: int  # deadlines whose due time changed


def _recompute(org: Organisation, years: tuple[int, ...], reason: str) -> Recomputed:
    """Recompute the organisation's deadlines a calendar change reaches (as
    ``tousu calendar load`` does) and count the deadlines that moved."""
    now = timezone.now()
    cases = recompute_after_calendar_change(org.pk, years, reason=reason, now=now)
    moved = 0
    events = Event.objects.filter(
        case__org=org, type="deadlines_recomputed", at=now, data__reason=reason
    ).values_list("data", flat=True)
    for data in events:
        for change in data.get("recomputed", []) if isinstance(data, dict) else []:
            if change.get("from") != change.get("to"):
                moved += 1
    return Recomputed(cases, moved)


def add_holiday(
    org: Organisation,
    *,
    day: date,
    working: bool,
    name: str,
    source_notice: str,
    actor: Any,
) -> tuple[HolidayOverride, Recomputed]:
    try:
        row = add_override(
            org=org, day=day, working=working, name=name, source_notice=source_notice,
            actor=actor, via=VIA,
        )  # fmt: skip
    except ValidationError as exc:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        field, found = next(iter(messages.items()))
        raise Refused(found[0], found[0], field=field, status=409) from None
    return row, _recompute(org, (day.year,), f"calendar:{source_notice}")


def withdraw_holiday(org: Organisation, row: HolidayOverride, *, actor: Any) -> Recomputed:
    if row.org_id != org.pk:
        raise Refused("只能撤销本单位的调整", "Only this organisation's overrides can be withdrawn")
    if not withdraw(row, actor=actor, via=VIA):
        raise Refused("该调整已撤销", "This override was already withdrawn", status=409)
    return _recompute(org, (row.date.year,), f"calendar:{row.source_notice}:withdrawn")

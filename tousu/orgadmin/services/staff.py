"""Staff and roles: new staff, their names, roles granted and withdrawn, set-password links,
accounts switched off and on."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import transaction
from django.utils.translation import gettext_lazy

from tousu.accounts.setpassword import Link, link_for
from tousu.i18n import Text
from tousu.orgadmin.services import VIA, Refused, lock_org, plain
from tousu.orgs.models import Department, Membership, Organisation, StaffProfile
from tousu.orgs.roles import Role
from tousu.orgs.services import ServiceError, audit, create_user, set_profile


def staff_rows(org: Organisation) -> list[dict[str, Any]]:
    """Everyone who holds or held a role in the organisation, with their roles."""
    by_user: dict[int, dict[str, Any]] = {}
    rows = (
        Membership.objects.filter(org=org)
        .select_related("user", "user__staff_profile", "department")
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
    name: str,
    title: str,
    email: str,
    mobile: str,
    password: str,
    role: str,
    department: Department | None,
    actor: Any,
) -> AbstractUser:
    """A new account with its name and first role; an existing username is refused (add a
    role instead). Without a password the person sets one through a one-time link
    (:func:`password_link`)."""
    User = get_user_model()
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise Refused(
                gettext_lazy("该用户名已被使用；如是本单位人员，请在其页面添加角色"),
                field="username",
            )
        _check_department(org, department)
        try:
            user = create_user(
                username, org=org, role=role, password=password or None, actor=actor,
                department=department.code if department is not None else None,
                name=name, title=title, email=email, mobile=mobile, via=VIA,
            )  # fmt: skip
        except ServiceError as exc:
            raise Refused(str(exc)) from None
    return user


def _only_here(org: Organisation, user: AbstractUser, refusal: Text) -> None:
    """What belongs to the person, not to one role (their name, their password), is changed
    here only when this is their only organisation."""
    others = other_orgs(user.pk, org)
    if others:
        raise Refused(refusal, status=409, params={"where": ", ".join(others)})


def update_profile(
    org: Organisation,
    user: AbstractUser,
    *,
    name: str,
    title: str,
    email: str,
    mobile: str,
    actor: Any,
) -> StaffProfile:
    """Change a staff member's name, title, e-mail and mobile; audited by field name."""
    with transaction.atomic():
        lock_org(org.pk)
        if user.is_superuser:
            raise Refused(gettext_lazy("这是系统超级管理员账号，不能在此修改"), status=403)
        _only_here(
            org, user,
            gettext_lazy("此人还在其他单位任职（{where}），其姓名和联系方式不能在此修改"),
        )  # fmt: skip
        try:
            return set_profile(
                user, org=org, actor=actor, via=VIA, name=name, title=title, email=email,
                mobile=mobile,
            )  # fmt: skip
        except ServiceError as exc:
            raise Refused(str(exc)) from None


def password_link(org: Organisation, user: AbstractUser, *, actor: Any) -> Link:
    """A one-time link for the person to set their password (a new account, or a forgotten
    password). Shown once to the administrator, never stored; audited."""
    with transaction.atomic():
        lock_org(org.pk)
        if user.pk == getattr(actor, "pk", None):
            raise Refused(gettext_lazy("您自己的密码请在“账户”页修改"))
        if user.is_superuser:
            raise Refused(gettext_lazy("这是系统超级管理员账号，不能在此修改"), status=403)
        if not user.is_active:
            raise Refused(gettext_lazy("账号已停用"), status=409)
        _only_here(
            org, user,
            gettext_lazy("此人还在其他单位任职（{where}），不能在此为其设置密码"),
        )  # fmt: skip
        link = link_for(user)
        audit("password.link_issued", user, org=org, actor=actor, via=VIA,
              had_password=user.has_usable_password())  # fmt: skip
    return link


def _check_department(org: Organisation, department: Department | None) -> None:
    if department is not None and (department.org_id != org.pk or not department.active):
        raise Refused(gettext_lazy("部门不存在或已停用"), field="department")


def add_role(
    org: Organisation, user: AbstractUser, *, role: str, department: Department | None, actor: Any
) -> Membership:
    """Grant a role (re-activating the same role held before, which keeps its history)."""
    with transaction.atomic():
        lock_org(org.pk)
        _check_department(org, department)
        existing = Membership.objects.filter(
            user_id=user.pk, org=org, role=role, department=department
        ).first()
        if existing is not None and existing.active:
            raise Refused(gettext_lazy("此人已有该角色"), field="role")
        if existing is not None:
            return set_membership_active(existing, True, actor=actor)
        try:
            create_user(
                user.get_username(), org=org, role=role, actor=actor,
                department=department.code if department is not None else None,
            )  # fmt: skip
        except ServiceError as exc:
            raise Refused(str(exc)) from None
        return Membership.objects.get(user_id=user.pk, org=org, role=role, department=department)


def set_membership_active(membership: Membership, active: bool, *, actor: Any) -> Membership:
    """Deactivate or re-activate one role. The organisation always keeps an administrator,
    and no administrator can take away their own last administrator role."""
    with transaction.atomic():
        org = lock_org(membership.org_id)
        current = Membership.objects.select_related("department").get(pk=membership.pk)
        if current.active == active:
            raise Refused(
                gettext_lazy("该角色已是启用状态") if active else gettext_lazy("该角色已撤销")
            )
        if active and current.department is not None and not current.department.active:
            raise Refused(
                gettext_lazy("部门 {code} 已停用，不能恢复此角色"),
                status=409,
                params={"code": current.department.code},
            )
        if not active and current.role == Role.ADMINISTRATOR:
            admins = Membership.objects.filter(
                org=org, role=Role.ADMINISTRATOR, active=True, user__is_active=True
            ).exclude(pk=current.pk)
            actor_id = getattr(actor, "pk", None)
            if current.user_id == actor_id and not admins.filter(user_id=actor_id).exists():
                raise Refused(
                    gettext_lazy("不能撤销您自己的最后一个管理员角色；请由另一位管理员办理"),
                    status=409,
                )
            if not admins.exists():
                raise Refused(
                    gettext_lazy("本单位至少要保留一位管理员"),
                    status=409,
                )
        current.active = active
        current.save(update_fields=["active"])
        audit("membership.changed", current, org=org, actor=actor, via=VIA,
              action="reactivate" if active else "deactivate", user=current.user_id,
              role=current.role, department=plain(current.department),
              changed={"active": active})  # fmt: skip
    return current


def set_account_active(
    org: Organisation, user: AbstractUser, active: bool, *, actor: Any
) -> AbstractUser:
    """Switch a person's login off or on, only when this is their only organisation."""
    with transaction.atomic():
        lock_org(org.pk)
        current = get_user_model().objects.select_for_update().get(pk=user.pk)
        assert isinstance(current, AbstractUser)
        if current.is_active == active:
            raise Refused(
                gettext_lazy("账号已是启用状态") if active else gettext_lazy("账号已停用")
            )
        if current.pk == getattr(actor, "pk", None):
            raise Refused(gettext_lazy("不能停用您自己的账号"))
        if current.is_superuser:
            raise Refused(
                gettext_lazy("这是系统超级管理员账号，不能在此停用"),
                status=403,
            )
        others = other_orgs(current.pk, org)
        if others:
            where = ", ".join(others)
            raise Refused(
                gettext_lazy("此人还在其他单位任职（{where}），只能撤销其在本单位的角色"),
                status=409,
                params={"where": where},
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
                    gettext_lazy("本单位至少要保留一位管理员"),
                    status=409,
                )
        current.is_active = active
        current.save(update_fields=["is_active"])
        audit("user.changed", current, org=org, actor=actor, via=VIA,
              action="reactivate" if active else "deactivate",
              changed={"is_active": active})  # fmt: skip
    return current

"""Staff and roles: who works here in which role; new staff; roles granted and withdrawn."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import AbstractUser
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tousu.accounts.setpassword import Link
from tousu.cases.errors import not_found
from tousu.orgadmin.access import admin_view
from tousu.orgadmin.forms import ProfileForm, RoleForm, StaffForm
from tousu.orgadmin.links import admin_url
from tousu.orgadmin.services import Refused
from tousu.orgadmin.services import staff as services
from tousu.orgadmin.views.common import admin_page, refuse
from tousu.orgs.models import Membership
from tousu.orgs.people import profile
from tousu.web.pages import DeskRequest


@require_GET
@admin_view
def staff(request: DeskRequest, org: str) -> HttpResponse:
    return admin_page(
        request, "orgadmin/staff.html", "staff", {"rows": services.staff_rows(request.desk.org)}
    )


@require_http_methods(["GET", "POST"])
@admin_view
def staff_new(request: DeskRequest, org: str) -> HttpResponse:
    desk = request.desk
    error, status = "", 200
    if request.method == "POST":
        form = StaffForm(desk.org, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.create_staff(
                    desk.org, username=data["username"], name=data["name"],
                    title=data["title"], email=data["email"], mobile=data["mobile"],
                    password=data["password1"], role=data["role"],
                    department=data["department"], actor=request.user,
                )  # fmt: skip
            except Refused as exc:
                error, status = refuse(form, exc), exc.status
            else:
                messages.success(
                    request,
                    gettext("已新建账号 {username}").format(username=user.username)
                    if user.has_usable_password()
                    else gettext(
                        "已新建账号 {username}。请生成设置密码链接，通过安全渠道交给本人。"
                    ).format(username=user.username),
                )
                return redirect(admin_url("member", org=org, user_id=user.pk))
        else:
            status = 422
    else:
        form = StaffForm(desk.org)
    return admin_page(
        request, "orgadmin/staff_new.html", "staff", {"form": form, "error": error}, status
    )


def _member(request: DeskRequest, user_id: int) -> AbstractUser:
    user = services.member_of(request.desk.org, user_id)
    if user is None:
        raise not_found()
    return user


def _member_page(
    request: DeskRequest,
    user: AbstractUser,
    *,
    form: RoleForm | None = None,
    profile_form: ProfileForm | None = None,
    link: Link | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    desk = request.desk
    found = profile(user)
    initial = {k: getattr(found, k) for k in ("name", "title", "email", "mobile")} if found else {}
    context = {
        "person": user,
        "profile": found,
        "profile_form": profile_form or ProfileForm(initial=initial, auto_id="profile_%s"),
        "link": link,
        "has_password": user.has_usable_password(),
        "memberships": Membership.objects.filter(org=desk.org, user_id=user.pk)
        .select_related("department")
        .order_by("-active", "role", "pk"),
        "form": form or RoleForm(desk.org, auto_id="role_%s"),
        "error": error,
        "other_orgs": services.other_orgs(user.pk, desk.org),
        "is_me": user.pk == request.user.pk,
    }
    return admin_page(request, "orgadmin/member.html", "staff", context, status)


@require_GET
@admin_view
def member(request: DeskRequest, org: str, user_id: int) -> HttpResponse:
    return _member_page(request, _member(request, user_id))


@require_POST
@admin_view
def member_role(request: DeskRequest, org: str, user_id: int) -> HttpResponse:
    desk = request.desk
    user = _member(request, user_id)
    form = RoleForm(desk.org, request.POST, auto_id="role_%s")
    if not form.is_valid():
        return _member_page(request, user, form=form, status=422)
    try:
        services.add_role(
            desk.org, user, role=form.cleaned_data["role"],
            department=form.cleaned_data["department"], actor=request.user,
        )  # fmt: skip
    except Refused as exc:
        return _member_page(request, user, form=form, error=refuse(form, exc), status=exc.status)
    messages.success(request, gettext("已授予角色"))
    return redirect(admin_url("member", org=org, user_id=user.pk))


@require_POST
@admin_view
def member_profile(request: DeskRequest, org: str, user_id: int) -> HttpResponse:
    """Change a staff member's name, title, e-mail and mobile."""
    user = _member(request, user_id)
    form = ProfileForm(request.POST, auto_id="profile_%s")
    if not form.is_valid():
        return _member_page(request, user, profile_form=form, status=422)
    data = form.cleaned_data
    try:
        services.update_profile(
            request.desk.org, user, name=data["name"], title=data["title"],
            email=data["email"], mobile=data["mobile"], actor=request.user,
        )  # fmt: skip
    except Refused as exc:
        return _member_page(
            request, user, profile_form=form, error=refuse(form, exc), status=exc.status
        )
    messages.success(request, gettext("已保存"))
    return redirect(admin_url("member", org=org, user_id=user.pk))


@require_POST
@admin_view
def password_link(request: DeskRequest, org: str, user_id: int) -> HttpResponse:
    """A one-time set-password link, shown once on this response (never stored)."""
    user = _member(request, user_id)
    try:
        link = services.password_link(request.desk.org, user, actor=request.user)
    except Refused as exc:
        return _member_page(request, user, error=exc.message, status=exc.status)
    response = _member_page(request, user, link=link)
    response["Cache-Control"] = "no-store"
    return response


def _membership_active(request: DeskRequest, org: str, pk: int, active: bool) -> HttpResponse:
    membership = (
        Membership.objects.select_related("user").filter(pk=pk, org=request.desk.org).first()
    )
    if membership is None:
        raise not_found()
    try:
        services.set_membership_active(membership, active, actor=request.user)
    except Refused as exc:
        user = _member(request, membership.user_id)
        return _member_page(request, user, error=exc.message, status=exc.status)
    messages.success(request, gettext("角色已恢复") if active else gettext("角色已撤销"))
    return redirect(admin_url("member", org=org, user_id=membership.user_id))


@require_POST
@admin_view
def membership_deactivate(request: DeskRequest, org: str, pk: int) -> HttpResponse:
    return _membership_active(request, org, pk, False)


@require_POST
@admin_view
def membership_activate(request: DeskRequest, org: str, pk: int) -> HttpResponse:
    return _membership_active(request, org, pk, True)


def _account_active(request: DeskRequest, org: str, user_id: int, active: bool) -> HttpResponse:
    user = _member(request, user_id)
    try:
        services.set_account_active(request.desk.org, user, active, actor=request.user)
    except Refused as exc:
        return _member_page(request, user, error=exc.message, status=exc.status)
    messages.success(
        request,
        gettext("账号已恢复") if active else gettext("账号已停用"),
    )
    return redirect(admin_url("member", org=org, user_id=user_id))


@require_POST
@admin_view
def account_deactivate(request: DeskRequest, org: str, user_id: int) -> HttpResponse:
    return _account_active(request, org, user_id, False)


@require_POST
@admin_view
def account_activate(request: DeskRequest, org: str, user_id: int) -> HttpResponse:
    return _account_active(request, org, user_id, True)

"""Departments: the tree, create, rename, move, deactivate and reactivate (never delete)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tousu.cases.errors import not_found
from tousu.orgadmin.access import admin_view
from tousu.orgadmin.forms import DepartmentForm, MoveForm, RenameForm
from tousu.orgadmin.links import admin_url
from tousu.orgadmin.services import Refused
from tousu.orgadmin.services import departments as services
from tousu.orgadmin.views.common import admin_page, refuse
from tousu.orgs.models import Department, Membership
from tousu.web.pages import DeskRequest


def _list_page(
    request: DeskRequest, form: DepartmentForm, error: str = "", status: int = 200
) -> HttpResponse:
    desk = request.desk
    context = {
        "rows": services.department_rows(desk.org, desk.policy),
        "form": form,
        "error": error,
    }
    return admin_page(request, "orgadmin/departments.html", "departments", context, status)


@require_http_methods(["GET", "POST"])
@admin_view
def departments(request: DeskRequest, org: str) -> HttpResponse:
    """The tree, and the form creating a department (posted here)."""
    desk = request.desk
    if request.method != "POST":
        return _list_page(request, DepartmentForm(desk.org, auto_id="new_%s"))
    form = DepartmentForm(desk.org, request.POST, auto_id="new_%s")
    if not form.is_valid():
        return _list_page(request, form, status=422)
    data = form.cleaned_data
    try:
        dept = services.create_department(
            desk.org, code=data["code"], name=data["name"].strip(),
            name_en=data["name_en"].strip(), parent=data["parent"], actor=request.user,
        )  # fmt: skip
    except Refused as exc:
        return _list_page(request, form, refuse(form, exc), exc.status)
    messages.success(request, gettext("已新建部门 {code}").format(code=dept.code))
    return redirect(admin_url("departments", org=org))


def _department(request: DeskRequest, code: str) -> Department:
    dept = (
        Department.objects.select_related("parent", "org")
        .filter(org=request.desk.org, code=code)
        .first()
    )
    if dept is None:
        raise not_found()
    return dept


def _detail_page(
    request: DeskRequest,
    dept: Department,
    *,
    rename: RenameForm | None = None,
    move: MoveForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    desk = request.desk
    members = (
        Membership.objects.filter(department=dept)
        .select_related("user", "user__staff_profile")
        .order_by("-active", "user__username", "role")
    )
    context = {
        "dept": dept,
        "rename": rename
        or RenameForm(initial={"name": dept.name, "name_en": dept.name_en}, auto_id="rename_%s"),
        "move": move
        or MoveForm(
            dept, initial={"parent": dept.parent.code if dept.parent else ""}, auto_id="move_%s"
        ),
        "error": error,
        "in_policy": any(d.code == dept.code for d in desk.policy.departments),
        "references": services.policy_references(desk.policy, dept.code),
        "children": Department.objects.filter(parent=dept).order_by("code"),
        "members": members,
    }
    return admin_page(request, "orgadmin/department.html", "departments", context, status)


@require_GET
@admin_view
def department(request: DeskRequest, org: str, code: str) -> HttpResponse:
    return _detail_page(request, _department(request, code))


@require_POST
@admin_view
def department_rename(request: DeskRequest, org: str, code: str) -> HttpResponse:
    dept = _department(request, code)
    form = RenameForm(request.POST, auto_id="rename_%s")
    if not form.is_valid():
        return _detail_page(request, dept, rename=form, status=422)
    try:
        services.rename_department(
            dept, name=form.cleaned_data["name"].strip(),
            name_en=form.cleaned_data["name_en"].strip(), actor=request.user,
        )  # fmt: skip
    except Refused as exc:
        return _detail_page(request, dept, rename=form, error=refuse(form, exc), status=exc.status)
    messages.success(request, gettext("已改名"))
    return redirect(admin_url("department", org=org, code=code))


@require_POST
@admin_view
def department_move(request: DeskRequest, org: str, code: str) -> HttpResponse:
    dept = _department(request, code)
    form = MoveForm(dept, request.POST, auto_id="move_%s")
    if not form.is_valid():
        return _detail_page(request, dept, move=form, status=422)
    try:
        services.move_department(dept, form.cleaned_data["parent"], actor=request.user)
    except Refused as exc:
        return _detail_page(request, dept, move=form, error=refuse(form, exc), status=exc.status)
    messages.success(request, gettext("已移动"))
    return redirect(admin_url("department", org=org, code=code))


def _set_active(request: DeskRequest, org: str, code: str, active: bool) -> HttpResponse:
    dept = _department(request, code)
    try:
        services.set_department_active(dept, active, policy=request.desk.policy, actor=request.user)
    except Refused as exc:
        return _detail_page(request, dept, error=exc.message, status=exc.status)
    messages.success(request, gettext("已恢复启用") if active else pgettext("message", "已停用"))
    return redirect(admin_url("department", org=org, code=code))


@require_POST
@admin_view
def department_deactivate(request: DeskRequest, org: str, code: str) -> HttpResponse:
    return _set_active(request, org, code, False)


@require_POST
@admin_view
def department_activate(request: DeskRequest, org: str, code: str) -> HttpResponse:
    return _set_active(request, org, code, True)

"""The organisation's policy: read it, edit it (validated), its versions and their diffs."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from tousu.cases.errors import not_found
from tousu.orgadmin.access import admin_view
from tousu.orgadmin.describe import describe
from tousu.orgadmin.forms import PolicyForm
from tousu.orgadmin.links import admin_url
from tousu.orgadmin.policy_forms import section_links
from tousu.orgadmin.problems import Problem, explain_all
from tousu.orgadmin.services import Refused
from tousu.orgadmin.services import policy as services
from tousu.orgadmin.services.policy_changes import changes as changes_in_words
from tousu.orgadmin.views.common import admin_page, refuse
from tousu.policy.loader import PolicyError
from tousu.policy.models import PolicyVersion
from tousu.web.pages import DeskRequest


def active_version(request: DeskRequest) -> PolicyVersion:
    version = (
        PolicyVersion.objects.filter(pk=request.desk.org.active_policy_id or 0)
        .select_related("created_by")
        .first()
    )
    if version is None:
        raise not_found()
    return version


def saved_messages(request: DeskRequest, saved: services.Saved) -> None:
    """What a saved version tells the administrator: it is in force, and what it created."""
    messages.success(
        request,
        gettext("制度 v{number} 已生效；已登记的案件仍按各自登记时的版本办理").format(
            number=saved.version.number
        ),
    )
    if saved.departments_created:
        codes = ", ".join(saved.departments_created)
        messages.info(request, gettext("按制度新建了部门：{codes}").format(codes=codes))
    if saved.inactive_referenced:
        codes = ", ".join(saved.inactive_referenced)
        messages.warning(
            request,
            gettext(
                "注意：制度把案件分给已停用的部门（{codes}），这些部门不会收到分办；请恢复部门或修改制度"
            ).format(codes=codes),
        )


@require_GET
@admin_view
def policy(request: DeskRequest, org: str) -> HttpResponse:
    desk = request.desk
    version = active_version(request)
    context = {
        "version": version,
        "note": services.version_notes(desk.org).get(version.pk, ""),
        "p": describe(desk.policy, desk.org),
        "policy_sections": section_links(),
    }
    return admin_page(request, "orgadmin/policy.html", "policy", context)


@require_http_methods(["GET", "POST"])
@admin_view
def policy_edit(request: DeskRequest, org: str) -> HttpResponse:
    desk = request.desk
    version = active_version(request)
    problems: list[Problem] = []
    error = ""
    status = 200
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                saved = services.save_policy(
                    desk.org,
                    form.cleaned_data["source"],
                    note=form.cleaned_data["note"].strip(),
                    based_on=form.cleaned_data["based_on"],
                    actor=request.user,
                )
            except PolicyError as exc:
                problems = explain_all(exc.problems)
                status = 422
            except Refused as exc:
                error = refuse(form, exc)
                status = exc.status
            else:
                number = saved.version.number
                saved_messages(request, saved)
                return redirect(admin_url("version", org=org, number=number))
        else:
            status = 422
    else:
        form = PolicyForm(initial={"source": version.source, "based_on": version.number})
    context = {
        "version": version,
        "form": form,
        "problems": problems,
        "error": error,
        "policy_sections": section_links(),
    }
    return admin_page(request, "orgadmin/policy_edit.html", "policy", context, status)


@require_GET
@admin_view
def versions(request: DeskRequest, org: str) -> HttpResponse:
    return admin_page(
        request,
        "orgadmin/versions.html",
        "policy",
        {"versions": services.versions(request.desk.org)},
    )


@require_GET
@admin_view
def version(request: DeskRequest, org: str, number: int) -> HttpResponse:
    desk = request.desk
    current = (
        PolicyVersion.objects.filter(org=desk.org, number=number)
        .select_related("created_by")
        .first()
    )
    if current is None:
        raise not_found()
    previous = (
        PolicyVersion.objects.filter(org=desk.org, number__lt=number).order_by("-number").first()
    )
    context = {
        "version": current,
        "previous": previous,
        "active": current.pk == desk.org.active_policy_id,
        "note": services.version_notes(desk.org).get(current.pk, ""),
        "changes": services.rule_diff(previous.policy if previous else None, current.policy),
        "lines": changes_in_words(previous.policy if previous else None, current.policy),
        "source_diff": services.source_diff(previous, current),
    }
    return admin_page(request, "orgadmin/version.html", "policy", context)

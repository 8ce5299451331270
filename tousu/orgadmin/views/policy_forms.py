"""The policy's parts as forms: edit, see what changes (a diff), then save as a new version.

``policy/edit/<section>/``: GET shows the part of the active version; POST checks the form
and the edited document (the same schema as the TOML view) and shows the changes in
words and as a text diff, with the values carried in hidden fields; POST with
``step=save`` makes the change again on the active version and saves it (refused if
another version was activated meanwhile). Any problem is shown next to its field with
status 422; nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from tousu.cases.models import Case
from tousu.orgadmin.access import admin_view
from tousu.orgadmin.links import admin_url
from tousu.orgadmin.policy_forms import (
    SECTIONS,
    CategoriesForm,
    SectionForm,
    section_links,
    section_title,
)
from tousu.orgadmin.problems import Problem, explain_all
from tousu.orgadmin.services import Refused
from tousu.orgadmin.services import policy as services
from tousu.orgadmin.views.common import admin_page, refuse
from tousu.orgadmin.views.policy import active_version, saved_messages
from tousu.orgs.models import Organisation
from tousu.policy.loader import PolicyError
from tousu.policy.models import PolicyVersion
from tousu.web.pages import DeskRequest


def _in_use(org: Organisation) -> dict[str, int]:
    """Cases per category code, whichever version they were filed under."""
    rows = Case.objects.filter(org=org).values("category").annotate(n=Count("pk"))
    return {row["category"]: row["n"] for row in rows if row["category"]}


def _form(section: str, version: PolicyVersion, org: Organisation, **kwargs: Any) -> SectionForm:
    form_class = SECTIONS[section]
    if form_class is CategoriesForm:
        return CategoriesForm(version.policy, _in_use(org), **kwargs)
    return form_class(version.policy, **kwargs)


@require_http_methods(["GET", "POST"])
@admin_view
def policy_section(request: DeskRequest, org: str, section: str) -> HttpResponse:
    if section not in SECTIONS:
        raise Http404
    desk = request.desk
    version = active_version(request)
    context: dict[str, Any] = {
        "version": version,
        "part": section,
        "section_title": section_title(section),
        "policy_sections": section_links(),
        "problems": [],
        "error": "",
    }
    if request.method == "GET":
        form = _form(section, version, desk.org, initial={"based_on": version.number})
        context["form"] = form
        return admin_page(request, "orgadmin/policy_section.html", "policy", context)

    form = _form(section, version, desk.org, data=request.POST)
    context["form"] = form
    if not form.is_valid():
        return admin_page(request, "orgadmin/policy_section.html", "policy", context, 422)
    if form.cleaned_data["based_on"] != version.number:
        context["error"] = gettext(
            "编辑期间已有新版本 v{number} 生效；请在新版本基础上重新修改"
        ).format(number=version.number)
        fresh = _form(section, version, desk.org, initial={"based_on": version.number})
        context["form"] = fresh
        return admin_page(request, "orgadmin/policy_section.html", "policy", context, 409)
    try:
        draft = services.draft(version, form.edits())
    except PolicyError as exc:
        left: list[Problem] = form.attach(explain_all(exc.problems))
        context["problems"] = left
        return admin_page(request, "orgadmin/policy_section.html", "policy", context, 422)
    except Refused as exc:
        context["error"] = refuse(form, exc)
        return admin_page(request, "orgadmin/policy_section.html", "policy", context, exc.status)

    if request.POST.get("step") == "edit":  # back from the preview, the values kept
        return admin_page(request, "orgadmin/policy_section.html", "policy", context)
    if request.POST.get("step") != "save":
        context["draft"] = draft
        return admin_page(request, "orgadmin/policy_preview.html", "policy", context)
    try:
        saved = services.save_policy(
            desk.org,
            draft.source,
            note=form.cleaned_data["note"],
            based_on=version.number,
            actor=request.user,
            form=section,
        )
    except Refused as exc:
        context["error"] = refuse(form, exc)
        return admin_page(request, "orgadmin/policy_section.html", "policy", context, exc.status)
    saved_messages(request, saved)
    return redirect(admin_url("version", org=org, number=saved.version.number))

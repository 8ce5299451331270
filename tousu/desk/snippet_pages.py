"""The page where supervisors and administrators keep the office's canned replies."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tousu.cases.errors import TousuError
from tousu.desk import snippets
from tousu.i18n import localized
from tousu.orgs.models import Department
from tousu.web.pages import DeskRequest, desk_view, page


def _forbid_unless_keeper(request: DeskRequest) -> None:
    if not snippets.may_manage(request.desk.actor):
        raise TousuError(
            "action_forbidden", gettext_lazy("只有督办员和管理员可以维护常用回复"), status=403
        )


@require_http_methods(["GET", "POST"])
@desk_view
def snippet_list(request: DeskRequest, org: str) -> HttpResponse:
    _forbid_unless_keeper(request)
    actor = request.desk.actor
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("title", "body", "department")}
        try:
            snippets.create(actor, **values)
        except TousuError as exc:
            details = exc.details if isinstance(exc.details, list) else []
            field = str(details[0].get("field", "form")) if details else "form"
            errors[field] = exc.text
            status = exc.status
        else:
            messages.success(
                request, gettext("已添加常用回复：{title}").format(title=values["title"])
            )
            return redirect("desk:snippets", org=org)
    departments = [
        (d.code, localized(d.name, d.name_en))
        for d in Department.objects.filter(org_id=actor.org.pk).order_by("code")
    ]
    context = {
        "rows": snippets.rows(actor),
        "departments": departments,
        "values": values,
        "errors": errors,
        "placeholders": ["{number}", "{received}", "{department}", "{findings}", "{name}"],
    }
    return page(request, "desk/snippets.html", context, status=status)


@require_POST
@desk_view
def snippet_retire(request: DeskRequest, org: str, snippet_id: int) -> HttpResponse:
    _forbid_unless_keeper(request)
    retired = snippets.retire(request.desk.actor, snippet_id)
    messages.success(request, gettext("已停用常用回复：{title}").format(title=retired.title))
    return redirect("desk:snippets", org=org)

"""Desk pages for attachments: upload (POST, multipart), download (the safe rendition), and
the original as uploaded for the roles that may have it."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tousu.cases.access import get_case, identity_visible, permitted
from tousu.cases.errors import TousuError
from tousu.cases.lifecycle import TABLE
from tousu.evidence import release, services
from tousu.policy.models import policy_for
from tousu.web.pages import DeskRequest, desk_view, page


@require_POST
@desk_view
def upload(request: DeskRequest, org: str, number: str) -> HttpResponse:
    """Attach one or more files (field ``file``); all are stored, or none."""
    actor = request.desk.actor
    case = get_case(actor, number)
    transition = TABLE["attach"]
    if not permitted(actor, case, transition, policy_for(case.policy_version_id)[1]):
        raise TousuError(
            "action_forbidden",
            gettext_lazy("您无权对该案件执行“{action}”操作"),
            status=403,
            params={"action": transition.name},
        )
    uploads = request.FILES.getlist("file")
    try:
        if not uploads:
            raise services.no_file()
        with services.discard_on_error(), transaction.atomic():
            identifying = request.POST.get("identifying") == "on"
            stored = [
                services.store(case.pk, actor=actor, upload=u, identifying=identifying)
                for u in uploads
            ]
    except TousuError as exc:
        if exc.status == 404:
            raise
        context = {"message": exc.text, "code": exc.code, "number": number}
        return page(request, "evidence/refused.html", context, status=exc.status)
    done, same = services.outcome(stored)
    if done:
        messages.success(request, done)
    if same:
        messages.info(request, same)
    url = reverse("desk:case", kwargs={"org": org, "number": number})
    return HttpResponseRedirect(f"{url}#files")


@require_GET
@desk_view
def download(request: DeskRequest, org: str, number: str, sha256: str) -> HttpResponse:
    """The file, to anyone who may see the case; its name only to those who may see who
    brought it."""
    actor = request.desk.actor
    case = get_case(actor, number)
    attachment, data = services.open_file(case, sha256, actor=actor, surface="desk")
    return services.file_response(attachment, data, show_name=identity_visible(actor, case))


@require_GET
@desk_view
def download_original(request: DeskRequest, org: str, number: str, sha256: str) -> HttpResponse:
    """The file byte-exact as uploaded, as opaque bytes, to a supervisor, leader or auditor
    who may open it; logged on the case."""
    actor = request.desk.actor
    case = get_case(actor, number)
    attachment, data = services.open_original(case, sha256, actor=actor, surface="desk")
    return services.file_response(
        attachment, data, show_name=identity_visible(actor, case), original=True
    )


@require_POST
@desk_view
def decide_release(request: DeskRequest, org: str, number: str, sha256: str) -> HttpResponse:
    """A custodian releases a file that may identify the person to the case's handlers, or
    keeps it sealed, with a reason (an event on the case)."""
    actor = request.desk.actor
    case = get_case(actor, number)
    choice = request.POST.get("decision", "")
    try:
        if choice not in ("release", "keep"):
            raise TousuError(
                "invalid_value", gettext_lazy("请选择放行或继续封存"), status=422
            )  # fmt: skip
        release.decide(
            case.pk, actor=actor, sha256=sha256, release=choice == "release",
            reason=request.POST.get("reason", ""),
        )  # fmt: skip
    except TousuError as exc:
        if exc.status == 404:
            raise
        context = {
            "message": exc.text, "code": exc.code, "number": number,
            "title": gettext("未能记录对附件的决定"),
        }  # fmt: skip
        return page(request, "evidence/refused.html", context, status=exc.status)
    if choice == "release":
        messages.success(request, gettext("已向本案承办人员放行该附件"))
    else:
        messages.success(request, gettext("该附件继续封存"))
    url = reverse("desk:case", kwargs={"org": org, "number": number})
    return HttpResponseRedirect(f"{url}#files")

"""The staff record page (考核): complaints, penalties and appeals of one person.

Views are thin: the service decides who may see what (the policy's roles, or the person
themself, restricted) and answers anyone else with the desk's 404.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError

from tousu.accountability import printouts, records
from tousu.accountability.models import Appeal, Penalty
from tousu.cases.errors import TousuError, not_found
from tousu.documents.views import pdf_response
from tousu.i18n import localized
from tousu.web import labels
from tousu.web.pages import DeskRequest, desk_view, page


def _page(request: DeskRequest, username: str, error: str = "", status: int = 200) -> HttpResponse:
    desk = request.desk
    rec = records.staff_record(desk.actor, desk.policy, username)
    for row in rec.complaints:
        if "status" in row:
            row["status_label"] = labels.status(row["status"])
    for row in rec.penalties:
        row["status_label"] = str(Penalty.Status(row["status"]).label)
        row["label"] = localized(row["zh"], row["en"])
        for a in row["appeals"]:
            a["label"] = str(Appeal.Status(a["status"]).label)
    context = {
        "rec": rec,
        "appeal_title": desk.policy.title_for(rec.appeal_to) or labels.role(rec.appeal_to),
        "error": error,
    }
    return page(request, "accountability/record.html", context, status=status)


@require_GET
@desk_view
def record(request: DeskRequest, org: str, username: str) -> HttpResponse:
    return _page(request, username)


@require_POST
@desk_view
def appeal(request: DeskRequest, org: str, username: str, penalty_id: int) -> HttpResponse:
    """The penalised person appeals from their own record (never someone else's)."""
    if username != request.desk.actor.username:
        raise not_found()
    try:
        records.appeal_from_record(
            request.desk.actor, penalty_id, str(request.POST.get("reason", "")).strip()
        )
    except ValidationError:
        return _page(request, username, gettext("请写明申诉理由"), 422)
    except TousuError as exc:
        if exc.status in (403, 404):
            raise
        return _page(request, username, exc.text, exc.status)
    return redirect("desk:people:record", org=org, username=username)


@require_GET
@desk_view
def notice(request: DeskRequest, org: str, penalty_id: int) -> HttpResponse:
    """处罚决定通知书: the person (or the department's heads) and the record readers."""
    desk = request.desk
    pdf, number = printouts.notice_pdf(desk.actor, desk.policy, penalty_id, timezone.now())
    return pdf_response(pdf, "penalty-notice", number)


@require_GET
@desk_view
def appeal_decision(request: DeskRequest, org: str, penalty_id: int) -> HttpResponse:
    """申诉处理决定书, once the appeal is decided; the same readers."""
    desk = request.desk
    pdf, number = printouts.appeal_decision_pdf(desk.actor, desk.policy, penalty_id, timezone.now())
    return pdf_response(pdf, "appeal-decision", number)

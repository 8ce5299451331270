"""The remedy approval form and the reward decision (PDF), in Chinese whatever the desk's
language. Missing and forbidden answer alike (404)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from tousu.documents.views import pdf_response
from tousu.remedies import printouts
from tousu.web.pages import DeskRequest, desk_view


@require_GET
@desk_view
def approval(request: DeskRequest, org: str, number: str, remedy_id: int) -> HttpResponse:
    """赔付/退换货审批单: whoever may see the case; the complainant's name only for those
    who may see the identity."""
    pdf, name = printouts.approval_pdf(request.desk.actor, number, remedy_id, timezone.now())
    return pdf_response(pdf, "remedy-approval", name)


@require_GET
@desk_view
def reward_decision(request: DeskRequest, org: str, number: str, reward_id: int) -> HttpResponse:
    """举报奖励决定书: those who propose, approve or hand over rewards on the case."""
    pdf, name = printouts.reward_pdf(request.desk.actor, number, reward_id, timezone.now())
    return pdf_response(pdf, "reward-decision", name)

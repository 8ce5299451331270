"""Read endpoints for a case's penalties, remedies and rewards, and the written notices.

Registered by :mod:`tousu.api.routes` before its catch-all route. Need-to-know as on the
desk: the case is fetched through the viewer's scope (missing and forbidden alike 404);
penalties only for the roles that see them (403 otherwise); the notices only for the
penalised person and the staff-record readers (404 otherwise).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema
from pydantic import Field

from tousu.accountability import printouts, records
from tousu.cases.access import Actor, get_case
from tousu.cases.errors import TousuError, not_found
from tousu.documents.views import pdf_response
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy
from tousu.remedies import services as remedies

PDF = {
    "responses": {
        200: {
            "description": "PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class AppealIn(Schema):
    reason: str = Field(min_length=1, max_length=5000)


def _actor(request: HttpRequest) -> Actor:
    auth: Any = getattr(request, "auth", None)
    actor = getattr(auth, "actor", None)
    if not isinstance(actor, Actor):
        raise not_found()
    return actor


def _active_policy(actor: Actor) -> Policy:
    if actor.org.active_policy_id is None:
        raise not_found()
    return policy_for(actor.org.active_policy_id)[1]


def routes(api: NinjaAPI, errors: dict[int, type[Schema]]) -> None:
    @api.get(
        "/orgs/{org}/cases/{number}/penalties",
        response={200: list[dict[str, Any]], **errors},
        operation_id="case_penalties",
        summary="处罚与申诉 A case's penalties and appeals (the policy's penalty roles)",
        tags=["accountability"],
    )
    def case_penalties(request: HttpRequest, org: str, number: str) -> list[dict[str, Any]]:
        actor = _actor(request)
        case = get_case(actor, number)
        rows = records.case_penalties(actor, case, policy_for(case.policy_version_id)[1])
        if rows is None:
            raise TousuError(
                "action_forbidden", gettext_lazy("制度未授权您查看处罚记录"), status=403,
            )  # fmt: skip
        return rows

    @api.get(
        "/orgs/{org}/cases/{number}/remedies",
        response={200: list[dict[str, Any]], **errors},
        operation_id="case_remedies",
        summary="赔付与退换货 A case's remedies, their approval chain and payment",
        tags=["accountability"],
    )
    def case_remedies(request: HttpRequest, org: str, number: str) -> list[dict[str, Any]]:
        actor = _actor(request)
        case = get_case(actor, number)
        return remedies.case_remedies(case, policy_for(case.policy_version_id)[1])

    @api.get(
        "/orgs/{org}/cases/{number}/rewards",
        response={200: list[dict[str, Any]], **errors},
        operation_id="case_rewards",
        summary="举报奖励 A case's rewards (how the reporter is reached, never who)",
        tags=["accountability"],
    )
    def case_rewards(request: HttpRequest, org: str, number: str) -> list[dict[str, Any]]:
        actor = _actor(request)
        return remedies.case_rewards(get_case(actor, number))

    @api.get(
        "/orgs/{org}/penalties/{penalty_id}/notice.pdf",
        response={**errors},
        operation_id="penalty_notice",
        summary="处罚决定通知书 The written penalty notice (the person, record readers)",
        tags=["accountability"],
        openapi_extra=PDF,
    )
    def penalty_notice(request: HttpRequest, org: str, penalty_id: int) -> HttpResponse:
        actor = _actor(request)
        pdf, number = printouts.notice_pdf(actor, _active_policy(actor), penalty_id, timezone.now())
        return pdf_response(pdf, "penalty-notice", number)

    @api.get(
        "/orgs/{org}/penalties/{penalty_id}/appeal-decision.pdf",
        response={**errors},
        operation_id="appeal_decision",
        summary="申诉处理决定书 The appeal decision (the person, record readers)",
        tags=["accountability"],
        openapi_extra=PDF,
    )
    def appeal_decision(request: HttpRequest, org: str, penalty_id: int) -> HttpResponse:
        actor = _actor(request)
        policy = _active_policy(actor)
        pdf, number = printouts.appeal_decision_pdf(actor, policy, penalty_id, timezone.now())
        return pdf_response(pdf, "appeal-decision", number)

    @api.get(
        "/orgs/{org}/people/{username}/record",
        response={200: dict[str, Any], **errors},
        operation_id="staff_record",
        summary="人员记录 One person's complaints, penalties and appeals (考核): the policy's "
        "record readers, or the person themself without the reporters",
        tags=["accountability"],
    )
    def staff_record(request: HttpRequest, org: str, username: str) -> dict[str, Any]:
        actor = _actor(request)
        return asdict(records.staff_record(actor, _active_policy(actor), username))

    @api.post(
        "/orgs/{org}/penalties/{penalty_id}/appeal",
        response={200: dict[str, Any], **errors},
        operation_id="appeal_own_penalty",
        summary="对处罚提出申诉 The penalised person appeals their own penalty (the case itself "
        "stays hidden from them)",
        tags=["accountability"],
    )
    def appeal(
        request: HttpRequest, org: str, penalty_id: int, payload: AppealIn
    ) -> dict[str, Any]:
        actor = _actor(request)
        records.appeal_from_record(actor, penalty_id, payload.reason.strip())
        record = records.staff_record(actor, _active_policy(actor), actor.username)
        return next(row for row in record.penalties if row["id"] == penalty_id)

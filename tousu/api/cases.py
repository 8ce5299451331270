"""The API's case routes: register, read one, list with filters; the policy, notifications,
decisions about me and the identity-access log."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema, Status
from pydantic import Field

from tousu.api.auth import RegisterAuth, authorised
from tousu.api.parsing import StrictBody
from tousu.api.schemas import ERRORS, CaseOut, DeadlineOut
from tousu.cases import idempotency, inputs, intake, safeguards, values
from tousu.cases.access import (
    Actor,
    decided_cases_about,
    get_case,
    visible_cases,
    visible_notifications,
)
from tousu.cases.errors import TousuError, invalid, not_found
from tousu.cases.models import Case, Deadline, Notification
from tousu.cases.models import Status as CaseStatus
from tousu.clock.overrides import calendar_for
from tousu.i18n import either
from tousu.policy.models import policy_for
from tousu.privacy.models import IdentityAccess
from tousu.web.caseview import deadline_json, show_case, summary_json

router = Router()


class RegisteredOut(Schema):
    number: str
    status: str
    deadlines: list[DeadlineOut]


class CaseSummaryOut(Schema):
    number: str
    kind: str
    channel: str
    category: str
    complexity: str
    status: str
    status_label: dict[str, str]
    received_at: datetime
    lead_department: str | None
    next_due_at: datetime | None
    overdue: bool


class CaseListOut(Schema):
    count: int
    limit: int
    offset: int
    results: list[CaseSummaryOut]


# The header as the OpenAPI document describes it (read from the request in the route).
IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": idempotency.HEADER,
    "required": False,
    "description": "可选。同一令牌以同一键重复提交只登记一次，重放得到首次的答复；"
    "同一键用于内容不同的提交答 422 idempotency_key_reused。保留 24 小时。 "
    "Optional. Sent again with the same token, the same key registers once and the "
    "replay gets the first answer (header Idempotent-Replayed: true); the same key with "
    "a different body is refused (422 idempotency_key_reused). Kept 24 hours.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"},
}


@router.post(
    "/orgs/{org}/cases",
    response={201: RegisteredOut, **ERRORS},
    auth=RegisterAuth(),
    operation_id="register",
    summary="登记案件 Register a case",
    tags=["cases"],
    openapi_extra={"parameters": [IDEMPOTENCY_HEADER]},
)
def register(
    request: HttpRequest,
    org: str,
    payload: Annotated[inputs.RegisterIn, StrictBody(...)],
    response: HttpResponse,
) -> Status[dict[str, Any]]:
    auth = authorised(request)
    actor = auth.actor
    sent = request.headers.get(idempotency.HEADER)
    if sent is None:
        return Status(201, _registered(actor, payload)[1])
    key = idempotency.checked_key(sent)

    def work() -> idempotency.Done:
        case, body = _registered(actor, payload)
        # Kept as the answer went out (its schema's JSON), for a replay to repeat it.
        return idempotency.Done(
            case, 201, RegisteredOut.model_validate(body).model_dump(mode="json")
        )

    outcome = idempotency.run(
        actor.org, idempotency.token_scope(auth.token_digest), key, purpose="register",
        request=payload.model_dump(mode="json"), work=work,
    )  # fmt: skip
    if outcome.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(outcome.row.status, outcome.row.answer)


def _registered(actor: Actor, payload: inputs.RegisterIn) -> tuple[Case, dict[str, Any]]:
    case = intake.register(actor, payload)
    now = timezone.now()
    running = sorted(case.started_deadlines, key=lambda d: d.due_at)  # type: ignore[attr-defined]
    tz = ZoneInfo(actor.org.time_zone)
    return case, {
        "number": case.number,
        "status": case.status,
        "deadlines": [deadline_json(d, now, tz, calendar_for(actor.org.pk)) for d in running],
    }


@router.get(
    "/orgs/{org}/cases/{number}",
    response={200: CaseOut, **ERRORS},
    operation_id="get_case",
    summary="案件详情与办理记录 A case with its deadlines and timeline",
    tags=["cases"],
)
def get_one(request: HttpRequest, org: str, number: str) -> dict[str, Any]:
    actor = authorised(request).actor
    return show_case(get_case(actor, number), actor, timezone.now())


@router.get(
    "/orgs/{org}/policy",
    response={200: dict[str, Any], **ERRORS},
    operation_id="get_policy",
    summary="本单位现行制度 The organisation's active policy",
    tags=["policy"],
)
def get_policy(request: HttpRequest, org: str) -> dict[str, Any]:
    """Categories, channels, reasons, deadlines and the rest of the active policy document."""
    actor = authorised(request).actor
    if actor.org.active_policy_id is None:
        raise not_found()
    number, policy = policy_for(actor.org.active_policy_id)
    return {"version": number, "document": policy.model_dump(mode="json")}


class NotificationOut(Schema):
    id: int
    kind: str
    case: str
    created_at: datetime
    read_at: datetime | None


class NotificationListOut(Schema):
    unread: int
    results: list[NotificationOut]


@router.get(
    "/orgs/{org}/notifications",
    response={200: NotificationListOut, **ERRORS},
    operation_id="list_notifications",
    summary="我的通知 My notifications (case number and kind; no personal data)",
    tags=["notifications"],
)
def list_notifications(
    request: HttpRequest, org: str, unread: bool = False, limit: int = 50
) -> dict[str, Any]:
    actor = authorised(request).actor
    mine = visible_notifications(actor)
    shown = mine.filter(read_at__isnull=True) if unread else mine
    rows = shown.select_related("case").order_by("-created_at", "-pk")[: max(1, min(limit, 200))]
    return {
        "unread": mine.filter(read_at__isnull=True).count(),
        "results": [_notification(n) for n in rows],
    }


def _notification(note: Notification) -> dict[str, Any]:
    return {
        "id": note.pk,
        "kind": note.kind,
        "case": note.case.number,
        "created_at": note.created_at,
        "read_at": note.read_at,
    }


@router.post(
    "/orgs/{org}/notifications/{notification_id}/read",
    response={200: NotificationOut, **ERRORS},
    operation_id="read_notification",
    summary="标为已读 Mark a notification read",
    tags=["notifications"],
)
def read_notification(request: HttpRequest, org: str, notification_id: int) -> dict[str, Any]:
    actor = authorised(request).actor
    note = visible_notifications(actor).select_related("case").filter(pk=notification_id).first()
    if note is None:
        raise not_found()
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return _notification(note)


@router.get(
    "/orgs/{org}/about-me",
    response={200: list[dict[str, Any]], **ERRORS},
    operation_id="cases_about_me",
    summary="涉及本人的处理决定 Decisions about me (restricted view, for the subject)",
    tags=["cases"],
)
def about_me(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """For a staff member a case is about: only cases already decided, in the restricted
    view (redacted allegation, the decision, how to appeal) — never the reporter."""
    actor = authorised(request).actor
    views = safeguards.subject_views(decided_cases_about(actor))
    return list(views.values())


@router.get(
    "/orgs/{org}/cases/{number}/identity-access",
    response={200: list[dict[str, Any]], **ERRORS},
    operation_id="identity_access_log",
    summary="身份信息查看记录 Who was shown the identity, and when (auditors, custodians)",
    tags=["cases"],
)
def identity_access_log(request: HttpRequest, org: str, number: str) -> list[dict[str, Any]]:
    actor = authorised(request).actor
    case = get_case(actor, number)
    policy = policy_for(case.policy_version_id)[1]
    if not actor.roles & ({"auditor"} | set(policy.permissions.custodian)):
        raise TousuError("action_forbidden", gettext_lazy("仅审计员或保管人可查看"), status=403)
    rows = IdentityAccess.objects.filter(case=case).select_related("user").order_by("at", "pk")
    return [
        {"user": row.user.get_username(), "at": row.at, "surface": row.surface} for row in rows
    ] + safeguards.openings(case, actor)


class CaseFilters(Schema):
    status: str | None = Field(default=None, max_length=200, description="comma-separated")
    department: str | None = Field(default=None, max_length=40)
    category: str | None = Field(default=None, max_length=40)
    channel: str | None = Field(default=None, max_length=20)
    kind: str | None = Field(default=None, max_length=20)
    overdue: bool | None = None
    received_from: date | datetime | None = None
    received_to: date | datetime | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=10_000_000)


def _bound(value: date | datetime, tz: ZoneInfo, *, end: bool, field: str) -> datetime:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
    else:
        moment = datetime.combine(value, time.max if end else time.min, tzinfo=tz)
    return values.sane_moment(moment, field)


@router.get(
    "/orgs/{org}/cases",
    response={200: CaseListOut, **ERRORS},
    operation_id="list_cases",
    summary="案件列表 Cases, filtered and paginated",
    tags=["cases"],
)
def list_cases(request: HttpRequest, org: str, filters: Query[CaseFilters]) -> dict[str, Any]:
    actor = authorised(request).actor
    now = timezone.now()
    tz = ZoneInfo(actor.org.time_zone)
    qs = visible_cases(actor)
    if filters.status:
        wanted = {s.strip() for s in filters.status.split(",") if s.strip()}
        unknown = wanted - set(CaseStatus.values)
        if unknown:
            raise invalid(
                "status",
                gettext_lazy("未知状态：{status}"),
                {"status": either("、".join(sorted(unknown)), ", ".join(sorted(unknown)))},
            )
        qs = qs.filter(status__in=wanted)
    if filters.department:
        qs = qs.filter(lead_department__code=filters.department)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.received_from is not None:
        qs = qs.filter(
            received_at__gte=_bound(filters.received_from, tz, end=False, field="received_from")
        )
    if filters.received_to is not None:
        qs = qs.filter(
            received_at__lte=_bound(filters.received_to, tz, end=True, field="received_to")
        )
    if (
        filters.received_from
        and filters.received_to
        and _bound(filters.received_from, tz, end=False, field="received_from")
        > _bound(filters.received_to, tz, end=True, field="received_to")
    ):
        raise invalid("received_to", gettext_lazy("截止日期早于起始日期"))
    if filters.overdue is not None:
        # A running hard limit already past (the case's clock summary: Case.next_hard_due_at).
        late = Q(next_hard_due_at__lt=now)
        qs = qs.filter(late) if filters.overdue else qs.exclude(late)
    count = qs.count()
    page = (
        qs.select_related("lead_department")
        .prefetch_related(Prefetch("deadlines", queryset=Deadline.objects.all()))
        .order_by("-received_at", "-pk")[filters.offset : filters.offset + filters.limit]
    )
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "results": [summary_json(c, now, tz) for c in page],
    }

"""The REST API under /api/v1/: one reviewable route table.

Every route authenticates a bearer token and goes through the fetch-and-authorise
helpers in :mod:`tousu.cases.access`; errors are JSON with a stable code and a
message in Chinese and English.
"""

from __future__ import annotations

import inspect
from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from ninja import File, Form, NinjaAPI, Query, Schema, Status, UploadedFile
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import Field

from tousu.accountability import api as accountability_api
from tousu.api.auth import ActionAuth, Authorised, RegisterAuth, TokenAuth
from tousu.api.parsing import FormBool, ImpossibleText, Parser, StrictBody, error_for
from tousu.api.renderers import JSONRenderer
from tousu.audit.integrity import detected, integrity_broken
from tousu.cases import actions, inputs, intake, redaction, safeguards
from tousu.cases.access import (
    decided_cases_about,
    get_case,
    identity_visible,
    visible_cases,
    visible_notifications,
)
from tousu.cases.errors import TousuError, invalid, not_found
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case, Deadline, Notification
from tousu.cases.models import Status as CaseStatus
from tousu.clock.overrides import calendar_for
from tousu.errors import CODES, described
from tousu.evidence import services as evidence
from tousu.policy.models import policy_for
from tousu.privacy.crypto import CryptoError
from tousu.privacy.models import IdentityAccess
from tousu.web.caseview import deadline_json, show_case, summary_json

api = NinjaAPI(
    title="Tousu API",
    version="1",
    description="投诉举报处理 — complaint and report handling. Errors: "
    '{"code": "...", "message": {"zh": "...", "en": "..."}, "details": ...}',
    urls_namespace="api-v1",
    auth=TokenAuth(),
    renderer=JSONRenderer(),
    parser=Parser(),
)


def _error(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    return api.create_response(request, body, status=status)


@api.exception_handler(TousuError)
def _tousu_error(request: HttpRequest, exc: TousuError) -> HttpResponse:
    return _error(request, exc.status, exc.as_json())


# The Chinese for pydantic's error types (its English message is passed on as it is).
ZH_REASONS = {
    "missing": "必填",
    "extra_forbidden": "不接受此字段",
    "bool_type": "须为布尔值 true 或 false",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "float_type": "须为数字",
    "decimal_type": "须为数字",
    "string_type": "须为字符串",
    "list_type": "须为数组",
    "dict_type": "须为对象",
    "model_type": "须为对象",
    "model_attributes_type": "须为对象",
    "datetime_type": "须为带时区的日期时间",
    "date_type": "须为日期（YYYY-MM-DD）",
    "literal_error": "不是可选的值之一",
    "enum": "不是可选的值之一",
    "string_too_short": "内容过短或为空",
    "string_too_long": "内容过长",
    "too_short": "项数过少",
    "too_long": "项数过多",
    "string_pattern_mismatch": "格式不正确",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "decimal_max_digits": "位数过多",
    "decimal_max_places": "小数位过多",
    "json_invalid": "不是有效的 JSON",
}


def _zh_reason(kind: str, err: Any) -> str:
    msg = str(err.get("msg") or "")
    if kind == "value_error" and " / " in msg:
        # Our own validators write "中文 / English".
        return msg.removeprefix("Value error, ").split(" / ", 1)[0]
    return ZH_REASONS.get(kind, "取值无效")


@api.exception_handler(CryptoError)
def _unopenable(request: HttpRequest, exc: CryptoError) -> HttpResponse:
    # Sealed data that no longer opens: the record was changed outside the system.
    detected(None, f"api {request.path}", [{"problem": "unopenable", "error": str(exc)}])
    error = integrity_broken()
    return _error(request, error.status, error.as_json())


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ())]
        # ninja prefixes the source, and sometimes the parameter name: ("body", "payload", ...)
        if loc and loc[0] in {"body", "query", "path", "form", "file"}:
            loc = loc[1:]
        if loc and loc[0] in {"payload", "filters"}:
            loc = loc[1:]
        kind = str(err.get("type") or "")
        details.append(
            {
                "field": ".".join(loc),
                "type": kind,
                "zh": _zh_reason(kind, err),
                "en": err.get("msg"),
            }
        )
    body = TousuError(
        "invalid_request",
        "请求内容有误，请检查所列字段",
        "The request is invalid; see details",
        details=details,
    ).as_json()
    return _error(request, 422, body)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = TousuError(
        "unauthenticated", "缺少或无效的访问令牌", "Missing or invalid bearer token"
    ).as_json()
    response = _error(request, 401, body)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ImpossibleText):
        error = error_for(exc.__cause__)
        return _error(request, error.status, error.as_json())
    if exc.status_code == 400 and "parse request body" in str(exc.message):
        # ninja's answer to a body that is not JSON (or not UTF-8)
        error = TousuError(
            "malformed_json",
            "请求体不是有效的 JSON（须为 UTF-8 编码）",
            "The request body is not valid JSON (UTF-8)",
        )
        return _error(request, 400, error.as_json())
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
        exc.status_code, "error"
    )
    body = TousuError(code, "请求无法处理", str(exc.message)).as_json()
    return _error(request, exc.status_code, body)


@api.exception_handler(MultiPartParserError)
def _malformed_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    error = TousuError(
        "malformed_multipart",
        "请求体不是有效的 multipart/form-data",
        "The request body is not valid multipart/form-data",
    )
    return _error(request, 400, error.as_json())


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    error = TousuError(
        "body_too_large",
        f"请求体过大（上限 {limit} 字节）",
        f"The request body is too large (limit {limit} bytes)",
        details={"limit": limit},
    )
    return _error(request, 413, error.as_json())


class DeadlineOut(Schema):
    stage: str
    due_at: datetime
    rule: str
    rule_en: str
    rule_with_date: str
    remaining_working_days: int | None
    paused_days: int
    target: bool
    org_default: bool
    provisional: bool
    hard: bool
    state: str
    overdue: bool
    extended: int


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


class CaseOut(Schema):
    number: str
    org: str
    kind: str
    channel: str
    category: str
    complexity: str
    status: str
    status_label: dict[str, str]
    received_at: datetime
    registered_at: datetime
    policy_version: int
    first_contact_owner: str
    proposed_department: str | None
    proposed_co_departments: list[str]
    proposed_referral: str | None
    involved_departments: int
    refusal_reasons_offered: list[str]
    lead_department: str | None
    pending_department: str | None
    assignments: list[dict[str, Any]]
    handler: str | None
    content: str
    demands: str
    fields: dict[str, Any]
    missing_fields: list[str]
    validity: str
    responsibility: str
    satisfaction: str
    reply_channel: str
    reopen_count: int
    parties: list[dict[str, Any]]
    subjects: list[dict[str, Any]]
    deadlines: list[DeadlineOut]
    links: list[dict[str, Any]]
    same_contact: list[str]
    decision: dict[str, Any] | None
    timeline: list[dict[str, Any]]
    # Only in the answer to issue_receipt: the receipt's digits, shown this once.
    receipt: str | None = None
    # Only in the answer to an action: things the writer should know (e.g. their text
    # names the complainant, so restricted viewers will read it masked).
    warnings: list[dict[str, str]] = []


class ErrorOut(Schema):
    code: str = Field(
        description="Stable error code (status, meaning):\n\n" + described(),
        json_schema_extra={"enum": list(CODES)},
    )
    message: dict[str, str]
    details: Any = None


ERRORS: dict[int, type[Schema]] = {c: ErrorOut for c in (400, 401, 403, 404, 409, 422)}


def _auth(request: HttpRequest) -> Authorised:
    assert isinstance(request.auth, Authorised)  # type: ignore[attr-defined]
    return request.auth  # type: ignore[attr-defined]


@api.post(
    "/orgs/{org}/cases",
    response={201: RegisteredOut, **ERRORS},
    auth=RegisterAuth(),
    operation_id="register",
    summary="登记案件 Register a case",
    tags=["cases"],
)
def register(
    request: HttpRequest, org: str, payload: Annotated[inputs.RegisterIn, StrictBody(...)]
) -> Status[dict[str, Any]]:
    actor = _auth(request).actor
    case = intake.register(actor, payload)
    now = timezone.now()
    running = sorted(case.started_deadlines, key=lambda d: d.due_at)  # type: ignore[attr-defined]
    tz = ZoneInfo(actor.org.time_zone)
    body = {
        "number": case.number,
        "status": case.status,
        "deadlines": [deadline_json(d, now, tz, calendar_for(actor.org.pk)) for d in running],
    }
    return Status(201, body)


@api.get(
    "/orgs/{org}/cases/{number}",
    response={200: CaseOut, **ERRORS},
    operation_id="get_case",
    summary="案件详情与办理记录 A case with its deadlines and timeline",
    tags=["cases"],
)
def get_one(request: HttpRequest, org: str, number: str) -> dict[str, Any]:
    actor = _auth(request).actor
    return show_case(get_case(actor, number), actor, timezone.now())


@api.get(
    "/orgs/{org}/policy",
    response={200: dict[str, Any], **ERRORS},
    operation_id="get_policy",
    summary="本单位现行制度 The organisation's active policy",
    tags=["policy"],
)
def get_policy(request: HttpRequest, org: str) -> dict[str, Any]:
    """Categories, channels, reasons, deadlines and the rest of the active policy document."""
    actor = _auth(request).actor
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


@api.get(
    "/orgs/{org}/notifications",
    response={200: NotificationListOut, **ERRORS},
    operation_id="list_notifications",
    summary="我的通知 My notifications (case number and kind; no personal data)",
    tags=["notifications"],
)
def list_notifications(
    request: HttpRequest, org: str, unread: bool = False, limit: int = 50
) -> dict[str, Any]:
    actor = _auth(request).actor
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


@api.post(
    "/orgs/{org}/notifications/{notification_id}/read",
    response={200: NotificationOut, **ERRORS},
    operation_id="read_notification",
    summary="标为已读 Mark a notification read",
    tags=["notifications"],
)
def read_notification(request: HttpRequest, org: str, notification_id: int) -> dict[str, Any]:
    actor = _auth(request).actor
    note = visible_notifications(actor).select_related("case").filter(pk=notification_id).first()
    if note is None:
        raise not_found()
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return _notification(note)


@api.get(
    "/orgs/{org}/about-me",
    response={200: list[dict[str, Any]], **ERRORS},
    operation_id="cases_about_me",
    summary="涉及本人的处理决定 Decisions about me (restricted view, for the subject)",
    tags=["cases"],
)
def about_me(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """For a staff member a case is about: only cases already decided, in the restricted
    view (redacted allegation, the decision, how to appeal) — never the reporter."""
    actor = _auth(request).actor
    return [safeguards.subject_view(case) for case in decided_cases_about(actor)]


@api.get(
    "/orgs/{org}/cases/{number}/identity-access",
    response={200: list[dict[str, Any]], **ERRORS},
    operation_id="identity_access_log",
    summary="身份信息查看记录 Who was shown the identity, and when (auditors, custodians)",
    tags=["cases"],
)
def identity_access_log(request: HttpRequest, org: str, number: str) -> list[dict[str, Any]]:
    actor = _auth(request).actor
    case = get_case(actor, number)
    policy = policy_for(case.policy_version_id)[1]
    if not actor.roles & ({"auditor"} | set(policy.permissions.custodian)):
        raise TousuError(
            "action_forbidden", "仅审计员或保管人可查看", "Only auditors and custodians", status=403
        )
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
    return inputs.sane_moment(moment, field)


@api.get(
    "/orgs/{org}/cases",
    response={200: CaseListOut, **ERRORS},
    operation_id="list_cases",
    summary="案件列表 Cases, filtered and paginated",
    tags=["cases"],
)
def list_cases(request: HttpRequest, org: str, filters: Query[CaseFilters]) -> dict[str, Any]:
    actor = _auth(request).actor
    now = timezone.now()
    tz = ZoneInfo(actor.org.time_zone)
    qs = visible_cases(actor)
    if filters.status:
        wanted = {s.strip() for s in filters.status.split(",") if s.strip()}
        unknown = wanted - set(CaseStatus.values)
        if unknown:
            raise invalid(
                "status",
                f"未知状态：{'、'.join(sorted(unknown))}",
                f"Unknown status: {', '.join(sorted(unknown))}",
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
        raise invalid("received_to", "截止日期早于起始日期", "received_to is before received_from")
    if filters.overdue is not None:
        late = Exists(Deadline.objects.filter(
            case_id=OuterRef("pk"), state=Deadline.State.OPEN, hard=True, due_at__lt=now))  # fmt: skip
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


# -- attachments (tousu.evidence): a file is not a JSON body, so not a generated action --


class AttachAuth(ActionAuth):
    """The right to attach is checked before the body is read; a body larger than one file
    and a form's fields is refused unread."""

    def __init__(self) -> None:
        super().__init__("attach")

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        result = super().authenticate(request, token)
        if isinstance(result, Authorised):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > evidence.max_bytes() + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                raise evidence.request_too_large(evidence.max_bytes())
        return result


class FileOut(Schema):
    sha256: str
    size: int
    content_type: str
    uploaded_at: datetime
    # The file may show who brought the case: it opens only with the identity.
    identifying: bool
    # True: the case already had this very file; nothing new was stored (200, not 201).
    already_attached: bool
    # What a download serves: the rendition the upload pipeline made (images re-encoded
    # from their pixels, PDFs without scripts or actions); ``sha256`` is the original's.
    served_sha256: str
    served_size: int
    message: dict[str, str]


@api.post(
    "/orgs/{org}/cases/{number}/files",
    response={200: FileOut, 201: FileOut, 410: ErrorOut, 413: ErrorOut, 415: ErrorOut, **ERRORS},
    auth=AttachAuth(),
    operation_id="attach",
    summary="上传附件 Attach a file (multipart/form-data, field `file`; PDF, JPEG or PNG)",
    tags=["files"],
)
def attach_file(
    request: HttpRequest,
    org: str,
    number: str,
    file: File[UploadedFile],
    identifying: Annotated[FormBool, Form(False)] = False,
) -> Status[dict[str, Any]]:
    """``identifying``: the file may show who brought the case (a scanned original letter);
    only those who may see the identity can download it."""
    auth = _auth(request)
    assert auth.case is not None
    with evidence.discard_on_error(), transaction.atomic():
        stored = evidence.store(
            auth.case.pk, actor=auth.actor, upload=file, identifying=identifying
        )
    done, same = evidence.outcome([stored])
    zh, en = done or same or ("", "")
    a = stored.attachment
    body = {
        "sha256": a.sha256,
        "size": a.size,
        "content_type": a.content_type,
        "uploaded_at": a.uploaded_at,
        "identifying": a.identifying,
        "already_attached": not stored.created,
        "served_sha256": evidence.served(a)[0],
        "served_size": evidence.served(a)[1],
        "message": {"zh": zh, "en": en},
    }
    return Status(201 if stored.created else 200, body)


@api.get(
    "/orgs/{org}/cases/{number}/files/{sha256}",
    response={410: ErrorOut, 500: ErrorOut, **ERRORS},
    operation_id="download_file",
    summary="下载附件 Download an attachment (its name only to those who may see the identity)",
    tags=["files"],
    openapi_extra={
        "responses": {
            200: {
                "description": "the file",
                "content": {
                    media: {"schema": {"type": "string", "format": "binary"}}
                    for media in sorted({f.content_type for f in evidence.ALLOWED})
                },
            }
        }
    },
)
def download_file(request: HttpRequest, org: str, number: str, sha256: str) -> HttpResponse:
    actor = _auth(request).actor
    case = get_case(actor, number)
    attachment, data = evidence.open_file(case, sha256, actor=actor, surface="api")
    return evidence.file_response(attachment, data, show_name=identity_visible(actor, case))


@api.get(
    "/orgs/{org}/cases/{number}/files/{sha256}/original",
    response={410: ErrorOut, 500: ErrorOut, **ERRORS},
    operation_id="download_original_file",
    summary="下载原始文件 Download a staff upload byte-exact as received (supervisor, leader, "
    "auditor; logged on the case)",
    tags=["files"],
    openapi_extra={
        "responses": {
            200: {
                "description": "the original file, as opaque bytes",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def download_original_file(
    request: HttpRequest, org: str, number: str, sha256: str
) -> HttpResponse:
    actor = _auth(request).actor
    case = get_case(actor, number)
    attachment, data = evidence.open_original(case, sha256, actor=actor, surface="api")
    return evidence.file_response(
        attachment, data, show_name=identity_visible(actor, case), original=True
    )


# Told only to a writer who may see the identity: for anyone else it would be an oracle.
IDENTITY_IN_TEXT = dict(
    zip(("code", "zh", "en"), ("identity_in_text", *redaction.IDENTITY_IN_TEXT), strict=True)
)


def _action_view(name: str) -> None:
    fn, schema = actions.ACTION_FUNCTIONS[name]
    transition = TABLE[name]

    def view(request: HttpRequest, org: str, number: str, payload: Any) -> dict[str, Any]:
        auth = _auth(request)
        assert auth.case is not None
        case: Case = fn(auth.case.pk, actor=auth.actor, data=payload)
        body = show_case(case, auth.actor, timezone.now())
        issued = getattr(case, "issued_receipt", None)
        if issued:  # issue_receipt: the digits, in this one answer only
            body["receipt"] = issued
        if getattr(case, "identity_in_text", False):
            body["warnings"] = [IDENTITY_IN_TEXT]
        return body

    view.__name__ = f"action_{name}"
    view.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=HttpRequest),
            inspect.Parameter("org", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str),
            inspect.Parameter("number", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str),
            inspect.Parameter("payload", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                              annotation=schema, default=StrictBody(...)),
        ],
        return_annotation=dict,
    )  # fmt: skip
    api.post(
        f"/orgs/{{org}}/cases/{{number}}/actions/{name}",
        response={200: CaseOut, **ERRORS},
        auth=ActionAuth(name),
        operation_id=name,
        summary=f"{transition.zh} {transition.en}",
        tags=["actions"],
    )(view)


for _name in actions.ACTION_FUNCTIONS:  # system actions (jobs) are not in the API
    _action_view(_name)

# Penalties, remedies and rewards of a case, and the written penalty notices
# (tousu.accountability.api); registered here, before the catch-all below.
accountability_api.routes(api, ERRORS)


@api.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def _unknown(request: HttpRequest, rest: str) -> HttpResponse:
    raise not_found()

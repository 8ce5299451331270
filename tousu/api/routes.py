"""The REST API under /api/v1/: the API, its error answers and its route table.

The routes of each resource are in their router (:mod:`tousu.api.cases`,
:mod:`tousu.api.files`), mounted here in order; the actions' routes are generated here from
the transition table, the features add theirs, and a catch-all answers the rest. Every route authenticates a bearer token and goes through the fetch-and-authorise
helpers in :mod:`tousu.cases.access`; errors are JSON with a stable code and a
message in Chinese and English.
"""

from __future__ import annotations

import inspect
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tousu.accountability import api as accountability_api
from tousu.api import cases, files
from tousu.api.auth import ActionAuth, TokenAuth, authorised
from tousu.api.parsing import ImpossibleText, Parser, StrictBody, error_for
from tousu.api.renderers import JSONRenderer
from tousu.api.schemas import ERRORS, CaseOut
from tousu.audit.integrity import detected, integrity_broken
from tousu.cases import redaction
from tousu.cases.errors import TousuError, not_found
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case
from tousu.cases.registry import ACTION_FUNCTIONS
from tousu.i18n import both, either
from tousu.privacy.crypto import CryptoError
from tousu.web.caseview import show_case

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
        gettext_lazy("请求内容有误，请检查所列字段"),
        details=details,
    ).as_json()
    return _error(request, 422, body)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = TousuError("unauthenticated", gettext_lazy("缺少或无效的访问令牌")).as_json()
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
            gettext_lazy("请求体不是有效的 JSON（须为 UTF-8 编码）"),
        )
        return _error(request, 400, error.as_json())
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
        exc.status_code, "error"
    )
    body = TousuError(code, either("请求无法处理", str(exc.message))).as_json()
    return _error(request, exc.status_code, body)


@api.exception_handler(MultiPartParserError)
def _malformed_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    error = TousuError(
        "malformed_multipart",
        gettext_lazy("请求体不是有效的 multipart/form-data"),
    )
    return _error(request, 400, error.as_json())


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    error = TousuError(
        "body_too_large",
        gettext_lazy("请求体过大（上限 {limit} 字节）"),
        details={"limit": limit},
        params={"limit": limit},
    )
    return _error(request, 413, error.as_json())


# The resources' routers, in this order (the generated actions and the features' routes are on
# the API itself; the catch-all comes last of all).
api.add_router("", cases.router)
api.add_router("", files.router)


# Told only to a writer who may see the identity: for anyone else it would be an oracle.
def _identity_in_text() -> dict[str, str]:
    zh, en = both(redaction.IDENTITY_IN_TEXT)
    return {"code": "identity_in_text", "zh": zh, "en": en}


def _action_view(name: str) -> None:
    fn, schema = ACTION_FUNCTIONS[name]
    transition = TABLE[name]

    def view(request: HttpRequest, org: str, number: str, payload: Any) -> dict[str, Any]:
        auth = authorised(request)
        assert auth.case is not None
        case: Case = fn(auth.case.pk, actor=auth.actor, data=payload)
        body = show_case(case, auth.actor, timezone.now())
        issued = getattr(case, "issued_receipt", None)
        if issued:  # issue_receipt: the digits, in this one answer only
            body["receipt"] = issued
        if getattr(case, "identity_in_text", False):
            body["warnings"] = [_identity_in_text()]
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


for _name in ACTION_FUNCTIONS:  # system actions (jobs) are not in the API
    _action_view(_name)

# Penalties, remedies and rewards of a case, and the written penalty notices
# (tousu.accountability.api); registered here, before the catch-all below.
accountability_api.routes(api, ERRORS)

# Anything else under /api/v1/ is a JSON 404: a router of its own, mounted after every other.
unknown = Router()


@unknown.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def _unknown(request: HttpRequest, rest: str) -> HttpResponse:
    raise not_found()


api.add_router("", unknown)

"""The HTTP edge: text no part of Tousu can store or mean is refused before any view runs.

A NUL (``%00``) or bytes that are not UTF-8 in a path segment, a query parameter, a form
field or a header value reach no view: PostgreSQL refuses NUL in text ("text fields cannot
contain NUL"), and a database error is a 500, not an answer. The request gets a 400 with
the reason in Chinese and English (JSON in the API's error format under /api/).

JSON bodies are checked by the API's parser (:mod:`tousu.api.parsing`), which also refuses
lone surrogates from ``\\ud800`` escapes. Multipart bodies of the API are left to it too, so
an upload is still refused by size before it is read. Names of uploaded files need no check:
Django keeps only their printable characters, and drops a part whose headers are not UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext_lazy

from tousu.cases.errors import TousuError
from tousu.i18n import both, either

ZH = "请求中含有无法处理的字符（NUL 或无效的 UTF-8 编码），请删除后重试"
EN = "The request contains characters that cannot be processed (NUL or invalid UTF-8)"
WHERE = {
    "path": gettext_lazy("网址路径"),
    "query": gettext_lazy("查询参数"),
    "header": gettext_lazy("请求头"),
    "form": gettext_lazy("表单字段"),
}


# Django re-encodes the bytes of a path that are not UTF-8 as %XX (repercent_broken_unicode);
# none of Tousu's own paths holds a percent sign.
BROKEN_IN_PATH = re.compile(r"%[0-9A-Fa-f]{2}")


def bad_bytes(raw: bytes) -> bool:
    """Not UTF-8 (a surrogate's encoding included), or a NUL."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return "\x00" in text


def bad_urlencoded(raw: bytes) -> bool:
    """Any name or value of an ``a=1&b=2`` string, once percent-decoded, is bad."""
    return any(
        bad_bytes(unquote_to_bytes(part.replace(b"+", b" ")))
        for pair in raw.split(b"&")
        for part in pair.split(b"=", 1)
    )


def _wsgi_bytes(value: object) -> bytes:
    # WSGI hands every byte over as one latin-1 character; the test client may pass text.
    text = str(value)
    try:
        return text.encode("iso-8859-1")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def _bad_form_values(values: Iterable[tuple[str, list[str]]]) -> bool:
    # Django decodes multipart fields with errors="replace": bytes that are not UTF-8 arrive
    # as U+FFFD, which every database stores. Refusing U+FFFD would also refuse a reporter
    # who pasted one (text copied through a wrong encoding often holds it): only NUL is
    # refused here.
    return any("\x00" in text for key, items in values for text in (key, *items))


def problem(request: HttpRequest) -> str | None:
    """Where the request carries impossible text: "path", "query", "header", "form"."""
    meta = request.META
    if "\x00" in request.path_info or BROKEN_IN_PATH.search(request.path_info):
        return "path"
    if bad_urlencoded(_wsgi_bytes(meta.get("QUERY_STRING", ""))):
        return "query"
    for key, value in meta.items():
        if (key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")) and bad_bytes(
            _wsgi_bytes(value)
        ):
            return "header"
    if request.method in ("POST", "PUT", "PATCH") and not request.path_info.startswith("/api/"):
        content_type = request.content_type or ""
        if content_type == "application/x-www-form-urlencoded" and bad_urlencoded(request.body):
            return "form"
        if content_type == "multipart/form-data":
            try:
                if _bad_form_values(request.POST.lists()):
                    return "form"
            except MultiPartParserError:
                return "form"
    return None


def refusal(request: HttpRequest, where: str) -> HttpResponse:
    zh_where, en_where = both(WHERE[where])
    zh, en = f"{ZH}（{zh_where}）", f"{EN} in {en_where}"
    if request.path_info.startswith("/api/"):
        body = TousuError(
            "invalid_characters", either(zh, en), status=400, details={"where": where}
        ).as_json()
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    response = HttpResponse(f"{zh}\n{en}\n", status=400, content_type="text/plain; charset=utf-8")
    return response


class RefuseImpossibleText:
    """Answers 400 to a request whose path, query, headers or form carry NUL or non-UTF-8."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = problem(request)
        if where is not None:
            return refusal(request, where)
        return self.get_response(request)

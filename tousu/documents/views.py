"""Printable documents of a case, as PDF: 登记表, 调解书 / 调解记录, 书面答复 with 送达回证.

Each view fetches the case with ``get_case`` (missing and forbidden answer alike),
builds the document from the case as this viewer may see it (:mod:`.build`) and
renders it in the complainant's language whatever the desk's (their own where it is known,
else the organisation's: :func:`.build.document_language`): these are papers handed to the
complainant and filed in the dossier.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tousu.cases.access import get_case
from tousu.cases.models import Case
from tousu.documents import build
from tousu.documents.render import render_pdf
from tousu.errors import registered
from tousu.i18n import Text
from tousu.web import downloads
from tousu.web.pages import DeskRequest, desk_view, page


def content_disposition(filename: str) -> str:
    """A document is shown in the browser (``inline``), under its exact name."""
    return downloads.content_disposition(filename, inline=True)


def pdf_response(pdf: bytes, kind: str, number: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{kind}-{number}.pdf")
    # Personal data: never kept by a browser or a proxy.
    response["Cache-Control"] = "no-store, private"
    return response


def unavailable(request: DeskRequest, code: str, message: Text) -> HttpResponse:
    """404 for a document the case does not have (yet), saying why.

    The viewer can see the case, so the reason reveals nothing; ``error_page`` replaces
    every 404 message with the generic one (right for missing-or-forbidden cases), so
    this renders the same error template with the specific message.
    """
    context = {"code": registered(code), "message": str(message), "details": None}
    return page(request, "desk/error.html", context, status=404)


def _render(
    request: DeskRequest,
    number: str,
    kind: str,
    builder: Callable[[build.Document], dict[str, Any]],
    exists: Callable[[Case], bool] | None = None,
    missing: tuple[str, Text] = ("", ""),
) -> HttpResponse:
    case = get_case(request.desk.actor, number)
    if exists is not None and not exists(case):
        return unavailable(request, *missing)
    with translation.override(build.document_language(case, build.REPORTER)):
        doc = build.load(case, request.desk.actor, timezone.now())
        html = render_to_string(f"documents/pdf/{kind}.html", builder(doc))
    return pdf_response(render_pdf(html), kind, str(case.number))


@require_GET
@desk_view
def registration(request: DeskRequest, org: str, number: str) -> HttpResponse:
    """投诉登记表: for the complainant to check and sign."""
    return _render(request, number, "registration", build.registration)


@require_GET
@desk_view
def mediation(request: DeskRequest, org: str, number: str) -> HttpResponse:
    """调解书 (an agreement was reached) or 调解记录 (minutes of the sessions)."""
    return _render(
        request,
        number,
        "mediation",
        build.mediation,
        exists=build.has_mediation,
        missing=(
            "no_mediation_record",
            gettext_lazy(
                "本案尚无调解记录，无法生成调解书。请先通过“记录”登记调解情况（类型：调解）。"
            ),
        ),
    )


@require_GET
@desk_view
def reply(request: DeskRequest, org: str, number: str) -> HttpResponse:
    """书面答复, with a delivery receipt (送达回证)."""
    return _render(
        request,
        number,
        "reply",
        build.reply,
        exists=build.has_reply,
        missing=(
            "no_reply_yet",
            gettext_lazy("本案尚未答复，暂无书面答复可打印。请先办理“答复”。"),
        ),
    )

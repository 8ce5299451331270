"""客户抱怨处理表 / 8D report (PDF), a record of the organisation: in its language whatever the
desk's (:func:`tousu.documents.build.document_language`)."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tousu.cases.access import get_case
from tousu.documents import build
from tousu.documents.render import render_pdf
from tousu.documents.views import pdf_response
from tousu.i18n import localized
from tousu.policy.schema import Policy
from tousu.quality import present
from tousu.web.pages import DeskRequest, desk_view

TITLE = gettext_lazy("客户抱怨处理表（8D报告）")


@require_GET
@desk_view
def report(request: DeskRequest, org: str, number: str) -> HttpResponse:
    """The complaint form with the quality report and sub-tasks, for the dossier.

    ``get_case`` answers 404 alike for a missing case and one this viewer may not see;
    the customer's name appears only for viewers who may see it.
    """
    actor = request.desk.actor
    case = get_case(actor, number)
    now = timezone.now()
    with translation.override(build.document_language(case)):
        doc = build.load(case, actor, now)
        policy = doc.policy
        progress = present.progress(policy, case)
        context = {
            **doc.context(),
            "title": str(TITLE),
            "customer": doc.shown_name(),
            "identity_hidden": not doc.shown_name() and not _anonymous(doc),
            "category": _category(policy, case.category),
            "content": doc.data.get("content", ""),
            "demands": doc.data.get("demands", ""),
            "intake": present.field_rows(policy, case, "intake", filled_only=False),
            "report": present.field_rows(policy, case, "investigation", filled_only=False),
            "progress": progress.text() if progress else "",
            "subtasks": present.subtask_rows(case, actor, now),
            "departments": [localized(d.name_zh, d.name_en) for d in policy.departments],
        }
        html = render_to_string("quality/pdf/report.html", context)
    return pdf_response(render_pdf(html), "8d", str(case.number))


def _anonymous(doc: build.Document) -> bool:
    party = doc.party()
    return party is None or bool(party.get("anonymous"))


def _category(policy: object, code: str) -> str:
    assert isinstance(policy, Policy)
    cat = policy.category(code)
    return localized(cat.name_zh, cat.name_en) if cat else code

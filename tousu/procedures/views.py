"""Printable documents of a procedure step, as PDF: 封存记录, 尸检告知书, 重大医疗纠纷报告,
医疗纠纷裁定决定告知书.

Fetched like every case document (:mod:`tousu.documents.views`): ``get_case`` first, so a
case the viewer may not see answers 404 like a missing one; then 404 with the reason when
the step has no document or has not been recorded yet. The latest record of the step is
printed (an earlier one was corrected by it). They are the organisation's records: in its
language whatever the desk's (:func:`tousu.documents.build.document_language`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET

from tousu.cases.access import get_case
from tousu.documents import build
from tousu.documents.render import render_pdf
from tousu.documents.views import pdf_response, unavailable
from tousu.i18n import either, localized
from tousu.procedures import printouts
from tousu.web.pages import DeskRequest, desk_view

TEMPLATES = {
    "sealing": "procedures/pdf/sealing.html",
    "autopsy_notice": "procedures/pdf/autopsy.html",
    "authority_notice": "procedures/pdf/authority.html",
    "decision_notice": "procedures/pdf/decision.html",
}


@require_GET
@desk_view
def step_document(
    request: DeskRequest, org: str, number: str, procedure: str, step: str
) -> HttpResponse:
    actor = request.desk.actor
    case = get_case(actor, number)
    run = next((r for r in printouts.runs(case, actor) if r.procedure.code == procedure), None)
    if run is None:
        return unavailable(
            request, "procedure_not_started",
            gettext_lazy("本案尚未启动该程序，暂无程序文书可打印。"),
        )  # fmt: skip
    view = next((v for v in run.steps if v.step.code == step), None)
    if view is None or not view.document:
        return unavailable(
            request, "no_document_for_step",
            gettext_lazy("该步骤没有可打印的文书。"),
        )  # fmt: skip
    latest = view.latest
    if latest is None:
        return unavailable(
            request, "step_not_recorded",
            format_lazy(
                gettext_lazy("“{step}”尚未记录，暂无{document}可打印。请先通过“记录程序步骤”登记。"),
                step=either(view.step.zh, view.step.en),
                document=view.document,
            ),
        )  # fmt: skip
    with translation.override(build.document_language(case)):
        # Read again in the document's language: the records' own words (a sealed name).
        run = next(r for r in printouts.runs(case, actor) if r.procedure.code == procedure)
        view = next(v for v in run.steps if v.step.code == step)
        latest = view.latest
        assert latest is not None
        doc = build.load(case, actor, timezone.now())
        context = _context(doc, run, view, latest)
        html = render_to_string(TEMPLATES[view.step.record], context)
    return pdf_response(render_pdf(html), f"{procedure}-{step}", str(case.number))


def _context(
    doc: build.Document, run: printouts.RunView, view: printouts.StepView, e: printouts.Entry
) -> dict[str, Any]:
    tz, policy = doc.tz, doc.policy
    d, p = e.details, e.patient
    target = policy.referral_target(e.target) if e.target else None
    party = doc.party()
    if party is None or party["anonymous"]:
        person = gettext("匿名")
    elif party["masked"]:
        person = str(printouts.SEALED_NAME)
    else:
        # Named but no name given (a caller who left a number): not anonymous.
        person = doc.shown_name() or gettext("未留姓名")
    # What had been done when this record was written (a report says what was known then).
    done = []
    for v in run.steps:
        before = [r for r in v.records if r.no < e.no]
        if before and v.step.code != view.step.code:
            step_name = localized(v.step.zh, v.step.en)
            done.append((step_name, printouts.summary(before[-1], policy, tz)))
    committee = next(
        (v.latest for v in run.steps if v.step.record == "committee_decision" and v.latest), None
    )
    return {
        **doc.context(),
        "title": view.document,
        "procedure": localized(run.procedure.zh, run.procedure.en),
        "step": localized(view.step.zh, view.step.en),
        "clause": view.step.clause,
        "record_no": e.no,
        "correction": e.count > 1,
        "count": e.count,
        "recorded_by": e.by,
        "recorded_at": printouts.zh_time(e.at, tz),
        "body": e.body,
        "d": d,
        "p": p,
        "at": printouts.zh_time(d.get("occurred_at"), tz),
        "items": d.get("items", []),
        "sealed_by": build.joined(d.get("sealed_by", [])),
        "witnesses": build.joined(d.get("witnesses", [])),
        "patient_signatory": p.get("patient_signatory", ""),
        "hospital_signatory": d.get("hospital_signatory", ""),
        "patient_refused": bool(d.get("patient_refused")),
        "hospital_refused": bool(d.get("hospital_refused")),
        "target": localized(target.name_zh, target.name_en) if target else e.target,
        "method": printouts.method(d.get("method", "")),
        "died_at": printouts.zh_time(d.get("died_at"), tz),
        "autopsy_by": printouts.zh_time(d.get("autopsy_by"), tz),
        # The limit the record counted (医疗事故处理条例 art. 18: hours, or days when the
        # body is kept frozen), and whether the family was told only after it had ended.
        "autopsy_hours_used": d.get("autopsy_hours") or view.step.within_hours,
        "autopsy_days_used": d.get("autopsy_days"),
        "autopsy_limit_passed": bool(d.get("autopsy_limit_passed")),
        "body_frozen": bool(d.get("body_frozen")),
        # The policy's limits for the step, quoted in the notice.
        "autopsy_hours": view.step.within_hours,
        "autopsy_frozen_days": view.step.within_days_frozen,
        "answer": d.get("answer", ""),
        "told_at": printouts.zh_time(d.get("occurred_at") or e.at.isoformat(), tz),
        "patient_told_at": printouts.zh_time(d.get("patient_told_at"), tz),
        "patient_told_how": printouts.method(d.get("patient_told_how", "")),
        "hospital_told_at": printouts.zh_time(d.get("hospital_told_at"), tz),
        "hospital_told_how": printouts.method(d.get("hospital_told_how", "")),
        "committee": (
            {
                "at": printouts.zh_time(committee.details.get("occurred_at"), tz),
                "location": committee.details.get("location", ""),
                "members": build.joined(committee.details.get("members", [])),
                "decision": committee.details.get("decision", ""),
            }
            if committee
            else None
        ),
        "person": person,
        "content": doc.data["content"],
        "subjects": build.joined(s["name"] for s in doc.data["subjects"] if s["name"]) or "—",
        "done": done,
        "complexity": doc.case.complexity == "major",
    }

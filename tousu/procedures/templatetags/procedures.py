"""The case page's section for the special procedures opened on the case."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from tousu.cases.access import permitted
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case
from tousu.i18n import localized
from tousu.policy.models import policy_for
from tousu.procedures import printouts
from tousu.procedures.services import applies
from tousu.web.pages import Desk

register = template.Library()


@register.simple_tag
def case_procedures(case: Case, desk: Desk) -> dict[str, Any]:
    """The checklists of the procedures opened on the case, and those it could open."""
    actor = desk.actor
    policy = policy_for(case.policy_version_id)[1]
    tz = desk.tz
    kwargs = {"org": desk.org.slug, "number": case.number}
    runs = []
    for run in printouts.runs(case, actor, policy):
        steps = []
        for v in run.steps:
            latest = v.latest
            steps.append(
                {
                    "code": v.step.code,
                    "label": localized(v.step.zh, v.step.en),
                    "groups": "、".join(v.groups),
                    "done": latest is not None,
                    "at": latest.at if latest else None,
                    "by": latest.by if latest else "",
                    "summary": printouts.summary(latest, policy, tz) if latest else "",
                    "count": len(v.records),
                    "document": v.document if latest else "",
                    "url": reverse(
                        "desk:procedures:document",
                        kwargs={**kwargs, "procedure": run.procedure.code, "step": v.step.code},
                    )
                    if latest and v.document
                    else "",
                }
            )
        runs.append(
            {
                "code": run.procedure.code,
                "label": localized(run.procedure.zh, run.procedure.en),
                "clause": run.procedure.clause,
                "started_at": run.started_at,
                "started_by": run.started_by,
                "steps": steps,
                "done": sum(1 for s in steps if s["done"]),
            }
        )
    opened = {r["code"] for r in runs}
    transition = TABLE["start_procedure"]
    may_start = case.status in transition.sources and permitted(actor, case, transition, policy)
    available = [
        localized(p.zh, p.en)
        for p in policy.procedures
        if p.code not in opened and p.categories and applies(p, case)
    ]
    return {"runs": runs, "available": available if may_start else []}

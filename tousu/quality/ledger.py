"""Ledger lines: sub-tasks by department and state, and how far the 8D report has come."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from tousu.cases.access import Actor
from tousu.cases.models import Case
from tousu.i18n import SOURCE, render_in
from tousu.policy.models import policy_for
from tousu.quality import present
from tousu.quality.models import SubTask


def lines(case_ids: list[int], actor: Actor) -> dict[int, list[str]]:
    """``{case_id: ["子任务：制造部 已完成；质量管理部 逾期", "8D：原因已确认，…"]}``.

    Two queries for all the cases; departments and states only, never a person.
    """
    now = timezone.now()
    out: dict[int, list[str]] = defaultdict(list)
    tasks: dict[int, list[str]] = defaultdict(list)
    rows = (
        SubTask.objects.filter(case_id__in=case_ids)
        .select_related("department")
        .order_by("case_id", "no")
    )
    for task in rows:
        if task.state == SubTask.State.OPEN:
            state = "逾期" if task.due_at < now else "办理中"
        else:
            state = render_in(SOURCE, present.STATES[task.state])
        tasks[task.case_id].append(f"{task.department.name} {state}")
    cases = Case.objects.filter(pk__in=case_ids).only("pk", "policy_version_id", "fields")
    for case in cases:
        if tasks.get(case.pk):
            out[case.pk].append("子任务：" + "；".join(tasks[case.pk]))
        progress = present.progress(policy_for(case.policy_version_id)[1], case)
        if progress is not None and (case.fields or tasks.get(case.pk)):
            out[case.pk].append("8D：" + progress.zh())
    return dict(out)

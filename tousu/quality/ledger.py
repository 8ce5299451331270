"""Ledger lines: sub-tasks by department and state, and how far the 8D report has come."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from tousu.cases.access import Actor
from tousu.cases.models import Case
from tousu.i18n import SOURCE, render_in
from tousu.policy.models import policy_for
from tousu.quality import present
from tousu.quality.models import SubTask


def lines(case_ids: list[int], actor: Actor) -> dict[int, list[str]]:
    """``{case_id: ["子任务：制造部 已完成；质量管理部 逾期", "8D：原因已确认，…"]}``.

    Three queries for all the cases; departments and states only, never a person.
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
    # Only the cases under a policy that keeps a quality report have a line of their own:
    # the others are not loaded (a ledger export asks this of every case).
    versions = (
        Case.objects.filter(pk__in=case_ids)
        .order_by()
        .values_list("policy_version_id", flat=True)
        .distinct()
    )
    reporting = [v for v in versions if present.keeps_report(policy_for(v)[1])]
    cases = Case.objects.filter(
        Q(pk__in=case_ids) & (Q(policy_version_id__in=reporting) | Q(pk__in=list(tasks)))
    ).only("pk", "policy_version_id", "fields")
    for case in cases:
        if tasks.get(case.pk):
            out[case.pk].append("子任务：" + "；".join(tasks[case.pk]))
        progress = present.progress(policy_for(case.policy_version_id)[1], case)
        if progress is not None and (case.fields or tasks.get(case.pk)):
            out[case.pk].append("8D：" + progress.zh())
    return dict(out)

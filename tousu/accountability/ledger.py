"""Ledger lines for penalties and appeals (a provider of :mod:`tousu.reports.extras`).

Only the roles that see a case's penalties get lines (who proposes, decides, hears appeals
or reads staff records under the case's policy); a penalised staff member's name only for
the staff-record readers, others read 工作人员. Three queries for any number of cases.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tousu.accountability.models import Appeal, Penalty
from tousu.accountability.records import may_see_penalties, may_view_records
from tousu.cases.access import Actor
from tousu.cases.models import Case
from tousu.orgs.people import display_name
from tousu.policy.models import policy_for

STATUS = {
    Penalty.Status.PROPOSED: "待审批",
    Penalty.Status.APPROVED: "已决定",
    Penalty.Status.REJECTED: "不予处罚",
    Penalty.Status.REVOKED: "申诉后撤销",
}
APPEAL = {
    Appeal.Status.PENDING: "申诉待决定",
    Appeal.Status.UPHELD: "申诉后维持",
    Appeal.Status.REVOKED: "申诉后撤销",
}


def _line(p: Penalty, names: bool, appeals: list[Appeal]) -> str:
    if p.staff is not None:
        who = display_name(p.staff) if names else "工作人员"
    else:
        who = p.department.name if p.department else ""
    amount = f"{p.amount:.2f}元" if p.amount is not None else ""
    state = STATUS.get(Penalty.Status(p.status), p.status)
    if p.status == Penalty.Status.APPROVED and p.in_force:
        state += "，执行中"
    text = f"处罚：{who} {p.label_zh}{(' ' + amount) if amount else ''}（{state}）"
    for a in appeals:
        text += f"；{APPEAL.get(Appeal.Status(a.status), a.status)}"
    return text


def lines(case_ids: list[int], actor: Actor) -> dict[int, list[str]]:
    versions = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "policy_version_id"))
    policies = {v: policy_for(v)[1] for v in set(versions.values())}
    shown = [pk for pk, v in versions.items() if may_see_penalties(actor, policies[v])]
    if not shown:
        return {}
    names = {pk: may_view_records(actor, policies[versions[pk]]) for pk in shown}
    penalties = list(
        Penalty.objects.filter(case_id__in=shown)
        .select_related("staff__staff_profile", "department")
        .order_by("case_id", "proposed_at", "pk")
    )
    appeals: dict[int, list[Appeal]] = defaultdict(list)
    for a in Appeal.objects.filter(penalty_id__in=[p.pk for p in penalties]).order_by("pk"):
        appeals[a.penalty_id].append(a)
    out: dict[int, list[Any]] = defaultdict(list)
    for p in penalties:
        out[p.case_id].append(_line(p, names[p.case_id], appeals[p.pk]))
    return dict(out)

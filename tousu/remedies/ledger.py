"""Ledger lines for remedies and rewards (a provider of :mod:`tousu.reports.extras`).

Amounts, quantities and states only: whoever sees the case's row sees them. A reward
says how it reaches the reporter (through the custodian, or against the receipt), never
who. Three queries for any number of cases.
"""

from __future__ import annotations

from collections import defaultdict

from tousu.cases.access import Actor
from tousu.cases.models import Case
from tousu.i18n import SOURCE, render_in
from tousu.policy.models import policy_for
from tousu.remedies.models import Remedy, Reward
from tousu.remedies.services import chain, role_title

KINDS = dict(Remedy.Kind.choices)
REMEDY_STATES = dict(Remedy.State.choices)
REWARD_STATES = dict(Reward.State.choices)


def _remedy(r: Remedy, versions: dict[int, int]) -> str:
    parts = []
    if r.amount is not None:
        parts.append(f"{r.amount:.2f}元")
    if r.quantity is not None:
        parts.append(f"{r.quantity}{r.unit}")
    elif r.quantity_undetermined:
        parts.append("数量未确定")
    state = render_in(SOURCE, REMEDY_STATES.get(r.state, r.state))
    if r.state == Remedy.State.PROPOSED and r.awaiting_role:
        policy = policy_for(versions[r.case_id])[1]
        row = next((x for x in chain(policy, r.kind) if x.role == r.awaiting_role), None)
        state = f"待{role_title(policy, r.awaiting_role, row.title_zh if row else '')[0]}核准"
    return (
        f"{render_in(SOURCE, KINDS.get(r.kind, r.kind))}：{' '.join(parts) or '未确定'}（{state}）"
    )


def _reward(r: Reward) -> str:
    state = render_in(SOURCE, REWARD_STATES.get(r.state, r.state))
    how = "，经身份保管人" if r.via_custodian else ("，凭查询回执" if r.receipt_shown else "")
    return f"举报奖励：{r.amount:.2f}元（{state}{how}）"


def lines(case_ids: list[int], actor: Actor) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    remedies = list(Remedy.objects.filter(case_id__in=case_ids).order_by("case_id", "no"))
    versions: dict[int, int] = {}
    if any(r.awaiting_role for r in remedies):
        versions = dict(
            Case.objects.filter(pk__in={r.case_id for r in remedies}).values_list(
                "pk", "policy_version_id"
            )
        )
    for r in remedies:
        out[r.case_id].append(_remedy(r, versions))
    for w in Reward.objects.filter(case_id__in=case_ids).order_by("case_id", "no"):
        out[w.case_id].append(_reward(w))
    return dict(out)

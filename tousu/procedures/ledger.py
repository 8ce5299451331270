"""The ledger's line for a case's procedures (:data:`tousu.reports.extras.PROVIDERS`).

E.g. "医疗纠纷接待处理：已完成10/10步；已封存（封号 F-2026-017）；已报卫生行政主管部门；
裁定已告知双方". Only codes, seal numbers and the policy's names: no person is named.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from tousu.cases.access import Actor
from tousu.cases.models import Case
from tousu.policy.models import policy_for
from tousu.procedures.models import ProcedureRun, StepRecord


def lines(case_ids: list[int], actor: Actor) -> dict[int, list[str]]:
    """One line per procedure opened on each case (three queries for all the cases)."""
    runs = list(
        ProcedureRun.objects.filter(case_id__in=case_ids, case__org_id=actor.org.pk)
        .values_list("pk", "case_id", "code")
        .order_by("case_id", "started_at", "pk")
    )
    if not runs:
        return {}
    versions = dict(
        Case.objects.filter(pk__in={case_id for _, case_id, _ in runs}).values_list(
            "pk", "policy_version_id"
        )
    )
    records: dict[int, list[tuple[str, str, str, str]]] = defaultdict(list)
    for run_id, step, form, seal, target in (
        StepRecord.objects.filter(run_id__in=[pk for pk, _, _ in runs])
        .order_by("no")
        .values_list("run_id", "step", "form", "seal_number", "target")
    ):
        records[run_id].append((step, form, seal, target))
    out: dict[int, list[str]] = defaultdict(list)
    for run_id, case_id, code in runs:
        policy = policy_for(versions[case_id])[1]
        proc = next((p for p in policy.procedures if p.code == code), None)
        if proc is None:
            continue
        done = records[run_id]
        steps_done = {step for step, _, _, _ in done}
        parts = [f"已完成{len(steps_done & {s.code for s in proc.steps})}/{len(proc.steps)}步"]
        seals = _unique(seal for _, form, seal, _ in done if form == "sealing" and seal)
        if seals:
            parts.append(f"已封存（封号 {'、'.join(seals)}）")
        for form, verb in (("authority_notice", "已报"), ("referral", "已移送")):
            targets = _unique(t for _, f, _, t in done if f == form and t)
            if targets:
                names = [(x.name_zh if (x := policy.referral_target(t)) else t) for t in targets]
                parts.append(verb + "、".join(names))
        forms = {form for _, form, _, _ in done}
        if "autopsy_notice" in forms:
            parts.append("已告知家属尸检事宜")
        if "committee_decision" in forms:
            parts.append("裁定委员会已作出决定")
        if "decision_notice" in forms:
            parts.append("裁定已告知双方")
        out[case_id].append(f"{proc.zh}：" + "；".join(parts))
    return dict(out)


def _unique(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen

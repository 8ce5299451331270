"""A policy document in words, for people: what the administration page shows.

Everything here reads the validated :class:`~tousu.policy.schema.Policy`; nothing is
stored. Strings come out in the language of the request (``t``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from tousu.i18n import Text, localized
from tousu.orgs.models import Department, Organisation
from tousu.policy.schema import DeadlineRule, DepartmentSpec, Policy
from tousu.policy.words import COUNTED, rule_in_words
from tousu.web import labels

STAGES = labels.STAGES  # one list of stage names for the whole desk

PERMISSIONS: dict[str, Text] = {
    "custodian": gettext_lazy("举报材料保管人"),
    "decide_acceptance": gettext_lazy("决定是否受理"),
    "close": gettext_lazy("结案"),
    "propose_penalty": gettext_lazy("提出处理意见"),
    "approve_penalty": gettext_lazy("批准处理"),
    "hear_appeal": gettext_lazy("受理申诉"),
    "approve_reward": gettext_lazy("批准奖励"),
    "approve_compensation": gettext_lazy("批准赔偿"),
    "view_staff_record": gettext_lazy("查看人员记录"),
}

RESETS: dict[str, Text] = {
    "month": gettext_lazy("每月重新编号"),
    "year": gettext_lazy("每年重新编号"),
    "never": gettext_lazy("连续编号"),
}

EXTENSION_UNITS: dict[str, Text] = {k: v for k, v in COUNTED.items() if k != "hours"}


def stage(code: str) -> str:
    return labels.pair(STAGES, code)


def roles(codes: Iterable[str | None]) -> str:
    return gettext("、").join(labels.role(c) for c in codes if c) or "—"


def _list(values: Iterable[str], label: Any = None) -> str:
    words = [label(v) if label else v for v in values]
    return gettext("、").join(words)


def selectors(rule: DeadlineRule) -> str:
    """When the rule applies; empty when always."""
    parts = []
    if rule.kinds:
        parts.append(gettext("类型：") + _list(rule.kinds, labels.kind))
    if rule.channels:
        parts.append(gettext("渠道：") + _list(rule.channels, labels.channel))
    if rule.complexity:
        parts.append(gettext("复杂程度：") + _list(rule.complexity, labels.choice))
    if rule.categories:
        parts.append(gettext("类别：") + _list(rule.categories))
    if rule.exclude_categories:
        parts.append(gettext("不适用于类别：") + _list(rule.exclude_categories))
    if rule.departments_min:
        parts.append(
            gettext("涉及至少 {departments_min} 个部门").format(
                departments_min=rule.departments_min
            )
        )
    if rule.received_in == "after_hours":
        parts.append(gettext("工作时间以外收到的"))
    elif rule.received_in == "working_hours":
        parts.append(gettext("工作时间内收到的"))
    return gettext("；").join(parts)


def department_tree(specs: Iterable[DepartmentSpec]) -> list[tuple[DepartmentSpec, int]]:
    """The policy's departments in tree order, each with its depth."""
    specs = list(specs)
    children: dict[str, list[DepartmentSpec]] = {}
    for spec in specs:
        children.setdefault(spec.parent, []).append(spec)
    out: list[tuple[DepartmentSpec, int]] = []
    seen: set[str] = set()

    def walk(parent: str, depth: int) -> None:
        for spec in children.get(parent, []):
            if spec.code in seen:
                continue
            seen.add(spec.code)
            out.append((spec, depth))
            walk(spec.code, depth + 1)

    walk("", 0)
    out += [(s, 0) for s in specs if s.code not in seen]
    return out


def describe(policy: Policy, org: Organisation) -> dict[str, Any]:
    """Everything the policy page shows, section by section."""
    in_db = {d.code: d for d in Department.objects.filter(org=org)}
    spec_names = {d.code: localized(d.name_zh, d.name_en) for d in policy.departments}

    def dept(code: str) -> str:
        if not code:
            return ""
        name = spec_names.get(code)
        if name is None and code in in_db:
            row = in_db[code]
            name = localized(row.name, row.name_en)
        return f"{name} ({code})" if name else code

    cat_names = {c.code: localized(c.name_zh, c.name_en) for c in policy.categories}
    return {
        "identity": policy.identity,
        "kinds": _list(policy.kinds, labels.kind),
        "channels": _list(policy.channels, labels.channel),
        "written_channels": _list(policy.written_channels, labels.channel),
        "anonymous_allowed": policy.anonymous_allowed,
        "numbering": {
            "format": policy.numbering.format,
            "reset": labels.pair(RESETS, policy.numbering.reset),
        },
        "working_hours": f"{policy.working_hours.start:%H:%M}–{policy.working_hours.end:%H:%M}",
        "departments": [
            {
                "code": spec.code,
                "name": localized(spec.name_zh, spec.name_en),
                "depth": min(depth, 6),
                "missing": spec.code not in in_db,
                "inactive": spec.code in in_db and not in_db[spec.code].active,
            }
            for spec, depth in department_tree(policy.departments)
        ],
        "categories": [
            {
                "code": c.code,
                "name": cat_names[c.code],
                "parent": cat_names.get(c.parent, c.parent),
                "lead": dept(c.lead),
                "co": _list(c.co, dept),
                "refer_to": c.refer_to,
                "description": c.description,
                "examples": _list(c.examples),
            }
            for c in policy.categories
        ],
        "routing": [
            {
                "when": gettext("；").join(
                    p
                    for p in (
                        _list(r.categories, lambda c: cat_names.get(c, c)),
                        _list(r.subject_types, labels.choice),
                        _list(r.channels, labels.channel),
                        _list(r.kinds, labels.kind),
                    )
                    if p
                ),
                "lead": dept(r.lead),
                "co": _list(r.co, dept),
                "note": r.note,
            }
            for r in policy.routing
        ],
        "deadlines": [
            {
                "stage": stage(r.stage),
                "hard": r.hard,
                "text": localized(r.text_zh, r.text_en),
                "rule": rule_in_words(r),
                "when": selectors(r),
                "clause": r.clause,
                "org_default": r.org_default,
                "note": r.note,
            }
            for r in policy.deadlines
        ],
        "extension": {
            "amount": policy.extension.max_amount,
            "unit": labels.pair(EXTENSION_UNITS, policy.extension.unit),
            "approvers": roles(policy.extension.approver_roles),
            "reason_required": policy.extension.reason_required,
            "clause": policy.extension.clause,
        },
        "reasons": [
            {
                "code": r.code,
                "text": localized(r.zh, r.en),
                "redirect": localized(r.redirect_zh, r.redirect_en),
                "clause": r.clause,
            }
            for r in policy.rejection_reasons
        ],
        "required": [
            {
                "fields": _list(r.fields),
                "kinds": _list(r.kinds, labels.kind),
                "channels": _list(r.channels, labels.channel),
                "exclude_categories": _list(r.exclude_categories),
                "refusal_reason": r.refusal_reason,
            }
            for r in policy.required
        ],
        "permissions": [
            (labels.pair(PERMISSIONS, name), roles(getattr(policy.permissions, name)))
            for name in PERMISSIONS
        ],
        "escalation": {
            "major_to": roles([policy.escalation.major_to]),
            "overdue_to": roles(policy.escalation.overdue_to),
        },
        "reply": policy.reply,
        "reply_forms": _list(policy.reply.written_forms, labels.channel),
        "follow_up": policy.follow_up,
        "follow_up_by": roles(policy.follow_up.by_roles),
        "retention": policy.retention,
        "deviations": policy.deviations,
    }

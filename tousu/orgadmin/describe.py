"""A policy document in words, for people: what the administration page shows.

Everything here reads the validated :class:`~tousu.policy.schema.Policy`; nothing is
stored. Strings come out in the language of the request (``t``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext

from tousu.orgs.models import Department, Organisation
from tousu.policy.schema import DeadlineRule, DepartmentSpec, Policy
from tousu.web import labels
from tousu.web.i18n import t

STAGES = labels.STAGES  # one list of stage names for the whole desk

STARTS: dict[str, tuple[str, str]] = {
    "received": ("收到", "receipt"),
    "accepted": ("受理", "acceptance"),
    "rejected": ("作出不予受理决定", "the decision not to accept"),
    "decided": ("作出是否受理的决定", "the acceptance decision"),
    "assigned": ("分办", "assignment"),
    "resolved": ("办结", "resolution"),
    "replied": ("答复", "the reply"),
    "review_requested": ("申请复查", "the request for review"),
    "second_review_requested": ("申请复核", "the request for a second review"),
}

# (Chinese unit after the number, English unit) of the counted units.
COUNTED: dict[str, tuple[str, str]] = {
    "working_days": ("个工作日", "working day(s)"),
    "calendar_days": ("日（自然日）", "calendar day(s)"),
    "weeks": ("周", "week(s)"),
    "months": ("个月", "month(s)"),
    "hours": ("小时", "hour(s)"),
}
# Units without a number: the whole phrase.
FIXED: dict[str, tuple[str, str]] = {
    "same_day": ("当日", "the same day"),
    "next_working_day": ("下一个工作日", "the next working day"),
    "next_day": ("次日", "the next day"),
    "customer_date": ("投诉人指定的日期", "the date the complainant set"),
    "none": ("不设时限", "no time limit"),
}

PERMISSIONS: dict[str, tuple[str, str]] = {
    "custodian": ("举报材料保管人", "Custodian of report files"),
    "decide_acceptance": ("决定是否受理", "Decide acceptance"),
    "close": ("结案", "Close cases"),
    "propose_penalty": ("提出处理意见", "Propose penalties"),
    "approve_penalty": ("批准处理", "Approve penalties"),
    "hear_appeal": ("受理申诉", "Hear appeals"),
    "approve_reward": ("批准奖励", "Approve rewards"),
    "approve_compensation": ("批准赔偿", "Approve compensation"),
    "view_staff_record": ("查看人员记录", "View staff records"),
}

RESETS: dict[str, tuple[str, str]] = {
    "month": ("每月重新编号", "restarts every month"),
    "year": ("每年重新编号", "restarts every year"),
    "never": ("连续编号", "never restarts"),
}

EXTENSION_UNITS: dict[str, tuple[str, str]] = {k: v for k, v in COUNTED.items() if k != "hours"}


def stage(code: str) -> str:
    return labels.pair(STAGES, code)


def roles(codes: Iterable[str | None]) -> str:
    return gettext("、").join(labels.role(c) for c in codes if c) or "—"


def _list(values: Iterable[str], label: Any = None) -> str:
    words = [label(v) if label else v for v in values]
    return gettext("、").join(words)


def rule_in_words(rule: DeadlineRule) -> str:
    """The rule as the arithmetic reads: "自受理起 15 个工作日" / "15 working day(s) from acceptance"."""
    start_zh, start_en = STARTS.get(rule.counted_from, (rule.counted_from, rule.counted_from))
    if rule.unit in COUNTED:
        unit_zh, unit_en = COUNTED[rule.unit]
        text = t(
            f"自{start_zh}起 {rule.amount} {unit_zh}",
            f"{rule.amount} {unit_en} from {start_en}",
        )
    elif rule.unit == "none":
        text = gettext("不设时限")
    else:
        fixed_zh, fixed_en = FIXED.get(rule.unit, (rule.unit, rule.unit))
        text = t(f"{start_zh}后{fixed_zh}", f"{fixed_en} after {start_en}")
    notes = []
    if rule.counted_from != rule.start:
        notes.append(gettext("{event}时确定适用").format(event=labels.pair(STARTS, rule.start)))
    if rule.end_of_day:
        notes.append(gettext("截至当日 24 时"))
    if rule.after_hours:
        notes.append(gettext("非工作时间收到的，自下一个工作日起算"))
    if rule.rest_days_open:
        notes.append(gettext("节假日照常办理，期限不顺延"))
    if not rule.extendable:
        notes.append(gettext("不可延期"))
    return text + (gettext("；") + gettext("；").join(notes) if notes else "")


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
    spec_names = {d.code: t(d.name_zh, d.name_en or d.name_zh) for d in policy.departments}

    def dept(code: str) -> str:
        if not code:
            return ""
        name = spec_names.get(code)
        if name is None and code in in_db:
            row = in_db[code]
            name = t(row.name, row.name_en or row.name)
        return f"{name} ({code})" if name else code

    cat_names = {c.code: t(c.name_zh, c.name_en or c.name_zh) for c in policy.categories}
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
                "name": t(spec.name_zh, spec.name_en or spec.name_zh),
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
                "text": t(r.text_zh, r.text_en or r.text_zh),
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
                "text": t(r.zh, r.en),
                "redirect": t(r.redirect_zh, r.redirect_en or r.redirect_zh),
                "clause": r.clause,
            }
            for r in policy.rejection_reasons
        ],
        "required": [
            {
                "fields": _list(r.fields),
                "kinds": _list(r.kinds, labels.kind),
                "channels": _list(r.channels, labels.channel),
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

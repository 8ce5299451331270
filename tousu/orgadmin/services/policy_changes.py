"""What changed between two policy versions, in words an administrator reads.

The parts the policy forms edit (categories, departments, routing, deadlines, reply
templates) are compared item by item and said as "收费问题：主办部门 财务部 → 客户服务部";
a deadline that changed is said in the words generated from its numbers
(:func:`tousu.policy.words.rule_in_words`). Everything else is listed by its key path, as
``tousu policy diff`` prints it. Shown before a form's change is saved and on each version.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from tousu.i18n import Text, localized
from tousu.orgadmin.describe import selectors
from tousu.policy.management.commands.policy import _flatten
from tousu.policy.schema import Category, DeadlineRule, DepartmentSpec, Policy
from tousu.policy.sections import RoutingRule, Template
from tousu.policy.words import rule_in_words
from tousu.web import labels

SECTIONS: dict[str, Text] = {
    "categories": gettext_lazy("类别"),
    "departments": pgettext_lazy("plural", "部门"),
    "routing": gettext_lazy("分办规则"),
    "deadlines": pgettext_lazy("policy", "期限"),
    "reply.templates": gettext_lazy("答复模板"),
    "other": gettext_lazy("其他规则"),
}


@dataclass(frozen=True)
class Line:
    section: str  # a key of SECTIONS
    subject: str  # the item: "收费问题 (fees)", "答复 · 自受理起"
    what: str  # what of it changed: "主办部门", "新增", "停用"
    old: str
    new: str

    @property
    def section_label(self) -> str:
        return str(SECTIONS[self.section])


def _names(specs: Sequence[DepartmentSpec]) -> Callable[[str], str]:
    by_code = {d.code: localized(d.name_zh, d.name_en) for d in specs}

    def name(code: str) -> str:
        return f"{by_code[code]} ({code})" if code in by_code else code

    return name


def _join(values: Sequence[str], label: Callable[[str], str] | None = None) -> str:
    return gettext("、").join(label(v) if label else v for v in values) or "—"


def _changed(
    out: list[Line], section: str, subject: str, pairs: Sequence[tuple[str, str, str]]
) -> None:
    for what, old, new in pairs:
        if old != new:
            out.append(Line(section, subject, what, old or "—", new or "—"))


def _by_code(old: Sequence[Any], new: Sequence[Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """(removed, kept as (old, new) pairs, added), matched by ``code``."""
    before = {item.code: item for item in old}
    after = {item.code: item for item in new}
    removed = [item for item in old if item.code not in after]
    kept = [(before[item.code], item) for item in new if item.code in before]
    added = [item for item in new if item.code not in before]
    return removed, kept, added


def _categories(old: Policy, new: Policy, out: list[Line]) -> None:
    dept_old, dept_new = _names(old.departments), _names(new.departments)

    def subject(c: Category) -> str:
        return f"{localized(c.name_zh, c.name_en)} ({c.code})"

    removed, kept, added = _by_code(old.categories, new.categories)
    for c in added:
        out.append(Line("categories", subject(c), gettext("新增"), "—", dept_new(c.lead) or "—"))
    for c in removed:
        out.append(Line("categories", subject(c), gettext("删除"), dept_old(c.lead), "—"))
    for a, b in kept:
        state = {False: gettext("在用"), True: gettext("已停用")}
        _changed(out, "categories", subject(b), [
            (gettext("中文名称"), a.name_zh, b.name_zh),
            (gettext("英文名称"), a.name_en, b.name_en),
            (gettext("状态"), state[a.retired], state[b.retired]),
            (gettext("主办部门"), dept_old(a.lead) if a.lead else "", dept_new(b.lead) if b.lead else ""),
            (gettext("协办部门"), _join(a.co, dept_old), _join(b.co, dept_new)),
            (gettext("上级类别"), a.parent, b.parent),
        ])  # fmt: skip


def _departments(old: Policy, new: Policy, out: list[Line]) -> None:
    removed, kept, added = _by_code(old.departments, new.departments)
    name = _names(new.departments)
    for d in added:
        parent = name(d.parent) if d.parent else ""
        out.append(Line("departments", name(d.code), gettext("新增"), "—", parent or "—"))
    for d in removed:
        out.append(Line("departments", _names(old.departments)(d.code), gettext("删除"), "", "—"))
    for a, b in kept:
        _changed(out, "departments", name(b.code), [
            (gettext("中文名称"), a.name_zh, b.name_zh),
            (gettext("英文名称"), a.name_en, b.name_en),
            (gettext("上级部门"), a.parent, b.parent),
        ])  # fmt: skip


def routing_when(rule: RoutingRule, policy: Policy) -> str:
    """A routing rule's conditions in words."""
    cats = {c.code: localized(c.name_zh, c.name_en) for c in policy.categories}
    parts = [
        _join(rule.categories, lambda c: cats.get(c, c)) if rule.categories else "",
        _join(rule.subject_types, labels.choice) if rule.subject_types else "",
        _join(rule.channels, labels.channel) if rule.channels else "",
        _join(rule.kinds, labels.kind) if rule.kinds else "",
    ]
    return gettext("；").join(p for p in parts if p) or gettext("（所有案件）")


def _routing(old: Policy, new: Policy, out: list[Line]) -> None:
    dept_old, dept_new = _names(old.departments), _names(new.departments)
    for i in range(max(len(old.routing), len(new.routing))):
        a = old.routing[i] if i < len(old.routing) else None
        b = new.routing[i] if i < len(new.routing) else None
        if b is None:
            assert a is not None
            out.append(
                Line("routing", routing_when(a, old), gettext("删除"), dept_old(a.lead), "—")
            )
            continue
        subject = routing_when(b, new)
        if a is None:
            out.append(Line("routing", subject, gettext("新增"), "—", dept_new(b.lead)))
            continue
        _changed(out, "routing", subject, [
            (gettext("主办"), dept_old(a.lead), dept_new(b.lead)),
            (gettext("协办"), _join(a.co, dept_old), _join(b.co, dept_new)),
        ])  # fmt: skip
        if a.model_dump(exclude={"lead", "co"}) != b.model_dump(exclude={"lead", "co"}):
            out.append(Line("routing", subject, gettext("条件"), routing_when(a, old), subject))


def deadline_subject(rule: DeadlineRule) -> str:
    """ "答复" with when the rule applies, if not always: the rule's name on a page."""
    when = selectors(rule)
    stage = labels.stage(rule.stage)
    target = "" if rule.hard else gettext("（目标）")
    return f"{stage}{target}" + (f" · {when}" if when else "")


def _deadlines(old: Policy, new: Policy, out: list[Line]) -> bool:
    """Rule by rule when only values changed; False (say nothing) when rules were added,
    removed or moved, which the key paths say better."""
    if [r.stage for r in old.deadlines] != [r.stage for r in new.deadlines]:
        return False
    for a, b in zip(old.deadlines, new.deadlines, strict=True):
        subject = deadline_subject(b)
        _changed(out, "deadlines", subject, [
            (gettext("规定"), rule_in_words(a), rule_in_words(b)),
            (gettext("条文原文（中文）"), a.text_zh, b.text_zh),
            (gettext("条文原文（英文）"), a.text_en, b.text_en),
        ])  # fmt: skip
    return True


def _templates(old: Policy, new: Policy, out: list[Line]) -> None:
    removed, kept, added = _by_code(old.reply.templates, new.reply.templates)

    def subject(t: Template) -> str:
        return f"{localized(t.title_zh, t.title_en)} ({t.code})"

    for t in added:
        out.append(Line("reply.templates", subject(t), gettext("新增"), "—", t.body_zh))
    for t in removed:
        out.append(Line("reply.templates", subject(t), gettext("删除"), t.body_zh, "—"))
    for a, b in kept:
        _changed(out, "reply.templates", subject(b), [
            (gettext("中文标题"), a.title_zh, b.title_zh),
            (gettext("中文正文"), a.body_zh, b.body_zh),
            (gettext("英文标题"), a.title_en, b.title_en),
            (gettext("英文正文"), a.body_en, b.body_en),
        ])  # fmt: skip


def _flat(policy: Policy) -> dict[str, Any]:
    return _flatten(json.loads(policy.model_dump_json()))


def changes(old: Policy | None, new: Policy) -> list[Line]:
    """Every difference from ``old`` to ``new``; the first version has none to tell."""
    if old is None:
        return []
    out: list[Line] = []
    _categories(old, new, out)
    _departments(old, new, out)
    _routing(old, new, out)
    said = ["categories", "departments", "routing", "reply.templates"]
    if _deadlines(old, new, out):
        said.append("deadlines")
    _templates(old, new, out)
    left, right = _flat(old), _flat(new)
    for key in sorted(left.keys() | right.keys()):
        if key.split("[", 1)[0] in said or left.get(key, ...) == right.get(key, ...):
            continue
        out.append(Line("other", key, "", _shown(left, key), _shown(right, key)))
    return out


def _shown(values: dict[str, Any], key: str) -> str:
    if key not in values:
        return "—"
    value = values[key]
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def summary(lines: Sequence[Line], most: int = 3) -> str:
    """A few changes in one line, for the version history."""
    parts = [
        gettext("{subject}：{what}").format(subject=line.subject, what=line.what)
        if line.what
        else line.subject
        for line in lines
    ]
    text = gettext("；").join(parts[:most])
    if len(parts) > most:
        text += gettext("；等 {count} 处").format(count=len(parts))
    return text

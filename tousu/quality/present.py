"""The quality report and sub-tasks of a case as a viewer may see them (case page, PDF)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext, gettext_lazy, pgettext, pgettext_lazy

from tousu.cases.access import Actor, identity_visible
from tousu.cases.intake import UNDETERMINED
from tousu.cases.models import Case
from tousu.cases.redaction import identity_masker
from tousu.clock.overrides import calendar_for
from tousu.i18n import SOURCE, Text, localized, render, render_in
from tousu.orgs.people import display_name
from tousu.policy.models import policy_for
from tousu.policy.schema import FieldSpec, Policy
from tousu.quality.models import SubTask

STATES = {
    "open": pgettext_lazy("subtask", "办理中"),
    "done": pgettext_lazy("subtask", "已完成"),
    "cancelled": gettext_lazy("已取消"),
}


def shown_value(spec: FieldSpec, value: Any, *, zh_only: bool = False) -> str:
    """A policy-field value in words (客户加工中未确定, 是/否, the date as given)."""

    def say(message: Text) -> str:
        return render_in(SOURCE, message) if zh_only else str(message)

    if value is None or value == "":
        return ""
    if value == UNDETERMINED and spec.undetermined_allowed:
        return say(gettext_lazy("客户加工中未确定"))
    if spec.type == "boolean":
        return say(pgettext_lazy("say", "是")) if value else say(pgettext_lazy("say", "否"))
    return str(value)


def field_rows(
    policy: Policy, case: Case, group: str, *, zh_only: bool = False, filled_only: bool = True
) -> list[dict[str, str]]:
    rows = []
    values = case.fields or {}
    for spec in policy.fields:
        if spec.group != group or (spec.kinds and case.kind not in spec.kinds):
            continue
        value = shown_value(spec, values.get(spec.code), zh_only=zh_only)
        if filled_only and not value:
            continue
        label = spec.label_zh if zh_only else localized(spec.label_zh, spec.label_en)
        rows.append({"code": spec.code, "label": label, "value": value, "clause": spec.clause})
    return rows


@dataclass
class Progress:
    """How far the 8D report has come (for the ledger and the case page)."""

    cause: bool
    action: bool
    verification: str  # the effect check's result, or "" (in Chinese)
    verification_text: str = ""  # the same in the active language

    def zh(self) -> str:
        parts = [
            "原因已确认" if self.cause else "原因待查",
            "对策已定" if self.action else "对策待定",
            f"效果确认：{self.verification}" if self.verification else "效果待确认",
        ]
        return "，".join(parts)

    def text(self) -> str:
        """The same in the active language (a printed report's)."""
        parts = [
            gettext("原因已确认") if self.cause else gettext("原因待查"),
            gettext("对策已定") if self.action else gettext("对策待定"),
            gettext("效果确认：{result}").format(result=self.verification_text)
            if self.verification
            else gettext("效果待确认"),
        ]
        return pgettext("list of clauses", "，").join(parts)


def keeps_report(policy: Policy) -> bool:
    """Whether the policy keeps a quality (8D) report: :func:`progress` is None otherwise."""
    return any(f.group == "investigation" for f in policy.fields)


def progress(policy: Policy, case: Case) -> Progress | None:
    """None when the policy keeps no quality report."""
    specs = [f for f in policy.fields if f.group == "investigation"]
    if not specs:
        return None
    values = case.fields or {}
    verification = next((f for f in specs if "verification" in f.meets), None)
    result = values.get(verification.code) if verification else None
    return Progress(
        cause=bool(values.get("root_cause")),
        action=bool(values.get("corrective_action")),
        verification=shown_value(verification, result, zh_only=True) if verification else "",
        verification_text=shown_value(verification, result) if verification else "",
    )


def subtask_rows(
    case: Case, actor: Actor, now: datetime, *, zh_only: bool = False
) -> list[dict[str, Any]]:
    tz = ZoneInfo(case.org.time_zone)
    cal = calendar_for(case.org_id)
    mask: Callable[[str], str] = str
    if not identity_visible(actor, case):
        mask = identity_masker(case)

    def say(message: Text, params: dict[str, Any] | None = None) -> str:
        return render_in(SOURCE, message, params) if zh_only else render(message, params)

    rows = []
    tasks = (
        SubTask.objects.filter(case=case)
        .select_related("department", "completed_by", "assigned_by")
        .order_by("no")
    )
    today = now.astimezone(tz).date()
    for task in tasks:
        due = task.due_at.astimezone(tz)
        overdue = task.state == SubTask.State.OPEN and task.due_at < now
        left = ""
        if task.state == SubTask.State.OPEN:
            days = cal.working_days_between(today, due.date())
            if overdue:
                left = say(gettext_lazy("已逾期"))
            else:
                left = say(gettext_lazy("剩余{days}个工作日"), {"days": days})
        dept = task.department
        rows.append(
            {
                "no": task.no,
                "department": dept.name if zh_only else localized(dept.name, dept.name_en),
                "department_code": dept.code,
                "instruction": mask(task.instruction),
                "due": due.strftime("%Y-%m-%d %H:%M"),
                "provisional": task.provisional,
                "left": left,
                "overdue": overdue,
                "state": task.state,
                "state_label": say(STATES[task.state]),
                "result": mask(task.result or task.cancel_reason),
                "by": _name(task.completed_by) if task.completed_by else "",
                "at": task.completed_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
                if task.completed_at
                else "",
            }
        )
    return rows


def _name(user: Any) -> str:
    return display_name(user)


def policy_of(case: Case) -> Policy:
    return policy_for(case.policy_version_id)[1]

"""What the quality app adds to the desk and to notices (from ``ready()``)."""

from __future__ import annotations

from django.utils.translation import gettext, pgettext

from tousu.notify import delivery
from tousu.quality import services
from tousu.web import forms, labels
from tousu.web.i18n import t

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "default": ("默认子任务", "Default sub-task"),
    "instruction": ("子任务要求", "What the department is to do"),
    "due_in_working_days": ("期限（工作日）", "Due in (working days)"),
    "due_date": ("期限（日期）", "Due date"),
    "subtask": ("子任务编号", "Sub-task no."),
    "result": ("办理结果", "Result"),
}

NOTICES: dict[str, tuple[str, str]] = {
    "subtask_assigned": ("本部门有新的子任务", "A sub-task was assigned to your department"),
    "subtask_completed": ("子任务已完成", "A sub-task you assigned was completed"),
    "subtask_overdue": ("本部门子任务已逾期", "A sub-task of your department is overdue"),
}


def subtask_choices(
    options: forms.Options, name: str, values: list[str] | None
) -> list[tuple[str, str]] | None:
    """assign_subtask: the policy's default sub-tasks for the case's category; the
    department may be left to the default sub-task."""
    if name == "department":
        return [("", gettext("— 按默认子任务 —")), *options.departments]
    if name != "default":
        return None
    category = options.case.category if options.case is not None else ""
    names = dict(options.departments)
    offered = [("", gettext("— 自定义 —"))]
    for d in services.defaults_for(options.policy, category):
        unit = pgettext("suffix", "个工作日") if d.unit == "working_days" else gettext("日")
        offered.append(
            (d.code, f"{names.get(d.department, d.department)}：{t(d.zh, d.en or d.zh)}"
             f"（{d.amount}{unit}）")
        )  # fmt: skip
    return offered


def register() -> None:
    for name, pair in FIELD_LABELS.items():
        labels.FIELDS.setdefault(name, pair)
    for kind, pair in NOTICES.items():
        delivery.SUBJECTS.setdefault(kind, pair)
    forms.ACTION_CHOICES["assign_subtask"] = subtask_choices
    forms.POLICY_FIELD_GROUPS["record_quality"] = "investigation"

"""What the quality app adds to the desk and to notices (from ``ready()``)."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy, pgettext

from tousu.i18n import Text, localized
from tousu.notify import delivery
from tousu.quality import services
from tousu.quality.models import SubTask
from tousu.web import forms, labels

FIELD_LABELS: dict[str, Text] = {
    "default": gettext_lazy("默认子任务"),
    "instruction": gettext_lazy("子任务要求"),
    "due_in_working_days": gettext_lazy("期限（工作日）"),
    "due_date": gettext_lazy("期限（日期）"),
    "subtask": gettext_lazy("子任务编号"),
    "result": gettext_lazy("办理结果"),
}

NOTICES: dict[str, Text] = {
    "subtask_assigned": gettext_lazy("本部门有新的子任务"),
    "subtask_completed": gettext_lazy("子任务已完成"),
    "subtask_overdue": gettext_lazy("本部门子任务已逾期"),
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
            (d.code, f"{names.get(d.department, d.department)}：{localized(d.zh, d.en)}"
             f"（{d.amount}{unit}）")
        )  # fmt: skip
    return offered


def open_subtasks(options: forms.Options) -> list[tuple[str, str]]:
    """The case's open sub-tasks, by number, with their department and what is asked."""
    if options.case is None:
        return []
    rows = SubTask.objects.filter(case=options.case, state=SubTask.State.OPEN).order_by("no")
    names = dict(options.departments)
    return [
        (str(t.no), f"#{t.no} {names.get(t.department.code, '')}：{t.instruction[:40]}")
        for t in rows.select_related("department")
    ]


def register() -> None:
    for name, label in FIELD_LABELS.items():
        labels.FIELDS.setdefault(name, label)
    for kind, pair in NOTICES.items():
        delivery.SUBJECTS.setdefault(kind, pair)
    forms.ACTION_CHOICES["assign_subtask"] = subtask_choices
    forms.describe(
        "record_quality",
        gettext_lazy("按 8D 记录原因分析、围堵、纠正措施和效果验证；数量未确定的可先标明。"),
    )
    forms.describe(
        "assign_subtask",
        gettext_lazy("把一部分工作交给其他部门，限期完成；逾期报该部门负责人。"),
    )
    forms.describe(
        "complete_subtask",
        gettext_lazy("本部门完成子任务，写明办理结果。"),
        subtask=forms.FieldSpec(label=gettext_lazy("子任务"), choices=open_subtasks),
    )
    forms.describe(
        "cancel_subtask",
        gettext_lazy("不再需要的子任务予以取消，写明理由。"),
        subtask=forms.FieldSpec(label=gettext_lazy("子任务"), choices=open_subtasks),
    )
    forms.POLICY_FIELD_GROUPS["record_quality"] = "investigation"

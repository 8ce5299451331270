"""The desk side of the procedure actions: choices and labels of their generated forms."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from tousu.i18n import Text, localized
from tousu.notify.delivery import SUBJECTS
from tousu.procedures import forms as record_forms
from tousu.procedures.inputs import RecordProcedureStepIn
from tousu.procedures.models import ProcedureRun
from tousu.procedures.services import applies
from tousu.web import forms

METHODS: dict[str, Text] = {
    "written": gettext_lazy("书面"),
    "phone": pgettext_lazy("methods", "电话"),
    "in_person": gettext_lazy("当面"),
    "fax": gettext_lazy("传真"),
    "online": gettext_lazy("网上报送"),
}
ANSWERS: dict[str, Text] = {
    "consent": gettext_lazy("同意尸检"),
    "refuse": gettext_lazy("不同意尸检"),
    "undecided": gettext_lazy("尚未决定"),
}
FIELD_LABELS: dict[str, Text] = {
    "procedure": gettext_lazy("程序"),
    "step": gettext_lazy("步骤"),
    "sealed_by": gettext_lazy("封存人（每行一人）"),
    "patient_signatory": gettext_lazy("患方签字人"),
    "patient_refused": gettext_lazy("患方拒绝签字"),
    "hospital_signatory": gettext_lazy("院方签字人"),
    "hospital_refused": gettext_lazy("院方拒绝签字"),
    "target": gettext_lazy("报告或移送对象"),
    "method": gettext_lazy("方式"),
    "family_member": gettext_lazy("被告知的家属"),
    "family_relation": gettext_lazy("与患者关系"),
    "answer": gettext_lazy("家属意见"),
    "died_at": gettext_lazy("死亡时间"),
    "body_kept": gettext_lazy("尸体存放方法"),
    "body_frozen": gettext_lazy("尸体冻存（冻存的，尸检时限按制度延长）"),
    "members": gettext_lazy("出席委员（每行一人）"),
    "decision": gettext_lazy("裁定决定"),
    "patient_told": gettext_lazy("患方被告知人"),
    "patient_told_at": gettext_lazy("患方告知时间"),
    "patient_told_how": gettext_lazy("患方告知方式"),
    "hospital_told": gettext_lazy("院方被告知人"),
    "hospital_told_at": gettext_lazy("院方告知时间"),
    "hospital_told_how": gettext_lazy("院方告知方式"),
}


def _pairs(table: dict[str, Text]) -> list[tuple[str, str]]:
    return [("", "—"), *[(code, str(name)) for code, name in table.items()]]


def choices(
    options: forms.Options, name: str, values: list[str] | None
) -> list[tuple[str, str]] | None:
    """The policy's procedures, their steps, referral targets, methods and answers."""
    policy = options.policy
    if name == "procedure":
        return [(p.code, localized(p.zh, p.en)) for p in policy.procedures]
    if name == "step":
        # The steps of the procedures started on the case; a code two procedures share
        # is offered once (the procedure chosen beside it says which).
        started = (
            set(ProcedureRun.objects.filter(case=options.case).values_list("code", flat=True))
            if options.case is not None
            else {p.code for p in policy.procedures}
        )
        steps: dict[str, str] = {}
        for p in policy.procedures:
            if p.code not in started:
                continue
            for s in p.steps:
                steps.setdefault(
                    s.code,
                    gettext("{procedure}：{step}").format(
                        procedure=localized(p.zh, p.en or p.code), step=localized(s.zh, s.en)
                    ),
                )
        return list(steps.items())
    if name == "target":
        return [("", "—")] + [
            (r.code, localized(r.name_zh, r.name_en)) for r in policy.referral_targets
        ]
    if name in {"method", "patient_told_how", "hospital_told_how"}:
        return _pairs(METHODS)
    if name == "answer":
        return _pairs(ANSWERS)
    return None


def _steps_taking(name: str) -> Callable[[forms.Options], tuple[str, frozenset[str]]]:
    """A detail is shown for the steps whose record form takes it (a sealing's witnesses,
    an autopsy notice's family member), and not for the others."""

    def when(options: forms.Options) -> tuple[str, frozenset[str]]:
        codes = {
            s.code
            for p in options.policy.procedures
            for s in p.steps
            if name in (*record_forms.REQUIRED[s.record], *record_forms.OPTIONAL[s.record])
        }
        return "step", frozenset(codes)

    return when


def startable(options: forms.Options) -> list[tuple[str, str]]:
    """The procedures that apply to this case and have not been started on it."""
    case = options.case
    started = (
        set(ProcedureRun.objects.filter(case=case).values_list("code", flat=True))
        if case is not None
        else set()
    )
    return [
        (p.code, localized(p.zh, p.en))
        for p in options.policy.procedures
        if p.code not in started and (case is None or applies(p, case))
    ]


def register() -> None:
    forms.ACTION_CHOICES["start_procedure"] = choices
    forms.ACTION_CHOICES["record_procedure_step"] = choices
    step_fields = set(RecordProcedureStepIn.model_fields) - record_forms.ALWAYS
    forms.describe(
        "start_procedure",
        gettext_lazy("启动制度规定的特别程序（如医疗纠纷），按步骤逐项记录。"),
        procedure=forms.FieldSpec(label=FIELD_LABELS["procedure"], choices=startable),
    )
    forms.describe(
        "record_procedure_step",
        gettext_lazy("记录特别程序的一个步骤；选定步骤后只显示该步骤要填写的内容。"),
        **{
            name: forms.FieldSpec(
                label=label, when=_steps_taking(name) if name in step_fields else None
            )
            for name, label in FIELD_LABELS.items()
            if name in RecordProcedureStepIn.model_fields
        },
        **{
            name: forms.FieldSpec(when=_steps_taking(name))
            for name in step_fields - set(FIELD_LABELS)
        },
    )
    SUBJECTS.setdefault("procedure_started", gettext_lazy("案件已启动特别程序"))

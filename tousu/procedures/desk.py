"""The desk side of the procedure actions: choices and labels of their generated forms."""

from __future__ import annotations

from tousu.notify.delivery import SUBJECTS
from tousu.web import forms, labels
from tousu.web.i18n import t

METHODS: dict[str, tuple[str, str]] = {
    "written": ("书面", "In writing"),
    "phone": ("电话", "By phone"),
    "in_person": ("当面", "In person"),
    "fax": ("传真", "By fax"),
    "online": ("网上报送", "Online"),
}
ANSWERS: dict[str, tuple[str, str]] = {
    "consent": ("同意尸检", "Consents to an autopsy"),
    "refuse": ("不同意尸检", "Refuses an autopsy"),
    "undecided": ("尚未决定", "Undecided"),
}
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "procedure": ("程序", "Procedure"),
    "step": ("步骤", "Step"),
    "sealed_by": ("封存人（每行一人）", "Sealed by (one per line)"),
    "patient_signatory": ("患方签字人", "Patient-side signatory"),
    "patient_refused": ("患方拒绝签字", "Patient side refused to sign"),
    "hospital_signatory": ("院方签字人", "Hospital-side signatory"),
    "hospital_refused": ("院方拒绝签字", "Hospital side refused to sign"),
    "target": ("报告或移送对象", "Reported or referred to"),
    "method": ("方式", "How"),
    "family_member": ("被告知的家属", "Family member told"),
    "family_relation": ("与患者关系", "Relation to the patient"),
    "answer": ("家属意见", "The family's answer"),
    "died_at": ("死亡时间", "Time of death"),
    "body_kept": ("尸体存放方法", "How the body is kept"),
    "members": ("出席委员（每行一人）", "Members present (one per line)"),
    "decision": ("裁定决定", "The committee's decision"),
    "patient_told": ("患方被告知人", "Told on the patient side"),
    "patient_told_at": ("患方告知时间", "Patient side told at"),
    "patient_told_how": ("患方告知方式", "Patient side told how"),
    "hospital_told": ("院方被告知人", "Told on the hospital side"),
    "hospital_told_at": ("院方告知时间", "Hospital side told at"),
    "hospital_told_how": ("院方告知方式", "Hospital side told how"),
}


def _pairs(table: dict[str, tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "—"), *[(code, t(*zh_en)) for code, zh_en in table.items()]]


def choices(
    options: forms.Options, name: str, values: list[str] | None
) -> list[tuple[str, str]] | None:
    """The policy's procedures, their steps, referral targets, methods and answers."""
    policy = options.policy
    if name == "procedure":
        return [(p.code, t(p.zh, p.en or p.zh)) for p in policy.procedures]
    if name == "step":
        return [
            (s.code, t(f"{p.zh}：{s.zh}", f"{p.en or p.code}: {s.en or s.zh}"))
            for p in policy.procedures
            for s in p.steps
        ]
    if name == "target":
        return [("", "—")] + [
            (r.code, t(r.name_zh, r.name_en or r.name_zh)) for r in policy.referral_targets
        ]
    if name in {"method", "patient_told_how", "hospital_told_how"}:
        return _pairs(METHODS)
    if name == "answer":
        return _pairs(ANSWERS)
    return None


def register() -> None:
    forms.ACTION_CHOICES["start_procedure"] = choices
    forms.ACTION_CHOICES["record_procedure_step"] = choices
    labels.FIELDS.update(FIELD_LABELS)
    SUBJECTS.setdefault(
        "procedure_started", ("案件已启动特别程序", "A special procedure was opened")
    )

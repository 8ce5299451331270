"""The record forms of procedure steps: which details each needs, and their checks.

Every form takes ``body`` (free text). A detail that belongs to another form is refused
rather than silently dropped, so a record says exactly what was given.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext_lazy, pgettext_lazy

from tousu.cases.errors import invalid
from tousu.cases.values import sane_moment
from tousu.i18n import Text, either
from tousu.policy.schema import Policy
from tousu.policy.sections import ProcedureStep
from tousu.procedures.inputs import RecordProcedureStepIn

# The fields each form needs (all of them) and may take besides.
REQUIRED: dict[str, tuple[str, ...]] = {
    "note": ("body",),
    "sealing": ("items", "location", "occurred_at", "sealed_by", "witnesses", "seal_number"),
    "authority_notice": ("target", "occurred_at", "method", "reference"),
    "autopsy_notice": ("family_member", "answer", "body_kept", "died_at"),
    "referral": ("target", "occurred_at"),
    "committee_decision": ("occurred_at", "members", "decision"),
    "decision_notice": (
        "patient_told", "patient_told_at", "patient_told_how",
        "hospital_told", "hospital_told_at", "hospital_told_how",
    ),
}  # fmt: skip
OPTIONAL: dict[str, tuple[str, ...]] = {
    "note": ("occurred_at",),
    "sealing": ("patient_signatory", "patient_refused", "hospital_signatory", "hospital_refused"),
    "authority_notice": (),
    "autopsy_notice": ("family_relation", "occurred_at", "body_frozen"),
    "referral": ("method", "reference"),
    "committee_decision": ("location",),
    "decision_notice": (),
}
ALWAYS = frozenset({"procedure", "step", "body"})
MOMENTS = ("occurred_at", "died_at", "patient_told_at", "hospital_told_at")
# Names of people on the patient side: sealed apart, shown only with the identity.
PATIENT_SIDE = ("patient_signatory", "family_member", "family_relation", "patient_told")

FIELD_NAMES: dict[str, Text] = {
    "body": pgettext_lazy("field_names", "内容"),
    "occurred_at": pgettext_lazy("field_names", "时间"),
    "items": gettext_lazy("封存物品"),
    "location": gettext_lazy("地点"),
    "sealed_by": gettext_lazy("封存人"),
    "witnesses": gettext_lazy("见证人"),
    "seal_number": gettext_lazy("封条编号"),
    "target": pgettext_lazy("field_names", "报告或移送对象"),
    "method": pgettext_lazy("field_names", "方式"),
    "reference": gettext_lazy("文号或登记号"),
    "family_member": pgettext_lazy("field_names", "被告知的家属"),
    "answer": pgettext_lazy("field_names", "家属意见"),
    "body_kept": pgettext_lazy("field_names", "尸体存放方法"),
    "died_at": pgettext_lazy("field_names", "死亡时间"),
    "body_frozen": gettext_lazy("尸体冻存"),
    "members": gettext_lazy("出席委员"),
    "decision": pgettext_lazy("field_names", "裁定决定"),
    "patient_told": pgettext_lazy("field_names", "患方被告知人"),
    "patient_told_at": pgettext_lazy("field_names", "患方告知时间"),
    "patient_told_how": pgettext_lazy("field_names", "患方告知方式"),
    "hospital_told": pgettext_lazy("field_names", "院方被告知人"),
    "hospital_told_at": pgettext_lazy("field_names", "院方告知时间"),
    "hospital_told_how": pgettext_lazy("field_names", "院方告知方式"),
    "patient_signatory": pgettext_lazy("field_names", "患方签字人"),
    "hospital_signatory": pgettext_lazy("field_names", "院方签字人"),
}
FORM_NAMES: dict[str, Text] = {
    "note": pgettext_lazy("form_names", "记录"),
    "sealing": gettext_lazy("封存记录"),
    "authority_notice": gettext_lazy("报告主管部门"),
    "autopsy_notice": gettext_lazy("尸检告知"),
    "referral": gettext_lazy("调处或鉴定移送"),
    "committee_decision": gettext_lazy("裁定委员会决定"),
    "decision_notice": gettext_lazy("裁定决定告知"),
}


def _name(name: str) -> Text:
    return FIELD_NAMES.get(name, name)


def check(
    step: ProcedureStep, policy: Policy, data: RecordProcedureStepIn, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record's details and the patient side's names, or a 422 saying what is wrong."""
    form = step.record
    given = data.model_dump(mode="json", exclude_defaults=True)
    allowed = ALWAYS | set(REQUIRED[form]) | set(OPTIONAL[form])
    for name in given:
        if name not in allowed:
            raise invalid(
                name, gettext_lazy("“{field}”不属于{form}，请删去"),
                {"field": _name(name), "form": FORM_NAMES[form]},
            )  # fmt: skip
    for name in REQUIRED[form]:
        if name not in given:
            raise invalid(name, gettext_lazy("请填写{field}"), {"field": _name(name)})
    for name in MOMENTS:
        value = getattr(data, name)
        if value is None:
            continue
        if value.utcoffset() is None:
            raise invalid(name, gettext_lazy("时间须带时区"))
        sane_moment(value, name)
        if value > now:
            raise invalid(name, gettext_lazy("{field}不能晚于现在"), {"field": _name(name)})
    if form == "sealing":
        _sides(data)
    if form in ("authority_notice", "referral"):
        _target(step, policy, data.target)
    if form == "autopsy_notice" and data.died_at is not None:
        told = data.occurred_at or now
        if told < data.died_at:
            raise invalid(
                "occurred_at", gettext_lazy("告知时间不能早于死亡时间"),
            )  # fmt: skip
    details = {k: v for k, v in given.items() if k not in ALWAYS and k not in PATIENT_SIDE}
    if form == "autopsy_notice" and data.died_at is not None:
        details.update(autopsy_limit(step, data.died_at, data.body_frozen, data.occurred_at or now))
    patient = {k: given[k] for k in PATIENT_SIDE if k in given}
    return details, patient


def autopsy_limit(
    step: ProcedureStep, died_at: datetime, frozen: bool, told_at: datetime
) -> dict[str, Any]:
    """The policy's autopsy limit (医疗事故处理条例 art. 18: within 48 hours of death, up to
    7 days where the body is kept frozen), when it ends, and whether the family was told
    only after it had ended (the notice then says so instead of naming a date gone by)."""
    if frozen and step.within_days_frozen:
        out: dict[str, Any] = {"autopsy_days": step.within_days_frozen}
        by = died_at + timedelta(days=step.within_days_frozen)
    elif step.within_hours:
        out = {"autopsy_hours": step.within_hours}
        by = died_at + timedelta(hours=step.within_hours)
    else:
        return {}
    out["autopsy_by"] = by.isoformat()
    if told_at > by:
        out["autopsy_limit_passed"] = True
    return out


def _sides(data: RecordProcedureStepIn) -> None:
    """Both parties signed, or their refusal is noted — never a name made up."""
    for side, who in (
        ("patient", gettext_lazy("患方")),
        ("hospital", gettext_lazy("院方")),
    ):
        signed = getattr(data, f"{side}_signatory")
        refused = getattr(data, f"{side}_refused")
        if not signed and not refused:
            raise invalid(
                f"{side}_signatory", gettext_lazy("请填写{side}签字人；拒绝签字的，请注明“拒绝签字”"),
                {"side": who},
            )  # fmt: skip


def _target(step: ProcedureStep, policy: Policy, code: str) -> None:
    allowed = step.targets or tuple(t.code for t in policy.referral_targets)
    if code not in allowed or policy.referral_target(code) is None:
        names = "、".join(
            t.name_zh for c in allowed if (t := policy.referral_target(c)) is not None
        )
        raise invalid(
            "target", gettext_lazy("该步骤只能报告或移送至：{targets}"),
            {"targets": either(names, ", ".join(allowed))},
        )  # fmt: skip

"""A case's procedures as this viewer may see them: each step done (when, by whom, what was
recorded) or not yet. The patient side's names only where ``identity_visible``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext, pgettext_lazy

from tousu.cases.access import Actor, identity_visible
from tousu.cases.models import Case
from tousu.cases.redaction import identity_masker
from tousu.documents.build import document_datetime, joined, moment
from tousu.i18n import Text, localized
from tousu.orgs.people import display_name
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy
from tousu.policy.sections import Procedure, ProcedureStep
from tousu.procedures.desk import ANSWERS, METHODS
from tousu.procedures.models import ProcedureRun, StepRecord

SEALED_NAME = gettext_lazy("（身份信息依规保密）")
# Forms with a printable document, and its title.
DOCUMENTS: dict[str, Text] = {
    "sealing": pgettext_lazy("document title", "封存记录"),
    "autopsy_notice": pgettext_lazy("document title", "尸检告知书"),
    "authority_notice": pgettext_lazy("document title", "重大医疗纠纷报告"),
    "decision_notice": pgettext_lazy("document title", "医疗纠纷裁定决定告知书"),
}


def zh_time(value: Any, tz: ZoneInfo) -> str:
    """A moment (a datetime or its ISO text, as events keep it) as the active language writes
    it: 2026年11月5日 14:30, 5 November 2026 14:30."""
    return document_datetime(moment(value), tz)


def method(code: str) -> str:
    return str(METHODS.get(code, code)) if code else ""


def answer(code: str) -> str:
    return str(ANSWERS.get(code, code)) if code else ""


def who(user: Any) -> str:
    """Who recorded a step (告知人, 记录人, 报告人): name and title, never the username."""
    return display_name(user, title=True)


@dataclass
class Entry:
    """One record of a step, as shown."""

    no: int
    step: str
    form: str
    at: datetime
    by: str
    body: str
    details: dict[str, Any]
    patient: dict[str, str]
    seal_number: str
    target: str
    count: int = 1


@dataclass
class StepView:
    step: ProcedureStep
    groups: list[str]
    records: list[Entry] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return bool(self.records)

    @property
    def latest(self) -> Entry | None:
        return self.records[-1] if self.records else None

    @property
    def document(self) -> str:
        return str(DOCUMENTS.get(self.step.record, ""))


@dataclass
class RunView:
    procedure: Procedure
    started_at: datetime
    started_by: str
    steps: list[StepView]


def patient_names(record: StepRecord, visible: bool) -> dict[str, str]:
    """The patient side's names on a record, or the sealed marker for each of them."""
    names = record.patient_side or {}
    return {k: (str(v) if visible else str(SEALED_NAME)) for k, v in names.items() if v}


def runs(case: Case, actor: Actor, policy: Policy | None = None) -> list[RunView]:
    policy = policy or policy_for(case.policy_version_id)[1]
    opened = list(ProcedureRun.objects.filter(case=case).select_related("started_by"))
    if not opened:
        return []
    visible = identity_visible(actor, case)
    # Free text may name the patient side: masked for viewers who may not see the identity.
    mask = (lambda text: text) if visible else identity_masker(case)
    records = list(
        StepRecord.objects.filter(case=case).select_related("record", "recorded_by").order_by("no")
    )
    out = []
    for run in opened:
        proc = next((p for p in policy.procedures if p.code == run.code), None)
        if proc is None:
            continue
        views = []
        for st in proc.steps:
            groups = [g.zh for code in st.by if (g := proc.group(code)) is not None]
            view = StepView(st, groups)
            for r in records:
                if r.run_id == run.pk and r.step == st.code:
                    view.records.append(
                        Entry(
                            no=r.no,
                            step=r.step,
                            form=r.form,
                            at=r.recorded_at,
                            by=who(r.recorded_by),
                            body=mask(r.record.body),
                            details=json.loads(mask(json.dumps(r.record.data, ensure_ascii=False))),
                            patient=patient_names(r, visible),
                            seal_number=r.seal_number,
                            target=r.target,
                            count=len(view.records) + 1,
                        )  # fmt: skip
                    )
            views.append(view)
        out.append(RunView(proc, run.started_at, who(run.started_by), views))
    return out


def autopsy_limit(d: dict[str, Any], tz: ZoneInfo) -> str:
    """The autopsy limit a notice recorded, in words: until when, on which basis, and
    whether it had passed when the family was told (or has passed since)."""
    if not d.get("autopsy_by"):
        return ""
    by = zh_time(d["autopsy_by"], tz)
    if d.get("autopsy_days"):
        basis = gettext("（尸体冻存，死亡后{days}日内）").format(days=d["autopsy_days"])
    elif d.get("autopsy_hours"):
        basis = gettext("（死亡后{hours}小时内）").format(hours=d["autopsy_hours"])
    else:  # recorded before the record kept its basis
        basis = ""
    if d.get("autopsy_limit_passed"):
        return gettext("尸检时限已于{by}届满{basis}，告知时已超过").format(by=by, basis=basis)
    if (end := moment(d["autopsy_by"])) is not None and end < timezone.now():
        return gettext("尸检时限至{by}{basis}，已届满").format(by=by, basis=basis)
    return gettext("尸检时限至{by}{basis}").format(by=by, basis=basis)


def summary(entry: Entry, policy: Policy, tz: ZoneInfo) -> str:
    """One line in the active language saying what the record holds."""
    d, p = entry.details, entry.patient
    target = policy.referral_target(entry.target) if entry.target else None
    target_name = localized(target.name_zh, target.name_en) if target else entry.target
    if entry.form == "sealing":
        sides = []
        for side, called in (("patient", gettext("患方")), ("hospital", gettext("院方"))):
            signatory = p.get(f"{side}_signatory") or d.get(f"{side}_signatory") or ""
            if d.get(f"{side}_refused"):
                line = gettext("{side}：{signatory}（拒绝签字）")
            else:
                line = gettext("{side}：{signatory}")
            sides.append(line.format(side=called, signatory=signatory))
        return gettext(
            "封号 {seal}；{at}于{location}封存{items}；封存人{sealed_by}；见证人{witnesses}；{sides}"
        ).format(
            seal=entry.seal_number,
            at=zh_time(d.get("occurred_at"), tz),
            location=d.get("location", ""),
            items=joined(d.get("items", [])),
            sealed_by=joined(d.get("sealed_by", [])),
            witnesses=joined(d.get("witnesses", [])),
            sides=pgettext("list of clauses", "；").join(sides),
        )
    if entry.form == "authority_notice":
        return gettext("{at}以{method}方式报{target}（文号 {reference}）").format(
            at=zh_time(d.get("occurred_at"), tz),
            method=method(d.get("method", "")),
            target=target_name,
            reference=d.get("reference", ""),
        )
    if entry.form == "referral":
        at = zh_time(d.get("occurred_at"), tz)
        if d.get("reference"):
            return gettext("{at}移送{target}（{reference}）").format(
                at=at, target=target_name, reference=d["reference"]
            )
        return gettext("{at}移送{target}").format(at=at, target=target_name)
    if entry.form == "autopsy_notice":
        relation = p.get("family_relation", "")
        if relation:
            told = gettext("告知家属{member}（{relation}）：").format(
                member=p.get("family_member", ""), relation=relation
            )
        else:
            told = gettext("告知家属{member}：").format(member=p.get("family_member", ""))
        kept = d.get("body_kept", "")
        if d.get("body_frozen"):
            kept = gettext("{kept}（冻存）").format(kept=kept)
        line = told + gettext("{answer}；尸体存放：{kept}").format(
            answer=answer(d.get("answer", "")), kept=kept
        )
        limit = autopsy_limit(d, tz)
        return line + pgettext("list of clauses", "；") + limit if limit else line
    if entry.form == "committee_decision":
        return gettext("{at}裁定委员会会议（出席：{members}）：{decision}").format(
            at=zh_time(d.get("occurred_at"), tz),
            members=joined(d.get("members", [])),
            decision=d.get("decision", ""),
        )
    if entry.form == "decision_notice":
        return gettext(
            "患方 {patient} {patient_at}{patient_how}告知；院方 {hospital} {hospital_at}{hospital_how}告知"
        ).format(
            patient=p.get("patient_told", ""),
            patient_at=zh_time(d.get("patient_told_at"), tz),
            patient_how=method(d.get("patient_told_how", "")),
            hospital=d.get("hospital_told", ""),
            hospital_at=zh_time(d.get("hospital_told_at"), tz),
            hospital_how=method(d.get("hospital_told_how", "")),
        )
    return entry.body

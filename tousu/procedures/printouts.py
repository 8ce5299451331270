"""A case's procedures as this viewer may see them: each step done (when, by whom, what was
recorded) or not yet. The patient side's names only where ``identity_visible``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tousu.cases.access import Actor, identity_visible
from tousu.cases.models import Case
from tousu.cases.redaction import identity_masker
from tousu.documents.build import moment, zh_datetime
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy
from tousu.policy.sections import Procedure, ProcedureStep
from tousu.procedures.desk import ANSWERS, METHODS
from tousu.procedures.models import ProcedureRun, StepRecord

SEALED_NAME = "（身份信息依规保密）"
REFUSED = "拒绝签字"
# Forms with a printable document, and its title.
DOCUMENTS: dict[str, str] = {
    "sealing": "封存记录",
    "autopsy_notice": "尸检告知书",
    "authority_notice": "重大医疗纠纷报告",
    "decision_notice": "医疗纠纷裁定决定告知书",
}


def zh_time(value: Any, tz: ZoneInfo) -> str:
    """A moment (a datetime or its ISO text, as events keep it) as 2026年11月5日 14:30."""
    return zh_datetime(moment(value), tz)


def method(code: str) -> str:
    return str(METHODS.get(code, code)) if code else ""


def answer(code: str) -> str:
    return str(ANSWERS.get(code, code)) if code else ""


def who(user: Any) -> str:
    if user is None:
        return ""
    full = str(user.get_full_name() or "").strip()
    return f"{full}（{user.get_username()}）" if full else str(user.get_username())


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
        return DOCUMENTS.get(self.step.record, "")


@dataclass
class RunView:
    procedure: Procedure
    started_at: datetime
    started_by: str
    steps: list[StepView]


def patient_names(record: StepRecord, visible: bool) -> dict[str, str]:
    """The patient side's names on a record, or the sealed marker for each of them."""
    names = record.patient_side or {}
    return {k: (str(v) if visible else SEALED_NAME) for k, v in names.items() if v}


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


def summary(entry: Entry, policy: Policy, tz: ZoneInfo) -> str:
    """One line in Chinese saying what the record holds."""
    d, p = entry.details, entry.patient
    target = policy.referral_target(entry.target) if entry.target else None
    target_name = target.name_zh if target else entry.target
    if entry.form == "sealing":
        sides = "；".join(
            f"{zh}：{p.get(f'{side}_signatory') or d.get(f'{side}_signatory') or ''}"
            + (f"（{REFUSED}）" if d.get(f"{side}_refused") else "")
            for side, zh in (("patient", "患方"), ("hospital", "院方"))
        )
        return (
            f"封号 {entry.seal_number}；{zh_time(d.get('occurred_at'), tz)}于{d.get('location', '')}"
            f"封存{'、'.join(d.get('items', []))}；封存人{'、'.join(d.get('sealed_by', []))}；"
            f"见证人{'、'.join(d.get('witnesses', []))}；{sides}"
        )
    if entry.form == "authority_notice":
        return (
            f"{zh_time(d.get('occurred_at'), tz)}以{method(d.get('method', ''))}方式报{target_name}"
            f"（文号 {d.get('reference', '')}）"
        )
    if entry.form == "referral":
        ref = f"（{d['reference']}）" if d.get("reference") else ""
        return f"{zh_time(d.get('occurred_at'), tz)}移送{target_name}{ref}"
    if entry.form == "autopsy_notice":
        relation = p.get("family_relation", "")
        return (
            f"告知家属{p.get('family_member', '')}{f'（{relation}）' if relation else ''}："
            f"{answer(d.get('answer', ''))}；尸体存放：{d.get('body_kept', '')}；"
            f"尸检时限至{zh_time(d.get('autopsy_by'), tz)}"
        )
    if entry.form == "committee_decision":
        return (
            f"{zh_time(d.get('occurred_at'), tz)}裁定委员会会议（出席：{'、'.join(d.get('members', []))}）："
            f"{d.get('decision', '')}"
        )
    if entry.form == "decision_notice":
        return (
            f"患方 {p.get('patient_told', '')} {zh_time(d.get('patient_told_at'), tz)}"
            f"{method(d.get('patient_told_how', ''))}告知；院方 {d.get('hospital_told', '')} "
            f"{zh_time(d.get('hospital_told_at'), tz)}{method(d.get('hospital_told_how', ''))}告知"
        )
    return entry.body

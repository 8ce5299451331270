"""The procedures part of the policy: groups, who takes each step, record forms, targets."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from tousu.policy.loader import PolicyError, parse_toml, preset_names, preset_source, validate


def _hospital() -> dict[str, Any]:
    return tomllib.loads(preset_source("hospital"))


def _medical_dispute(doc: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in doc["procedures"] if p["code"] == "medical_dispute")


def _refused(doc: dict[str, Any], words: str) -> None:
    with pytest.raises(PolicyError) as refused:
        validate(doc)
    assert words in str(refused.value), refused.value.problems


def test_every_preset_still_loads_and_its_steps_default_to_notes() -> None:
    for name in preset_names():
        policy = parse_toml(preset_source(name))
        for proc in policy.procedures:
            for step in proc.steps:
                assert step.record in {
                    "note", "sealing", "authority_notice", "autopsy_notice", "referral",
                    "committee_decision", "decision_notice",
                }  # fmt: skip
                assert set(step.by) <= {g.code for g in proc.groups}


def test_the_hospital_names_its_groups_and_who_takes_each_step() -> None:
    policy = parse_toml(preset_source("hospital"))
    proc = next(p for p in policy.procedures if p.code == "medical_dispute")
    office = proc.group("office")
    assert office is not None and office.department == "medical_affairs"
    assert set(office.roles) == {"department_head", "handler"}
    leadership = proc.group("leadership")
    assert leadership is not None and "leader" in leadership.roles
    forms = {s.code: (s.record, s.by, s.targets) for s in proc.steps}
    assert forms["seal_items"] == ("sealing", ("office",), ())
    assert forms["seal_records"][0] == "sealing"
    assert forms["authority"] == (
        "authority_notice",
        ("office",),
        ("health_authority", "dispute_centre"),
    )
    assert forms["autopsy"][0] == "autopsy_notice"
    assert forms["appraisal"] == (
        "referral",
        ("office",),
        ("dispute_centre", "medical_association"),
    )
    assert forms["committee"][0] == "committee_decision"
    assert forms["decision"][0] == "decision_notice"
    assert proc.complexity == "major" and proc.notify == ("leadership",)
    assert all(s.clause.startswith("[纠纷]") for s in proc.steps)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda p: p["steps"][0].update(by=["nobody"]), "unknown group nobody"),
        (lambda p: p.update(notify=["board"]), "unknown group board"),
        (lambda p: p["groups"][1].update(department="no_such_dept"), "no_such_dept"),
        (lambda p: p["steps"][5].update(targets=["no_target"]), "no_target"),
        (lambda p: p["steps"][0].update(targets=["health_authority"]), "targets need record"),
        (lambda p: p["steps"][0].update(record="minutes"), "record"),
        (lambda p: p["groups"].append(dict(p["groups"][0])), "duplicate groups"),
        (lambda p: p["groups"][0].update(roles=[]), "roles"),
    ],
)
def test_a_malformed_procedure_is_refused(change: Any, words: str) -> None:
    doc = _hospital()
    change(_medical_dispute(doc))
    _refused(doc, words)


def test_the_autopsy_time_limit_is_the_policys_not_the_codes() -> None:
    """医疗事故处理条例 art. 18 (48 hours, 7 days frozen) stands in the hospital preset; a
    policy that changes it changes the deadline the notice states."""
    from datetime import UTC, datetime

    from tousu.procedures.forms import check
    from tousu.procedures.inputs import RecordProcedureStepIn

    doc = _hospital()

    def autopsy(policy: Any) -> Any:
        proc = next(p for p in policy.procedures if p.code == "medical_dispute")
        return next(s for s in proc.steps if s.code == "autopsy")

    policy = validate(doc)
    assert (autopsy(policy).within_hours, autopsy(policy).within_days_frozen) == (48, 7)
    for s in _medical_dispute(doc)["steps"]:
        if s["code"] == "autopsy":
            s["within_hours"] = 24
    changed = validate(doc)
    died = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    data = RecordProcedureStepIn.model_validate({
        "procedure": "medical_dispute", "step": "autopsy", "family_member": "冯建军",
        "answer": "consent", "body_kept": "太平间冷藏", "died_at": died.isoformat(),
        "occurred_at": "2026-11-20T05:00:00+00:00",
    })  # fmt: skip
    now = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    by = [check(autopsy(p), p, data, now)[0]["autopsy_by"] for p in (policy, changed)]
    assert by == ["2026-11-22T03:00:00+00:00", "2026-11-21T03:00:00+00:00"]

"""Policies per organisation: copied from a preset, validated on activation, versioned."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tousu.cases import actions, inputs, intake
from tousu.cases.errors import TousuError
from tousu.cases.models import Case, Deadline
from tousu.conftest import World
from tousu.policy.loader import PolicyError, preset_source
from tousu.policy.services import activate_policy

LETTER = inputs.RegisterIn(
    kind="complaint",
    channel="phone",
    category="fees",
    content="重复收费",
    complainant=inputs.ComplainantIn(name="孙丽", phone="13600000000"),
    subject=inputs.SubjectIn(type="department", name="收费处"),
)


def test_an_invalid_document_is_refused_and_the_previous_version_stays(world: World) -> None:
    before = world.org.active_policy_id
    broken = preset_source("general").replace('unit = "working_days"', 'unit = "fortnights"', 1)
    with pytest.raises(PolicyError):
        activate_policy(world.org, broken)
    world.org.refresh_from_db()
    assert world.org.active_policy_id == before
    assert world.org.policies.count() == 1


def test_a_case_keeps_the_version_it_was_registered_under(world: World) -> None:
    old_case = intake.register(world.actor("clerk"), LETTER)
    shorter = (
        preset_source("general")
        .replace("amount = 5\n", "amount = 2\n", 1)
        .replace("收到后5个工作日内", "收到后2个工作日内", 1)
        .replace('within 5 working days of receipt"', 'within 2 working days of receipt"', 1)
    )
    v2 = activate_policy(world.org, shorter)
    assert v2.number == 2
    new_case = intake.register(world.actor("clerk"), LETTER)
    old_due = Deadline.objects.get(case=old_case, stage="acceptance")
    new_due = Deadline.objects.get(case=new_case, stage="acceptance")
    assert old_due.rule["amount"] == 5 and new_due.rule["amount"] == 2
    old_case.refresh_from_db()
    assert old_case.policy_version.number == 1
    # ... and the old case's later clocks still follow version 1
    actions.accept(old_case.pk, actor=world.actor("dispatcher"), data=inputs.AcceptIn())
    reply = Deadline.objects.get(case=old_case, stage="reply")
    assert reply.rule["amount"] == 15


def test_missing_details_wait_for_acceptance_not_registration(world: World) -> None:
    payload = LETTER.model_copy(update={"subject": None})
    case = intake.register(world.actor("clerk"), payload)
    assert case.status == "registered" and case.missing_fields == ["subject"]
    r = world.api("dispatcher").get(f"/cases/{case.number}")
    assert r.json()["refusal_reasons_offered"] == ["no_clear_subject"]
    with pytest.raises(TousuError) as refused:
        actions.accept(case.pk, actor=world.actor("dispatcher"), data=inputs.AcceptIn())
    assert refused.value.code == "missing_fields"
    actions.ACTION_FUNCTIONS["amend"][0](
        case.pk,
        actor=world.actor("clerk"),
        data=inputs.AmendIn(subject=inputs.SubjectIn(type="merchant", name="张记肉铺")),
    )
    case.refresh_from_db()
    assert case.missing_fields == []
    actions.accept(case.pk, actor=world.actor("dispatcher"), data=inputs.AcceptIn())
    case.refresh_from_db()
    assert case.status == "accepted"
    amended = case.events.get(type="amended")
    assert amended.data["changed"] == ["subject"]
    assert "张记肉铺" not in str(amended.data)


def test_correcting_the_complainant_keeps_the_earlier_record(world: World) -> None:
    case = intake.register(world.actor("clerk"), LETTER)
    actions.ACTION_FUNCTIONS["amend"][0](
        case.pk,
        actor=world.actor("clerk"),
        data=inputs.AmendIn(complainant=inputs.ComplainantIn(name="孙丽", phone="13600000001")),
    )
    phones = [(p.phone, p.superseded_at) for p in case.parties.order_by("pk")]
    assert phones[0][0] == "13600000000" and phones[0][1] is not None
    assert phones[1] == ("13600000001", None)
    shown = world.api("handler").get(f"/cases/{case.number}")  # not the handler's yet
    assert shown.status_code == 404
    shown = world.api("clerk").get(f"/cases/{case.number}").json()
    assert [p["phone"] for p in shown["parties"]] == ["13600000001"]


def test_the_policy_says_who_decides_acceptance(world: World) -> None:
    leaders_only = preset_source("general").replace(
        "[split]", '[permissions]\ndecide_acceptance = ["leader"]\n\n[split]'
    )
    activate_policy(world.org, leaders_only)
    case = intake.register(world.actor("clerk"), LETTER)
    with pytest.raises(TousuError) as refused:
        actions.accept(case.pk, actor=world.actor("dispatcher"), data=inputs.AcceptIn())
    assert refused.value.code == "action_forbidden"
    actions.accept(case.pk, actor=world.actor("leader"), data=inputs.AcceptIn())
    assert Case.objects.get(pk=case.pk).status == "accepted"


def test_a_policy_that_keeps_mixed_submissions_whole_refuses_to_split(world: World) -> None:
    activate_policy(
        world.org,
        preset_source("general").replace(
            'mixed_submissions = "split"', 'mixed_submissions = "single"'
        ),
    )
    case = intake.register(world.actor("clerk"), LETTER)
    with pytest.raises(TousuError) as refused:
        actions.split(
            case.pk,
            actor=world.actor("dispatcher"),
            data=inputs.SplitIn(parts=[inputs.SplitPartIn(kind="report", content="另案举报")]),
        )
    assert refused.value.code == "split_not_in_policy"
    assert Case.objects.filter(org=world.org).count() == 1


def test_two_departments_select_the_longer_limit_and_raise_complexity(world: World) -> None:
    doc = preset_source("general").replace(
        '[[deadlines]]\nstage = "reply"',
        '[[deadlines]]\nstage = "reply"\nstart = "accepted"\namount = 25\nunit = "working_days"\n'
        'departments_min = 2\ntext_zh = "涉及两个以上部门的，受理后25个工作日内答复"\n\n'
        '[[complexity_levels]]\nlevel = "complex"\nzh = "复杂"\ndepartments_min = 2\n\n'
        '[[deadlines]]\nstage = "reply"',
        1,
    )
    activate_policy(world.org, doc)
    case = intake.register(world.actor("clerk"), LETTER)
    actions.classify(
        case.pk,
        actor=world.actor("dispatcher"),
        data=inputs.ClassifyIn(departments=["finance", "service"]),
    )
    actions.accept(case.pk, actor=world.actor("dispatcher"), data=inputs.AcceptIn())
    case.refresh_from_db()
    assert case.involved_departments == 2 and case.complexity == "complex"
    assert Deadline.objects.get(case=case, stage="reply").rule["amount"] == 25


def test_policy_check_names_the_key_and_policy_show_round_trips(tmp_path: Path) -> None:
    out, err = StringIO(), StringIO()
    call_command("policy", "show", "general", stdout=out)
    saved = tmp_path / "mine.toml"
    saved.write_text(out.getvalue(), encoding="utf-8")
    call_command("policy", "check", str(saved), stdout=out)
    assert "ok" in out.getvalue()
    broken = tmp_path / "broken.toml"
    broken.write_text(preset_source("general").replace("[numbering]", "[numbering]\nfromat = 1"))
    with pytest.raises(CommandError, match="invalid policy"):
        call_command("policy", "check", str(broken), stdout=out, stderr=err)
    assert "numbering.fromat: Extra inputs are not permitted" in err.getvalue()

"""Preset departures from their regulation that are fixed, not recorded: one test each.

Dates are worked out by hand on the 2026 calendar (the State Council notice); times are
Beijing time (UTC+8).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tousu.cases import actions, inputs, intake
from tousu.cases.access import Actor
from tousu.cases.models import Case, Deadline
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy
from tousu.policy.services import create_org
from tousu.policy.tests.scenario import decider, staff

CST = timezone(timedelta(hours=8))


def at(y: int, m: int, d: int, hh: int = 17, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=CST)


def _org(preset: str) -> tuple[Policy, dict[str, Actor]]:
    org = create_org(f"dep-{preset}", preset=preset)
    policy = policy_for(org.active_policy_id or 0)[1]
    return policy, staff(org, policy, [])


def _register(clerk: Actor, now: datetime, **body: Any) -> Case:
    data = {
        "kind": "complaint",
        "channel": "letter",
        "content": "反映窗口工作人员办事拖拉",
        "demands": "请调查处理",
        "complainant": {"name": "吴静", "phone": "13700007777", "address": "中山路1号"},
        "subject": {"type": "staff", "name": "3号窗口工作人员"},
        "received_at": now.isoformat(),
        **body,
    }
    return intake.register(clerk, inputs.RegisterIn.model_validate(data), now=now)


@pytest.mark.django_db
def test_gov_service_an_online_complaint_is_not_a_written_one() -> None:
    # 第3条 lists 书面 and 网上投诉 as separate forms; 第5条's "一般书面投诉在2个工作日内作出答复"
    # and 第6条's "书面投诉必须书面答复" are for letters.
    policy, actors = _org("gov-service")
    assert policy.written_channels == ("letter",)
    chief = decider(actors, policy.permissions.decide_acceptance)
    # Both arrive Monday 1 June 2026 at 10:00 and are accepted at once.
    received = at(2026, 6, 1, 10)
    cat = policy.categories[0].code
    letter = _register(actors["clerk"], received, category=cat)
    online = _register(actors["clerk"], received, channel="web", category=cat)
    for case in (letter, online):
        actions.accept(case.pk, actor=chief, data=inputs.AcceptIn(), now=received)
    by_letter = Deadline.objects.get(case=letter, stage="reply", hard=True)
    by_web = Deadline.objects.get(case=online, stage="reply", hard=True)
    # The letter gets 第5条's written-complaint rule; the online complaint the rule for
    # other forms (an organisation default of the same 2 working days: Wed 3 June 17:00).
    assert not by_letter.rule["org_default"] and by_letter.rule["clause"] == "第5条"
    assert by_web.rule["org_default"] and by_web.rule["clause"] == "第5条（单位默认）"
    assert by_web.due_at == by_letter.due_at == at(2026, 6, 3)


@pytest.mark.django_db
def test_gov_service_an_online_complaint_needs_no_postal_contact() -> None:
    policy, actors = _org("gov-service")
    cat = policy.categories[0].code
    nobody = {"name": "匿名", "anonymous": True}
    online = _register(
        actors["clerk"], at(2026, 6, 1, 10), channel="web", category=cat, complainant=nobody
    )
    letter = _register(actors["clerk"], at(2026, 6, 1, 10), category=cat, complainant=nobody)
    assert "complainant.contact" not in online.missing_fields
    assert "complainant.contact" in letter.missing_fields


@pytest.mark.django_db
def test_tobacco_a_report_about_an_officer_needs_no_address_of_the_person_reported() -> None:
    # 六 "对有明确的被举报人姓名及地址、违法事实的，应予以登记" is about the monopoly
    # violations of 一(1); a report of an officer's misconduct (一(2)) names the officer.
    policy, actors = _org("tobacco")
    officer = _register(
        actors["clerk"], at(2026, 6, 15, 9), kind="report", channel="phone",
        category="bribery", subject={"type": "staff", "name": "稽查员 赵某"},
    )  # fmt: skip
    assert officer.missing_fields == []
    shop = _register(
        actors["clerk"], at(2026, 6, 15, 9), kind="report", channel="phone",
        category="counterfeit", subject={"type": "merchant", "name": "李记小卖部"},
    )  # fmt: skip
    assert shop.missing_fields == ["subject.address"]


def test_required_refuses_an_unknown_excluded_category() -> None:
    from tousu.policy.loader import PolicyError, parse_toml, preset_source

    text = preset_source("tobacco").replace(
        'exclude_categories = ["officer_misconduct"]', 'exclude_categories = ["no_such"]'
    )
    with pytest.raises(PolicyError) as err:
        parse_toml(text)
    assert "no_such" in str(err.value)


@pytest.mark.django_db
def test_hospital_an_inpatient_complaint_goes_to_the_wards_nurse_station() -> None:
    # [人民医院]2 "住院病人投诉由各科护士站负责接待处理".
    policy, _ = _org("hospital")
    lead, _co = policy.route(category="inpatient", subject_type="staff", channel="visit",
                             kind="complaint")  # fmt: skip
    assert lead == "clinical_depts"


def test_borrowed_limits_are_marked_organisation_defaults() -> None:
    # pcb-quality's 处理期限 is lost; its 1- and 2-day limits come from customer-service 五.
    from tousu.policy.loader import parse_toml, preset_source

    pcb = parse_toml(preset_source("pcb-quality"))
    borrowed = [r for r in pcb.deadlines if "[customer-service]五" in r.clause]
    assert {r.stage for r in borrowed} == {"investigation_start", "first_response"}
    assert all(r.org_default for r in borrowed)
    health = parse_toml(preset_source("health-products"))
    assert all(r.org_default for r in health.deadlines if "参照" in r.clause)


def test_integrity_does_not_cite_article_5_for_confidentiality() -> None:
    from tousu.policy.loader import parse_toml, preset_source

    policy = parse_toml(preset_source("integrity"))
    for promise in policy.public_notice.promises_zh:
        assert not ("保密" in promise and "第五条" in promise), promise

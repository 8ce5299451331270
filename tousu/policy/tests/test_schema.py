"""Policy documents: validated with errors that name the key."""

from __future__ import annotations

import pytest

from tousu.policy.loader import PolicyError, parse_toml, preset_names, preset_source


def test_every_shipped_preset_validates() -> None:
    for name in preset_names():
        policy = parse_toml(preset_source(name))
        assert policy.identity.name_zh


def test_an_unknown_key_is_an_error_naming_it() -> None:
    source = preset_source("general").replace("[numbering]", "[numbering]\nformt = 'x'")
    with pytest.raises(PolicyError) as info:
        parse_toml(source)
    assert ("numbering.formt", "Extra inputs are not permitted") in info.value.problems


def test_a_category_routed_to_a_missing_department_is_an_error() -> None:
    source = preset_source("general").replace('lead = "finance"', 'lead = "accounts"')
    with pytest.raises(PolicyError, match="unknown department 'accounts'"):
        parse_toml(source)


def test_a_bad_deadline_unit_and_a_broken_toml_are_errors() -> None:
    source = preset_source("general").replace('unit = "working_days"', 'unit = "fortnights"', 1)
    with pytest.raises(PolicyError) as info:
        parse_toml(source)
    assert any(path.startswith("deadlines.0.unit") for path, _ in info.value.problems)
    with pytest.raises(PolicyError, match="not valid TOML"):
        parse_toml("[identity\nname_zh=")


def test_rules_are_chosen_per_stage_by_kind_channel_and_complexity() -> None:
    policy = parse_toml(preset_source("general"))
    rules = policy.rules_for(
        kind="complaint", channel="phone", complexity="general", start="received"
    )
    assert [r.stage for r in rules] == ["acceptance"]
    assert rules[0].amount == 5 and rules[0].unit == "working_days"


def test_all_eighteen_regulations_ship_as_presets_and_each_cites_its_source() -> None:
    expected = {
        "market", "enterprise", "gov-service", "work-safety", "pcb-quality", "integrity",
        "website", "consumer-12315", "scenic-area", "hospital", "law-firm", "food-drug",
        "customer-service", "tobacco", "health-products", "samr-regulator", "petitions",
        "whistleblowing",
    }  # fmt: skip
    assert expected <= set(preset_names())
    for name in expected:
        policy = parse_toml(preset_source(name))
        assert policy.identity.source, name
        assert policy.departments and policy.categories and policy.deadlines, name
        assert all(rule.clause or rule.org_default for rule in policy.deadlines), name
        assert policy.retention.years >= 2, name

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


def test_a_clock_cannot_count_from_an_event_after_it_becomes_known() -> None:
    later = preset_source("general").replace(
        'stage = "acceptance"\nstart = "received"',
        'stage = "acceptance"\nstart = "received"\ncounts_from = "accepted"',
        1,
    )
    with pytest.raises(PolicyError, match="cannot count from 'accepted'"):
        parse_toml(later)
    sibling = preset_source("general").replace(
        'stage = "reply"\nstart = "accepted"',
        'stage = "reply"\nstart = "accepted"\ncounts_from = "rejected"',
        1,
    )
    with pytest.raises(PolicyError, match="cannot count from 'rejected'"):
        parse_toml(sibling)


def test_rest_days_open_is_for_calendar_periods_and_exclusions_name_known_categories() -> None:
    working = preset_source("general").replace(
        'stage = "acceptance"\nstart = "received"',
        'stage = "acceptance"\nstart = "received"\nrest_days_open = true',
        1,
    )
    with pytest.raises(PolicyError, match="rest_days_open applies to calendar periods"):
        parse_toml(working)
    unknown = preset_source("general").replace(
        'stage = "reply"\nstart = "accepted"',
        'stage = "reply"\nstart = "accepted"\nexclude_categories = ["nothing_like_it"]',
        1,
    )
    with pytest.raises(PolicyError, match="unknown category 'nothing_like_it'"):
        parse_toml(unknown)


def test_an_excluded_category_takes_its_sub_categories_with_it() -> None:
    policy = parse_toml(preset_source("hospital"))
    dispute = policy.category("medical_dispute")
    assert dispute is not None
    child = dispute.model_copy(update={"code": "surgery_dispute", "parent": "medical_dispute"})
    policy = policy.model_copy(update={"categories": (*policy.categories, child)})

    def resolution(category: str) -> list[int]:
        rules = policy.rules_for(
            kind="complaint", channel="visit", complexity="general", start="assigned",
            category=category,
        )  # fmt: skip
        return [r.amount for r in rules if r.stage == "resolution"]

    assert resolution("fees") == [3]
    assert resolution("medical_dispute") == []
    assert resolution("surgery_dispute") == []


def test_the_rule_in_words_says_what_it_counts_from_and_when_it_is_known() -> None:
    from tousu.policy.words import rule_in_words

    policy = parse_toml(preset_source("gov-service"))
    written = next(r for r in policy.deadlines if r.stage == "reply" and r.channels)
    assert rule_in_words(written) == "自收到起 2 个工作日；受理时确定适用"
    scenic = parse_toml(preset_source("scenic-area"))
    reply = next(r for r in scenic.deadlines if r.stage == "reply")
    assert "节假日照常办理，期限不顺延" in rule_in_words(reply)

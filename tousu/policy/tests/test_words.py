"""A rule's words come from its numbers; wording kept beside them cannot state another period."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils.translation import override

from tousu.policy.loader import PolicyError, parse_toml, preset_names, preset_source
from tousu.policy.periods import Period, chinese_number, disagreement, stated
from tousu.policy.schema import DeadlineRule
from tousu.policy.words import in_languages, note, rule_in_words, stored_rule


@pytest.fixture(autouse=True)
def _simplified() -> Iterator[None]:
    """The words in Simplified Chinese unless a test says otherwise (whatever ran before)."""
    with override("zh-hans"):
        yield


def test_chinese_numbers() -> None:
    assert [chinese_number(t) for t in ("一", "两", "十", "十五", "六十", "二十一", "一百", "15")] == [
        1, 2, 10, 15, 60, 21, 100, 15,
    ]  # fmt: skip
    assert chinese_number("十x") is None


@pytest.mark.parametrize(
    ("text", "periods"),
    [
        ("受理后15个工作日内答复", [Period(15, "working_days")]),
        ("一般性投诉处理不超过三个工作日", [Period(3, "working_days")]),
        ("处理不超过一周", [Period(1, "weeks")]),
        ("答复后两周内回访", [Period(2, "weeks")]),
        ("自投诉受理之日起六十日内", [Period(60, "calendar_days")]),
        ("收到举报之日起3个月内", [Period(3, "months")]),
        ("2小时内到场", [Period(2, "hours")]),
        # An extension's period, an ordinal, the next working day and a date are not the rule's.
        ("15个工作日内核查；特殊情况经负责人批准可延长15个工作日", [Period(15, "working_days")]),
        ("60日内办结；情况复杂的，经批准可延长，延长不超过30日", [Period(60, "calendar_days")]),
        ("节假日后的第一个工作日办理", []),
        ("下班后收到的，于下一工作日受理", []),
        ("10月1日起施行", []),
        ("参照4.1.1", []),
        ("Reply within 15 working days of acceptance", [Period(15, "working_days")]),
        ("Follow-up visit within two weeks", [Period(2, "weeks")]),
        ("within 60 days; complex cases +30 days", [Period(60, "calendar_days")]),
        ("within 15 working days; extendable by 15 working days", [Period(15, "working_days")]),
        ("within 3 months of receipt", [Period(3, "months")]),
    ],
)
def test_the_periods_words_state(text: str, periods: list[Period]) -> None:
    assert stated(text) == periods


def test_words_agree_only_with_the_rules_own_period() -> None:
    assert disagreement("受理后15个工作日内答复", 15, "working_days") is None
    assert disagreement("受理后15个工作日内答复", 12, "working_days") == Period(15, "working_days")
    assert disagreement("15日内", 15, "working_days") == Period(15, "calendar_days")
    # 一周 is seven days either way.
    assert disagreement("处理不超过一周", 7, "calendar_days") is None
    assert disagreement("处理不超过一周", 1, "weeks") is None
    assert disagreement("处理不超过一周", 2, "weeks") == Period(1, "weeks")
    # A unit without a number agrees with its one-day reading only.
    assert disagreement("（下一工作日内，1个工作日）", 0, "next_working_day") is None
    assert disagreement("2个工作日内", 0, "next_working_day") == Period(2, "working_days")
    # Words without a period, or a unit that states none, are never refused.
    assert disagreement("立即解决", 5, "working_days") is None
    assert disagreement("目标：1小时内", 0, "same_day") is None


def _rule(**values: object) -> DeadlineRule:
    return DeadlineRule.model_validate({"stage": "reply", "start": "accepted", **values})


def test_the_schema_refuses_words_that_state_another_period() -> None:
    with pytest.raises(ValueError, match="text_zh states 15 working_days but the rule counts 12"):
        _rule(amount=12, text_zh="受理后15个工作日内答复")
    with pytest.raises(ValueError, match="text_en states 15 working_days"):
        _rule(amount=12, text_zh="受理后12个工作日内答复", text_en="Reply within 15 working days")
    # Words are optional: the rule is its numbers.
    assert _rule(amount=12).text_zh == ""
    assert _rule(amount=12, text_zh="受理后12个工作日内答复", text_en="within 12 working days")


def test_every_preset_says_what_its_numbers_say() -> None:
    for name in preset_names():
        for rule in parse_toml(preset_source(name)).deadlines:
            for text in (rule.text_zh, rule.text_en):
                assert disagreement(text, rule.amount, rule.unit) is None, (name, rule.stage, text)


def test_a_document_with_contradicting_words_is_refused_with_the_rules_path() -> None:
    source = preset_source("general").replace("amount = 15\n", "amount = 12\n", 1)
    with pytest.raises(PolicyError) as caught:
        parse_toml(source)
    [(path, message)] = caught.value.problems
    assert path == "deadlines.1"
    assert "text_zh states 15 working_days but the rule counts 12 working_days" in message


def test_the_words_follow_the_numbers_in_each_language() -> None:
    rule = _rule(
        amount=12, text_zh="受理后12个工作日内答复", text_en="Reply within 12 working days"
    )
    assert rule_in_words(rule) == "自受理起 12 个工作日"
    with override("zh-hant"):
        assert rule_in_words(rule) == "自受理起 12 個工作日"
    with override("en"):
        assert rule_in_words(rule) == "12 working day(s) from acceptance"
        assert note(rule) == "Reply within 12 working days"
    assert in_languages(rule) == {
        "zh": "自受理起 12 个工作日",
        "en": "12 working day(s) from acceptance",
    }
    assert note(rule) == "受理后12个工作日内答复"
    fixed = _rule(unit="next_day", rest_days_open=True)
    assert rule_in_words(fixed) == "受理后次日；节假日照常办理，期限不顺延"


def test_a_clock_keeps_the_rule_it_was_made_from() -> None:
    """What ``Deadline.rule`` keeps is enough to say the rule again, flags included."""
    rule = stored_rule(
        "reply", "accepted", True,
        {"amount": 12, "unit": "working_days", "end_of_day": True, "extendable": False,
         "counts_from": "received", "org_default": True, "clause": "第3条"},
    )  # fmt: skip
    assert rule_in_words(rule) == ("自收到起 12 个工作日；受理时确定适用；截至当日 24 时；不可延期")

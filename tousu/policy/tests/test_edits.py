"""A form's change is made where the value stands: every other line, comment and citation of
the policy's text stays as written; a rule's wording is restated with its new number."""

from __future__ import annotations

import difflib

import pytest

from tousu.policy import edits
from tousu.policy.edits import Append, EditError, Remove, Set
from tousu.policy.loader import parse_toml, preset_names, preset_source
from tousu.policy.periods import Period, chinese_number, chinese_numeral, restate


def _changed(before: str, after: str) -> list[str]:
    """The lines removed and added, without the diff's headers and context."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


@pytest.mark.parametrize("preset", preset_names())
def test_every_preset_changes_in_place(preset: str) -> None:
    source = preset_source(preset)
    policy = parse_toml(source)
    changes: list[edits.Change] = [
        Set("categories", 0, {"name_zh": "改名后的类别", "retired": True}),
        Append("categories", {"code": "zz_new", "name_zh": "新类别", "lead": None}),
        Append("reply.templates", {"code": "zz_tpl", "title_zh": "标题", "body_zh": "一\n二"}),
    ]
    rule = policy.deadlines[0]
    changes.append(Set("deadlines", 0, {"amount": rule.amount + 1}))
    for key in ("text_zh", "text_en"):
        words = getattr(rule, key)
        if words:
            changes[-1].values[key] = restate(  # type: ignore[union-attr]
                words, Period(rule.amount, rule.unit), rule.amount + 1
            )
    after = edits.apply(source, changes)
    edited = parse_toml(after)  # still valid by the same schema

    assert edited.categories[0].name_zh == "改名后的类别" and edited.categories[0].retired
    assert edited.categories[-1].code == "zz_new"
    assert edited.reply.templates[-1].body_zh == "一\n二"
    assert edited.deadlines[0].amount == rule.amount + 1
    # Only what was changed differs: no comment, citation or other rule is touched.
    removed = [line for line in _changed(source, after) if line.startswith("-")]
    old_name = policy.categories[0].name_zh
    assert all(
        line.startswith(("-name_zh", "-amount", "-text_zh", "-text_en")) for line in removed
    ), removed
    assert f'-name_zh = "{old_name}"' in removed
    comments = [line for line in source.splitlines() if line.lstrip().startswith("#")]
    assert comments == [line for line in after.splitlines() if line.lstrip().startswith("#")]


def test_a_new_key_goes_before_the_comment_that_introduces_the_next_table() -> None:
    source = preset_source("hospital")
    outpatient = [c.code for c in parse_toml(source).categories].index("outpatient")
    after = edits.apply(source, [Set("categories", outpatient, {"retired": True})])
    block = after.split('name_zh = "门诊病人一般投诉"', 1)[1].split("[[categories]]", 1)[0]
    assert block.index("retired = true") < block.index("# [人民医院]2")


def test_removing_keeps_the_comment_of_the_table_after_it() -> None:
    source = preset_source("hospital")
    outpatient = [c.code for c in parse_toml(source).categories].index("outpatient")
    after = edits.apply(source, [Remove("categories", outpatient)])
    assert "门诊病人一般投诉" not in after and "# [人民医院]2" in after
    assert [line[1:] for line in _changed(source, after) if line[0] == "+"] == []
    parse_toml(after)


def test_the_last_element_removed_leaves_no_empty_array() -> None:
    source = preset_source("hospital")
    after = edits.apply(source, [Remove("reply.templates", 0)])
    assert "templates" not in after
    assert parse_toml(after).reply.templates == ()


def test_an_element_written_inline_is_changed_inline() -> None:
    source = (
        'departments = [{code = "a", name_zh = "部门甲"}]  # inline\n\n'
        '[identity]\nname_zh = "甲"\nname_en = "A"\n'
    )
    after = edits.apply(source, [Append("departments", {"code": "b", "name_zh": "部门乙"})])
    assert [d.code for d in parse_toml(after).departments] == ["a", "b"]
    assert "# inline" in after


def test_a_missing_element_or_an_unknown_array_is_an_edit_error() -> None:
    source = preset_source("general")
    with pytest.raises(EditError):
        edits.apply(source, [Set("deadlines", 99, {"amount": 1})])
    with pytest.raises(EditError):
        edits.apply(source, [Set("identity", 0, {"name_zh": "x"})])
    with pytest.raises(EditError):
        edits.apply("[identity\n", [])


@pytest.mark.parametrize(
    ("text", "old", "amount", "expected"),
    [
        ("受理后15个工作日内答复", Period(15, "working_days"), 12, "受理后12个工作日内答复"),
        ("一般性投诉处理不超过三个工作日", Period(3, "working_days"), 4, "一般性投诉处理不超过四个工作日"),
        ("处理不超过一周", Period(1, "weeks"), 2, "处理不超过二周"),
        ("Reply within 15 working days of acceptance", Period(15, "working_days"), 1,
         "Reply within 1 working day of acceptance"),
        ("Difficult complaints: within one week", Period(1, "weeks"), 2,
         "Difficult complaints: within two weeks"),
        # An extension's period is the extension's, not the rule's: left as written.
        ("15个工作日内核查；特殊情况经负责人批准可延长15个工作日", Period(15, "working_days"), 10,
         "10个工作日内核查；特殊情况经负责人批准可延长15个工作日"),
        ("15 working day(s)", Period(15, "working_days"), 1, "1 working day(s)"),
    ],
)  # fmt: skip
def test_wording_is_restated_in_its_own_style(
    text: str, old: Period, amount: int, expected: str
) -> None:
    assert restate(text, old, amount) == expected


def test_chinese_numerals_read_back() -> None:
    assert [chinese_numeral(n) for n in (0, 7, 10, 15, 21, 60, 100, 105, 365)] == [
        "零", "七", "十", "十五", "二十一", "六十", "一百", "一百零五", "三百六十五",
    ]  # fmt: skip
    assert all(chinese_number(chinese_numeral(n)) == n for n in range(1000))

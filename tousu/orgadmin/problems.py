"""A policy document's validation problems, in Chinese and in English.

:class:`tousu.policy.loader.PolicyError` names each problem by its key path with
the validator's English message. The page shows that message as it is, and a
Chinese reading of it beside: the common validator phrasings are translated,
the variable part (values, codes, patterns) is kept verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from tousu.i18n import both


@dataclass(frozen=True)
class Problem:
    path: str
    zh: str
    en: str
    line: int | None = None  # for a TOML syntax error: where the parser stopped


_TOML = re.compile(
    r"^not valid TOML: (?P<detail>.*?)(?: \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\))?$"
)

_TYPES = {
    "a valid integer": "整数",
    "a valid string": "字符串",
    "a valid boolean": "true 或 false",
    "a valid number": "数字",
    "a valid decimal": "数字",
    "a valid time": "时间（例如 08:30）",
    "a valid date": "日期（例如 2027-02-06）",
    "a valid tuple": "列表 [...]",
    "a valid list": "列表 [...]",
    "a valid array": "列表 [...]",
}

_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _type_or_values(m: re.Match[str]) -> str:
    wanted = m.group(1)
    for phrase, zh in _TYPES.items():
        if wanted.startswith(phrase):
            return f"应为{zh}"
    if wanted.startswith("a valid dictionary"):
        return "应为表（[section] 或 {...}）"
    return f"取值应为 {wanted.replace(' or ', ' 或 ')} 之一"


_RULES: tuple[_Rule, ...] = (
    (re.compile(r"^Extra inputs are not permitted$"), lambda m: "未知的键（本制度不认识这个键，可能是拼写错误）"),
    (re.compile(r"^Field required$"), lambda m: "缺少必填项"),
    (re.compile(r"^Input should be greater than or equal to (.+)$"), lambda m: f"应大于或等于 {m.group(1)}"),
    (re.compile(r"^Input should be less than or equal to (.+)$"), lambda m: f"应小于或等于 {m.group(1)}"),
    (re.compile(r"^Input should be greater than (.+)$"), lambda m: f"应大于 {m.group(1)}"),
    (re.compile(r"^Input should be less than (.+)$"), lambda m: f"应小于 {m.group(1)}"),
    (re.compile(r"^String should match pattern '(.+)'$"), lambda m: f"格式不符，应匹配 {m.group(1)}（代码只用小写字母、数字和下划线）"),
    (re.compile(r"^String should have at least 1 character$"), lambda m: "不能为空"),
    (re.compile(r"^String should have at least (\d+) characters$"), lambda m: f"至少 {m.group(1)} 个字符"),
    (re.compile(r"^String should have at most (\d+) characters?$"), lambda m: f"最多 {m.group(1)} 个字符"),
    (re.compile(r"^(?:Tuple|List) should have at least (\d+) items?.*$"), lambda m: f"至少需要 {m.group(1)} 项"),
    (re.compile(r"^Input should be (.+)$"), _type_or_values),
    (re.compile(r"^Value error, (.+)$"), lambda m: f"取值错误：{m.group(1)}"),
)  # fmt: skip

# A rule's words that state another period than its numbers (tousu.policy.periods).
_WORDS = re.compile(
    r"^Value error, (?P<en>deadline '(?P<stage>\w+)': (?P<key>text_zh|text_en) states"
    r" (?P<amount>\d+) (?P<unit>\w+) but the rule counts (?P<rule>.+?);"
    r" change the words or the numbers)$"
)
_UNITS_ZH = {
    "working_days": "个工作日", "calendar_days": "日", "weeks": "周", "months": "个月",
    "hours": "小时", "next_working_day": "下一个工作日", "next_day": "次日",
}  # fmt: skip


def _period_zh(text: str) -> str:
    """ "12 working_days" → "12 个工作日"; "next_day (1 calendar_days)" → "次日"."""
    amount, _, unit = text.partition(" ")
    if amount in _UNITS_ZH:
        return _UNITS_ZH[amount]
    return f"{amount} {_UNITS_ZH.get(unit, unit)}"


def _words(path: str, m: re.Match[str]) -> Problem:
    stated = _period_zh(f"{m.group('amount')} {m.group('unit')}")
    return Problem(
        path,
        f"期限规则 {m.group('stage')} 的文字（{m.group('key')}）写的是 {stated}，"
        f"而规则的数字是 {_period_zh(m.group('rule'))}；请修改文字或数字，使两者一致",
        m.group("en")[0].upper() + m.group("en")[1:],
    )


def explain(path: str, message: str) -> Problem:
    """One (key path, message) pair of a PolicyError, read in both languages."""
    toml = _TOML.match(message)
    if toml is not None:
        detail, line, col = toml.group("detail"), toml.group("line"), toml.group("col")
        if line is not None:
            where_zh, where_en = f"第 {line} 行第 {col} 列", f"line {line}, column {col}"
        else:
            where_zh, where_en = both(gettext_lazy("文档末尾"))
        return Problem(
            path,
            f"不是有效的 TOML（{where_zh}）：{detail}",
            f"Not valid TOML ({where_en}): {detail}",
            int(line) if line is not None else None,
        )
    words = _WORDS.match(message)
    if words is not None:
        return _words(path, words)
    for pattern, zh in _RULES:
        m = pattern.match(message)
        if m is not None:
            return Problem(path, zh(m), message)
    return Problem(path, f"校验未通过：{message}", message)


def explain_all(problems: Iterable[tuple[str, str]]) -> list[Problem]:
    return [explain(path, message) for path, message in problems]

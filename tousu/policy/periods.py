"""The periods a rule's own words state, read so they can be checked against its numbers.

A deadline rule is its numbers (``amount``, ``unit``); the words shown for it are generated
from those (:mod:`tousu.policy.words`). A rule may also keep the clause's own wording
(``text_zh`` / ``text_en``). When that wording states a period ("15个工作日", "一周",
"15 working days"), the period must be the rule's: an administrator who changes 15 to 12
must change the words too, or the document is refused. Pure: no Django, no project imports.

What is read: an Arabic or Chinese number followed by a unit of time. What is skipped: an
ordinal ("第一个工作日"), a date ("10月1日"), and a period of an extension ("可延长15个工作日",
"extended by up to 30 days"), which is the extension's number, not the rule's.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Period(NamedTuple):
    amount: int
    unit: str  # working_days, calendar_days, weeks, months, hours

    def in_days(self) -> tuple[int, str]:
        """Weeks read as seven calendar days, so "一周" agrees with 7 日."""
        if self.unit == "weeks":
            return self.amount * 7, "calendar_days"
        return self.amount, self.unit


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip

_ZH_UNITS = {
    "个工作日": "working_days",
    "工作日": "working_days",
    "個工作日": "working_days",
    "个小时": "hours",
    "個小時": "hours",
    "小时": "hours",
    "小時": "hours",
    "个月": "months",
    "個月": "months",
    "星期": "weeks",
    "周": "weeks",
    "週": "weeks",
    "日": "calendar_days",
    "天": "calendar_days",
}
_ZH = re.compile(
    r"(?P<number>\d+|[零〇一二两三四五六七八九十百]+)\s*(?P<unit>"
    + "|".join(sorted(_ZH_UNITS, key=len, reverse=True))
    + ")"
)
# An extension's period: "可延长15个工作日", "延长不超过30日", "延期……".
_ZH_EXTENSION = re.compile(r"(?:延长|延期)[^，。；、,;]{0,4}$")

_EN_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "sixty": 60, "ninety": 90, "a": 1, "an": 1,
}  # fmt: skip
_EN_UNITS = {
    "working day": "working_days",
    "business day": "working_days",
    "calendar day": "calendar_days",
    "day": "calendar_days",
    "week": "weeks",
    "month": "months",
    "hour": "hours",
}
_EN = re.compile(
    r"\b(?P<number>\d+|" + "|".join(sorted(_EN_NUMBERS, key=len, reverse=True)) + r")"
    r"[\s-]+(?P<unit>working[\s-]+day|business[\s-]+day|calendar[\s-]+day|day|week|month|hour)"
    r"(?:s|\(s\))?\b",
    re.IGNORECASE,
)
_EN_EXTENSION = re.compile(
    r"(?:(?:extend(?:ed|s|able)?|extension)\b[^,.;]{0,24}|\+\s*)$",
    re.IGNORECASE,
)


def chinese_number(text: str) -> int | None:
    """``十五`` → 15, ``六十`` → 60, ``二十一`` → 21, ``一百`` → 100; None when not a number."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


class _Found(NamedTuple):
    period: Period
    start: int  # where the number starts
    end: int  # where the number ends
    unit_end: int  # where the unit (and an English plural) ends
    chinese: bool


def _found(text: str) -> list[_Found]:
    """Every period ``text`` states, with where its number stands."""
    found: list[_Found] = []
    for m in _ZH.finditer(text):
        before = text[: m.start()]
        # 第一个工作日 (ordinal), 下一工作日 (the next one), 10月1日 (a date), +30日, 延长30日.
        if before.endswith(("第", "下", "月", "+")) or _ZH_EXTENSION.search(before):
            continue
        number = chinese_number(m.group("number"))
        if number is None:
            continue
        period = Period(number, _ZH_UNITS[m.group("unit")])
        found.append(_Found(period, m.start("number"), m.end("number"), m.end(), True))
    for m in _EN.finditer(text):
        if _EN_EXTENSION.search(text[: m.start()]):
            continue
        raw = m.group("number").lower()
        number = int(raw) if raw.isdigit() else _EN_NUMBERS[raw]
        unit = re.sub(r"[\s-]+", " ", m.group("unit").lower())
        period = Period(number, _EN_UNITS[unit])
        found.append(_Found(period, m.start("number"), m.end("number"), m.end(), False))
    return found


def stated(text: str) -> list[Period]:
    """The periods ``text`` (Chinese or English) states, extensions, ordinals and dates left out."""
    return [f.period for f in _found(text)]


_ZH_NUMERALS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """15 → 十五, 21 → 二十一, 60 → 六十, 100 → 一百, 105 → 一百零五 (0 to 999)."""
    if not 0 <= n < 1000:
        return str(n)
    if n < 10:
        return _ZH_NUMERALS[n]
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = _ZH_NUMERALS[hundreds] + "百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _ZH_NUMERALS[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    if ones:
        out += _ZH_NUMERALS[ones]
    return out


_EN_WORDS = {v: k for k, v in _EN_NUMBERS.items() if k not in ("a", "an")}


def restate(text: str, old: Period, amount: int) -> str:
    """``text`` with each period it states as ``old`` stating ``amount`` of the same unit.

    The number keeps its style (15 → 12, 十五 → 十二, "fifteen" → "twelve" where there is a
    word for it, else digits); an English unit gains or loses its plural "s" with the
    number. Other periods (an extension's, another unit's) are left as written.
    """
    out, last = [], 0
    for f in _found(text):
        if f.period != old:
            continue
        raw = text[f.start : f.end]
        if f.chinese:
            number = str(amount) if raw.isdigit() else chinese_numeral(amount)
            out += [text[last : f.start], number]
            last = f.end
            continue
        if raw.isdigit() or amount not in _EN_WORDS:
            number = str(amount)
        else:
            number = _EN_WORDS[amount]
            number = number.capitalize() if raw[:1].isupper() else number
        unit = text[f.end : f.unit_end]
        if unit.endswith("(s)"):
            pass
        elif amount == 1 and unit.endswith("s"):
            unit = unit[:-1]
        elif amount != 1 and not unit.endswith("s"):
            unit += "s"
        out += [text[last : f.start], number, unit]
        last = f.unit_end
    return "".join(out) + text[last:]


# A unit without a number reads as this period when the words give one ("1个工作日" beside
# ``next_working_day``).
FIXED_PERIODS: dict[str, Period] = {
    "next_working_day": Period(1, "working_days"),
    "next_day": Period(1, "calendar_days"),
}


def disagreement(text: str, amount: int, unit: str) -> Period | None:
    """The first period ``text`` states that is not the rule's; None when the words agree.

    A rule in counted units (``working_days``, ``calendar_days``, ``weeks``, ``months``,
    ``hours``) agrees when every period its words state is ``amount`` ``unit`` (weeks and
    days compared in days). A unit without a number (``next_working_day``, ``next_day``)
    agrees with its one-day reading only; ``same_day``, ``customer_date`` and ``none`` state
    no period, so words that name one (a target in hours beside them) are not compared.
    """
    if unit in FIXED_PERIODS:
        own: Period | None = FIXED_PERIODS[unit]
    elif unit in ("same_day", "customer_date", "none"):
        own = None
    else:
        own = Period(amount, unit)
    if own is None:
        return None
    for period in stated(text):
        if period.in_days() != own.in_days():
            return period
    return None


def rule_period(amount: int, unit: str) -> str:
    """The rule's own period as a validation message names it: "12 working_days"."""
    if unit in FIXED_PERIODS:
        return f"{unit} ({FIXED_PERIODS[unit].amount} {FIXED_PERIODS[unit].unit})"
    return f"{amount} {unit}"

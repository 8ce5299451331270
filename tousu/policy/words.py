"""A deadline rule in words, generated from its numbers.

The words a page shows for a rule (the portal's public notice, the box forms, a case's page,
the desk, the API, the administration page) are made here from the rule's ``amount``,
``unit``, ``counts_from``/``start``, end of day and the other flags, in the language of the
request through the catalogues. A rule's ``text_zh``/``text_en`` is the clause's own
wording, shown beside as a note; the schema refuses wording that states another period
(:mod:`tousu.policy.periods`). A case's clocks keep the rule they were made from
(``Deadline.rule``), so a case shows its own version's words after the policy changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext, gettext_lazy, override, pgettext_lazy

from tousu.i18n import Text, localized
from tousu.policy.schema import DeadlineRule

STARTS: dict[str, Text] = {
    "received": gettext_lazy("收到"),
    "accepted": gettext_lazy("受理"),
    "rejected": gettext_lazy("作出不予受理决定"),
    "decided": gettext_lazy("作出受理决定"),
    "assigned": gettext_lazy("分办"),
    "resolved": gettext_lazy("办结"),
    "replied": pgettext_lazy("starts", "答复"),
    "review_requested": pgettext_lazy("starts", "申请复查"),
    "second_review_requested": gettext_lazy("申请复核"),
}

# (Chinese unit after the number, English unit) of the counted units.
COUNTED: dict[str, Text] = {
    "working_days": pgettext_lazy("counted", "个工作日"),
    "calendar_days": gettext_lazy("日（自然日）"),
    "weeks": gettext_lazy("周"),
    "months": gettext_lazy("个月"),
    "hours": gettext_lazy("小时"),
}
# Units without a number: the whole phrase.
FIXED: dict[str, Text] = {
    "same_day": gettext_lazy("当日"),
    "next_working_day": gettext_lazy("下一个工作日"),
    "next_day": gettext_lazy("次日"),
    "customer_date": gettext_lazy("投诉人指定的日期"),
    "none": pgettext_lazy("fixed", "不设时限"),
}


def rule_in_words(rule: DeadlineRule) -> str:
    """The rule as the arithmetic reads: "自受理起 15 个工作日" / "15 working day(s) from acceptance"."""
    start = STARTS.get(rule.counted_from, rule.counted_from)
    if rule.unit in COUNTED:
        text = gettext("自{start}起 {amount} {unit}").format(
            start=start, amount=rule.amount, unit=COUNTED[rule.unit]
        )
    elif rule.unit == "none":
        text = gettext("不设时限")
    else:
        text = gettext("{start}后{fixed}").format(
            start=start, fixed=FIXED.get(rule.unit, rule.unit)
        )
    notes = []
    if rule.counted_from != rule.start:
        notes.append(gettext("{event}时确定适用").format(event=STARTS.get(rule.start, rule.start)))
    if rule.end_of_day:
        notes.append(gettext("截至当日 24 时"))
    if rule.after_hours:
        notes.append(gettext("非工作时间收到的，自下一个工作日起算"))
    if rule.rest_days_open:
        notes.append(gettext("节假日照常办理，期限不顺延"))
    if not rule.extendable:
        notes.append(gettext("不可延期"))
    return text + (gettext("；") + gettext("；").join(notes) if notes else "")


def note(rule: DeadlineRule) -> str:
    """The clause's own wording in the request's language (the Chinese where no English)."""
    return str(localized(rule.text_zh, rule.text_en)) if rule.text_zh or rule.text_en else ""


def stored_rule(stage: str, start: str, hard: bool, rule: Mapping[str, Any]) -> DeadlineRule:
    """The rule a clock was made from, rebuilt from what the clock keeps (``Deadline.rule``)."""
    return DeadlineRule.model_validate(
        {"stage": stage, "start": start, "hard": hard,
         **{k: v for k, v in rule.items() if k not in ("org_default", "text_zh", "text_en")}}
    )  # fmt: skip


def in_languages(rule: DeadlineRule) -> dict[str, str]:
    """The words in Simplified Chinese and in English (the API gives both)."""
    with override("zh-hans"):
        zh = rule_in_words(rule)
    with override("en"):
        en = rule_in_words(rule)
    return {"zh": zh, "en": en}

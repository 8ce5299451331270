"""Chinese first, English complete: every string of the desk is written as a pair.

Pairs live next to their use (``t("登记", "Register")`` in code, ``{% t "登记" "Register" %}``
in templates), so a string without its translation cannot exist. The language is
Django's (session / ``Accept-Language`` through LocaleMiddleware), zh-Hans by default.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language


def english() -> bool:
    return (get_language() or "zh-hans").startswith("en")


def t(zh: str, en: str) -> str:
    return en if english() else zh


def pick(value: Any) -> str:
    """A {"zh": ..., "en": ...} mapping, or a "中文 English" choice label, in the language."""
    if isinstance(value, dict):
        return (
            str(value.get("en") or value.get("zh") or "")
            if english()
            else str(value.get("zh") or "")
        )
    text = str(value or "")
    if " " in text and not text.isascii():
        zh, _, en = text.partition(" ")
        return en if english() else zh
    return text

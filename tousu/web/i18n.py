"""The language of a page, and what is left of the hand-written zh/en pairs.

UI strings go through Django's gettext (issue #15): ``gettext("登记")`` / ``pgettext`` in
code, ``{% translate "登记" %}`` in templates, with the Simplified Chinese string as msgid
and the English in ``locale/en/LC_MESSAGES/django.po`` (``tools/i18n_convert.py`` converted
the literal pairs). ``t(zh, en)`` remains for pairs built from variables or f-strings until
a later slice moves them too. The language is Django's (session / ``Accept-Language``
through LocaleMiddleware), zh-Hans by default.
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

"""Languages: the words of the UI come from gettext catalogues, the words of a policy are data.

Simplified Chinese is the source language: every msgid is the zh-Hans text, ``locale/en`` and
``locale/zh_Hant`` translate it. Code marks a UI string with ``gettext`` (``gettext_lazy`` where
it is evaluated at import, ``pgettext`` where one Chinese word needs two English ones); a
message with values to fill names them: ``gettext("已登记：{number}").format(number=...)``.

A policy's texts (names of departments and categories, notices, templates) are data written by
the organisation in Chinese and, optionally, English: :func:`localized` picks one of the two.

This module imports nothing of the project.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise, lazy
from django.utils.translation import get_language, override

SOURCE = "zh-hans"
ENGLISH = "en"
TRADITIONAL = "zh-hant"
# The languages a page can be shown in, the source first.
CODES = (SOURCE, TRADITIONAL, ENGLISH)
# The languages with their own names, for a choice (the names are not translated).
LANGUAGES = ((SOURCE, "简体中文"), (TRADITIONAL, "繁體中文"), (ENGLISH, "English"))

Text = str | Promise


def english() -> bool:
    return (get_language() or SOURCE).startswith("en")


def localized(zh: str, en: str | None) -> str:
    """A policy's or a record's own zh/en text in the page's language (Chinese when no English).

    Not for the UI's words: those are gettext msgids. Traditional Chinese shows the data as the
    organisation wrote it.
    """
    return (en or zh) if english() else zh


def _either(zh: str, en: str | None) -> str:
    return localized(zh, en)


either = lazy(_either, str)
"""``either(zh, en)``: a policy's zh/en text as a value of a message, rendered in the message's
language (``{"group": either(g.zh, g.en)}``)."""


def render(message: Text, params: Mapping[str, Any] | None = None) -> str:
    """A message (a msgid or a lazy translation) in the active language, its values filled.

    Values that are themselves lazy translations are rendered in the same language.
    """
    text = str(message)
    if not params:
        return text
    return text.format(**{key: _value(value) for key, value in params.items()})


def render_in(language: str, message: Text, params: Mapping[str, Any] | None = None) -> str:
    with override(language):
        return render(message, params)


def both(message: Text, params: Mapping[str, Any] | None = None) -> tuple[str, str]:
    """The message in Simplified Chinese and in English (the API's ``message.zh``/``.en``)."""
    return render_in(SOURCE, message, params), render_in(ENGLISH, message, params)


def _value(value: Any) -> Any:
    return str(value) if isinstance(value, Promise) else value


def bilingual(message: Text) -> str:
    """ "中文 English" in one string: the form some API fields have always had (a status's label)."""
    zh, en = both(message)
    return f"{zh} {en}"


def recipient_language(own: str | None, organisation: str | None) -> str:
    """The language to write to someone in: their own where it is known, else the
    organisation's, else Simplified Chinese."""
    for code in (own, organisation):
        if code in CODES:
            return code
    return SOURCE


class Named:
    """Something whose ``name`` is a msgid (an action, a ledger column): its ``label`` in the
    active language, ``zh`` and ``en`` for the API and for what is always bilingual."""

    name: Text

    @property
    def label(self) -> str:
        return str(self.name)

    @property
    def zh(self) -> str:
        return render_in(SOURCE, self.name)

    @property
    def en(self) -> str:
        return render_in(ENGLISH, self.name)

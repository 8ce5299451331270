"""The translation catalogues cannot break a page.

``{% translate "…" %}`` renders a literal's translation unescaped (Django marks template
literals safe), also inside attributes (``aria-label="{% translate "队列" %}"``). A
translation that brings ``"``, ``<``, ``>`` or ``&`` its Chinese msgid does not have would
end an attribute or open a tag on every page that shows it.
"""

from __future__ import annotations

import gettext
from pathlib import Path

import polib  # type: ignore[import-untyped]
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
MARKUP = set('"<>&')


def _catalogues() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/django.mo"))


def test_the_catalogues_are_compiled_by_the_set_up() -> None:
    compiled = [p.parts[-3] for p in _catalogues()]
    assert {"en", "zh_Hant"} <= set(compiled), "make install runs compilemessages"


@pytest.mark.parametrize("language", ["en", "zh_Hant"])
def test_the_catalogue_is_complete_and_compiled_from_its_po(language: str) -> None:
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert len(po) > 700
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    # Every entry of the .po is in the .mo (a stale .mo means: run compilemessages).
    keys = {(f"{e.msgctxt}\x04" if e.msgctxt else "") + e.msgid for e in po}
    missing = [key for key in keys if key not in compiled and (key, 0) not in compiled]
    assert missing == [], "the .mo is older than the .po: run compilemessages"


@pytest.mark.parametrize("mo", _catalogues(), ids=lambda p: p.parts[-3])
def test_no_translation_brings_markup_its_msgid_does_not_have(mo: Path) -> None:
    with mo.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    assert len(catalogue) > 700
    bad = [
        (msgid, msgstr)
        for msgid, msgstr in catalogue.items()
        if msgid and (set(msgstr) & MARKUP) - set(str(msgid))
    ]
    assert bad == []

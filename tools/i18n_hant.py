"""Fill the Traditional Chinese catalogue from the Simplified Chinese msgids with OpenCC.

``tools/i18n_hant.py [PO]`` (default ``locale/zh_Hant/LC_MESSAGES/django.po``, written by
``makemessages -l zh_Hant``). Every entry whose translation is machine-made gets the text of
its msgid converted by OpenCC's ``s2t`` configuration (OpenCC's own Traditional characters,
neither the Taiwan nor the Hong Kong variant: the catalogue serves both until a reviewer
decides otherwise) and the translator comment ``# OpenCC s2t, to review``.

- An entry with a non-empty translation and without that comment was reviewed by a person:
  it is kept as it is (unless ``makemessages`` marked it fuzzy because its msgid changed; then
  it is converted again and marked for review).
- An entry still marked is converted again (its msgid may have changed, or OpenCC improved).
- Placeholders (``{name}``, ``%(name)s``, ``%s``, ``%d``, ``%%``) are left exactly as they are;
  only the text around them is converted.
- Never ``fuzzy``: gettext drops fuzzy entries, and a reviewer finds the entries to review by
  the comment.

The comment is a translator comment (``# ``), not an extracted one (``#.``): ``makemessages``
merges the catalogue with ``msgmerge``, which keeps translator comments and replaces extracted
comments with the source's, so an ``#.`` mark would be lost at the next ``make messages`` and
the converted entries would pass for reviewed ones. An ``#.`` mark is still recognised.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import opencc
import polib

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"
MARK = "OpenCC s2t, to review"
CONFIG = "s2t"
# Python brace fields ({name}, {0}, {n:>3}, {{ and }}), printf fields with a name or without
# (%(name)s, %s, %d, %5.1f, %%).
PLACEHOLDER = re.compile(
    r"\{\{|\}\}|\{[^{}]*\}|%(?:\([^)]*\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?[a-zA-Z%]"
)
HEADER = {
    "Project-Id-Version": "tousu",
    "Language": "zh_Hant",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=1; plural=0;",
}
PREAMBLE = (
    "Traditional Chinese catalogue of Tousu. The msgids are the Simplified Chinese strings.\n"
    "Written by tools/i18n_hant.py (OpenCC s2t) after `make messages`; an entry marked\n"
    "'OpenCC s2t, to review' is machine-made and is converted again at every run. Remove the\n"
    "mark of an entry once a person has reviewed it: the tool keeps it from then on."
)

_converter = opencc.OpenCC(CONFIG)


def convert(text: str) -> str:
    """``text`` in Traditional characters, its placeholders untouched."""
    out: list[str] = []
    start = 0
    for match in PLACEHOLDER.finditer(text):
        out.append(_converter.convert(text[start : match.start()]))
        out.append(match.group())
        start = match.end()
    out.append(_converter.convert(text[start:]))
    return "".join(out)


def marked(entry: polib.POEntry) -> bool:
    return MARK in (entry.tcomment or "") or MARK in (entry.comment or "")


def reviewed(entry: polib.POEntry) -> bool:
    """A person's translation: filled, not fuzzy, without the machine mark."""
    if entry.msgid_plural:
        filled = bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    else:
        filled = bool(entry.msgstr)
    return filled and "fuzzy" not in entry.flags and not marked(entry)


def _mark(entry: polib.POEntry) -> None:
    lines = [line for line in (entry.tcomment or "").splitlines() if MARK not in line]
    entry.tcomment = "\n".join([MARK, *lines])
    if entry.comment and MARK in entry.comment:
        entry.comment = "\n".join(x for x in entry.comment.splitlines() if MARK not in x)


def fill(catalogue: polib.POFile) -> tuple[int, int]:
    """Convert what is not reviewed; returns (converted, kept)."""
    converted = kept = 0
    for entry in catalogue:
        if entry.obsolete:
            continue
        if reviewed(entry):
            kept += 1
            continue
        if entry.msgid_plural:
            # Chinese has one form: every form is the (plural) msgid converted.
            forms = sorted(entry.msgstr_plural) or [0]
            entry.msgstr_plural = {i: convert(entry.msgid_plural) for i in forms}
        else:
            entry.msgstr = convert(entry.msgid)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        _mark(entry)
        converted += 1
    return converted, kept


def run(path: Path) -> tuple[int, int]:
    catalogue = polib.pofile(str(path), wrapwidth=79)
    catalogue.header = PREAMBLE
    catalogue.metadata_is_fuzzy = False
    for key in ("PO-Revision-Date", "Last-Translator", "Language-Team"):
        catalogue.metadata.pop(key, None)
    catalogue.metadata.update(HEADER)
    counts = fill(catalogue)
    catalogue.save(str(path))
    return counts


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    converted, kept = run(path)
    print(
        f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
        f"{converted} converted by OpenCC {CONFIG}, {kept} reviewed kept"
    )


if __name__ == "__main__":
    main()

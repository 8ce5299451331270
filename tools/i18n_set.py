"""Set translations in a catalogue: ``tools/i18n_set.py LANG FILE`` with FILE holding lines
``msgid<TAB>translation`` (or ``context|msgid<TAB>translation``). Clears ``fuzzy`` on the
entries it sets; reports msgids it does not find. For translators' batch work and for the
one-off converters.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    language, source = sys.argv[1], Path(sys.argv[2])
    path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(path), wrapwidth=79)
    missing = []
    for line in source.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, text = line.partition("\t")
        context, _, msgid = key.replace("\\n", "\n").rpartition("|")
        entry = catalogue.find(msgid, msgctxt=context or False)
        if entry is None:
            missing.append(key)
            continue
        entry.msgstr = text.replace("\\n", "\n")
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgctxt = None
    catalogue.save(str(path))
    for key in missing:
        print(f"not in the catalogue: {key}", file=sys.stderr)
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()

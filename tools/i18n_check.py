"""The translation check of ``make i18n-check`` (in ``make lint``, so in CI and ``make test``).

``tools/i18n_check.py [--root DIR] [--no-stale]`` fails (exit 1), listing ``file:line`` and
the msgid or call, on:

(a) an entry of ``locale/en`` or ``locale/zh_Hant`` without a translation, or marked fuzzy
    (gettext skips fuzzy entries: the page would show the Simplified Chinese msgid);
(b) a translation whose placeholders differ from its msgid's: ``{name}`` and ``%(name)s`` as
    sets of names, ``{}``, ``%s``, ``%d`` by count; each plural form against the msgid's;
(c) a hand-written pair left: a call of a function or method named ``t`` in Python (found in
    the syntax tree, so a docstring or a string that mentions ``t(`` is no call) or a
    ``{% t %}`` tag in a template;
(d) a stale catalogue: a msgid the code or templates use that the catalogue lacks, or an
    entry nothing uses any more. ``makemessages`` runs on a temporary copy of the sources
    (the real catalogues are not touched) and its msgids are compared with each catalogue's.
    ``make messages`` brings the catalogues up to date.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "zh_Hant")
# What makemessages leaves out of the repository (as `make messages` does), and the catalogues.
SKIP_DIRS = {"node_modules", "var", "locale", "__pycache__", "build", "dist"}
EXTENSIONS = {".py", ".html", ".txt"}

BRACE = re.compile(r"\{\{|\}\}|\{([^{}!:]*)(?:[!:][^{}]*)?\}")
PRINTF = re.compile(r"%(?:\(([^)]*)\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?([diouxXeEfFgGcrsa%])")
TEMPLATE_PAIR = re.compile(r"\{%-?\s*t\s.*?%\}|\{%-?\s*t\s")


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}: {self.text}"


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _show(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


# (a) and (b): the catalogues


def placeholders(text: str) -> tuple[frozenset[str], int]:
    """The named placeholders of a message (``{x}``, ``%(x)s``) and the count of positional
    ones (``{}``, ``{0}`` counts as named ``0``; ``%s``, ``%d``)."""
    names: set[str] = set()
    positional = 0
    for match in BRACE.finditer(text):
        if match.group() in ("{{", "}}"):
            continue
        name = match.group(1)
        if name:
            names.add("{" + name + "}")
        else:
            positional += 1
    for match in PRINTF.finditer(text):
        if match.group(2) == "%":
            continue
        if match.group(1) is not None:
            names.add(f"%({match.group(1)})")
        else:
            positional += 1
    return frozenset(names), positional


def _differs(msgid: str, msgstr: str) -> str | None:
    want, got = placeholders(msgid), placeholders(msgstr)
    if want == got:
        return None
    missing, extra = sorted(want[0] - got[0]), sorted(got[0] - want[0])
    parts = []
    if missing:
        parts.append("lacks " + " ".join(missing))
    if extra:
        parts.append("adds " + " ".join(extra))
    if want[1] != got[1]:
        parts.append(f"has {got[1]} positional placeholders, the msgid {want[1]}")
    return ", ".join(parts)


def check_catalogue(path: Path, root: Path = ROOT) -> list[Problem]:
    where = _relative(path, root)
    if not path.exists():
        return [Problem(where, 0, "missing catalogue", "run make messages")]
    problems = []
    for entry in polib.pofile(str(path)):
        if entry.obsolete:
            continue
        key = (f"{entry.msgctxt}|" if entry.msgctxt else "") + entry.msgid
        line = entry.linenum
        if "fuzzy" in entry.flags:
            problems.append(Problem(where, line, "fuzzy", _show(key)))
        if not entry.translated() and "fuzzy" not in entry.flags:
            problems.append(Problem(where, line, "untranslated", _show(key)))
        if entry.msgid_plural:
            forms = sorted(entry.msgstr_plural.items())
            for index, text in forms:
                source = entry.msgid if index == 0 and len(forms) > 1 else entry.msgid_plural
                wrong = _differs(source, text) if text else None
                if wrong:
                    problems.append(
                        Problem(where, line, f"placeholders [{index}]", f"{_show(key)} {wrong}")
                    )
        elif entry.msgstr:
            wrong = _differs(entry.msgid, entry.msgstr)
            if wrong:
                problems.append(Problem(where, line, "placeholders", f"{_show(key)} {wrong}"))
    return problems


# (c): hand-written pairs


def sources(root: Path, extensions: Iterable[str] = EXTENSIONS) -> Iterator[Path]:
    """The files makemessages reads: .py, .html, .txt outside dot directories (.venv, .git)."""
    wanted = set(extensions)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in SKIP_DIRS and not d.startswith(".") and not d.endswith(".egg-info")
        )
        for name in sorted(filenames):
            if os.path.splitext(name)[1] in wanted and not name.startswith("."):
                yield Path(dirpath) / name


class _Pairs(ast.NodeVisitor):
    def __init__(self) -> None:
        self.lines: list[tuple[int, str]] = []

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        named = func.id if isinstance(func, ast.Name) else None
        method = func.attr if isinstance(func, ast.Attribute) else None
        if "t" in (named, method):  # t(zh, en), or a pair helper's method: w.t(zh, en)
            self.lines.append((node.lineno, ast.unparse(node)))
        self.generic_visit(node)


def check_pairs(paths: Iterable[Path], root: Path = ROOT) -> list[Problem]:
    problems = []
    for path in paths:
        where = _relative(path, root)
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            try:
                tree = ast.parse(text, filename=str(path))
            except SyntaxError as error:
                problems.append(Problem(where, error.lineno or 0, "syntax error", str(error)))
                continue
            finder = _Pairs()
            finder.visit(tree)
            problems += [Problem(where, n, "t() pair", _show(call)) for n, call in finder.lines]
        else:
            for number, line in enumerate(text.splitlines(), start=1):
                problems += [
                    Problem(where, number, "{% t %} pair", _show(tag.group()))
                    for tag in TEMPLATE_PAIR.finditer(line)
                ]
    return problems


# (d): stale catalogues


Key = tuple[str | None, str]


def _keys(catalogue: polib.POFile) -> dict[Key, polib.POEntry]:
    return {(e.msgctxt, e.msgid): e for e in catalogue if not e.obsolete and e.msgid}


def used_msgids(root: Path) -> dict[Key, polib.POEntry]:
    """The msgids ``makemessages`` finds in a copy of the sources under ``root``."""
    with tempfile.TemporaryDirectory(prefix="i18n-check-") as tmp:
        copy = Path(tmp)
        for path in sources(root):
            target = copy / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        (copy / "locale").mkdir()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.setdefault("DJANGO_SETTINGS_MODULE", "tousu.settings")
        # Django's makemessages, as `make messages` runs it, in the copy: its locale/ is the
        # only one under the copied files, so the real catalogues are not written.
        subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete"]
            + ["--add-location", "file", "--verbosity", "0"],
            cwd=copy,
            env=env,
            check=True,
        )
        found = copy / "locale" / "en" / "LC_MESSAGES" / "django.po"
        return _keys(polib.pofile(str(found))) if found.exists() else {}


def check_stale(
    root: Path, catalogues: Iterable[Path], used: dict[Key, polib.POEntry] | None = None
) -> list[Problem]:
    used = used_msgids(root) if used is None else used
    problems = []
    for path in catalogues:
        if not path.exists():
            continue
        where = _relative(path, root)
        have = _keys(polib.pofile(str(path)))
        for key in sorted(set(used) - set(have), key=str):
            entry = used[key]
            found = entry.occurrences[0][0] if entry.occurrences else "?"
            shown = (f"{key[0]}|" if key[0] else "") + key[1]
            problems.append(Problem(where, 0, f"missing (used in {found})", _show(shown)))
        for key in sorted(set(have) - set(used), key=str):
            shown = (f"{key[0]}|" if key[0] else "") + key[1]
            problems.append(Problem(where, have[key].linenum, "used nowhere", _show(shown)))
    return problems


def check(root: Path, *, stale: bool = True) -> list[Problem]:
    catalogues = [root / "locale" / lang / "LC_MESSAGES" / "django.po" for lang in LANGUAGES]
    problems: list[Problem] = []
    for path in catalogues:
        problems += check_catalogue(path, root)
    problems += check_pairs(sources(root), root)
    if stale:
        problems += check_stale(root, catalogues)
    return sorted(problems)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--no-stale", action="store_true", help="skip (d), makemessages")
    args = parser.parse_args(argv)
    problems = check(args.root, stale=not args.no_stale)
    for problem in problems:
        print(problem)
    if problems:
        counts = Counter(p.kind.split(" (")[0] for p in problems)
        summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
        print(f"i18n check failed: {summary}", file=sys.stderr)
        return 1
    print("i18n check: the catalogues are complete and current, no pair is left")
    return 0


if __name__ == "__main__":
    sys.exit(main())

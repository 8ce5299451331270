"""One-off converter, second slice: zh/en pairs built from f-strings, and errors.

Run once from the repository root (``.venv/bin/python tools/i18n_pairs.py [paths]``); kept for
the record, not part of the build. It rewrites, in ``tousu/**/*.py`` (tests excepted):

- errors: ``TousuError(code, ZH, EN, ...)``, ``invalid(field, ZH, EN)`` and
  ``conflict(code, ZH, EN, ...)`` whose ZH and EN are string literals or f-strings →
  ``TousuError(code, gettext_lazy("…{name}…"), ..., params={"name": expr})``;
- ``t(ZH, EN)`` of two f-strings (or literals) inside a function →
  ``gettext("…{name}…").format(name=expr)``;

naming each ``{expr}`` of the f-strings after the expression (``case.number`` → ``number``).
Every (msgid, English) goes to ``locale/en/LC_MESSAGES/django.po``; a msgid already there with
another English gets the context ``error`` / ``message`` (``pgettext``). A pair whose two
f-strings use different expressions is reported and left for a hand.
Afterwards: ``ruff check --fix``, ``ruff format`` and ``make messages``.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tousu"
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"

ERRORS = {"TousuError": 1, "invalid": 1, "conflict": 1, "Refused": 0}
CJK = re.compile(r"[\u3400-\u9fff]")


def _po(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _unpo(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), s[1:-1])


def existing() -> dict[tuple[str | None, str], str]:
    """(context, msgid) → msgstr of the catalogue as it is."""
    found: dict[tuple[str | None, str], str] = {}
    ctx: str | None = None
    msgid: str | None = None
    key = None
    buf: list[str] = []
    for line in [*CATALOGUE.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("msgctxt "):
            ctx, key, buf = _unpo(line[8:]), "ctx", []
        elif line.startswith("msgid "):
            msgid, key = _unpo(line[6:]), "id"
        elif line.startswith("msgstr "):
            buf, key = [_unpo(line[7:])], "str"
        elif line.startswith('"') and key == "id":
            msgid = (msgid or "") + _unpo(line)
        elif line.startswith('"') and key == "str":
            buf.append(_unpo(line))
        elif not line.strip() and key == "str":
            if msgid:
                found[(ctx, msgid)] = "".join(buf)
            ctx, msgid, key, buf = None, None, None, []
    return found


class Pair:
    """The msgid, the English and the params of two f-strings (or literals)."""

    def __init__(self, zh: ast.expr, en: ast.expr, source: str) -> None:
        self.names: dict[str, str] = {}  # expression source → name
        self.params: dict[str, str] = {}  # name → expression source
        self.source = source
        self.msgid, zh_exprs = self._format(zh)
        self.english, en_exprs = self._format(en)
        self.same = zh_exprs == en_exprs or not en_exprs - zh_exprs

    def _name(self, expr: ast.expr) -> str:
        src = ast.get_source_segment(self.source, expr) or ast.unparse(expr)
        if src in self.names:
            return self.names[src]
        if isinstance(expr, ast.Name):
            base = expr.id
        elif isinstance(expr, ast.Attribute):
            base = expr.attr
        elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name | ast.Attribute):
            base = expr.func.id if isinstance(expr.func, ast.Name) else expr.func.attr
        else:
            base = "value"
        base = re.sub(r"_(zh|en)$", "", base.lstrip("_")) or "value"
        name, n = base, 2
        while name in self.params and self.params[name] != src:
            name, n = f"{base}{n}", n + 1
        self.names[src] = name
        self.params[name] = src
        return name

    def _format(self, node: ast.expr) -> tuple[str, set[str]]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value, set()
        if not isinstance(node, ast.JoinedStr):
            raise ValueError("not a literal")
        out: list[str] = []
        exprs: set[str] = set()
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(str(part.value).replace("{", "{{").replace("}", "}}"))
                continue
            assert isinstance(part, ast.FormattedValue)
            src = ast.get_source_segment(self.source, part.value) or ast.unparse(part.value)
            exprs.add(src)
            text = "{" + self._name(part.value)
            if part.conversion != -1:
                text += "!" + chr(part.conversion)
            if part.format_spec is not None:
                spec = part.format_spec
                if not (
                    isinstance(spec, ast.JoinedStr)
                    and all(isinstance(v, ast.Constant) for v in spec.values)
                ):
                    raise ValueError("computed format spec")
                text += ":" + "".join(str(v.value) for v in spec.values)  # type: ignore[attr-defined]
            out.append(text + "}")
        return "".join(out), exprs

    def params_dict(self) -> str:
        return "{" + ", ".join(f'"{k}": {v}' for k, v in self.params.items()) + "}"

    def format_call(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.params.items())


class Converter:
    def __init__(self) -> None:
        self.catalogue = existing()
        self.added: dict[tuple[str | None, str], str] = {}
        self.left: list[str] = []
        self.errors = 0
        self.pairs = 0

    def context(self, msgid: str, english: str, kind: str) -> str | None:
        for ctx in (None, kind, kind + "2", kind + "3"):
            have = self.catalogue.get((ctx, msgid), self.added.get((ctx, msgid)))
            if have is None:
                self.added[(ctx, msgid)] = english
                return ctx
            if have == english:
                return ctx
        raise SystemExit(f"{msgid!r}: too many Englishes")

    def python(self, path: Path) -> None:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        data = source.encode("utf-8")
        starts = [0]
        for line in source.splitlines(keepends=True):
            starts.append(starts[-1] + len(line.encode("utf-8")))

        def at(line: int, col: int) -> int:
            return starts[line - 1] + col

        def span(node: ast.AST) -> tuple[int, int]:
            return (
                at(node.lineno, node.col_offset),  # type: ignore[attr-defined]
                at(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
            )

        edits: list[tuple[int, int, str]] = []
        used: set[str] = set()

        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else None
            )
            if name in ERRORS and len(node.args) >= ERRORS[name] + 2:
                i = ERRORS[name]
                zh, en = node.args[i], node.args[i + 1]
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                try:
                    pair = Pair(zh, en, source)
                except ValueError as exc:
                    self.left.append(f"{where}: {exc}")
                    continue
                if not CJK.search(pair.msgid) or not pair.same:
                    self.left.append(f"{where}: {ast.get_source_segment(source, node)[:120]}")
                    continue
                ctx = self.context(pair.msgid, pair.english, "error")
                fn = "gettext_lazy" if ctx is None else "pgettext_lazy"
                used.add(fn)
                arg = _q(pair.msgid) if ctx is None else f'"{ctx}", {_q(pair.msgid)}'
                start, _ = span(zh)
                _, end = span(en)
                edits.append((start, end, f"{fn}({arg})"))
                if pair.params:
                    if name == "invalid" and len(node.args) == 3:
                        last = node.args[-1]
                        _, end = span(last)
                        edits.append((end, end, f", {pair.params_dict()}"))
                    else:
                        call_end = span(node)[1]
                        # before the closing parenthesis
                        text = data[:call_end].decode("utf-8")
                        close = len(text.rstrip()[:-1].rstrip().encode("utf-8"))
                        sep = "" if text.rstrip()[:-1].rstrip().endswith(",") else ","
                        edits.append((close, close, f"{sep} params={pair.params_dict()}"))
                self.errors += 1
            elif (
                name == "t"
                and isinstance(func, ast.Name)
                and len(node.args) == 2
                and not node.keywords
                and any(isinstance(a, ast.JoinedStr) for a in node.args)
            ):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                try:
                    pair = Pair(node.args[0], node.args[1], source)
                except ValueError as exc:
                    self.left.append(f"{where}: {exc}")
                    continue
                if not CJK.search(pair.msgid) or not pair.same or not pair.english:
                    self.left.append(f"{where}: {ast.get_source_segment(source, node)[:120]}")
                    continue
                ctx = self.context(pair.msgid, pair.english, "message")
                fn = "gettext" if ctx is None else "pgettext"
                used.add(fn)
                arg = _q(pair.msgid) if ctx is None else f'"{ctx}", {_q(pair.msgid)}'
                text = f"{fn}({arg})"
                if pair.params:
                    text += f".format({pair.format_call()})"
                edits.append((*span(node), text))
                self.pairs += 1
        if not edits:
            return
        out = data
        for start, end, text in sorted(edits, reverse=True):
            out = out[:start] + text.encode("utf-8") + out[end:]
        new = out.decode("utf-8")
        lines = new.splitlines(keepends=True)
        insert = next(
            (i + 1 for i, line in enumerate(lines) if line.startswith("from __future__")), 0
        )
        lines.insert(insert, f"from django.utils.translation import {', '.join(sorted(used))}\n")
        path.write_text("".join(lines), encoding="utf-8")

    def write(self) -> None:
        with CATALOGUE.open("a", encoding="utf-8") as handle:
            for (ctx, msgid), english in self.added.items():
                handle.write("\n")
                if "{" in msgid:
                    handle.write("#, python-brace-format\n")
                if ctx:
                    handle.write(f"msgctxt {_po(ctx)}\n")
                handle.write(f"msgid {_po(msgid)}\nmsgstr {_po(english)}\n")


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main() -> None:
    converter = Converter()
    paths = [Path(p).resolve() for p in sys.argv[1:]] or sorted(SOURCE.rglob("*.py"))
    for path in paths:
        if "/tests/" in str(path) or "/migrations/" in str(path):
            continue
        converter.python(path)
    converter.write()
    for line in converter.left:
        print("left:", line, file=sys.stderr)
    print(
        f"errors: {converter.errors}, t() pairs: {converter.pairs}, "
        f"catalogue entries added: {len(converter.added)}, left: {len(converter.left)}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()

"""One-off converter, first slice: hand-written zh/en pairs → Django's gettext.

Run once from the repository root (``.venv/bin/python tools/i18n_convert.py``); it is kept
for the record and for the next slices, it is not part of the build. It rewrites:

- templates (``tousu/**/*.html``): ``{% t "中文" "English" %}`` (or single-quoted) →
  ``{% translate "中文" %}``, adding ``i18n`` to the template's first ``{% load %}``;
- Python (``tousu/**/*.py``): ``t("中文", "English")`` with two string literals →
  ``gettext("中文")``, or ``gettext_lazy`` where the call is evaluated at import (module or
  class body, default arguments), importing them from ``django.utils.translation``;
- a Chinese string that had several English translations: the most frequent English keeps
  the plain msgid, every other one gets a context (``pgettext("state", "状态")`` /
  ``{% translate "状态" context "state" %}``) written by hand in ``CONTEXTS`` below;

and writes every (context, msgid, English) it converted to ``locale/en/LC_MESSAGES/django.po``.
Pairs built from variables or f-strings, and pairs whose English is empty (gettext treats an
empty msgstr as untranslated), are left as ``t(...)`` for a later slice. Afterwards:
``ruff check --fix`` (imports), ``ruff format`` and ``tousu makemessages -l en --no-obsolete``.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tousu"
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"

# (Chinese, English) → context, for every English but the plain one of a Chinese string
# with several translations. The plain one is the most frequent English (on a tie, the one
# that reads as the general use).
CONTEXTS: dict[tuple[str, str], str] = {
    ("上级部门", "Parent"): "column",
    ("不予受理的理由", "Grounds for not accepting"): "policy",
    ("不满意", "No"): "answer",
    ("个人信息保护说明", "privacy notice"): "inline",
    ("个工作日", " working days"): "suffix",
    ("事项", "The matter"): "heading",
    ("件", "matching cases"): "matching",
    ("依据", "Source"): "policy",
    ("依据", "Rule"): "roster",
    ("值班人员", "Staff member"): "roster",
    ("凭回执查询", "Follow a case"): "title",
    ("凭回执查询", "Follow with a receipt"): "home",
    ("制度文本（TOML）", "Policy document (TOML)"): "field",
    ("办理时限", "Time limits we promise"): "public",
    ("受理渠道", "How to reach us"): "public",
    ("否", "No"): "field",
    ("启用", "on"): "account",
    ("在职人员", "Active staff"): "home",
    ("已停用", "off"): "account",
    ("已停用", "Deactivated"): "message",
    ("已列出", "lists it"): "department",
    ("已撤销", "withdrawn"): "override",
    ("已送达", "Delivered"): "column",
    ("开启双因素认证", "Turn two-factor authentication on"): "account",
    ("承办部门", "Department"): "queue",
    ("撤销", "Remove"): "member",
    ("收到时间", "Received at"): "field",
    ("文书", "Document"): "column",
    ("无", "none"): "inline",
    ("日期", "Day"): "roster",
    ("时间", "Written"): "note",
    ("是", "Yes"): "field",
    ("期限", "Deadlines"): "policy",
    ("未列出", "does not list it"): "department",
    ("核准", " for approval"): "pending",
    ("案件", "Cases"): "plural",
    ("渠道", "Channels"): "plural",
    ("满意", "Yes"): "answer",
    ("状态", "State"): "state",
    ("理由", "Ground"): "rule",
    ("理由", "Why"): "question",
    ("申诉", "Appeals"): "plural",
    ("登记", "Added"): "override",
    ("签收", "Acknowledged"): "done",
    ("类型", "Kinds"): "plural",
    ("类型", "Type"): "file",
    ("编号", "No."): "short",
    ("编号", "Numbering"): "policy",
    ("诉求", "What they ask for"): "field",
    ("说明", "Notes"): "plural",
    ("账号已停用", "account off"): "inline",
    ("这一天", "That day is"): "field",
    ("部门", "Departments"): "plural",
}

_LIT = r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
TAG = re.compile(r"\{%\s*t\s+" + _LIT + r"\s+" + _LIT + r"\s*%\}")
LOAD = re.compile(r"\{%\s*load\s+([^%]*?)\s*%\}")
IMPORT_LINE = "from django.utils.translation import {}\n"


def _unquote(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal[1:-1])


def _convertible(en: str) -> bool:
    return en != ""


class Converter:
    def __init__(self) -> None:
        self.seen: dict[tuple[str | None, str], str] = {}  # (context, msgid) → English
        self.template_pairs = 0
        self.code_pairs = 0
        self.contexts_used: set[tuple[str, str]] = set()

    def context(self, zh: str, en: str) -> str | None:
        ctx = CONTEXTS.get((zh, en))
        key = (ctx, zh)
        if key in self.seen and self.seen[key] != en:
            raise SystemExit(f"{zh!r}: {self.seen[key]!r} and {en!r} without a context")
        self.seen[key] = en
        if ctx is not None:
            self.contexts_used.add((zh, en))
        return ctx

    # templates ------------------------------------------------------------------------
    def template(self, path: Path) -> None:
        text = path.read_text(encoding="utf-8")

        def replace(m: re.Match[str]) -> str:
            zh, en = _unquote(m.group(1)), _unquote(m.group(2))
            if not _convertible(en):
                return m.group(0)
            ctx = self.context(zh, en)
            self.template_pairs += 1
            quoted = json.dumps(zh, ensure_ascii=False)
            if "%" in zh:
                raise SystemExit(f"{path}: {zh!r} has a %, convert it by hand")
            if ctx is None:
                return "{% translate " + quoted + " %}"
            return "{% translate " + quoted + ' context "' + ctx + '" %}'

        new = TAG.sub(replace, text)
        if new == text:
            return
        if not re.search(r"\{%\s*load\s+[^%]*\bi18n\b", new):
            m = LOAD.search(new)
            if m is None:
                raise SystemExit(f"{path}: no {{% load %}} to add i18n to")
            new = new[: m.start()] + "{% load " + m.group(1) + " i18n %}" + new[m.end() :]
        path.write_text(new, encoding="utf-8")

    # Python -----------------------------------------------------------------------------
    def python(self, path: Path) -> None:
        source = path.read_text(encoding="utf-8")
        if "t(" not in source:
            return
        tree = ast.parse(source)
        data = source.encode("utf-8")
        starts = [0]
        for line in source.splitlines(keepends=True):
            starts.append(starts[-1] + len(line.encode("utf-8")))

        def at(line: int, col: int) -> int:
            return starts[line - 1] + col

        edits: list[tuple[int, int, bytes]] = []
        used: set[str] = set()

        def visit(node: ast.AST, runtime: bool) -> None:
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "t"
                and len(node.args) == 2
                and not node.keywords
                and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)
            ):
                zh_node, en_node = node.args
                zh, en = str(zh_node.value), str(en_node.value)  # type: ignore[attr-defined]
                if _convertible(en):
                    ctx = self.context(zh, en)
                    self.code_pairs += 1
                    zh_src = data[
                        at(zh_node.lineno, zh_node.col_offset) : at(
                            zh_node.end_lineno or zh_node.lineno, zh_node.end_col_offset or 0
                        )
                    ].decode("utf-8")
                    name = ("gettext" if ctx is None else "pgettext") + ("" if runtime else "_lazy")
                    used.add(name)
                    args = zh_src if ctx is None else f'"{ctx}", {zh_src}'
                    edits.append(
                        (
                            at(node.lineno, node.col_offset),
                            at(node.end_lineno or node.lineno, node.end_col_offset or 0),
                            f"{name}({args})".encode(),
                        )
                    )
                    return
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for child in [
                    *node.decorator_list,
                    node.args,
                    *([node.returns] if node.returns else []),
                ]:
                    if child is not None:
                        visit(child, runtime)
                for child in node.body:
                    visit(child, True)
                return
            if isinstance(node, ast.Lambda):
                visit(node.args, runtime)
                visit(node.body, True)
                return
            for child in ast.iter_child_nodes(node):
                visit(child, runtime)

        visit(tree, False)
        if not edits:
            return
        for start, end, text in sorted(edits, reverse=True):
            data = data[:start] + text + data[end:]
        new = data.decode("utf-8")
        # The import goes after the module docstring and `from __future__`; ruff's isort
        # (`ruff check --fix`) puts it in its place and drops `t` where it is no longer used.
        lines = new.splitlines(keepends=True)
        insert = 0
        for i, line in enumerate(lines):
            if line.startswith("from __future__"):
                insert = i + 1
                break
        lines.insert(insert, IMPORT_LINE.format(", ".join(sorted(used))))
        path.write_text("".join(lines), encoding="utf-8")

    # catalogue -------------------------------------------------------------------------
    def write_catalogue(self) -> None:
        def po(s: str) -> str:
            return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

        out = [
            "# English catalogue of Tousu. The msgids are the Simplified Chinese strings.",
            "# Written by tools/i18n_convert.py, kept up to date with",
            "# `tousu makemessages -l en --no-obsolete`.",
            'msgid ""',
            'msgstr ""',
            '"Project-Id-Version: tousu\\n"',
            '"Language: en\\n"',
            '"MIME-Version: 1.0\\n"',
            '"Content-Type: text/plain; charset=UTF-8\\n"',
            '"Content-Transfer-Encoding: 8bit\\n"',
            '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
            "",
        ]
        for (ctx, zh), en in sorted(self.seen.items(), key=lambda kv: (kv[0][1], kv[0][0] or "")):
            if ctx is not None:
                out.append(f"msgctxt {po(ctx)}")
            out += [f"msgid {po(zh)}", f"msgstr {po(en)}", ""]
        CATALOGUE.parent.mkdir(parents=True, exist_ok=True)
        CATALOGUE.write_text("\n".join(out), encoding="utf-8")


def main() -> None:
    converter = Converter()
    for path in sorted(SOURCE.rglob("*.html")):
        converter.template(path)
    for path in sorted(SOURCE.rglob("*.py")):
        if path.name == "i18n.py" and path.parent.name == "web":
            continue
        converter.python(path)
    unused = set(CONTEXTS) - converter.contexts_used
    if unused:
        raise SystemExit(f"contexts never used: {sorted(unused)}")
    converter.write_catalogue()
    print(
        f"templates: {converter.template_pairs} pairs, code: {converter.code_pairs} pairs, "
        f"contexts: {len(converter.contexts_used)}, catalogue entries: {len(converter.seen)}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()

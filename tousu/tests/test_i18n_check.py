"""``tools/i18n_check.py`` and ``tools/i18n_hant.py`` on small temporary projects.

Each test writes a tiny repository (a catalogue or two, a module, a template) and shows that
the check fails on what it must refuse, naming file and line, and passes a clean one.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import polib  # type: ignore[import-untyped]
import pytest

TOOLS = Path(__file__).resolve().parents[2] / "tools"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


check = _load("i18n_check")
hant = _load("i18n_hant")

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: {plural}\\n"\n\n'
EN_PLURAL = "nplurals=2; plural=(n != 1);"


def _po(path: Path, body: str, plural: str = EN_PLURAL) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER.format(plural=plural) + body, encoding="utf-8")
    return path


def _project(root: Path, en: str, hant_body: str, code: str = "", template: str = "") -> Path:
    _po(root / "locale/en/LC_MESSAGES/django.po", en)
    _po(root / "locale/zh_Hant/LC_MESSAGES/django.po", hant_body, "nplurals=1; plural=0;")
    (root / "app/templates").mkdir(parents=True, exist_ok=True)
    (root / "app/views.py").write_text(code, encoding="utf-8")
    (root / "app/templates/page.html").write_text(template, encoding="utf-8")
    return root


CLEAN_EN = """\
#: app/views.py
#, python-brace-format
msgid "已登记：{number}"
msgstr "Registered: {number}"

#: app/templates/page.html
#, python-format
msgid "共 %(count)s 件"
msgid_plural "共 %(count)s 件"
msgstr[0] "%(count)s case"
msgstr[1] "%(count)s cases"

#: app/views.py
msgctxt "column"
msgid "编号"
msgstr "Number"
"""
CLEAN_HANT = """\
# OpenCC s2t, to review
#: app/views.py
#, python-brace-format
msgid "已登记：{number}"
msgstr "已登記：{number}"

#: app/templates/page.html
#, python-format
msgid "共 %(count)s 件"
msgid_plural "共 %(count)s 件"
msgstr[0] "共 %(count)s 件"

#: app/views.py
msgctxt "column"
msgid "编号"
msgstr "編號"
"""
CLEAN_CODE = """\
from django.utils.translation import gettext, pgettext


def register(number: str) -> str:
    '''Not a pair: t("中文", "English") in a docstring.'''
    label = pgettext("column", "编号")
    return label + gettext("已登记：{number}").format(number=number)
"""
CLEAN_TEMPLATE = """\
{% load i18n %}{% blocktranslate count count=n %}共 {{ count }} 件{% plural %}共 {{ count }} 件{% endblocktranslate %}
"""


def _kinds(problems: list[Any]) -> list[tuple[str, int, str]]:
    return sorted((p.path, p.line, p.kind) for p in problems)


def test_a_clean_project_passes(tmp_path: Path) -> None:
    root = _project(tmp_path, CLEAN_EN, CLEAN_HANT, CLEAN_CODE, CLEAN_TEMPLATE)
    assert check.check(root, stale=False) == []
    assert check.main(["--root", str(root), "--no-stale"]) == 0


def test_untranslated_and_fuzzy_entries_fail_in_either_catalogue(tmp_path, capsys) -> None:
    en = CLEAN_EN.replace('msgstr "Number"', 'msgstr ""')
    hant_body = CLEAN_HANT.replace(
        "#: app/views.py\n#, python-brace-format", "#: app/views.py\n#, fuzzy, python-brace-format"
    ).replace('msgstr[0] "共 %(count)s 件"', 'msgstr[0] ""')
    root = _project(tmp_path, en, hant_body, CLEAN_CODE, CLEAN_TEMPLATE)
    problems = check.check(root, stale=False)
    assert _kinds(problems) == [
        ("locale/en/LC_MESSAGES/django.po", 18, "untranslated"),
        ("locale/zh_Hant/LC_MESSAGES/django.po", 6, "fuzzy"),
        ("locale/zh_Hant/LC_MESSAGES/django.po", 12, "untranslated"),
    ]
    assert "column|编号" in str(problems[0])
    assert check.main(["--root", str(root), "--no-stale"]) == 1
    out = capsys.readouterr()
    assert "locale/en/LC_MESSAGES/django.po:18: untranslated: 'column|编号'" in out.out
    assert "i18n check failed: 1 fuzzy, 2 untranslated" in out.err


@pytest.mark.parametrize(
    ("msgstr", "wrong"),
    [
        ("Registered: {numero}", "lacks {number}, adds {numero}"),
        ("Registered", "lacks {number}"),
        ("Registered: {number} {number}", None),  # the same names: fine
        ("Registered: %(number)s", "lacks {number}, adds %(number)"),
        ("Registered: {number} %s", "has 1 positional placeholders, the msgid 0"),
        ("Registered: {number} 100%%", None),  # a literal percent sign
    ],
)
def test_placeholders_must_be_the_msgid_s(tmp_path, msgstr: str, wrong: str | None) -> None:
    en = CLEAN_EN.replace('"Registered: {number}"', f'"{msgstr}"')
    root = _project(tmp_path, en, CLEAN_HANT, CLEAN_CODE, CLEAN_TEMPLATE)
    problems = check.check(root, stale=False)
    if wrong is None:
        assert problems == []
    else:
        assert [(p.path, p.line, p.kind) for p in problems] == [
            ("locale/en/LC_MESSAGES/django.po", 6, "placeholders")
        ]
        assert problems[0].text.endswith(wrong)


def test_placeholders_of_each_plural_form_and_positional_counts(tmp_path) -> None:
    en = CLEAN_EN.replace('msgstr[1] "%(count)s cases"', 'msgstr[1] "%(n)s cases"')
    en += '\n#: app/views.py\n#, python-format\nmsgid "%s 至 %s"\nmsgstr "%s to"\n'
    hant_body = CLEAN_HANT.replace('msgstr[0] "共 %(count)s 件"', 'msgstr[0] "共 件"')
    hant_body += '\n#: app/views.py\n#, python-format\nmsgid "%s 至 %s"\nmsgstr "%s 至 %d"\n'
    root = _project(tmp_path, en, hant_body, CLEAN_CODE, CLEAN_TEMPLATE)
    problems = check.check(root, stale=False)
    assert [(p.path.split("/")[1], p.kind, p.text) for p in problems] == [
        ("en", "placeholders [1]", "'共 %(count)s 件' lacks %(count), adds %(n)"),
        ("en", "placeholders", "'%s 至 %s' has 1 positional placeholders, the msgid 2"),
        ("zh_Hant", "placeholders [0]", "'共 %(count)s 件' lacks %(count)"),
    ]


def test_pairs_left_in_code_and_templates_fail(tmp_path) -> None:
    code = (
        CLEAN_CODE
        + """

def old(w, english: bool) -> str:
    from tousu.web.i18n import t

    head = t("编号", "Number")
    return head + w.t(
        "待决定", "Pending"
    ) + str(len("t(x)"))
"""
    )
    template = CLEAN_TEMPLATE + '<p>{% t "提交" "Submit" %}</p>\n<td>{%t head_zh head_en%}</td>\n'
    root = _project(tmp_path, CLEAN_EN, CLEAN_HANT, code, template)
    problems = check.check(root, stale=False)
    assert [(p.path, p.line, p.kind, p.text) for p in problems] == [
        ("app/templates/page.html", 2, "{% t %} pair", """'{% t "提交" "Submit" %}'"""),
        ("app/templates/page.html", 3, "{% t %} pair", "'{%t head_zh head_en%}'"),
        ("app/views.py", 13, "t() pair", """"t('编号', 'Number')\""""),
        ("app/views.py", 14, "t() pair", """"w.t('待决定', 'Pending')\""""),
    ]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_a_catalogue_that_lacks_a_msgid_of_the_code_is_stale(tmp_path) -> None:
    code = CLEAN_CODE + '\n\nNEW = gettext("新的说法")\n'
    root = _project(tmp_path, CLEAN_EN, CLEAN_HANT, code, CLEAN_TEMPLATE)
    problems = check.check(root)
    assert [(p.path.split("/")[1], p.kind, p.text) for p in problems] == [
        ("en", "missing (used in app/views.py)", "'新的说法'"),
        ("zh_Hant", "missing (used in app/views.py)", "'新的说法'"),
    ]
    # An entry nothing uses any more is stale too.
    root = _project(
        tmp_path,
        CLEAN_EN,
        CLEAN_HANT,
        CLEAN_CODE.replace('pgettext("column", "编号")', '"x"'),
        CLEAN_TEMPLATE,
    )
    assert [(p.path.split("/")[1], p.kind) for p in check.check(root)] == [
        ("en", "used nowhere"),
        ("zh_Hant", "used nowhere"),
    ]
    # Up to date: the check passes, and the catalogues were not written.
    before = (root / "locale/en/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    root = _project(tmp_path, CLEAN_EN, CLEAN_HANT, CLEAN_CODE, CLEAN_TEMPLATE)
    assert check.check(root) == []
    assert (root / "locale/en/LC_MESSAGES/django.po").read_text(encoding="utf-8") == before


# tools/i18n_hant.py


def test_opencc_converts_the_text_around_the_placeholders() -> None:
    assert (
        hant.convert("已发送给{name}：%(count)s 条，%s 后") == "已發送給{name}：%(count)s 條，%s 後"
    )
    assert hant.convert("{发} %(后)s") == "{发} %(后)s"  # a placeholder is never converted
    assert hant.convert("100%% 办结") == "100%% 辦結"


def test_the_converter_keeps_reviewed_entries_and_redoes_marked_ones(tmp_path) -> None:
    path = _po(
        tmp_path / "django.po",
        """\
#: a.py
msgid "待分办"
msgstr ""

# OpenCC s2t, to review
#: a.py
#, python-brace-format
msgid "已登记：{number}"
msgstr "stale"

#: a.py
msgid "里程"
msgstr "里程（已審）"

#: a.py
#, fuzzy
#| msgid "后来"
msgid "后来的"
msgstr "後來"

#: a.py
msgid "共 %(n)s 件"
msgid_plural "共 %(n)s 件"
msgstr[0] ""
""",
        "nplurals=1; plural=0;",
    )
    assert hant.run(path) == (4, 1)
    catalogue = polib.pofile(str(path))
    got = {e.msgid: (e.msgstr or e.msgstr_plural.get(0), hant.marked(e)) for e in catalogue}
    assert got == {
        "待分办": ("待分辦", True),
        "已登记：{number}": ("已登記：{number}", True),
        "里程": ("里程（已審）", False),  # reviewed by a person: kept
        "后来的": ("後來的", True),  # its msgid changed: converted again, to review
        "共 %(n)s 件": ("共 %(n)s 件", True),
    }
    assert catalogue.fuzzy_entries() == []
    assert catalogue.metadata["Language"] == "zh_Hant"
    text = path.read_text(encoding="utf-8")
    assert text.count("# OpenCC s2t, to review\n") == 4 and "#." not in text
    assert hant.run(path) == (4, 1)  # idempotent
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.skipif(shutil.which("msgmerge") is None, reason="GNU gettext is not installed")
def test_the_review_mark_survives_msgmerge(tmp_path) -> None:
    # makemessages merges the catalogue with msgmerge, which drops extracted (#.) comments:
    # the mark is a translator comment so that a machine entry stays one.
    path = _po(
        tmp_path / "django.po", '#: a.py\nmsgid "待分办"\nmsgstr ""\n', "nplurals=1; plural=0;"
    )
    hant.run(path)
    pot = _po(
        tmp_path / "django.pot", '#: b.py\nmsgid "待分办"\nmsgstr ""\n', "nplurals=1; plural=0;"
    )
    msgmerge = shutil.which("msgmerge")
    assert msgmerge
    subprocess.run(  # noqa: S603
        [msgmerge, "-q", "--backup=none", "--previous", "--update", str(path), str(pot)],
        check=True,
    )
    (entry,) = polib.pofile(str(path))
    assert entry.msgstr == "待分辦" and hant.marked(entry)
    assert entry.occurrences == [("b.py", "")]

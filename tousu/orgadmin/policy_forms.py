"""Forms for the parts of the policy administrators change most.

Each form shows one part of the active version (categories; departments and routing;
deadlines; reply templates) with a field per value, and turns what was changed into
in-place edits of the TOML text (:mod:`tousu.policy.edits`). The edited document is then
validated by the same schema as the TOML view; its problems are put back next to the
field they concern (:meth:`SectionForm.attach`), in Chinese and English.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext, pgettext

from tousu.i18n import localized
from tousu.orgadmin.problems import Problem
from tousu.orgadmin.services.policy_changes import deadline_subject, routing_when
from tousu.policy import edits
from tousu.policy.periods import Period, disagreement, restate
from tousu.policy.schema import Policy, Unit
from tousu.policy.words import COUNTED, FIXED, rule_in_words

CODE = re.compile(r"^[a-z0-9_]{1,40}$")
UNITS: tuple[str, ...] = Unit.__args__  # type: ignore[attr-defined]


def _text(value: Any) -> str:
    """Text as posted, with the browser's CR LF line ends made LF."""
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _unit_label(unit: str) -> str:
    if unit in COUNTED:
        return str(COUNTED[unit])
    return str(FIXED.get(unit, unit))


def problem_text(problem: Problem) -> str:
    """A schema problem next to its field: the request's language first, the other beside."""
    if (get_language() or "").startswith("en"):
        return f"{problem.en} ({problem.zh})"
    return f"{problem.zh}（{problem.en}）"


@dataclass
class Row:
    """One item of the form (a category, a rule, a template) and its fields."""

    key: str
    title: str
    facts: list[str]
    fields: list[forms.BoundField]


class SectionForm(forms.Form):
    """A part of the policy as a form; subclasses add a field per value."""

    section: ClassVar[str]
    # The arrays the form edits; a schema problem on another part is shown above the form.
    arrays: ClassVar[tuple[str, ...]]
    # The field of an item that a problem naming the item is shown beside.
    anchor: ClassVar[str] = ""

    note = forms.CharField(required=False, max_length=500)
    based_on = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, policy: Policy, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.policy = policy
        self.fields["note"].label = gettext("修改说明（可选）")
        self.fields["note"].help_text = gettext("记录在版本历史和审计记录中")
        self.build()

    def build(self) -> None:
        raise NotImplementedError

    def rows(self) -> list[Row]:
        raise NotImplementedError

    def new_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("new-")]

    def edits(self) -> list[edits.Change]:
        """What the posted values change, as edits of the TOML text (valid form only)."""
        raise NotImplementedError

    def after(self, array: str) -> list[str]:
        """Each element of ``array`` in the edited document, by the key of its fields."""
        raise NotImplementedError

    # -- helpers ---------------------------------------------------------------------------

    def _add(self, name: str, field: forms.Field, initial: Any = None) -> None:
        if initial is not None:
            field.initial = initial
        self.fields[name] = field

    def _value(self, name: str) -> Any:
        value = self.cleaned_data.get(name)
        return _text(value) if isinstance(value, str) else value

    def _new(self, keys: Iterable[str]) -> dict[str, str]:
        return {key: self._value(f"new-{key}") or "" for key in keys}

    # -- problems of the edited document --------------------------------------------------

    def attach(self, problems: Iterable[Problem]) -> list[Problem]:
        """Put each problem next to its field; returns those no field of this form holds."""
        left = []
        for problem in problems:
            name = self._field_for(problem)
            if name is None:
                left.append(problem)
            else:
                self.add_error(name, problem_text(problem))
        return left

    def _field_for(self, problem: Problem) -> str | None:
        for array in self.arrays:
            prefix = array + "."
            if not problem.path.startswith(prefix):
                continue
            index, _, key = problem.path[len(prefix) :].partition(".")
            items = self.after(array)
            if not index.isdigit() or int(index) >= len(items):
                continue
            item = items[int(index)]
            key = key.split(".")[0] or _named_key(problem.en)
            return self._field_of(item, key)
        # A reference between parts ("category 'x': unknown parent 'fees'"): the item that
        # is missing first (removed here, most likely), then the item that names it.
        missing = re.findall(r"unknown [a-z ]+'([a-z0-9_]+)'", problem.en)
        for code in [*missing, *re.findall(r"'([a-z0-9_]+)'", problem.en)]:
            if self.data.get("new-code") == code and "new-code" in self.fields:
                return "new-code"
            if f"{self.anchor}-{code}" in self.fields:
                return f"{self.anchor}-{code}"
            for name in self.fields:
                if name.endswith(f"-{code}"):
                    return name
        return None

    def _field_of(self, item: str, key: str) -> str | None:
        for name in (f"{key}-{item}", f"new-{key}" if item == "new" else ""):
            if name and name in self.fields:
                return name
        own = [name for name in self.fields if name.endswith(f"-{item}")]
        if own:
            return own[0]
        new = [name for name in self.fields if name.startswith("new-")]
        return new[0] if item == "new" and new else None

    def clean_note(self) -> str:
        return _text(self.cleaned_data.get("note"))


def _named_key(message: str) -> str:
    """The key a model-level message names ("text_zh states 15 ..."), or ""."""
    m = re.search(r"\b(text_zh|text_en|amount|unit|lead|co|name_zh|body_zh|body_en)\b", message)
    return m.group(1) if m else ""


def _departments(policy: Policy) -> list[tuple[str, str]]:
    return [(d.code, f"{localized(d.name_zh, d.name_en)} ({d.code})") for d in policy.departments]


def _check_code(value: str, taken: Iterable[str]) -> str:
    if value and not CODE.match(value):
        raise ValidationError(gettext("代码只能用小写字母、数字和下划线，最多 40 个字符"))
    if value in set(taken):
        raise ValidationError(gettext("代码 {code} 已被使用").format(code=value))
    return value


def _code_of_new(form: forms.Form, data: dict[str, Any], taken: Iterable[str]) -> None:
    """The new item's code: its pattern, and not one already used."""
    code = _text(data.get("new-code"))
    try:
        data["new-code"] = _check_code(code, taken)
    except ValidationError as exc:
        form.add_error("new-code", exc)


# -- categories ----------------------------------------------------------------------------

OPEN, RETIRED, REMOVE = "open", "retired", "remove"


class CategoriesForm(SectionForm):
    """Add, rename, retire (or, unused, remove) categories."""

    section = "categories"
    arrays = ("categories",)
    anchor = "state"

    def __init__(self, policy: Policy, in_use: dict[str, int], *args: Any, **kwargs: Any) -> None:
        self.in_use = in_use
        super().__init__(policy, *args, **kwargs)

    def build(self) -> None:
        for c in self.policy.categories:
            self._add(f"name_zh-{c.code}", forms.CharField(max_length=200), c.name_zh)
            self._add(
                f"name_en-{c.code}", forms.CharField(max_length=200, required=False), c.name_en
            )
            states = [
                (OPEN, gettext("在用")),
                (RETIRED, gettext("停用（保留名称，新案件不可选）")),
                (REMOVE, gettext("删除（尚无案件使用）")),
            ]
            state = forms.ChoiceField(choices=states)
            if self.in_use.get(c.code):  # offered: open or retired (clean() says why not removed)
                state.widget.choices = states[:2]
            self._add(f"state-{c.code}", state, RETIRED if c.retired else OPEN)
            self.fields[f"name_zh-{c.code}"].label = gettext("中文名称")
            self.fields[f"name_en-{c.code}"].label = gettext("英文名称")
            self.fields[f"state-{c.code}"].label = gettext("状态")
        depts = [("", "—"), *_departments(self.policy)]
        parents = [("", "—")] + [
            (c.code, localized(c.name_zh, c.name_en)) for c in self.policy.open_categories
        ]
        for key, field, label in (
            ("code", forms.CharField(max_length=40, required=False), gettext("代码")),
            ("name_zh", forms.CharField(max_length=200, required=False), gettext("中文名称")),
            ("name_en", forms.CharField(max_length=200, required=False), gettext("英文名称")),
            ("lead", forms.ChoiceField(choices=depts, required=False), gettext("主办部门")),
            ("parent", forms.ChoiceField(choices=parents, required=False), gettext("上级类别")),
        ):
            field.label = label
            self._add(f"new-{key}", field)
        self.fields["new-code"].help_text = gettext("小写字母、数字和下划线；保存后不能修改")

    def rows(self) -> list[Row]:
        rows = []
        for c in self.policy.categories:
            count = self.in_use.get(c.code, 0)
            facts = [gettext("{count} 件案件").format(count=count)]
            if c.retired:
                facts.append(gettext("已停用"))
            fields = [self[f"{k}-{c.code}"] for k in ("name_zh", "name_en", "state")]
            rows.append(Row(c.code, localized(c.name_zh, c.name_en), facts, fields))
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _code_of_new(self, data, (c.code for c in self.policy.categories))
        for c in self.policy.categories:
            if data.get(f"state-{c.code}") == REMOVE and self.in_use.get(c.code):
                self.add_error(
                    f"state-{c.code}",
                    gettext("已有 {count} 件案件属于该类别，只能停用，不能删除").format(
                        count=self.in_use[c.code]
                    ),
                )
        new = {k: _text(data.get(f"new-{k}")) for k in ("code", "name_zh", "name_en", "lead")}
        if any(new.values()):
            for key in ("code", "name_zh"):
                if not new[key] and f"new-{key}" not in self.errors:
                    self.add_error(f"new-{key}", gettext("新增类别须填写此项"))
        return data

    def _removed(self) -> list[str]:
        return [
            c.code
            for c in self.policy.categories
            if self.cleaned_data.get(f"state-{c.code}") == REMOVE
        ]

    def edits(self) -> list[edits.Change]:
        out: list[edits.Change] = []
        for i, c in enumerate(self.policy.categories):
            values: dict[str, Any] = {}
            name_zh, name_en = self._value(f"name_zh-{c.code}"), self._value(f"name_en-{c.code}")
            if name_zh != c.name_zh:
                values["name_zh"] = name_zh
            if name_en != c.name_en:
                values["name_en"] = name_en or None
            retired = self.cleaned_data.get(f"state-{c.code}") == RETIRED
            if retired != c.retired:
                values["retired"] = True if retired else None
            if values:
                out.append(edits.Set("categories", i, values))
        new = self._new(("code", "name_zh", "name_en", "lead", "parent"))
        if new["code"]:
            out.append(edits.Append("categories", {k: v or None for k, v in new.items()}))
        positions = edits.codes(self.policy.categories)
        for code in sorted(self._removed(), key=positions.__getitem__, reverse=True):
            out.append(edits.Remove("categories", positions[code]))
        return out

    def after(self, array: str) -> list[str]:
        removed = set(self._removed()) if hasattr(self, "cleaned_data") else set()
        kept = [c.code for c in self.policy.categories if c.code not in removed]
        return [*kept, "new"]


# -- departments and routing ---------------------------------------------------------------


class RoutingForm(SectionForm):
    """Which department leads (and which help) for each category and each routing rule;
    a department added to the policy (created on save)."""

    section = "routing"
    arrays = ("categories", "routing", "departments")
    anchor = "lead"

    def build(self) -> None:
        depts = _departments(self.policy)
        for c in self.policy.categories:
            lead = forms.ChoiceField(choices=[("", "—"), *depts], required=False)
            co = forms.MultipleChoiceField(choices=depts, required=False)
            lead.label, co.label = gettext("主办部门"), gettext("协办部门")
            co.widget.attrs["size"] = str(min(len(depts), 4))
            self._add(f"lead-{c.code}", lead, c.lead)
            self._add(f"co-{c.code}", co, list(c.co))
        for i, rule in enumerate(self.policy.routing):
            lead = forms.ChoiceField(choices=depts)
            co = forms.MultipleChoiceField(choices=depts, required=False)
            lead.label, co.label = gettext("主办部门"), gettext("协办部门")
            co.widget.attrs["size"] = str(min(len(depts), 4))
            self._add(f"lead-rule{i}", lead, rule.lead)
            self._add(f"co-rule{i}", co, list(rule.co))
        parents = [("", gettext("（无，顶级部门）")), *depts]
        for key, field, label in (
            ("code", forms.CharField(max_length=40, required=False), gettext("代码")),
            ("name_zh", forms.CharField(max_length=200, required=False), gettext("中文名称")),
            ("name_en", forms.CharField(max_length=200, required=False), gettext("英文名称")),
            ("parent", forms.ChoiceField(choices=parents, required=False), gettext("上级部门")),
        ):
            field.label = label
            self._add(f"new-{key}", field)
        self.fields["new-code"].help_text = gettext(
            "小写字母、数字和下划线；保存后本单位即新建该部门，再在此为类别选择它"
        )

    def rows(self) -> list[Row]:
        rows = []
        for c in self.policy.categories:
            facts = [gettext("已停用")] if c.retired else []
            fields = [self[f"lead-{c.code}"], self[f"co-{c.code}"]]
            rows.append(Row(c.code, localized(c.name_zh, c.name_en), facts, fields))
        return rows

    def rule_rows(self) -> list[Row]:
        return [
            Row(
                f"rule{i}",
                routing_when(rule, self.policy),
                [rule.note] if rule.note else [],
                [self[f"lead-rule{i}"], self[f"co-rule{i}"]],
            )
            for i, rule in enumerate(self.policy.routing)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _code_of_new(self, data, (d.code for d in self.policy.departments))
        keys = [c.code for c in self.policy.categories] + [
            f"rule{i}" for i in range(len(self.policy.routing))
        ]
        for key in keys:
            lead, co = data.get(f"lead-{key}"), data.get(f"co-{key}") or []
            if lead and lead in co:
                self.add_error(f"co-{key}", gettext("协办部门不能包含主办部门"))
        new = {k: _text(data.get(f"new-{k}")) for k in ("code", "name_zh", "name_en")}
        if any(new.values()):
            for key in ("code", "name_zh"):
                if not new[key] and f"new-{key}" not in self.errors:
                    self.add_error(f"new-{key}", gettext("新增部门须填写此项"))
        return data

    def edits(self) -> list[edits.Change]:
        out: list[edits.Change] = []
        for i, c in enumerate(self.policy.categories):
            values: dict[str, Any] = {}
            lead, co = self._value(f"lead-{c.code}"), tuple(self._value(f"co-{c.code}") or ())
            if lead != c.lead:
                values["lead"] = lead or None
            if co != c.co:
                values["co"] = co or None
            if values:
                out.append(edits.Set("categories", i, values))
        for i, rule in enumerate(self.policy.routing):
            values = {}
            lead, co = self._value(f"lead-rule{i}"), tuple(self._value(f"co-rule{i}") or ())
            if lead != rule.lead:
                values["lead"] = lead
            if co != rule.co:
                values["co"] = co or None
            if values:
                out.append(edits.Set("routing", i, values))
        new = self._new(("code", "name_zh", "name_en", "parent"))
        if new["code"]:
            out.append(edits.Append("departments", {k: v or None for k, v in new.items()}))
        return out

    def after(self, array: str) -> list[str]:
        if array == "categories":
            return [c.code for c in self.policy.categories]
        if array == "routing":
            return [f"rule{i}" for i in range(len(self.policy.routing))]
        return [*(d.code for d in self.policy.departments), "new"]


# -- deadlines -----------------------------------------------------------------------------


class DeadlinesForm(SectionForm):
    """Each deadline rule's amount and unit, and the clause's own wording beside them.

    When only the amount changes and the wording states the old period, the wording is
    restated with the new number (十五 → 十二, "15 working days" → "12 working days"): the
    preview shows it before anything is saved.
    """

    section = "deadlines"
    arrays = ("deadlines",)
    anchor = "amount"

    def build(self) -> None:
        units = [(u, _unit_label(u)) for u in UNITS]
        for i, rule in enumerate(self.policy.deadlines):
            amount = forms.IntegerField(min_value=0, max_value=3650)
            unit = forms.ChoiceField(choices=units)
            text_zh = forms.CharField(max_length=500, required=False)
            text_en = forms.CharField(max_length=500, required=False)
            amount.label, unit.label = gettext("数量"), gettext("单位")
            text_zh.label = gettext("条文原文（中文，可选）")
            text_en.label = gettext("条文原文（英文，可选）")
            amount.widget.attrs.update({"class": "num", "inputmode": "numeric"})
            self._add(f"amount-{i}", amount, rule.amount)
            self._add(f"unit-{i}", unit, rule.unit)
            self._add(f"text_zh-{i}", text_zh, rule.text_zh)
            self._add(f"text_en-{i}", text_en, rule.text_en)

    def rows(self) -> list[Row]:
        rows = []
        for i, rule in enumerate(self.policy.deadlines):
            facts = [rule_in_words(rule)]
            if rule.clause:
                facts.append(gettext("出处：{clause}").format(clause=rule.clause))
            fields = [self[f"{k}-{i}"] for k in ("amount", "unit", "text_zh", "text_en")]
            rows.append(Row(str(i), deadline_subject(rule), facts, fields))
        return rows

    def edits(self) -> list[edits.Change]:
        out: list[edits.Change] = []
        for i, rule in enumerate(self.policy.deadlines):
            amount, unit = self._value(f"amount-{i}"), self._value(f"unit-{i}")
            values: dict[str, Any] = {}
            if amount != rule.amount:
                values["amount"] = amount
            if unit != rule.unit:
                values["unit"] = unit
            for key in ("text_zh", "text_en"):
                text = self._value(f"{key}-{i}")
                old = getattr(rule, key)
                # Wording left as it was that stated the old period states the new one.
                if (
                    text == old
                    and unit == rule.unit
                    and amount != rule.amount
                    and disagreement(old, rule.amount, rule.unit) is None
                ):
                    text = restate(old, Period(rule.amount, rule.unit), amount)
                if text != old:
                    values[key] = text or None
            if values:
                out.append(edits.Set("deadlines", i, values))
        return out

    def after(self, array: str) -> list[str]:
        return [str(i) for i in range(len(self.policy.deadlines))]


# -- reply templates -----------------------------------------------------------------------

PLACEHOLDERS = ("{number}", "{received}", "{department}", "{findings}", "{name}")


def _check_braces(text: str) -> str:
    try:
        list(string.Formatter().parse(text))
    except ValueError:
        raise ValidationError(
            gettext(
                "花括号不成对：占位符写作 {{number}}；要写花括号本身，请写两个（{{{{ 或 }}}}）"
            ).format()
        ) from None
    return text


class TemplatesForm(SectionForm):
    """The reply templates: edit, add, remove."""

    section = "templates"
    arrays = ("reply.templates",)
    anchor = "remove"

    def build(self) -> None:
        for t in self.policy.reply.templates:
            self._template_fields(t.code, t.title_zh, t.body_zh, t.title_en, t.body_en)
            remove = forms.BooleanField(required=False)
            remove.label = gettext("删除此模板")
            self._add(f"remove-{t.code}", remove)
        code = forms.CharField(max_length=40, required=False)
        code.label = gettext("代码")
        code.help_text = gettext("小写字母、数字和下划线；保存后不能修改")
        self._add("new-code", code)
        self._template_fields("new", "", "", "", "", required=False)

    def _template_fields(
        self, key: str, title_zh: str, body_zh: str, title_en: str, body_en: str,
        *, required: bool = True,
    ) -> None:  # fmt: skip
        body = {"rows": 4}
        fields: tuple[tuple[str, forms.Field, str, str], ...] = (
            ("title_zh", forms.CharField(max_length=200, required=required), gettext("中文标题"), title_zh),
            ("body_zh", forms.CharField(max_length=5000, required=required, widget=forms.Textarea(attrs=body)), gettext("中文正文"), body_zh),
            ("title_en", forms.CharField(max_length=200, required=False), gettext("英文标题"), title_en),
            ("body_en", forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs=body)), gettext("英文正文"), body_en),
        )  # fmt: skip
        for name, field, label, initial in fields:
            field.label = label
            if name.startswith("body"):
                field.help_text = gettext("可用占位符：{placeholders}").format(
                    placeholders=" ".join(PLACEHOLDERS)
                )
            self._add(f"{name}-{key}", field, initial)

    def new_fields(self) -> list[forms.BoundField]:
        keys = ("title_zh", "body_zh", "title_en", "body_en")
        return [self["new-code"], *(self[f"{key}-new"] for key in keys)]

    def rows(self) -> list[Row]:
        rows = []
        for t in self.policy.reply.templates:
            keys = ("title_zh", "body_zh", "title_en", "body_en", "remove")
            fields = [self[f"{k}-{t.code}"] for k in keys]
            rows.append(Row(t.code, localized(t.title_zh, t.title_en), [], fields))
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in list(self.fields):
            if name.startswith(("body_", "title_")) and isinstance(data.get(name), str):
                try:
                    data[name] = _check_braces(_text(data[name]))
                except ValidationError as exc:
                    self.add_error(name, exc)
        _code_of_new(self, data, (t.code for t in self.policy.reply.templates))
        new = {
            k: _text(data.get(f"{k}-new")) for k in ("title_zh", "body_zh", "title_en", "body_en")
        }
        if any(new.values()) or _text(data.get("new-code")):
            for name in ("new-code", "title_zh-new", "body_zh-new"):
                if not _text(data.get(name)) and name not in self.errors:
                    self.add_error(name, gettext("新增模板须填写此项"))
        return data

    def _removed(self) -> list[str]:
        return [
            t.code for t in self.policy.reply.templates if self.cleaned_data.get(f"remove-{t.code}")
        ]

    def edits(self) -> list[edits.Change]:
        out: list[edits.Change] = []
        keys = ("title_zh", "body_zh", "title_en", "body_en")
        for i, t in enumerate(self.policy.reply.templates):
            values = {}
            for key in keys:
                value = self._value(f"{key}-{t.code}")
                if value != getattr(t, key):
                    values[key] = value or None
            if values:
                out.append(edits.Set("reply.templates", i, values))
        code = self._value("new-code")
        if code:
            new = {key: self._value(f"{key}-new") or None for key in keys}
            out.append(edits.Append("reply.templates", {"code": code, **new}))
        positions = edits.codes(self.policy.reply.templates)
        for code in sorted(self._removed(), key=positions.__getitem__, reverse=True):
            out.append(edits.Remove("reply.templates", positions[code]))
        return out

    def after(self, array: str) -> list[str]:
        removed = set(self._removed()) if hasattr(self, "cleaned_data") else set()
        return [*(t.code for t in self.policy.reply.templates if t.code not in removed), "new"]

    def _field_of(self, item: str, key: str) -> str | None:
        if item == "new" and key == "code":
            return "new-code"
        return super()._field_of(item, key)


SECTIONS: dict[str, type[SectionForm]] = {
    "categories": CategoriesForm,
    "routing": RoutingForm,
    "deadlines": DeadlinesForm,
    "templates": TemplatesForm,
}


def section_links() -> list[tuple[str, str]]:
    return [(name, section_title(name)) for name in SECTIONS]


def section_title(section: str) -> str:
    return {
        "categories": gettext("类别"),
        "routing": gettext("部门与分办"),
        "deadlines": pgettext("policy", "期限"),
        "templates": gettext("答复模板"),
    }[section]

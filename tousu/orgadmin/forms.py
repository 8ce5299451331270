"""Forms of the administration pages; labels in the request's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext

from tousu.i18n import localized
from tousu.orgs.models import (
    MOBILE_RE,
    Department,
    Organisation,
    code_validator,
    normalise_mobile,
)
from tousu.orgs.roles import DEPARTMENT_ROLES, Role
from tousu.web import labels

MAX_SOURCE = 400_000  # characters; the largest preset is about 26,000


def _choices(field: forms.Field) -> forms.ChoiceField:
    assert isinstance(field, forms.ChoiceField)
    return field


def _offer(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    """Set the options a department select offers; the posted code is checked on its own
    (``_department``), so a refused choice gets its precise reason."""
    assert isinstance(field.widget, forms.Select)
    field.widget.choices = choices


def _department_field() -> forms.CharField:
    return forms.CharField(required=False, max_length=40, widget=forms.Select)


class PolicyForm(forms.Form):
    source = forms.CharField(strip=False, max_length=MAX_SOURCE)
    note = forms.CharField(required=False, max_length=500)
    based_on = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].label = pgettext("field", "制度文本（TOML）")
        self.fields["source"].widget = forms.Textarea(
            attrs={"rows": 36, "spellcheck": "false", "class": "code", "autocapitalize": "off"}
        )
        self.fields["note"].label = gettext("修改说明（可选）")
        self.fields["note"].help_text = gettext("记录在版本历史和审计记录中")


def department_choices(
    org: Organisation, *, exclude: set[int] | None = None
) -> list[tuple[str, str]]:
    """Active departments of the organisation as (code, "name (code)")."""
    rows = Department.objects.filter(org=org, active=True).order_by("code")
    return [
        (d.code, f"{localized(d.name, d.name_en)} ({d.code})")
        for d in rows
        if not exclude or d.pk not in exclude
    ]


class _DepartmentChoice(forms.Form):
    """A form with an optional ``parent`` or ``department`` chosen by code."""

    org: Organisation

    def _department(self, name: str) -> Department | None:
        code = self.cleaned_data.get(name) or ""
        if not code:
            return None
        dept = Department.objects.filter(org=self.org, code=code, active=True).first()
        if dept is None:
            raise ValidationError(gettext("部门不存在或已停用"))
        return dept


class DepartmentForm(_DepartmentChoice):
    code = forms.CharField(max_length=40, validators=[code_validator])
    name = forms.CharField(max_length=200)
    name_en = forms.CharField(max_length=200, required=False)
    parent = _department_field()

    def __init__(self, org: Organisation, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["code"].label = gettext("代码")
        self.fields["code"].help_text = gettext(
            "小写字母、数字和下划线；创建后不能修改（制度按代码引用部门）"
        )
        self.fields["name"].label = gettext("中文名称")
        self.fields["name_en"].label = gettext("英文名称")
        self.fields["parent"].label = gettext("上级部门")
        top = ("", gettext("（无，顶级部门）"))
        _offer(self.fields["parent"], [top, *department_choices(org)])

    def clean_parent(self) -> Department | None:
        return self._department("parent")


class RenameForm(forms.Form):
    name = forms.CharField(max_length=200)
    name_en = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = gettext("中文名称")
        self.fields["name_en"].label = gettext("英文名称")


class MoveForm(_DepartmentChoice):
    parent = _department_field()

    def __init__(self, dept: Department, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.org = dept.org
        self.fields["parent"].label = gettext("新的上级部门")
        # Offered: active departments outside this one's own subtree (the service checks again).
        top = ("", gettext("（无，顶级部门）"))
        _offer(
            self.fields["parent"],
            [top, *department_choices(dept.org, exclude=dept.subtree_ids())],
        )

    def clean_parent(self) -> Department | None:
        return self._department("parent")


def role_choices() -> list[tuple[str, str]]:
    return [(code, labels.role(code)) for code in Role.values]


class RoleForm(_DepartmentChoice):
    role = forms.ChoiceField()
    department = _department_field()

    def __init__(self, org: Organisation, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["role"].label = gettext("角色")
        _choices(self.fields["role"]).choices = role_choices()
        self.fields["department"].label = gettext("部门")
        self.fields["department"].help_text = gettext("承办人和部门负责人必须选择部门")
        _offer(self.fields["department"], [("", "—"), *department_choices(org)])

    def clean_department(self) -> Department | None:
        return self._department("department")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        missing = data.get("role") in DEPARTMENT_ROLES and not data.get("department")
        if missing and "department" not in self.errors:
            self.add_error(
                "department",
                gettext("该角色必须属于一个部门"),
            )
        return data


def _mobile(value: str) -> str:
    """A mobile number for notices, as kept (digits, a leading +)."""
    text = normalise_mobile(value)
    if text and not MOBILE_RE.fullmatch(text):
        raise ValidationError(gettext("手机号码格式不正确：11 位数字，或 + 国家代码 + 号码"))
    return text


def _one_line(value: str) -> str:
    text = value.strip()
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValidationError(gettext("只能填写一行文字"))
    return text


class ProfileForm(forms.Form):
    """A staff member's name, title and where their own notices go."""

    name = forms.CharField(max_length=100)
    title = forms.CharField(max_length=100, required=False)
    email = forms.EmailField(required=False)
    mobile = forms.CharField(max_length=30, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["name"].label = gettext("姓名")
        f["name"].help_text = gettext("文书和页面上显示的姓名，例如 王建国")
        f["title"].label = gettext("职务")
        f["title"].help_text = gettext("例如 财务处科员；文书需要时写在姓名后")
        f["email"].label = gettext("电子邮箱")
        f["mobile"].label = gettext("手机号码")
        f["mobile"].help_text = gettext("仅用于发给本人的通知，不在门户或文书上显示")
        f["name"].widget.attrs["autocomplete"] = "off"
        f["email"].widget.attrs["autocomplete"] = "off"
        f["mobile"].widget.attrs.update(autocomplete="off", inputmode="tel")

    def clean_name(self) -> str:
        return _one_line(self.cleaned_data["name"])

    def clean_title(self) -> str:
        return _one_line(self.cleaned_data["title"])

    def clean_mobile(self) -> str:
        return _mobile(self.cleaned_data["mobile"])


class StaffForm(RoleForm):
    username = forms.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    name = forms.CharField(max_length=100)
    title = forms.CharField(max_length=100, required=False)
    email = forms.EmailField(required=False)
    mobile = forms.CharField(max_length=30, required=False)
    password1 = forms.CharField(
        strip=False, required=False, widget=forms.PasswordInput(render_value=False)
    )
    password2 = forms.CharField(
        strip=False, required=False, widget=forms.PasswordInput(render_value=False)
    )

    field_order = [
        "username", "name", "title", "email", "mobile", "password1", "password2", "role",
        "department",
    ]  # fmt: skip

    def __init__(self, org: Organisation, *args: Any, **kwargs: Any) -> None:
        super().__init__(org, *args, **kwargs)
        f = self.fields
        f["username"].label = gettext("用户名")
        f["username"].help_text = gettext("登录用；字母、数字和 @ . + - _")
        profile = ProfileForm()
        for key in ("name", "title", "email", "mobile"):
            f[key].label, f[key].help_text = (
                profile.fields[key].label,
                profile.fields[key].help_text,
            )
            f[key].widget.attrs.update(profile.fields[key].widget.attrs)
        f["password1"].label = gettext("初始密码（可不填）")
        f["password1"].help_text = " ".join(
            [
                gettext("不填则由本人通过一次性链接自行设置（推荐）。"),
                *password_validation.password_validators_help_texts(),
            ]
        )
        f["password2"].label = gettext("再次输入密码")
        for name in ("password1", "password2"):
            f[name].widget.attrs["autocomplete"] = "new-password"
        f["username"].widget.attrs["autocomplete"] = "off"

    def clean_name(self) -> str:
        return _one_line(self.cleaned_data["name"])

    def clean_title(self) -> str:
        return _one_line(self.cleaned_data["title"])

    def clean_mobile(self) -> str:
        return _mobile(self.cleaned_data["mobile"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if (first or second) and first != second:
            self.add_error("password2", gettext("两次输入的密码不一致"))
        elif first:
            probe = get_user_model()(username=data.get("username", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(first, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class HolidayForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    working = forms.TypedChoiceField(
        coerce=lambda v: v == "1", choices=[("0", "0"), ("1", "1")], widget=forms.RadioSelect
    )
    name = forms.CharField(max_length=100)
    source_notice = forms.CharField(max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["date"].label = gettext("日期")
        f["working"].label = pgettext("field", "这一天")
        _choices(f["working"]).choices = [
            ("0", gettext("休息日（放假、停工）")),
            ("1", gettext("工作日（调休上班）")),
        ]
        f["name"].label = gettext("名称")
        f["name"].help_text = gettext("例如 春节调休上班、本地停工")
        f["source_notice"].label = gettext("依据")
        f["source_notice"].help_text = gettext("发文字号或决定，例如 国办发明电〔2026〕7号")

    def clean_date(self) -> Any:
        day = self.cleaned_data["date"]
        if not 1949 <= day.year <= 9999:
            raise ValidationError(gettext("年份应在 1949–9999 之间"))
        return day

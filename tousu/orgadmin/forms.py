"""Forms of the administration pages; labels in the request's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from tousu.orgs.models import Department, Organisation, code_validator
from tousu.orgs.roles import DEPARTMENT_ROLES, Role
from tousu.web import labels
from tousu.web.i18n import t

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
        self.fields["source"].label = t("制度文本（TOML）", "Policy document (TOML)")
        self.fields["source"].widget = forms.Textarea(
            attrs={"rows": 36, "spellcheck": "false", "class": "code", "autocapitalize": "off"}
        )
        self.fields["note"].label = t("修改说明（可选）", "What changed and why (optional)")
        self.fields["note"].help_text = t(
            "记录在版本历史和审计记录中", "Kept in the version history and the audit record"
        )


def department_choices(
    org: Organisation, *, exclude: set[int] | None = None
) -> list[tuple[str, str]]:
    """Active departments of the organisation as (code, "name (code)")."""
    rows = Department.objects.filter(org=org, active=True).order_by("code")
    return [
        (d.code, f"{t(d.name, d.name_en or d.name)} ({d.code})")
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
            raise ValidationError(t("部门不存在或已停用", "No such active department"))
        return dept


class DepartmentForm(_DepartmentChoice):
    code = forms.CharField(max_length=40, validators=[code_validator])
    name = forms.CharField(max_length=200)
    name_en = forms.CharField(max_length=200, required=False)
    parent = _department_field()

    def __init__(self, org: Organisation, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["code"].label = t("代码", "Code")
        self.fields["code"].help_text = t(
            "小写字母、数字和下划线；创建后不能修改（制度按代码引用部门）",
            "Lowercase letters, digits and underscores; fixed once created (the policy "
            "refers to departments by code)",
        )
        self.fields["name"].label = t("中文名称", "Name (Chinese)")
        self.fields["name_en"].label = t("英文名称", "Name (English)")
        self.fields["parent"].label = t("上级部门", "Parent department")
        top = ("", t("（无，顶级部门）", "(none: top level)"))
        _offer(self.fields["parent"], [top, *department_choices(org)])

    def clean_parent(self) -> Department | None:
        return self._department("parent")


class RenameForm(forms.Form):
    name = forms.CharField(max_length=200)
    name_en = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = t("中文名称", "Name (Chinese)")
        self.fields["name_en"].label = t("英文名称", "Name (English)")


class MoveForm(_DepartmentChoice):
    parent = _department_field()

    def __init__(self, dept: Department, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.org = dept.org
        self.fields["parent"].label = t("新的上级部门", "New parent department")
        # Offered: active departments outside this one's own subtree (the service checks again).
        top = ("", t("（无，顶级部门）", "(none: top level)"))
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
        self.fields["role"].label = t("角色", "Role")
        _choices(self.fields["role"]).choices = role_choices()
        self.fields["department"].label = t("部门", "Department")
        self.fields["department"].help_text = t(
            "承办人和部门负责人必须选择部门", "Required for handlers and department heads"
        )
        _offer(self.fields["department"], [("", "—"), *department_choices(org)])

    def clean_department(self) -> Department | None:
        return self._department("department")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        missing = data.get("role") in DEPARTMENT_ROLES and not data.get("department")
        if missing and "department" not in self.errors:
            self.add_error(
                "department",
                t("该角色必须属于一个部门", "This role belongs to a department: choose one"),
            )
        return data


class StaffForm(RoleForm):
    username = forms.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    last_name = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    password1 = forms.CharField(strip=False, widget=forms.PasswordInput(render_value=False))
    password2 = forms.CharField(strip=False, widget=forms.PasswordInput(render_value=False))

    field_order = [
        "username", "last_name", "first_name", "email", "password1", "password2", "role",
        "department",
    ]  # fmt: skip

    def __init__(self, org: Organisation, *args: Any, **kwargs: Any) -> None:
        super().__init__(org, *args, **kwargs)
        f = self.fields
        f["username"].label = t("用户名", "Username")
        f["username"].help_text = t(
            "登录用；字母、数字和 @ . + - _", "For signing in; letters, digits and @ . + - _"
        )
        f["last_name"].label = t("姓（或全名）", "Family name (or full name)")
        f["first_name"].label = t("名", "Given name")
        f["email"].label = t("电子邮箱", "E-mail")
        f["password1"].label = t("初始密码", "Initial password")
        f["password1"].help_text = " ".join(password_validation.password_validators_help_texts())
        f["password2"].label = t("再次输入密码", "Password again")
        for name in ("password1", "password2"):
            f[name].widget.attrs["autocomplete"] = "new-password"
        f["username"].widget.attrs["autocomplete"] = "off"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", t("两次输入的密码不一致", "The passwords do not match"))
        elif first:
            probe = get_user_model()(
                username=data.get("username", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=data.get("email", ""),
            )
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
        f["date"].label = t("日期", "Date")
        f["working"].label = t("这一天", "That day is")
        _choices(f["working"]).choices = [
            ("0", t("休息日（放假、停工）", "a day off (holiday, closure)")),
            ("1", t("工作日（调休上班）", "a working day (make-up workday)")),
        ]
        f["name"].label = t("名称", "Name")
        f["name"].help_text = t(
            "例如 春节调休上班、本地停工", "e.g. Spring Festival make-up day, local closure"
        )
        f["source_notice"].label = t("依据", "Source notice")
        f["source_notice"].help_text = t(
            "发文字号或决定，例如 国办发明电〔2026〕7号",
            "The notice or decision, e.g. its reference number",
        )

    def clean_date(self) -> Any:
        day = self.cleaned_data["date"]
        if not 1949 <= day.year <= 9999:
            raise ValidationError(t("年份应在 1949–9999 之间", "The year must be 1949–9999"))
        return day

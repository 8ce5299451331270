"""Policy versions in the admin: read any version, add a new one (validated), never edit one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from tousu.orgs.admin import ScopedAdmin
from tousu.policy.loader import PolicyError, parse_toml
from tousu.policy.models import PolicyVersion
from tousu.policy.services import activate_policy


class PolicyVersionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PolicyVersion
        fields = ["org", "source"]
        widgets = {"source": forms.Textarea(attrs={"rows": 40, "cols": 120, "spellcheck": "false"})}

    def clean_source(self) -> str:
        source: str = self.cleaned_data["source"]
        try:
            parse_toml(source)
        except PolicyError as exc:
            raise forms.ValidationError(
                [f"{path}: {message}" for path, message in exc.problems]
            ) from None
        return source


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ScopedAdmin):
    """A saved document becomes the organisation's new active version; the old ones stay."""

    form = PolicyVersionForm
    list_display = ("org", "number", "preset", "created_at", "created_by")
    list_filter = ("org",)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return ("org", "number", "preset", "source", "created_at", "created_by") if obj else ()

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return obj is None and self.has_module_permission(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).defer("document")

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm[Any], change: bool
    ) -> None:
        version = activate_policy(obj.org, form.cleaned_data["source"], actor=request.user)
        obj.pk = version.pk
        obj.number = version.number

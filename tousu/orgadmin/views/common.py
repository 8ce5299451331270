"""What every administration page shares: its sub-navigation and error handling."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.utils.translation import gettext_lazy, pgettext_lazy

from tousu.i18n import Text
from tousu.orgadmin.links import admin_url
from tousu.orgadmin.services import Refused
from tousu.web.pages import DeskRequest, page

SECTIONS: tuple[tuple[str, Text], ...] = (
    ("home", gettext_lazy("概览")),
    ("policy", pgettext_lazy("section", "制度")),
    ("departments", pgettext_lazy("section", "部门")),
    ("staff", gettext_lazy("人员与角色")),
    ("holidays", gettext_lazy("节假日调整")),
)


def admin_page(
    request: DeskRequest,
    template: str,
    section: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    slug = request.desk.org.slug
    nav = [
        {
            "url": admin_url(name, org=slug),
            "label": str(label),
            "current": name == section,
        }
        for name, label in SECTIONS
    ]
    return page(request, template, {"admin_nav": nav, "section": section, **context}, status)


def refuse(form: forms.Form | None, exc: Refused) -> str:
    """Attach a refusal to the form field it concerns; returns the page-level message."""
    if form is not None and exc.field != "__all__" and exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    return exc.message

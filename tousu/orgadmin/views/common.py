"""What every administration page shares: its sub-navigation and error handling."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse

from tousu.orgadmin.links import admin_url
from tousu.orgadmin.services import Refused
from tousu.web.i18n import t
from tousu.web.pages import DeskRequest, page

SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("home", "概览", "Overview"),
    ("policy", "制度", "Policy"),
    ("departments", "部门", "Departments"),
    ("staff", "人员与角色", "Staff and roles"),
    ("holidays", "节假日调整", "Holiday overrides"),
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
            "label": t(zh, en),
            "current": name == section,
        }
        for name, zh, en in SECTIONS
    ]
    return page(request, template, {"admin_nav": nav, "section": section, **context}, status)


def refuse(form: forms.Form | None, exc: Refused) -> str:
    """Attach a refusal to the form field it concerns; returns the page-level message."""
    if form is not None and exc.field != "__all__" and exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    return exc.message

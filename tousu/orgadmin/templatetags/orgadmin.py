"""Template helpers of the administration pages."""

from __future__ import annotations

from typing import Any

from django import template

from tousu.orgadmin.links import admin_url

register = template.Library()


@register.filter(name="person")
def person(user: Any) -> str:
    """A staff member's name as written: family name first in Chinese (王建国), else as given."""
    if user is None:
        return ""
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if not first and not last:
        return str(user.get_username())
    if not (first + last).isascii():
        return last + first
    return f"{first} {last}".strip()


@register.simple_tag(name="admin_url")
def admin_url_tag(name: str, **kwargs: Any) -> str:
    """``{% admin_url "departments" org=org.slug %}``: see :mod:`tousu.orgadmin.links`."""
    return admin_url(name, **kwargs)

"""Template helpers of the administration pages."""

from __future__ import annotations

from typing import Any

from django import template

from tousu.orgadmin.links import admin_url
from tousu.orgs.people import display_name

register = template.Library()


@register.filter(name="person")
def person(user: Any) -> str:
    """A staff member's name (:func:`tousu.orgs.people.display_name`); the administration
    pages show the username beside it."""
    return display_name(user)


@register.simple_tag(name="admin_url")
def admin_url_tag(name: str, **kwargs: Any) -> str:
    """``{% admin_url "departments" org=org.slug %}``: see :mod:`tousu.orgadmin.links`."""
    return admin_url(name, **kwargs)

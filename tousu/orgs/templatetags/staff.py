"""``{% load staff %}``: staff members by name in templates (:mod:`tousu.orgs.people`)."""

from __future__ import annotations

from typing import Any

from django import template

from tousu.orgs.people import display_name, profile

register = template.Library()


@register.filter(name="staff_name")
def staff_name(user: Any, title: str = "") -> str:
    """``{{ user|staff_name }}``, ``{{ user|staff_name:"title" }}`` (with the post)."""
    return display_name(user, title=title == "title")


@register.filter(name="own_name")
def own_name(user: Any) -> str:
    """The signed-in person's own label: their name, else their username (theirs to know)."""
    found = profile(user)
    return found.name if found is not None and found.name else str(user.get_username())

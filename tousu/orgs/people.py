"""How a staff member is called, and where their own notices go.

Every page, document and notice that names a staff member calls :func:`display_name`:
the full name from their :class:`~tousu.orgs.models.StaffProfile` (with the title where a
document expects one), a neutral 工作人员 when no name is set, never the username (a login
is not a name, and it tells an outsider how to try to sign in). The two accounts that
stand for no person — the job worker and a reporter on the public portal — have labels
of their own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext

from tousu.orgs.models import StaffProfile, normalise_mobile

# The accounts that act for no person: the job worker, and a reporter on the portal.
SYSTEM_USERNAME = "tousu-system"
REPORTER_USERNAME = "tousu-reporter"


def profile(user: Any) -> StaffProfile | None:
    """The person's profile, or None (an account made before profiles, or by Django's
    ``createsuperuser``). Cached on the user object once read."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    try:
        found = user.staff_profile
    except ObjectDoesNotExist:
        return None
    return found if isinstance(found, StaffProfile) else None


def display_name(user: Any, *, title: bool = False) -> str:
    """The staff member's name as pages and documents show it.

    ``title=True`` adds the post where a document expects it: 王建国（财务处处长）. With no
    name set, the title alone, else 工作人员; never the username. "" for no one.
    """
    if user is None:
        return ""
    username = user.get_username()
    if username == SYSTEM_USERNAME:
        return gettext("系统")
    if username == REPORTER_USERNAME:
        return gettext("投诉举报人")
    found = profile(user)
    name = found.name.strip() if found else ""
    post = found.title.strip() if found else ""
    if not name:
        return post or gettext("工作人员")
    if title and post:
        return gettext("{name}（{title}）").format(name=name, title=post)
    return name


def names_by_id(user_ids: Any, *, title: bool = False) -> dict[int, str]:
    """Display names of many people in two queries (lists and exports)."""
    ids = {int(i) for i in user_ids if i}
    users = get_user_model().objects.filter(pk__in=ids).select_related("staff_profile")
    return {int(u.pk): display_name(u, title=title) for u in users}


def notice_email(user: Any) -> str:
    """Where the person's e-mail notices go: the profile's address, else the account's."""
    found = profile(user)
    if found is not None and found.email:
        return found.email
    return str(getattr(user, "email", "") or "")


def notice_mobile(user: Any, fallback: str = "") -> str:
    """Where the person's text messages go: the profile's mobile, else ``fallback`` (a number
    kept with their notice preferences)."""
    found = profile(user)
    if found is not None and found.mobile:
        return normalise_mobile(found.mobile)
    return fallback


def first_contact_name(user: Any, *, title: bool = False) -> str:
    """The 首问责任人 as pages and documents show them. A case filed on the public portal
    reached no staff member first: it says so instead of naming the reporter's account."""
    if user is not None and user.get_username() == REPORTER_USERNAME:
        return gettext("网上提交")
    return display_name(user, title=title)

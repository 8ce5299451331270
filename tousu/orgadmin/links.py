"""Addresses of the administration pages.

The URL table is included under ``desk/<org>/manage/``; whether its namespace is
``orgadmin`` or nested in the desk's (``desk:orgadmin``) depends on where it is
included, so names are resolved here, in one place, under either.
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

NAMESPACES = ("orgadmin", "desk:orgadmin")


def admin_url(name: str, **kwargs: Any) -> str:
    for namespace in NAMESPACES:
        try:
            return reverse(f"{namespace}:{name}", kwargs=kwargs)
        except NoReverseMatch:
            continue
    raise NoReverseMatch(f"no administration page {name!r} with {sorted(kwargs)}")

"""Template helpers of the desk: a record's own zh/en text, labels, local times."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

from tousu.i18n import localized

register = template.Library()


@register.filter(name="pick")
def pick_filter(value: Any) -> str:
    """A record's ``{"zh": ..., "en": ...}`` text in the page's language (Chinese when no
    English was written)."""
    if isinstance(value, dict):
        return localized(str(value.get("zh") or ""), str(value.get("en") or ""))
    return str(value or "")


@register.filter(name="local")
def local(value: datetime | None, tz: str = "Asia/Shanghai") -> str:
    """A moment as the organisation writes it: 2026-11-28 09:40 (its own time zone)."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return timezone.localtime(value, ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


@register.filter(name="get")
def get(mapping: Any, key: str) -> Any:
    try:
        return mapping.get(key) if hasattr(mapping, "get") else mapping[key]
    except (KeyError, IndexError, TypeError):
        return None

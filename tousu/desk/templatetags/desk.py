"""Template helpers of the desk: the zh/en pair, labels, local times."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

from tousu.web.i18n import pick, t

register = template.Library()


@register.simple_tag(name="t")
def t_tag(zh: str, en: str) -> str:
    return t(zh, en)


@register.filter(name="pick")
def pick_filter(value: Any) -> str:
    return pick(value)


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

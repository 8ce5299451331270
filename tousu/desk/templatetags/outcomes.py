"""Words for the codes the case page's outcomes section shows (desk/_case_outcomes.html)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy

from tousu.i18n import Text
from tousu.web import labels

register = template.Library()

VALIDITY: dict[str, Text] = {
    "valid": gettext_lazy("属实"),
    "invalid": gettext_lazy("不属实"),
}


@register.filter(name="choice")
def choice(code: str) -> str:
    return labels.choice(code) if code else ""


@register.filter(name="channel")
def channel(code: str) -> str:
    return labels.channel(code) if code else ""


@register.filter(name="validity")
def validity(code: str) -> str:
    return str(VALIDITY.get(code, code)) if code else ""

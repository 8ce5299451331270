"""The key an action form carries so that sending it twice files once
(:mod:`tousu.cases.idempotency`): for the actions whose answer is shown once."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tousu.cases import idempotency

register = template.Library()

# Actions that file something shown once (a receipt's digits): their form is sent once.
FILED_ONCE = frozenset({"issue_receipt"})


@register.simple_tag
def filed_once_field(action: str) -> SafeString | str:
    """A hidden field with a new key, for an action in :data:`FILED_ONCE`; else nothing."""
    if action not in FILED_ONCE:
        return ""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', idempotency.FORM_FIELD, idempotency.new_key()
    )

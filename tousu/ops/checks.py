"""System checks of the deployment (``tousu check``; shown when the server starts)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from tousu.conf import base_url_warning


def base_url(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """tousu.W001: the public address is unset or opens only on this machine."""
    text = base_url_warning(settings.TOUSU_BASE_URL, settings.TOUSU_BASE_URL_SET)
    if not text:
        return []
    return [
        checks.Warning(
            text,
            hint="Printed report-box forms, e-mails and text messages carry this address.",
            id="tousu.W001",
        )
    ]

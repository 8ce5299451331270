"""SMS behind a small provider interface. The default provider only logs (masked)."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("tousu.sms")


class SmsProvider(Protocol):
    def send(self, phone: str, text: str) -> str:
        """Send; return the provider's message id. Raise on failure."""


class LoggingSmsProvider:
    """Writes a log line instead of sending, with the number masked."""

    def send(self, phone: str, text: str) -> str:
        masked = phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"
        log.info("SMS to %s: %s", masked, text)
        return f"logged:{masked}"


@lru_cache(maxsize=1)
def provider() -> SmsProvider:
    path = getattr(settings, "TOUSU_SMS_PROVIDER", "tousu.notify.sms.LoggingSmsProvider")
    provider_class = import_string(path)
    instance: SmsProvider = provider_class()
    return instance

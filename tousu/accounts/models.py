"""Sign-in state: back-off counters, second factors and recovery codes.

Nothing here holds a username, an address or a secret in clear: counters are keyed by
an HMAC, TOTP secrets are sealed (AES-256-GCM) and recovery codes kept as HMACs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Throttle(models.Model):
    """Failed attempts for one username, client address or second-factor user.

    ``key`` is an HMAC under the accounts key (``tousu.accounts.keys``), never the raw
    value. A row untouched for ``throttle.EXPIRY`` counts as empty and is purged.
    """

    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    next_allowed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "登录限速 sign-in throttle"
        verbose_name_plural = "登录限速 sign-in throttles"


class SecondFactor(models.Model):
    """A staff member's TOTP secret (RFC 6238), sealed; on once ``confirmed_at`` is set."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="second_factor"
    )
    sealed_secret = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last time step (unix time // 30) a code was accepted for: no replay within it.
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "双因素认证 second factor"
        verbose_name_plural = "双因素认证 second factors"


class RecoveryCode(models.Model):
    """One single-use recovery code, kept as an HMAC of the user id and the code."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "恢复码 recovery code"
        verbose_name_plural = "恢复码 recovery codes"
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="recovery_code_unique")
        ]

"""API tokens for staff: the API's token format (:mod:`tousu.api.auth`) stored as an
:class:`~tousu.orgs.models.ApiToken` row, with its audit event (moved from orgs.services:
orgs sits below the API)."""

from __future__ import annotations

from typing import Any

from tousu.api.auth import TOKEN_PREFIX, token_digest
from tousu.orgs.models import ApiToken
from tousu.orgs.services import audit
from tousu.security import crypto


def create_token(user: Any, label: str = "") -> str:
    """A new API token, returned once; only its SHA-256 digest is stored."""
    token = TOKEN_PREFIX + crypto.token_urlsafe(32)  # 256 bits of randomness
    row = ApiToken.objects.create(
        user=user, digest=token_digest(token), prefix=token[:8], label=label
    )
    audit("token.created", row, org=None, actor=user, prefix=row.prefix)
    return token

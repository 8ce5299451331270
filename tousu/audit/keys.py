"""The audit key: HMAC-SHA-256 key of row seals and checkpoints, kept outside the database.

``TOUSU_AUDIT_KEY`` (URL-safe base64 of 32 bytes) or ``var/audit_key``, generated once
with mode 0600 like the master and index keys. Someone who can edit the database but
cannot read this key cannot compute a seal or a checkpoint for a row they changed.
"""

from __future__ import annotations

from functools import lru_cache

from tousu.security import crypto


@lru_cache(maxsize=1)
def audit_key() -> bytes:
    return crypto.key_from_env_or_file("TOUSU_AUDIT_KEY", "audit_key")


def forget_audit_key() -> None:
    audit_key.cache_clear()


def keyed(message: bytes) -> str:
    """HMAC-SHA-256 of ``message`` under the audit key, hex."""
    return crypto.keyed_digest(audit_key(), message)

"""The accounts key and what is derived from it.

One secret, ``TOUSU_ACCOUNTS_KEY`` or generated once into ``var/accounts_key``, from
which separate subkeys are derived (HMAC-SHA-256 with a label) for:

- throttle keys: an HMAC of the username or client address, never the value itself;
- recovery codes: an HMAC of the user id and the code (the codes are random, so a
  slow hash would add nothing);
- TOTP secrets: sealed with AES-256-GCM, the user id bound in as associated data.

It is kept apart from ``TOUSU_SECRET_KEY`` (rotating that one only ends sessions) and
from the master key (``tousu keys rotate`` must not strand TOTP secrets). Losing it
turns every second factor off in effect: keep it with the master key's backups.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tousu.conf import secret_from_env_or_file

SEALED_PREFIX = "a1:"
_NONCE = 12


class SealError(Exception):
    """A sealed TOTP secret could not be opened (another key, another user, tampered)."""


@lru_cache(maxsize=1)
def _root() -> bytes:
    text = secret_from_env_or_file("TOUSU_ACCOUNTS_KEY", "accounts_key")
    return hashlib.sha256(b"tousu-accounts-key:" + text.encode()).digest()


def subkey(label: str) -> bytes:
    return hmac.new(_root(), f"tousu-accounts/{label}".encode(), hashlib.sha256).digest()


def forget() -> None:
    _root.cache_clear()


def digest(label: str, value: str) -> str:
    """HMAC-SHA-256 of ``value`` under the subkey ``label``, hex (64 characters)."""
    return hmac.new(subkey(label), value.encode(), hashlib.sha256).hexdigest()


def seal(plaintext: str, *, context: str) -> str:
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(subkey("totp-seal")).encrypt(nonce, plaintext.encode(), context.encode())
    return SEALED_PREFIX + base64.b64encode(nonce + sealed).decode()


def open_sealed(token: str, *, context: str) -> str:
    try:
        if not token.startswith(SEALED_PREFIX):
            raise ValueError("not sealed")
        raw = base64.b64decode(token[len(SEALED_PREFIX) :])
        opened = AESGCM(subkey("totp-seal")).decrypt(raw[:_NONCE], raw[_NONCE:], context.encode())
        return opened.decode()
    except Exception as exc:
        raise SealError(f"cannot open sealed secret: {type(exc).__name__}") from None

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

from functools import lru_cache

from tousu.security import crypto

SEALED_PREFIX = "a1:"


class SealError(Exception):
    """A sealed TOTP secret could not be opened (another key, another user, tampered)."""


@lru_cache(maxsize=1)
def _root() -> bytes:
    return crypto.key_from_env_or_file(
        "TOUSU_ACCOUNTS_KEY", "accounts_key", passphrase_label=b"tousu-accounts-key:"
    )


def subkey(label: str) -> bytes:
    return crypto.subkey(_root(), f"tousu-accounts/{label}")


def forget() -> None:
    _root.cache_clear()


def digest(label: str, value: str) -> str:
    """HMAC-SHA-256 of ``value`` under the subkey ``label``, hex (64 characters)."""
    return crypto.keyed_digest(subkey(label), value.encode())


def seal(plaintext: str, *, context: str) -> str:
    return crypto.seal_text(
        subkey("totp-seal"), plaintext, prefix=SEALED_PREFIX, associated=context.encode()
    )


def open_sealed(token: str, *, context: str) -> str:
    try:
        return crypto.open_text(
            subkey("totp-seal"), token, prefix=SEALED_PREFIX, associated=context.encode(),
            failure="cannot open sealed secret",
        )  # fmt: skip
    except crypto.CryptoError as exc:
        raise SealError(str(exc)) from None

"""Sealed personal data: case keys, sealed fields and blind indexes (the primitives
are in :mod:`tousu.security.crypto`).

- Each case has its own 256-bit key; personal data of the case (identity, contact
  details, free text) is sealed under it with AES-256-GCM, the field bound in as
  associated data; another case's key cannot open it.
- Case keys are stored wrapped (AES-256-GCM) under the master key, which lives outside
  the database: ``TOUSU_MASTER_KEY`` or ``var/master_key``. Destroying a case's wrapped
  key makes its personal data unreadable for good (crypto-shredding) while the rest of
  the record stays intact.
- Blind indexes (HMAC-SHA-256 under a separate index key) let staff find repeat
  complainants by phone, ID number or e-mail without decrypting anything.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache

from tousu.conf import ConfigError, var_dir
from tousu.security import crypto
from tousu.security.crypto import CryptoError as CryptoError
from tousu.security.crypto import key_id as key_id

SEALED_PREFIX = "s1:"
WRAPPED_PREFIX = "w1:"
_CASE_KEY_AD = b"tousu-case-key"


@lru_cache(maxsize=1)
def master_key() -> bytes:
    return crypto.key_from_env_or_file("TOUSU_MASTER_KEY", "master_key")


@lru_cache(maxsize=1)
def index_key() -> bytes:
    return crypto.key_from_env_or_file("TOUSU_INDEX_KEY", "index_key")


def new_case_key() -> bytes:
    return crypto.new_key()


def wrap(case_key: bytes, *, master: bytes | None = None) -> str:
    """A case key, wrapped under the master key: ``w1:<master key id>:<nonce+ciphertext>``."""
    master = master or master_key()
    sealed = crypto.seal_bytes(master, case_key, _CASE_KEY_AD)
    return f"{WRAPPED_PREFIX}{key_id(master)}:{base64.b64encode(sealed).decode()}"


@lru_cache(maxsize=1)
def keyring() -> dict[str, bytes]:
    """Every master key this installation holds, by key id: the current one, and the
    retired or next ones a rotation leaves in ``var/`` (so an interrupted rotation
    never strands a case key)."""
    keys = {key_id(master_key()): master_key()}
    for path in sorted(var_dir().glob("master_key.*")):
        try:
            extra = crypto.decode_key(path.read_text().strip(), path.name)
        except ConfigError:
            continue
        keys.setdefault(key_id(extra), extra)
    return keys


def forget_keys() -> None:
    master_key.cache_clear()
    keyring.cache_clear()


def unwrap(wrapped: str, *, master: bytes | None = None) -> bytes:
    try:
        prefix, kid, body = wrapped.split(":", 2)
        if f"{prefix}:" != WRAPPED_PREFIX:
            raise ValueError(prefix)
        master = master or keyring().get(kid)
        if master is None or kid != key_id(master):
            raise CryptoError(f"case key wrapped under master key {kid}, which is not here")
        raw = base64.b64decode(body)
        return crypto.open_bytes(master, raw, _CASE_KEY_AD, failure="cannot unwrap case key")
    except CryptoError:
        raise
    except Exception as exc:
        raise CryptoError(f"cannot unwrap case key: {type(exc).__name__}") from None


def seal(case_key: bytes, plaintext: str, *, context: str) -> str:
    """Seal under the case's own key; ``context`` (the field) is bound in, so a value
    cannot be moved to another field. Another case's key cannot open it at all."""
    if plaintext == "":
        return ""
    return crypto.seal_text(case_key, plaintext, prefix=SEALED_PREFIX, associated=context.encode())


def open_sealed(case_key: bytes, token: str, *, context: str) -> str:
    if not token.startswith(SEALED_PREFIX):
        return token  # empty
    return crypto.open_text(
        case_key, token, prefix=SEALED_PREFIX, associated=context.encode(),
        failure="cannot open sealed value",
    )  # fmt: skip


_NOT_DIGITS = re.compile(r"[^0-9]")


def normalise(kind: str, value: str) -> str:
    value = value.strip()
    if kind == "phone":
        digits = _NOT_DIGITS.sub("", value)
        return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits
    if kind == "email":
        return value.lower()
    if kind == "id_number":
        return value.upper()
    return value


def blind_index(kind: str, value: str) -> str:
    """A keyed, non-reversible index of a phone number, ID number or e-mail ("" for "")."""
    norm = normalise(kind, value)
    if not norm:
        return ""
    return crypto.keyed_digest(index_key(), f"{kind}:{norm}".encode())[:40]

"""All of Tousu's cryptography, in one typed module.

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
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tousu.conf import ConfigError, secret_from_env_or_file, var_dir

SEALED_PREFIX = "s1:"
WRAPPED_PREFIX = "w1:"
_NONCE = 12


class CryptoError(Exception):
    """A sealed value or wrapped key could not be opened (wrong key, or tampered)."""


def _key_from(text: str, name: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != 32:
        raise ConfigError(f"{name} must be 32 bytes, URL-safe base64 (e.g. `python -c "
                          "'import secrets,base64;print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())'`)")  # fmt: skip
    return raw


def _generated(name: str, filename: str) -> bytes:
    text = secret_from_env_or_file(name, filename, generator=_new_key_text)
    return _key_from(text, name)


def _new_key_text() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


@lru_cache(maxsize=1)
def master_key() -> bytes:
    return _generated("TOUSU_MASTER_KEY", "master_key")


@lru_cache(maxsize=1)
def index_key() -> bytes:
    return _generated("TOUSU_INDEX_KEY", "index_key")


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"tousu-key-id" + key).hexdigest()[:8]


def new_case_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def wrap(case_key: bytes, *, master: bytes | None = None) -> str:
    """A case key, wrapped under the master key: ``w1:<master key id>:<nonce+ciphertext>``."""
    master = master or master_key()
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(master).encrypt(nonce, case_key, b"tousu-case-key")
    return f"{WRAPPED_PREFIX}{key_id(master)}:{base64.b64encode(nonce + sealed).decode()}"


@lru_cache(maxsize=1)
def keyring() -> dict[str, bytes]:
    """Every master key this installation holds, by key id: the current one, and the
    retired or next ones a rotation leaves in ``var/`` (so an interrupted rotation
    never strands a case key)."""
    keys = {key_id(master_key()): master_key()}
    for path in sorted(var_dir().glob("master_key.*")):
        try:
            extra = _key_from(path.read_text().strip(), path.name)
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
        return AESGCM(master).decrypt(raw[:_NONCE], raw[_NONCE:], b"tousu-case-key")
    except CryptoError:
        raise
    except Exception as exc:
        raise CryptoError(f"cannot unwrap case key: {type(exc).__name__}") from None


def seal(case_key: bytes, plaintext: str, *, context: str) -> str:
    """Seal under the case's own key; ``context`` (the field) is bound in, so a value
    cannot be moved to another field. Another case's key cannot open it at all."""
    if plaintext == "":
        return ""
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(case_key).encrypt(nonce, plaintext.encode(), context.encode())
    return SEALED_PREFIX + base64.b64encode(nonce + sealed).decode()


def open_sealed(case_key: bytes, token: str, *, context: str) -> str:
    if not token.startswith(SEALED_PREFIX):
        return token  # empty
    try:
        raw = base64.b64decode(token[len(SEALED_PREFIX) :])
        return AESGCM(case_key).decrypt(raw[:_NONCE], raw[_NONCE:], context.encode()).decode()
    except Exception as exc:
        raise CryptoError(f"cannot open sealed value: {type(exc).__name__}") from None


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
    return hmac.new(index_key(), f"{kind}:{norm}".encode(), hashlib.sha256).hexdigest()[:40]

"""All of Tousu's cryptography, in one typed module: no other module imports
``cryptography.hazmat``, ``hmac`` or ``secrets``.

- Sealing: AES-256-GCM with associated data, a 12-byte random nonce in front of the
  ciphertext and its tag (:func:`seal_bytes`, :func:`open_bytes`), or the same as
  ``<prefix><base64>`` text (:func:`seal_text`, :func:`open_text`).
- Keyed digests: HMAC-SHA-256 (:func:`keyed_digest`), and subkeys derived from a root
  key with a label (:func:`subkey`).
- Secrets: random keys, tokens, numbers and codes, and constant-time comparison.
- Keys outside the database: from the environment, or generated once into a 0600 file
  under ``var/`` (:func:`key_from_env_or_file`, :func:`secret_from_env_or_file`).

The callers own their formats (prefixes, associated data, labels); this module owns the
primitives, so every format reads exactly as it was written.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable, Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tousu.conf import ConfigError, var_dir

NONCE = 12
KEY_BYTES = 32


class CryptoError(Exception):
    """A sealed value or wrapped key could not be opened (wrong key, or tampered)."""


# -- sealing -------------------------------------------------------------------------------


def seal_bytes(key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    """``nonce | ciphertext and tag`` (AES-256-GCM, ``associated`` bound in)."""
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def open_bytes(
    key: bytes, sealed: bytes, associated: bytes, *, failure: str = "cannot open sealed bytes"
) -> bytes:
    """The plaintext of :func:`seal_bytes`; :class:`CryptoError` (``failure: <reason>``)
    when it cannot be opened."""
    try:
        return AESGCM(key).decrypt(sealed[:NONCE], sealed[NONCE:], associated)
    except Exception as exc:
        raise CryptoError(f"{failure}: {type(exc).__name__}") from None


def seal_text(key: bytes, plaintext: str, *, prefix: str, associated: bytes) -> str:
    """``<prefix><base64 of nonce | ciphertext and tag>`` of the UTF-8 text."""
    sealed = seal_bytes(key, plaintext.encode(), associated)
    return prefix + base64.b64encode(sealed).decode()


def open_text(
    key: bytes,
    token: str,
    *,
    prefix: str,
    associated: bytes,
    failure: str = "cannot open sealed text",
) -> str:
    """The text of :func:`seal_text`; :class:`CryptoError` (``failure: <reason>``) when
    it cannot be opened."""
    try:
        if not token.startswith(prefix):
            raise ValueError("not sealed")
        raw = base64.b64decode(token[len(prefix) :])
        return AESGCM(key).decrypt(raw[:NONCE], raw[NONCE:], associated).decode()
    except Exception as exc:
        raise CryptoError(f"{failure}: {type(exc).__name__}") from None


# -- keyed digests and subkeys -------------------------------------------------------------


def keyed_digest(key: bytes, message: bytes) -> str:
    """HMAC-SHA-256 of ``message`` under ``key``, hex (64 characters)."""
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def subkey(root: bytes, label: str) -> bytes:
    """A 32-byte key for one purpose: HMAC-SHA-256 of ``label`` under ``root``."""
    return hmac.new(root, label.encode(), hashlib.sha256).digest()


def key_from_passphrase(text: str, *, label: bytes) -> bytes:
    """A 32-byte key from a long random passphrase: SHA-256 of ``label`` and the text."""
    return hashlib.sha256(label + text.encode()).digest()


def key_id(key: bytes) -> str:
    """A short public name of a key (8 hex characters), never the key itself."""
    return hashlib.sha256(b"tousu-key-id" + key).hexdigest()[:8]


def same(a: str | bytes, b: str | bytes) -> bool:
    """Whether two secrets are equal, in time that does not depend on where they differ."""
    left = a.encode() if isinstance(a, str) else a
    right = b.encode() if isinstance(b, str) else b
    return hmac.compare_digest(left, right)


# -- secrets -------------------------------------------------------------------------------


def new_key() -> bytes:
    """A fresh random 256-bit key."""
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def new_key_text() -> str:
    """A fresh random 256-bit key as unpadded URL-safe base64 (how key files hold it)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode().rstrip("=")


def token_urlsafe(nbytes: int) -> str:
    return secrets.token_urlsafe(nbytes)


def token_hex(nbytes: int) -> str:
    return secrets.token_hex(nbytes)


def randbelow(n: int) -> int:
    """A uniformly random integer in ``[0, n)``."""
    return secrets.randbelow(n)


def random_code(alphabet: Sequence[str], length: int) -> str:
    """``length`` characters drawn uniformly from ``alphabet``."""
    return "".join(secrets.choice(alphabet) for _ in range(length))


# -- keys from the environment or var/ ------------------------------------------------------


def secret_from_env_or_file(
    name: str, filename: str, nbytes: int = 48, *, generator: Callable[[], str] | None = None
) -> str:
    """Return the secret in ``name``, or one generated once into ``var/filename``.

    The generated file has mode 0600 and is never committed (``var/`` is ignored by
    git). It is written to a temporary file and linked into place, so two processes
    starting at once agree on one key and never read a half-written one.
    """
    value = os.environ.get(name)
    if value:
        if len(value) < 32:
            raise ConfigError(f"{name} must be at least 32 characters long")
        return value
    path = var_dir() / filename
    if not path.exists():
        key = generator() if generator else secrets.token_urlsafe(nbytes)
        tmp = path.with_name(f".{filename}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process won the race; use its key
        finally:
            tmp.unlink()
    key = path.read_text().strip()
    if len(key) < 32:
        raise ConfigError(f"{path} holds a key shorter than 32 characters")
    return key


def decode_key(text: str, name: str) -> bytes:
    """The 32-byte key written as URL-safe base64 (padding optional)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise ConfigError(f"{name} must be 32 bytes, URL-safe base64 (e.g. `python -c "
                          "'import secrets,base64;print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())'`)")  # fmt: skip
    return raw


def key_from_env_or_file(
    name: str, filename: str, *, passphrase_label: bytes | None = None
) -> bytes:
    """A 32-byte key from ``name`` in the environment, or from ``var/filename``
    (generated once, mode 0600).

    Without ``passphrase_label`` the text is the key in URL-safe base64 (master, index
    and audit keys); with it the text is a random passphrase of at least 32 characters
    and the key is :func:`key_from_passphrase` of it (receipt and accounts keys).
    """
    if passphrase_label is None:
        text = secret_from_env_or_file(name, filename, generator=new_key_text)
        return decode_key(text, name)
    text = secret_from_env_or_file(name, filename)
    return key_from_passphrase(text, label=passphrase_label)

"""Typed settings helpers: read the environment, fail loudly on bad values.

Every setting the product reads from the environment goes through one of these
helpers, so that a typo in a deployment (``PORT=80OO``) stops start-up with a
message naming the variable instead of surfacing later as a strange error.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(RuntimeError):
    """A setting in the environment is missing or malformed."""


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ConfigError(f"{name} must be set")
        return default
    return value


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int = 2**31) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def env_date(name: str, default: date) -> date:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a date (YYYY-MM-DD), got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_timezone(name: str, default: str) -> str:
    value = env_str(name, default)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name} is not a known time zone: {value!r}") from None
    return value


def var_dir() -> Path:
    """The directory for local state: the SQLite file, generated keys, job storage."""
    path = Path(env_str("TOUSU_VAR_DIR", str(Path.cwd() / "var"))).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


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

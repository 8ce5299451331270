"""Typed settings helpers: read the environment, fail loudly on bad values.

Every setting the product reads from the environment goes through one of these
helpers, so that a typo in a deployment (``PORT=80OO``) stops start-up with a
message naming the variable instead of surfacing later as a strange error.
"""

from __future__ import annotations

import ipaddress
import os
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit
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


def local_only(url: str) -> bool:
    """Whether an address opens only on the machine itself (or nowhere): localhost, a
    loopback, link-local or unspecified IP. Printed for the public, it leads nowhere."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if not host or host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified or ip.is_link_local


def base_url_warning(url: str, configured: bool) -> str:
    """What an operator is told at start-up about the public address (empty: nothing)."""
    if not configured:
        return (
            f"TOUSU_BASE_URL is not set: links in notices and the address printed on "
            f"report-box forms fall back to {url}. Set it to the address the public uses, "
            f"e.g. TOUSU_BASE_URL=https://tousu.example.org"
        )
    if local_only(url):
        return (
            f"TOUSU_BASE_URL={url} opens only on this machine: links in notices and the "
            f"address printed on report-box forms lead nowhere for the public."
        )
    return ""

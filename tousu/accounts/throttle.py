"""Growing back-off after failed sign-in attempts, shared by every web worker.

Failures are counted per username, per client address and, at the second step, per
user. The first few are free; after that each failure makes the next attempt wait
twice as long (1 s, 2 s, 4 s ... up to :data:`MAX_WAIT`). It is never a lock-out: the
right password is accepted once the wait is over, so nobody can shut the hotline
operators out by failing on their names. While a wait runs, attempts are refused
before the password is even checked. Success resets; a counter left alone for
:data:`EXPIRY` starts again from zero.

Counters live in the database (several gunicorn workers); rows are updated under a
row lock. A key is an HMAC (:mod:`tousu.accounts.keys`), never the username or address.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from tousu.accounts import clock, keys
from tousu.accounts.models import Throttle
from tousu.conf import env_str

FREE_PER_USERNAME = 5
FREE_PER_ADDRESS = 20  # an office behind one NAT address shares this counter
FREE_PER_SECOND_FACTOR = 5
MAX_WAIT = 15 * 60
EXPIRY = timedelta(hours=24)


@dataclass(frozen=True)
class Counter:
    """One counter: its stored key (an HMAC) and how many failures are free."""

    key: str
    free: int


def _key(kind: str, value: str) -> str:
    return keys.digest("throttle", f"{kind}:{value}")


def for_username(username: str) -> Counter:
    return Counter(_key("username", username.strip().casefold()), FREE_PER_USERNAME)


def for_address(address: str) -> Counter:
    return Counter(_key("address", address), FREE_PER_ADDRESS)


def for_second_factor(user_id: int) -> Counter:
    return Counter(_key("second-factor", str(user_id)), FREE_PER_SECOND_FACTOR)


def pseudonym(counter: Counter) -> str:
    """A short stand-in for audit records: ties attempts together, reveals nothing."""
    return counter.key[:16]


def _proxy_header() -> str:
    configured = getattr(settings, "TOUSU_TRUSTED_PROXY_HEADER", None)
    if configured is not None:
        return str(configured)
    return env_str("TOUSU_TRUSTED_PROXY_HEADER", "")


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the last entry of the trusted proxy's header when one is named.

    The last entry is the one the proxy itself added; earlier ones are the client's
    word. An IPv6 client counts as its /64 (one host usually holds the whole prefix).
    """
    raw = str(request.META.get("REMOTE_ADDR") or "")
    header = _proxy_header()
    if header:
        forwarded = [part.strip() for part in request.headers.get(header, "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            raw = forwarded[-1]
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:100] or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def backoff(failures: int, free: int) -> int:
    """Seconds to wait after ``failures`` failures, the first ``free`` of them free."""
    over = failures - free
    if over <= 0:
        return 0
    return min(1 << min(over - 1, 30), MAX_WAIT)


def _live(row: Throttle, now: datetime) -> bool:
    return row.updated_at >= now - EXPIRY


def _remaining(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


def gate(counters: list[Counter]) -> int:
    """Seconds to wait before this attempt may be checked; 0: go ahead.

    An attempt let through while a counter is past its free failures claims the slot
    at once (the next one waits as if this one failed), so a burst of parallel
    requests gets one guess, not one each. Success resets that claim.
    """
    now = clock.now()
    free = {c.key: c.free for c in counters}
    rows = [r for r in Throttle.objects.filter(key__in=free) if _live(r, now)]
    if not any(
        r.failures >= free[r.key] or (r.next_allowed_at and r.next_allowed_at > now) for r in rows
    ):
        return 0
    with transaction.atomic():
        locked = [
            r
            for r in Throttle.objects.select_for_update().filter(key__in=free).order_by("key")
            if _live(r, now)
        ]
        waits = [
            _remaining(r.next_allowed_at, now)
            for r in locked
            if r.next_allowed_at is not None and r.next_allowed_at > now
        ]
        if waits:
            return max(waits)
        for row in locked:
            wait = backoff(row.failures + 1, free[row.key])
            if wait:
                row.next_allowed_at = now + timedelta(seconds=wait)
                row.save(update_fields=["next_allowed_at"])
    return 0


def fail(counters: list[Counter]) -> int:
    """Count a failure on every counter; the wait now imposed, in seconds (0: none)."""
    now = clock.now()
    longest = 0
    with transaction.atomic():
        for counter in sorted(counters, key=lambda c: c.key):
            row, created = Throttle.objects.select_for_update().get_or_create(
                key=counter.key, defaults={"updated_at": now}
            )
            failures = (row.failures if not created and _live(row, now) else 0) + 1
            wait = backoff(failures, counter.free)
            row.failures = failures
            row.next_allowed_at = now + timedelta(seconds=wait) if wait else None
            row.updated_at = now
            row.save()
            longest = max(longest, wait)
    return longest


def failures(counter: Counter) -> int:
    row = Throttle.objects.filter(key=counter.key).first()
    return row.failures if row is not None and _live(row, clock.now()) else 0


def reset(counters: list[Counter]) -> None:
    Throttle.objects.filter(key__in=[c.key for c in counters]).delete()


def purge() -> int:
    """Delete counters nobody touched for :data:`EXPIRY`; how many."""
    deleted, _ = Throttle.objects.filter(updated_at__lt=clock.now() - EXPIRY).delete()
    return deleted

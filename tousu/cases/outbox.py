"""After-commit effects that cannot be lost: the outbox.

A change writes its effects (:func:`write`) as :class:`~tousu.cases.models.OutboxEffect`
rows in its own transaction. When it commits, the worker is asked to dispatch them at once
(the kicker the job queue installs); if the process dies between commit and that request,
or the worker dies while running an effect, the rows stay and the worker's periodic
dispatch runs them when it returns.

:func:`dispatch` claims a row with a conditional UPDATE (one worker wins; a claim lapses
after :data:`LEASE`), then runs the effect's handler and marks the row done **in one
transaction**, so what the handler writes happens once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tousu.cases.models import Case, Notification, OutboxEffect
from tousu.cases.registry import EFFECTS

log = logging.getLogger(__name__)

# How long a claim holds before another worker may take the row over.
LEASE = timedelta(minutes=5)
# A row that failed this often is left for a person (``tousu jobs`` shows it).
MAX_ATTEMPTS = 8
# How many rows one dispatch takes on at most.
BATCH = 200

# Asked, after commit, to dispatch these rows now (the job queue installs it).
_kicker: Callable[[list[int]], object] | None = None


def set_kicker(kick: Callable[[list[int]], object] | None) -> None:
    global _kicker
    _kicker = kick


def write(kind: str, payload: dict[str, Any], *, now: datetime | None = None) -> OutboxEffect:
    """Record an effect in the current transaction; it is dispatched after commit."""
    if kind not in EFFECTS:
        raise ValueError(f"No effect {kind!r} is registered")
    row = OutboxEffect.objects.create(kind=kind, payload=payload, created_at=now or timezone.now())
    transaction.on_commit(lambda: _kick([row.pk]))
    return row


def _kick(ids: list[int]) -> None:
    if _kicker is None:
        return  # no queue in this process: the periodic dispatch takes them
    try:
        _kicker(ids)
    except Exception:  # the queue is down: the rows wait for the periodic dispatch
        log.warning("outbox kick failed; rows %s wait for the periodic dispatch", ids)


def notify(user_id: int, case: Case, kind: str, now: datetime) -> Notification:
    """An in-app notice for a colleague, delivered by e-mail or SMS after commit."""
    note = Notification.objects.create(user_id=user_id, case=case, kind=kind, created_at=now)
    write("deliver", {"notifications": [note.pk]}, now=now)
    return note


def pending(now: datetime) -> list[int]:
    """Rows not done and not claimed by a live worker, oldest first."""
    return list(
        OutboxEffect.objects.filter(done_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:BATCH]
    )


def _claim(pk: int, now: datetime) -> str | None:
    token = uuid.uuid4().hex
    won = (
        OutboxEffect.objects.filter(pk=pk, done_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + LEASE, claim=token, attempts=F("attempts") + 1)
    )
    return token if won == 1 else None


def dispatch(ids: Iterable[int] | None = None, *, now: datetime | None = None) -> int:
    """Run the effects of these rows (or of every pending row); returns how many ran."""
    now = now or timezone.now()
    done = 0
    for pk in pending(now) if ids is None else ids:
        token = _claim(pk, now)
        if token is None:
            continue  # done already, or another worker holds it
        row = OutboxEffect.objects.get(pk=pk)
        handler = EFFECTS.get(row.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for {row.kind}")
            with transaction.atomic():
                handler(row.payload)
                # Only the holder of the claim completes it (a lapsed claim was taken over).
                finished = OutboxEffect.objects.filter(pk=pk, claim=token, done_at=None).update(
                    done_at=timezone.now(), last_error=""
                )
                if finished != 1:
                    raise _LostClaim
            done += 1
        except _LostClaim:
            continue
        except Exception as exc:
            log.exception("outbox effect %s (%s) failed", pk, row.kind)
            OutboxEffect.objects.filter(pk=pk, claim=token).update(
                claimed_until=None, last_error=type(exc).__name__[:200]
            )
    return done


class _LostClaim(Exception):
    """Another worker took the row over while this one ran it: its work is rolled back."""

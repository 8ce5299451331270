"""Filing once: a request that registers a case or issues a receipt, sent twice, files once.

A form carries a key made when it is rendered (the portal's submission, the desk's
发放查询回执); an API client sends an ``Idempotency-Key`` header. The key is scoped to the
organisation and the caller — the API token, or the browser session (a random value kept in
the session, :func:`session_scope`) — and kept :data:`KEEP`.

:func:`run` does the work once per key. The key's row is written first, in the same
transaction as the work, under a unique constraint: of two simultaneous requests with one
key, the second waits for the first to commit, finds its row and gets its answer; if the
first fails, nothing of it stays and the second does the work. A key used again:

- asking the same thing (the same :func:`fingerprint`) gets the first answer (a replay);
- asking something else is refused with ``idempotency_key_reused`` (422).

What may be shown only once (a receipt's digits) is not part of the answer kept for a
replay: it waits sealed under the case's key in ``shown_once`` until the page that shows it
takes it (:func:`take_shown_once`), at most :data:`SHOW_WITHIN`; a replay after that says
the case was filed and where to follow it. Expired rows are removed by the worker's sweep
(:func:`purge`, registered in :mod:`tousu.cases.apps`); one met before that is treated as
gone.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tousu.cases.errors import TousuError
from tousu.cases.models import Case, IdempotencyKey
from tousu.orgs.models import Organisation
from tousu.security import crypto

KEEP = timedelta(hours=24)
SHOW_WITHIN = timedelta(minutes=30)
FORM_FIELD = "idempotency_key"
HEADER = "Idempotency-Key"
SESSION_KEY = "idempotency_scope"
# Keys a client may send: visible ASCII, as the header's draft standard allows, bounded.
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
# Keys a form carries: as :func:`new_key` makes them (they go into the answer page's URL).
_FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def new_key() -> str:
    """A key for a form being rendered (128 random bits)."""
    return crypto.token_urlsafe(16)


def key_invalid() -> TousuError:
    return TousuError(
        "idempotency_key_invalid",
        gettext_lazy("幂等键无效：须为 1 至 200 个可见 ASCII 字符"),
        status=422,
        details=[{"field": HEADER}],
    )


def key_reused() -> TousuError:
    return TousuError(
        "idempotency_key_reused",
        gettext_lazy("该幂等键已用于内容不同的另一次提交；如要再提交一次，请使用新的幂等键"),
        status=422,
        details=[{"field": HEADER}],
    )


def checked_key(text: str) -> str:
    """The client's key as sent, or ``idempotency_key_invalid``."""
    if not _KEY.match(text or ""):
        raise key_invalid()
    return text


def checked_form_key(text: str) -> str:
    """A form's key as :func:`new_key` made it, or ``idempotency_key_invalid``."""
    if not _FORM_KEY.match(text or ""):
        raise key_invalid()
    return text


def session_scope(session: MutableMapping[str, Any]) -> str:
    """The scope of a browser session: a random value the session keeps (it survives a
    rotated session key; a new session is a new scope)."""
    value = session.get(SESSION_KEY)
    if not isinstance(value, str) or len(value) < 16:
        value = session[SESSION_KEY] = crypto.token_urlsafe(16)
    return _sha256(f"session:{value}")


def token_scope(token_digest: str) -> str:
    """The scope of an API token (by its digest: the token itself is never kept)."""
    return _sha256(f"token:{token_digest}")


def fingerprint(purpose: str, request: Any) -> str:
    """What a request asked for, as a digest of its canonical JSON."""
    text = json.dumps([purpose, request], sort_keys=True, ensure_ascii=False, default=str)
    return _sha256(text)


@dataclass(frozen=True)
class Done:
    """What the work of a first request gives back to be kept."""

    case: Case
    status: int
    answer: dict[str, Any]
    shown_once: str = ""


@dataclass(frozen=True)
class Outcome:
    row: IdempotencyKey
    # True: the key had been used; this is the first request's answer, the work not redone.
    replayed: bool


def _live(org: Organisation, scope: str, key: str, now: datetime) -> IdempotencyKey | None:
    row = (
        IdempotencyKey.objects.select_related("case", "case__org")
        .filter(org=org, scope=scope, key=_sha256(key))
        .first()
    )
    if row is not None and row.created_at < now - KEEP:
        IdempotencyKey.objects.filter(pk=row.pk).delete()  # expired, not yet swept
        return None
    return row


def _replay(row: IdempotencyKey, print_: str) -> Outcome:
    if row.fingerprint != print_:
        raise key_reused()
    return Outcome(row, replayed=True)


def run(
    org: Organisation,
    scope: str,
    key: str,
    *,
    purpose: str,
    request: Any,
    work: Callable[[], Done],
    now: datetime | None = None,
) -> Outcome:
    """Do ``work`` once for this key: the first time, inside one transaction with the key's
    row; after that (or while a simultaneous first request commits), the first answer.

    ``request`` is what the request asks for (JSON-able): the same key with another
    request is ``idempotency_key_reused``. The work's own errors leave no row.
    """
    at = now or timezone.now()
    print_ = fingerprint(purpose, request)
    row = _live(org, scope, key, at)
    if row is not None:
        return _replay(row, print_)
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(
                org=org, scope=scope, key=_sha256(key), purpose=purpose, fingerprint=print_,
                created_at=at,
            )  # fmt: skip
            done = work()
            row.case, row.status, row.answer = done.case, done.status, done.answer
            row.shown_once = done.shown_once
            row.save(update_fields=["case", "status", "answer", "shown_once"])
    except IntegrityError:
        # A simultaneous request with the same key committed first: its answer.
        first = _live(org, scope, key, at)
        if first is None:
            raise
        return _replay(first, print_)
    return Outcome(row, replayed=False)


def replay(
    org: Organisation, scope: str, key: str, *, purpose: str, request: Any
) -> IdempotencyKey | None:
    """The first request's row when this key already did this request (None: the key is
    new); ``idempotency_key_reused`` when it did another. For a form, asked before anything
    that must not happen twice (a challenge answer taken, a submission counted)."""
    row = _live(org, scope, key, timezone.now())
    if row is None:
        return None
    return _replay(row, fingerprint(purpose, request)).row


def find(org: Organisation, scope: str, key: str, *, purpose: str) -> IdempotencyKey | None:
    """The row of a key used by this caller for this purpose (None: not theirs, or gone)."""
    if not _KEY.match(key or ""):
        return None
    row = _live(org, scope, key, timezone.now())
    if row is None or row.purpose != purpose or row.case_id is None:
        return None
    return row


def take_shown_once(row: IdempotencyKey, now: datetime | None = None) -> str:
    """What the first answer shows once, handed out once: empty on every later call, and
    once :data:`SHOW_WITHIN` has passed."""
    at = now or timezone.now()
    with transaction.atomic():
        locked = (
            IdempotencyKey.objects.select_for_update(of=("self",))
            .select_related("case")
            .filter(pk=row.pk)
            .first()
        )
        if locked is None or not locked.shown_once:
            return ""
        text = "" if locked.created_at < at - SHOW_WITHIN else locked.shown_once
        IdempotencyKey.objects.filter(pk=locked.pk).update(shown_once="")
    return str(text)


def purge(now: datetime) -> dict[str, int]:
    """The worker's sweep: keys past :data:`KEEP` removed, digits not shown in time wiped."""
    removed, _ = IdempotencyKey.objects.filter(created_at__lt=now - KEEP).delete()
    wiped = (
        IdempotencyKey.objects.filter(created_at__lt=now - SHOW_WITHIN)
        .exclude(shown_once="")
        .update(shown_once="")
    )
    return {"idempotency_keys_removed": removed, "receipts_not_shown_wiped": wiped}

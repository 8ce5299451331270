"""Taking organisation checkpoints: the heads of every case and seal chain, keyed and chained.

A checkpoint reads the case heads without locking any case: an action on a case never
waits for a checkpoint, and one that commits while the checkpoint is being taken simply
lands in the next. Appending the checkpoint itself locks only the organisation's latest
checkpoint row, so two checkpoints of one organisation are taken one after the other,
and the unique (org, seq) constraint catches the race for the very first one.

Checkpoints are keyed: besides the case heads, each records the head of every seal
chain of the organisation and of the installation (:mod:`tousu.audit.seals`), and
carries an HMAC-SHA-256 under the audit key over all of it, its SHA-256 hash (which pins
every checkpoint before it) and the previous keyed checkpoint's mac. Someone who can
edit the database but not read the audit key can recompute the SHA-256 hashes, not the
macs. The checkpoints taken before keys existed keep their SHA-256 hash only; the first
keyed checkpoint of an organisation pins them (``tousu audit seal`` takes it on an
upgraded installation).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from tousu.audit.keys import keyed
from tousu.audit.models import Checkpoint, Seal
from tousu.cases.models import Case
from tousu.orgs.models import Organisation

# [case_id, last_seq, last_hash]
Head = list[Any]

_ATTEMPTS = 5


def _canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def heads_digest(heads: list[Head]) -> str:
    """SHA-256 over the canonical JSON of the heads, sorted by case id."""
    return hashlib.sha256(_canonical_json(heads)).hexdigest()


def canonical(checkpoint: Checkpoint) -> bytes:
    payload = {
        "org": checkpoint.org_id,
        "seq": checkpoint.seq,
        "at": checkpoint.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "heads_digest": checkpoint.heads_digest,
        "case_count": checkpoint.case_count,
        "event_count": checkpoint.event_count,
    }
    return _canonical_json(payload)


def checkpoint_hash(prev_hash: str, checkpoint: Checkpoint) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(checkpoint)).hexdigest()


def scopes_digest(scopes: list[list[Any]]) -> str:
    """SHA-256 over the canonical JSON of the seal-chain heads, sorted by scope."""
    return hashlib.sha256(_canonical_json(scopes)).hexdigest()


def checkpoint_mac(prev_mac: str, checkpoint: Checkpoint) -> str:
    """HMAC-SHA-256 under the audit key: the checkpoint's content, its (unkeyed) hash,
    which pins every checkpoint before it, its seal heads and the previous keyed mac."""
    payload = _canonical_json(
        {"hash": checkpoint.hash, "scopes_digest": checkpoint.scopes_digest, "prev_mac": prev_mac}
    )
    return keyed(canonical(checkpoint) + b"\n" + payload)


def scope_heads(org: Organisation) -> list[list[Any]]:
    """The head ``[scope, seq, mac]`` of every seal chain of the organisation (its cases
    and its own rows) and of the installation's chain, sorted by scope."""
    latest = Seal.objects.filter(scope=OuterRef("scope")).order_by("-seq").values("seq")[:1]
    rows = (
        Seal.objects.filter(Q(org_id=org.pk) | Q(org_id__isnull=True))
        .filter(seq=Subquery(latest))
        .order_by("scope")
        .values_list("scope", "seq", "mac")
    )
    return [[scope, seq, mac] for scope, seq, mac in rows]


def case_heads(org: Organisation) -> list[Head]:
    """Every case's chain head, ``[case_id, last_seq, last_hash]``, sorted by case id.

    One plain SELECT: no case row is locked, and the statement sees each case as of
    its last commit (the event and the case's head are written in one transaction).
    """
    rows = Case.objects.filter(org=org).order_by("pk").values_list("pk", "last_seq", "last_hash")
    return [[pk, seq, head] for pk, seq, head in rows]


def _lock_latest(org: Organisation) -> Checkpoint | None:
    """Lock the organisation's latest checkpoint row; None before its first.

    A taker that waited for the lock finds the row it locked no longer the latest (the
    one holding it appended the next); it then locks the newer one, until none is newer.
    """
    last: Checkpoint | None = None
    while True:
        newer = (
            Checkpoint.objects.select_for_update()
            .filter(org=org, seq__gt=0 if last is None else last.seq)
            .order_by("-seq")
            .only("seq", "hash", "heads_digest", "scopes_digest", "mac")
            .first()
        )
        if newer is None:
            return last
        last = newer


def _append(org: Organisation, now: datetime, *, only_if_changed: bool) -> Checkpoint | None:
    for attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                last = _lock_latest(org)
                # Read after the lock, so checkpoints of one organisation never go back in time.
                heads = case_heads(org)
                digest = heads_digest(heads)
                scopes = scope_heads(org)
                sealed = scopes_digest(scopes)
                if only_if_changed and (
                    (last.heads_digest, last.scopes_digest) == (digest, sealed)
                    if last is not None
                    else not heads and not scopes
                ):
                    return None
                checkpoint = Checkpoint(
                    org=org,
                    seq=1 if last is None else last.seq + 1,
                    at=now,
                    heads_digest=digest,
                    heads=heads,
                    case_count=len(heads),
                    event_count=sum(int(head[1]) for head in heads),
                    prev_hash="" if last is None else last.hash,
                    scopes=scopes,
                    scopes_digest=sealed,
                )
                checkpoint.hash = checkpoint_hash(checkpoint.prev_hash, checkpoint)
                checkpoint.mac = checkpoint_mac("" if last is None else last.mac, checkpoint)
                checkpoint.save()
                return checkpoint
        except IntegrityError:
            # Another taker appended the organisation's first checkpoint meanwhile
            # (there was no row to lock); later ones queue on the lock.
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def take_checkpoint(org: Organisation, now: datetime) -> Checkpoint:
    """Append the next checkpoint of ``org``, recording every case head as of now."""
    checkpoint = _append(org, now, only_if_changed=False)
    assert checkpoint is not None
    return checkpoint


def take_checkpoints(
    now: datetime, *, org: Organisation | None = None, only_if_changed: bool = False
) -> list[Checkpoint]:
    """Checkpoint one organisation or all; ``only_if_changed`` skips an organisation whose
    case heads are exactly those its latest checkpoint recorded."""
    orgs = [org] if org is not None else list(Organisation.objects.order_by("pk"))
    taken = []
    for each in orgs:
        checkpoint = _append(each, now, only_if_changed=only_if_changed)
        if checkpoint is not None:
            taken.append(checkpoint)
    return taken


def run_periodic_checkpoints(now_iso: str | None = None) -> int:
    """The hourly job: checkpoint every organisation whose cases changed since its last one."""
    now = timezone.now() if now_iso is None else datetime.fromisoformat(now_iso)
    return len(take_checkpoints(now, only_if_changed=True))

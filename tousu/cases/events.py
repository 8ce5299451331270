"""Appending events to a case's hash chain, and checking the chain.

The caller holds the case row locked (``select_for_update``), so each case's
chain grows one event at a time while events of different cases never wait on
each other.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from tousu.cases.models import Case, CaseRecord, Event


def canonical(event: Event) -> bytes:
    payload = {
        "case": event.case_id,
        "seq": event.seq,
        "type": event.type,
        "actor": event.actor_id,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "from": event.from_status,
        "to": event.to_status,
        "reason": event.reason_code,
        "record": event.record_id,
        "data": event.data,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, event: Event) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(event)).hexdigest()


def append(
    case: Case,
    type: str,
    *,
    actor_id: int | None,
    at: datetime,
    from_status: str = "",
    to_status: str = "",
    reason_code: str = "",
    record: CaseRecord | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Write the next event of ``case`` (locked by the caller) and advance the chain head."""
    event = Event(
        case=case,
        seq=case.last_seq + 1,
        type=type,
        actor_id=actor_id,
        at=at,
        from_status=from_status,
        to_status=to_status,
        reason_code=reason_code,
        record=record,
        data=data or {},
        prev_hash=case.last_hash,
    )
    event.hash = chain_hash(case.last_hash, event)
    event.save()
    case.last_seq = event.seq
    case.last_hash = event.hash
    return event


def verify_case(case: Case) -> tuple[bool, int | None]:
    """Recompute the chain; returns (ok, seq of the first broken event)."""
    prev = ""
    expected_seq = 1
    for event in Event.objects.filter(case=case).order_by("seq"):
        if event.seq != expected_seq or event.prev_hash != prev:
            return False, event.seq
        if chain_hash(prev, event) != event.hash:
            return False, event.seq
        prev = event.hash
        expected_seq += 1
    if prev != case.last_hash or expected_seq - 1 != case.last_seq:
        return False, expected_seq
    return True, None

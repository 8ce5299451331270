"""Row seals: every write to a covered row appends a keyed entry to its scope's chain.

A seal records one state of one row as stored: the SHA-256 ``digest`` of the row's
columns exactly as the database holds them (sealed fields as their ``s1:`` ciphertext,
never the plain text), so re-wrapping case keys under a new master key or destroying a
case key (crypto-shredding) leaves every record seal valid. Seals form one chain per
scope: a case (``c:<id>``: its row, events, records, parties, subjects, attachments),
an organisation (``o:<id>``: memberships, policy versions, audit events, holiday
overrides and covered years) or the installation (``i``: the organisation-less audit
events and calendar rows). Each seal's ``mac`` is HMAC-SHA-256 under the audit key
(:mod:`tousu.audit.keys`) over its place in the chain, the previous seal's mac and the
digest, so the database alone can neither change a row and re-seal it nor forge,
reorder or drop a seal in the middle of a chain. Keyed checkpoints record each scope's
head, so dropping the last seals of a chain shows too (see :mod:`tousu.audit.checkpoints`).

Rows that may legitimately change (a membership deactivated, an override withdrawn, a
party superseded, a case key re-wrapped or destroyed) get one more seal per change: a
row's history is the sequence of its seals, and the latest must match the row as it is.
Writes through the ORM are sealed by a ``post_save`` handler; the few writes through
``QuerySet.update`` call :func:`seal_rows` themselves.

Inside :func:`batched` (registration), the rows of a case created in the same transaction
are sealed together when the batch flushes: one read per table and one insert for all
their seals, instead of a savepoint, a head lookup, a read and an insert per row. No other
transaction can append to a scope whose case is not committed yet, so the chain is built
in memory; rows of any other scope are sealed at once, as outside a batch.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from typing import Any

from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.db.models.signals import post_save
from django.utils import timezone

from tousu.audit.keys import keyed
from tousu.audit.models import Checkpoint, Seal

_ATTEMPTS = 5
_IN_BATCH = 500

# The columns of the case row that are not a projection of its events: who, what,
# when it came in, its sealed content and its wrapped key. The rest (status,
# handler, deadlines, chain head...) is recomputed or checked against the events.
CASE_COLUMNS = (
    "org_id",
    "number",
    "policy_version_id",
    "kind",
    "channel",
    "received_at",
    "registered_at",
    "registered_by_id",
    "first_contact_owner_id",
    "content",
    "demands",
    "sealed_key",
    "shredded_at",
)


@dataclass(frozen=True)
class Covered:
    """A table under seal, and where its rows' scope comes from."""

    label: str  # app_label.model_name
    scope_from: str  # "case": the case_id column; "self": the row is a case; "org": org_id
    only: tuple[str, ...] = ()  # the sealed columns (attnames); empty: every concrete column

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def columns(self) -> list[str]:
        fields = [f for f in self.model._meta.concrete_fields if not f.primary_key]
        if self.only:
            fields = [f for f in fields if f.attname in self.only]
        return sorted(f.column for f in fields)


COVERED: tuple[Covered, ...] = (
    Covered("cases.case", "self", CASE_COLUMNS),
    Covered("cases.event", "case"),
    Covered("cases.caserecord", "case"),
    Covered("cases.party", "case"),
    Covered("cases.subject", "case"),
    Covered("evidence.attachment", "case"),
    Covered("orgs.auditevent", "org"),
    Covered("orgs.membership", "org"),
    Covered("policy.policyversion", "org"),
    Covered("clock.holidayoverride", "org"),
    Covered("clock.coveredyear", "org"),
)
CASE_SCOPED = tuple(c for c in COVERED if c.scope_from != "org")
ORG_SCOPED = tuple(c for c in COVERED if c.scope_from == "org")
INSTALLATION = "i"


@cache
def covered_by_model() -> dict[type[models.Model], Covered]:
    return {c.model: c for c in COVERED}


def case_scope(case_id: int) -> str:
    return f"c:{case_id}"


def org_scope(org_id: int | None) -> str:
    return INSTALLATION if org_id is None else f"o:{org_id}"


# -- rows as stored ----------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A stored value in a form canonical JSON can hold, the same each time it is read."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Stored:
    """One row as the database holds it."""

    pk: int
    scope: str
    org_id: int | None
    digest: str


def row_digest(label: str, pk: int, values: dict[str, Any]) -> str:
    payload = {"table": label, "row": pk, "values": values}
    return hashlib.sha256(canonical_json(payload)).hexdigest()


@cache
def _select(spec: Covered, vendor: str) -> tuple[list[str], str]:
    """The sealed columns of ``spec`` and the start of the query that reads them (the
    same for every row: built once per table and database vendor)."""
    q = connection.ops.quote_name
    columns = spec.columns()
    picked = ", ".join(f"t.{q(c)}" for c in columns)
    if spec.scope_from == "case":
        cases = apps.get_model("cases.case")._meta.db_table
        head = f"SELECT t.{q('id')}, t.{q('case_id')}, c.{q('org_id')}"
        source = f"FROM {q(spec.table)} t JOIN {q(cases)} c ON c.{q('id')} = t.{q('case_id')}"
    elif spec.scope_from == "self":
        head = f"SELECT t.{q('id')}, t.{q('id')}, t.{q('org_id')}"
        source = f"FROM {q(spec.table)} t"
    else:
        head = f"SELECT t.{q('id')}, NULL, t.{q('org_id')}"
        source = f"FROM {q(spec.table)} t"
    return columns, f"{head}, {picked} {source} WHERE "


def stored_rows(spec: Covered, where: str, params: Sequence[Any]) -> Iterator[Stored]:
    """The rows of ``spec`` matching ``where`` (on alias ``t``), read raw: no field
    converts or opens anything, so the digest is of exactly what is stored."""
    columns, select = _select(spec, connection.vendor)
    sql = f"{select}{where} ORDER BY t.{connection.ops.quote_name('id')}"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        for row in cursor.fetchall():
            pk, case_id, org_id = int(row[0]), row[1], row[2]
            values = {c: _plain(v) for c, v in zip(columns, row[3:], strict=True)}
            scope = case_scope(int(case_id)) if case_id is not None else org_scope(org_id)
            yield Stored(pk, scope, org_id, row_digest(spec.label, pk, values))


def _in(column: str, ids: Sequence[int]) -> tuple[str, list[int]]:
    q = connection.ops.quote_name
    return f"t.{q(column)} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def rows_by_pk(spec: Covered, pks: Sequence[int]) -> list[Stored]:
    found: list[Stored] = []
    for start in range(0, len(pks), _IN_BATCH):
        where, params = _in("id", pks[start : start + _IN_BATCH])
        found.extend(stored_rows(spec, where, params))
    return found


# -- appending seals ---------------------------------------------------------------------


def seal_mac(
    *, scope: str, seq: int, org_id: int | None, table: str, row: int, digest: str, prev: str
) -> str:
    payload = {
        "scope": scope,
        "seq": seq,
        "org": org_id,
        "table": table,
        "row": row,
        "digest": digest,
        "prev": prev,
    }
    return keyed(canonical_json(payload))


def _append(stored: Stored, label: str, at: datetime) -> None:
    for attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                head = (
                    Seal.objects.filter(scope=stored.scope)
                    .order_by("-seq")
                    .values_list("seq", "mac")
                    .first()
                )
                seq, prev = (1, "") if head is None else (head[0] + 1, head[1])
                Seal.objects.create(
                    scope=stored.scope,
                    seq=seq,
                    org_id=stored.org_id,
                    table=label,
                    row=stored.pk,
                    digest=stored.digest,
                    prev=prev,
                    at=at,
                    mac=seal_mac(
                        scope=stored.scope,
                        seq=seq,
                        org_id=stored.org_id,
                        table=label,
                        row=stored.pk,
                        digest=stored.digest,
                        prev=prev,
                    ),  # fmt: skip
                )
                return
        except IntegrityError:
            # Another writer appended to this scope meanwhile: take the new head.
            if attempt == _ATTEMPTS - 1:
                raise


def seal_rows(
    model: type[models.Model], pks: Iterable[int], *, only_if_changed: bool = True
) -> int:
    """Seal the rows of ``model`` as they are stored now; returns how many seals were added.

    ``only_if_changed`` skips a row whose latest seal already records this state.
    """
    spec = covered_by_model()[model]
    ids = sorted(set(pks))
    if not ids:
        return 0
    latest: dict[int, str] = {}
    if only_if_changed:
        for row, digest in (
            Seal.objects.filter(table=spec.label, row__in=ids)
            .order_by("row", "id")
            .values_list("row", "digest")
        ):
            latest[row] = digest
    now = timezone.now()
    added = 0
    for stored in rows_by_pk(spec, ids):
        if latest.get(stored.pk) == stored.digest:
            continue
        _append(stored, spec.label, now)
        added += 1
    return added


class Batch:
    """The rows of new cases written inside :func:`batched`, sealed when it flushes."""

    def __init__(self) -> None:
        # (model, pk) in the order of their first write since the last flush.
        self.pending: dict[tuple[type[models.Model], int], None] = {}
        self.fresh: set[str] = set()  # scopes of the cases created in this batch
        self.heads: dict[str, tuple[int, str]] = {}  # fresh scope: (seq, mac) of its last seal
        self.sealed: dict[tuple[str, int], str] = {}  # (table label, pk): digest sealed here

    def take(self, spec: Covered, instance: models.Model, created: bool) -> bool:
        """Keep the row for the flush if its scope is a case created in this batch."""
        pk = int(instance.pk)
        if spec.scope_from == "self":
            scope = case_scope(pk)
            if created:
                self.fresh.add(scope)
        elif spec.scope_from == "case":
            scope = case_scope(int(instance.case_id))  # type: ignore[attr-defined]
        else:
            return False
        if scope not in self.fresh:
            return False
        self.pending.setdefault((spec.model, pk), None)
        return True

    def flush(self) -> int:
        """Seal the kept rows as stored now (a row unchanged since its seal in this batch
        is skipped); returns how many seals were added."""
        pending, self.pending = list(self.pending), {}
        if not pending:
            return 0
        pks: dict[type[models.Model], list[int]] = {}
        for model, pk in pending:
            pks.setdefault(model, []).append(pk)
        stored: dict[tuple[type[models.Model], int], Stored] = {}
        for model, ids in pks.items():
            for found in rows_by_pk(covered_by_model()[model], ids):
                stored[model, found.pk] = found
        now = timezone.now()
        seals: list[tuple[Any, ...]] = []
        for key in pending:
            row = stored.get(key)
            label = covered_by_model()[key[0]].label
            if row is None or self.sealed.get((label, row.pk)) == row.digest:
                continue
            # The scope began in this transaction: no seal of it is committed or can be
            # written by anyone else before this one commits (the unique (scope, seq)
            # constraint would refuse a stray one loudly).
            seq, prev = self.heads.get(row.scope, (0, ""))
            mac = seal_mac(
                scope=row.scope, seq=seq + 1, org_id=row.org_id, table=label, row=row.pk,
                digest=row.digest, prev=prev,
            )  # fmt: skip
            seals.append((row.scope, seq + 1, row.org_id, label, row.pk, row.digest, prev, mac))
            self.heads[row.scope] = (seq + 1, mac)
            self.sealed[label, row.pk] = row.digest
        if seals:
            _insert_seals(seals, now)
        return len(seals)


_SEAL_COLUMNS = ("scope", "seq", "org_id", "table", "row", "digest", "prev", "mac", "at")
_SEALS_PER_INSERT = 100  # 900 parameters: under SQLite's oldest limit (999)


def _insert_seals(seals: list[tuple[Any, ...]], at: datetime) -> None:
    """One INSERT of many seals (what ``bulk_create`` would write, without building a
    model instance per seal)."""
    q = connection.ops.quote_name
    stamp = connection.ops.adapt_datetimefield_value(at)
    row = f"({', '.join(['%s'] * len(_SEAL_COLUMNS))})"
    into = f"INSERT INTO {q(Seal._meta.db_table)} ({', '.join(q(c) for c in _SEAL_COLUMNS)}) "
    with connection.cursor() as cursor:
        for start in range(0, len(seals), _SEALS_PER_INSERT):
            chunk = seals[start : start + _SEALS_PER_INSERT]
            cursor.execute(
                f"{into}VALUES {', '.join([row] * len(chunk))}",
                [value for seal in chunk for value in (*seal, stamp)],
            )


_local = threading.local()


def current_batch() -> Batch | None:
    batch: Batch | None = getattr(_local, "batch", None)
    return batch


@contextlib.contextmanager
def batched() -> Iterator[Batch]:
    """Seal the rows of cases created inside together, when the block ends (or at
    :meth:`Batch.flush`). Use inside the transaction that writes them, so that the seals
    commit with the rows; nested, the outer batch seals. On an exception nothing is
    sealed (the transaction rolls back)."""
    outer = current_batch()
    if outer is not None:
        yield outer
        return
    batch = _local.batch = Batch()
    try:
        yield batch
        _local.batch = None  # what the flush itself writes is sealed at once
        batch.flush()
    finally:
        _local.batch = None


def _on_save(
    sender: type[models.Model],
    instance: models.Model,
    created: bool,
    update_fields: Iterable[str] | None = None,
    **kwargs: Any,
) -> None:
    spec = covered_by_model()[sender]
    if update_fields is not None and spec.only:
        touched = {getattr(sender._meta.get_field(name), "attname", name) for name in update_fields}
        if not touched & set(spec.only):
            return
    assert instance.pk is not None
    batch = current_batch()
    if batch is not None and batch.take(spec, instance, created):
        return
    seal_rows(sender, [int(instance.pk)], only_if_changed=not created or spec.scope_from == "self")


def connect() -> None:
    for model in covered_by_model():
        post_save.connect(_on_save, sender=model, dispatch_uid=f"seal-{model._meta.label_lower}")


# -- sealing the rows written before seals existed ---------------------------------------


class AlreadyKeyed(Exception):
    """The organisation already has a keyed checkpoint: an unsealed row is a break now."""


def _unsealed(spec: Covered, where: str, params: Sequence[Any]) -> list[int]:
    sealed = set(Seal.objects.filter(table=spec.label).values_list("row", flat=True))
    return [s.pk for s in stored_rows(spec, where, params) if s.pk not in sealed]


def seal_existing(org_ids: Sequence[int], *, installation: bool) -> dict[str, int]:
    """Seal every covered row of these organisations (and of the installation) that has
    no seal yet: the rows written before this version. Refused for an organisation that
    already has a keyed checkpoint, since from then on an unsealed row is a forgery."""
    keyed = Checkpoint.objects.exclude(mac="")
    if installation and keyed.exists():
        raise AlreadyKeyed("the installation already has keyed checkpoints")
    if keyed.filter(org_id__in=org_ids).exists():
        raise AlreadyKeyed("the organisation already has keyed checkpoints")
    q = connection.ops.quote_name
    added: dict[str, int] = {}
    for org_id in org_ids:
        for spec in COVERED:
            if spec.scope_from == "case":
                cases = apps.get_model("cases.case")._meta.db_table
                subquery = f"SELECT {q('id')} FROM {q(cases)} WHERE {q('org_id')} = %s"  # noqa: S608
                where = f"t.{q('case_id')} IN ({subquery})"
            else:
                where = f"t.{q('org_id')} = %s"
            pks = _unsealed(spec, where, [org_id])
            added[spec.label] = added.get(spec.label, 0) + seal_rows(
                spec.model, pks, only_if_changed=False
            )
    if installation:
        for spec in ORG_SCOPED:
            pks = _unsealed(spec, f"t.{q('org_id')} IS NULL", [])
            added[spec.label] = added.get(spec.label, 0) + seal_rows(
                spec.model, pks, only_if_changed=False
            )
    return added

"""Verifying the record: every case's event chain, and every organisation's checkpoints.

For each case, the chain is recomputed (``tousu.cases.events.verify_case``) and every
head a checkpoint recorded for it must still be on the chain: the event with that
``seq`` exists and has that hash. Because each event's hash covers everything before
it, a recorded head pins the whole chain up to it, even if someone deleted the events
after it and pointed the case row back at an earlier event. For each organisation,
the checkpoint chain itself is recomputed.

The report names the first broken link of each case (by case number and event seq)
and of each organisation's checkpoint chain (by checkpoint seq).

Every covered row is checked against its seals (:mod:`tousu.audit.seals`): each scope's
seal chain is recomputed under the audit key (:mod:`tousu.audit.verify_seals`), and the latest seal of each row must
record the row exactly as it is stored now; a row without a seal, or a seal whose row
is gone, is a break too. Keyed checkpoints must carry a valid HMAC, and every seal-chain
head they recorded must still be on its chain. The case row's status, a projection of
its events, must be the status its last event left it in.

Every attachment's blobs (the file as uploaded and its served rendition) are read and
checked as well: their bytes must still hash to their name, open under the case key (which
binds the case and the file's SHA-256), and hash to the recorded SHA-256 and size. A
shredded case's blobs cannot be opened any more: only their bytes
are checked, and the report says how many were not opened.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from django.db import connection

from tousu.audit import seals
from tousu.audit.breaks import Break, Recorded, RecordedScopes, Report
from tousu.audit.checkpoints import checkpoint_hash, checkpoint_mac, heads_digest, scopes_digest
from tousu.audit.models import Checkpoint
from tousu.audit.verify_seals import (
    compare_rows,
    gone,
    seals_of,
    verify_case_seals,
    verify_installation,
    verify_scope,
    walk_seals,
)
from tousu.cases.events import chain_hash, verify_case
from tousu.cases.models import Case, Event
from tousu.evidence import storage
from tousu.evidence.models import Attachment
from tousu.orgs.models import Organisation
from tousu.privacy.crypto import CryptoError
from tousu.privacy.fields import case_key

_BATCH = 1000


def verify(org: Organisation | None = None) -> Report:
    """Verify one organisation's record, or every organisation's."""
    report = Report()
    orgs = [org] if org is not None else list(Organisation.objects.order_by("slug"))
    installation: dict[int, dict[str, int]] = {}
    for each in orgs:
        _verify_org(each, report, installation)
    verify_installation(report, installation)
    return report


def _verify_org(org: Organisation, report: Report, installation: dict[int, dict[str, int]]) -> None:
    recorded, scopes, checkpoint_break = _verify_checkpoints(org, report)
    installation.update(scopes.pop(seals.INSTALLATION, {}))
    chain_broken: set[int] = set()
    for case in _cases(org):
        report.cases += 1
        found = _case_break(org, case, recorded.pop(case.pk, {}))
        if found is not None:
            report.breaks.append(found)
            chain_broken.add(case.pk)
    if recorded:
        report.breaks.extend(_vanished_cases(org, recorded))
    if checkpoint_break is not None:
        report.breaks.append(checkpoint_break)
    report.events += Event.objects.filter(case__org=org).count()
    verify_case_seals(org, report, scopes, chain_broken)
    verify_scope(
        org.slug, seals.org_scope(org.pk), seals.ORG_SCOPED, "t.org_id = %s", [org.pk],
        report, scopes,
    )  # fmt: skip
    _verify_files(org, report)


def _cases(org: Organisation) -> Iterator[Case]:
    """The organisation's cases in batches by id (verify_case queries inside the loop)."""
    after = 0
    while True:
        batch = list(
            Case.objects.filter(org=org, pk__gt=after)
            .order_by("pk")
            .only("pk", "org_id", "number", "status", "last_seq", "last_hash")[:_BATCH]
        )
        yield from batch
        if len(batch) < _BATCH:
            return
        after = batch[-1].pk


# -- checkpoints -------------------------------------------------------------------------


def _well_formed(heads: Any) -> bool:
    return isinstance(heads, list) and all(
        isinstance(h, list)
        and len(h) == 3
        and isinstance(h[0], int)
        and isinstance(h[1], int)
        and isinstance(h[2], str)
        for h in heads
    )


def _well_formed_scopes(scopes: Any) -> bool:
    return isinstance(scopes, list) and all(
        isinstance(h, list)
        and len(h) == 3
        and isinstance(h[0], str)
        and isinstance(h[1], int)
        and isinstance(h[2], str)
        for h in scopes
    )


def _verify_checkpoints(
    org: Organisation, report: Report
) -> tuple[Recorded, RecordedScopes, Break | None]:
    """Recompute the organisation's checkpoint chain; collect the heads it recorded.

    Heads are taken only from checkpoints whose own content verifies. Once a checkpoint
    is keyed, every later one must be keyed too, and each keyed one must carry the
    audit key's HMAC over its content and the previous keyed checkpoint's."""
    recorded: Recorded = {}
    recorded_scopes: RecordedScopes = {}
    first: Break | None = None
    prev_hash = ""
    prev_mac = ""
    keyed_seen = False
    expected = 1
    for checkpoint in Checkpoint.objects.filter(org=org).order_by("seq").iterator(chunk_size=20):
        report.checkpoints += 1
        own: tuple[str, str] | None = None
        if checkpoint_hash(checkpoint.prev_hash, checkpoint) != checkpoint.hash:
            own = ("hash_mismatch", "hash mismatch (content changed)")
        elif checkpoint.keyed and checkpoint_mac(prev_mac, checkpoint) != checkpoint.mac:
            own = ("mac_mismatch", "keyed checkpoint does not verify under the audit key")
        elif not checkpoint.keyed and keyed_seen:
            own = ("unkeyed", "not keyed, after a keyed checkpoint")
        elif checkpoint.keyed and (
            not _well_formed_scopes(checkpoint.scopes)
            or scopes_digest(checkpoint.scopes) != checkpoint.scopes_digest
        ):
            own = ("scopes_mismatch", "recorded seal heads do not match their digest")
        elif not _well_formed(checkpoint.heads) or (
            heads_digest(checkpoint.heads) != checkpoint.heads_digest
        ):
            own = ("heads_mismatch", "recorded case heads do not match their digest")
        elif checkpoint.case_count != len(checkpoint.heads) or checkpoint.event_count != sum(
            h[1] for h in checkpoint.heads
        ):
            own = ("count_mismatch", "counts do not match the recorded case heads")
        link: tuple[str, str] | None = None
        if checkpoint.seq != expected:
            link = ("sequence_gap", "missing (sequence gap)")
        elif checkpoint.prev_hash != prev_hash:
            link = ("broken_link", f"does not link to checkpoint {checkpoint.seq - 1}")
        problem = link or own
        if problem is not None and first is None:
            # A gap names the checkpoint that is missing, not the one found after it.
            seq = expected if problem[0] == "sequence_gap" else checkpoint.seq
            first = Break(org=org.slug, problem=problem[0], message=problem[1], checkpoint=seq)
        if own is None:
            for case_id, seq, head in checkpoint.heads:
                if seq == 0:  # a case without events: nothing to pin
                    continue
                recorded.setdefault(case_id, {}).setdefault(seq, {}).setdefault(
                    head, checkpoint.seq
                )
            if checkpoint.keyed:
                for scope, seq, mac in checkpoint.scopes:
                    recorded_scopes.setdefault(scope, {}).setdefault(seq, {}).setdefault(
                        mac, checkpoint.seq
                    )
        if checkpoint.keyed:
            keyed_seen = True
            prev_mac = checkpoint.mac
        prev_hash = checkpoint.hash
        expected = checkpoint.seq + 1
    return recorded, recorded_scopes, first


# -- cases -------------------------------------------------------------------------------


def _label(case: Case) -> str:
    return case.number or f"#{case.pk}"


def _case_break(org: Organisation, case: Case, heads: dict[int, dict[str, int]]) -> Break | None:
    """The first broken link of one case: on its own chain, or against a recorded head."""
    candidates: list[tuple[int, str, str]] = []
    ok, bad_seq = verify_case(case)
    if not ok:
        candidates.append(_diagnose(case, bad_seq))
    if heads:
        stored = dict(
            Event.objects.filter(case=case, seq__in=list(heads)).values_list("seq", "hash")
        )
        for seq in sorted(heads):
            for head, checkpoint_seq in sorted(heads[seq].items(), key=lambda kv: kv[1]):
                if seq not in stored:
                    candidates.append(
                        (seq, "removed", f"missing (checkpoint {checkpoint_seq} recorded it)")
                    )
                elif stored[seq] != head:
                    candidates.append(
                        (
                            seq,
                            "rewritten",
                            f"differs from checkpoint {checkpoint_seq} (rewritten up to here)",
                        )
                    )
                else:
                    continue
                break
    if not candidates:
        last = (
            Event.objects.filter(case=case, seq=case.last_seq).values_list("to_status", flat=True)
        ).first()
        if last and last != case.status:
            candidates.append(
                (
                    case.last_seq,
                    "projection_mismatch",
                    f"the case row says {case.status!r}, its events leave it {last!r}",
                )
            )
    if not candidates:
        return None
    seq, problem, message = min(candidates, key=lambda c: c[0])
    return Break(
        org=org.slug,
        problem=problem,
        message=message,
        case=_label(case),
        case_id=case.pk,
        event=seq,
    )


def _diagnose(case: Case, bad_seq: int | None) -> tuple[int, str, str]:
    """Why a chain does not verify, walking it as verify_case does."""
    prev = ""
    expected = 1
    for event in Event.objects.filter(case=case).order_by("seq"):
        if event.seq > expected:
            return expected, "sequence_gap", "missing (sequence gap)"
        if event.seq < expected:
            return event.seq, "out_of_order", "out of sequence"
        if event.prev_hash != prev:
            return (
                event.seq,
                "broken_link",
                "does not link to the event before it (reordered, inserted or replaced)",
            )
        if chain_hash(prev, event) != event.hash:
            return event.seq, "hash_mismatch", "hash mismatch (content changed)"
        prev = event.hash
        expected += 1
    last = expected - 1
    if case.last_seq > last:
        return (
            last + 1,
            "truncated",
            f"missing (the chain ends at event {last}; the case's head is event {case.last_seq})",
        )
    if case.last_seq != last or case.last_hash != prev:
        return last, "head_mismatch", "chain head does not match the case"
    # verify_case and this walk disagree: report what verify_case said.
    return bad_seq or last, "broken", "chain does not verify"


def _vanished_cases(org: Organisation, recorded: Recorded) -> list[Break]:
    """Cases a checkpoint recorded that are no longer among the organisation's cases."""
    elsewhere = dict(Case.objects.filter(pk__in=list(recorded)).values_list("pk", "org__slug"))
    breaks = []
    for case_id in sorted(recorded):
        checkpoint_seq = min(
            cp for by_hash in recorded[case_id].values() for cp in by_hash.values()
        )
        if case_id in elsewhere:
            problem, message = (
                "moved",
                f"moved to org {elsewhere[case_id]} "
                f"(checkpoint {checkpoint_seq} recorded it in org {org.slug})",
            )
        else:
            problem, message = "case_removed", f"missing (checkpoint {checkpoint_seq} recorded it)"
        breaks.append(
            Break(
                org=org.slug, problem=problem, message=message, case=f"#{case_id}", case_id=case_id
            )
        )
    return breaks


# -- attachments -------------------------------------------------------------------------


def _verify_files(org: Organisation, report: Report) -> None:
    attachments = (
        Attachment.objects.filter(case__org=org)
        .select_related("case")
        .only(
            "pk", "sha256", "size", "blob", "rendition_sha256", "rendition_size",
            "rendition_blob", "case__id", "case__number", "case__sealed_key",
        )
        .order_by("case_id", "pk")
    )  # fmt: skip
    for attachment in attachments.iterator(chunk_size=200):
        stored: list[tuple[str, str, int | None, str]] = [
            (attachment.blob, attachment.sha256, attachment.size, "")
        ]
        if attachment.rendition_blob and attachment.rendition_blob != attachment.blob:
            stored.append(
                (
                    attachment.rendition_blob,
                    attachment.rendition_sha256,
                    attachment.rendition_size,
                    "rendition ",
                )
            )
        for blob_name, sha256, size, which in stored:
            report.files += 1
            problem = _file_problem(attachment.case, blob_name, sha256, size, report)
            if problem is not None:
                report.breaks.append(
                    Break(
                        org=org.slug,
                        problem=problem[0],
                        message=which + problem[1],
                        case=_label(attachment.case),
                        case_id=attachment.case.pk,
                        file=attachment.sha256,
                    )
                )


def _file_problem(
    case: Case, blob_name: str, sha256: str, size: int | None, report: Report
) -> tuple[str, str] | None:
    """What is wrong with one blob of an attachment, if anything."""
    try:
        blob = storage.read(blob_name)
    except FileNotFoundError:
        return "file_missing", f"missing on disk ({storage.path_of(blob_name)})"
    except OSError as exc:
        return "file_unreadable", f"cannot be read ({type(exc).__name__})"
    if not storage.intact(blob_name, blob):
        return "file_changed", "changed on disk (its bytes do not match its name)"
    if not case.sealed_key:
        report.files_not_opened += 1
        return None
    try:
        key = case_key(case)
        assert key is not None
        data = storage.open_bytes(key, blob, case_id=case.pk, sha256=sha256)
    except CryptoError as exc:
        return "file_unopenable", f"does not open under the case key ({exc})"
    if hashlib.sha256(data).hexdigest() != sha256 or len(data) != size:
        return "file_mismatch", "opens, but does not match its recorded SHA-256 and size"
    return None


# -- one case, on every view of it --------------------------------------------------------


def case_breaks(case: Case) -> list[Break]:
    """What is broken in one case's record: its event chain, the status its events leave
    it in, and every row of it against its seals. Checkpoints are left to ``verify``."""
    org_label = str(case.org_id)
    found: list[Break] = []
    chain = _case_break(case.org, case, {})
    if chain is not None:
        found.append(chain)
    scope = seals.case_scope(case.pk)
    latest, _macs, broken = walk_seals(seals_of([scope]), Report())
    found.extend(
        replace(b, org=org_label, case=_label(case), case_id=case.pk) for b in broken.values()
    )
    q = connection.ops.quote_name
    label_of = {case.pk: _label(case)}
    for spec in seals.CASE_SCOPED:
        column = "id" if spec.scope_from == "self" else "case_id"
        found.extend(
            compare_rows(
                org_label, (spec,), f"t.{q(column)} = %s", [case.pk], latest, Report(), label_of
            )
        )
    found.extend(gone(org_label, latest, label_of))
    return found

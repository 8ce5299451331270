"""Verifying the row seals, part of :func:`tousu.audit.verify.verify` (see there).

Every scope's seal chain is recomputed under the audit key; every covered row is compared
with its latest seal (a row without one, or a sealed row that is gone, is a break); every
seal-chain head a keyed checkpoint recorded must still be on its chain.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db import connection

from tousu.audit import seals
from tousu.audit.breaks import Break, RecordedScopes, Report
from tousu.audit.models import Seal
from tousu.cases.models import Case
from tousu.orgs.models import Organisation

_BATCH = 1000

INSTALLATION_LABEL = "(installation)"

SealRow = tuple[str, int, int | None, str, int, str, str, str]


def walk_seals(
    rows: list[SealRow], report: Report
) -> tuple[dict[tuple[str, int], tuple[str, str]], dict[str, dict[int, str]], dict[str, Break]]:
    """Recompute seal chains (rows sorted by scope, seq).

    Returns each row's latest sealed digest and scope, every scope's macs by seq, and the
    first broken link of each scope (with no ``org`` yet: the caller names it)."""
    latest: dict[tuple[str, int], tuple[str, str]] = {}
    macs: dict[str, dict[int, str]] = {}
    broken: dict[str, Break] = {}
    scope = ""
    prev = ""
    expected = 1
    for each in rows:
        report.seals += 1
        name, seq, org_id, table, row, digest, prev_mac, mac = each
        if name != scope:
            scope, prev, expected = name, "", 1
        macs.setdefault(name, {})[seq] = mac
        problem: tuple[str, str, int] | None = None
        if seq != expected:
            problem = ("seal_gap", f"seal {expected} of this chain is missing", expected)
        elif prev_mac != prev:
            problem = ("seal_link", "does not link to the seal before it", seq)
        elif mac != seals.seal_mac(
            scope=name, seq=seq, org_id=org_id, table=table, row=row, digest=digest, prev=prev
        ):
            problem = ("seal_forged", "seal does not verify under the audit key", seq)
        if problem is not None and name not in broken:
            broken[name] = Break(
                org="", problem=problem[0], message=problem[1], seal=f"{name}#{problem[2]}"
            )
        # Walk on past a broken link: the rows are still compared with what was sealed,
        # so one forged seal does not make every later row of the scope look unsealed.
        latest[(table, row)] = (digest, name)
        prev = mac
        expected = seq + 1
    return latest, macs, broken


def seals_of(scopes: list[str]) -> list[SealRow]:
    return list(
        Seal.objects.filter(scope__in=scopes)
        .order_by("scope", "seq")
        .values_list("scope", "seq", "org_id", "table", "row", "digest", "prev", "mac")
    )


def compare_rows(
    org_label: str,
    specs: tuple[seals.Covered, ...],
    where: str,
    params: list[Any],
    latest: dict[tuple[str, int], tuple[str, str]],
    report: Report,
    label_of: dict[int, str] | None = None,
) -> list[Break]:
    """Every stored row against its latest seal; then the sealed rows that are gone."""
    found: list[Break] = []

    def broken(problem: str, message: str, scope: str, table: str, row: int) -> Break:
        case_id = int(scope[2:]) if scope.startswith("c:") else None
        case = None
        if case_id is not None:
            case = (label_of or {}).get(case_id, f"#{case_id}")
        return Break(
            org=org_label, problem=problem, message=message, case=case, case_id=case_id,
            table=table, row=row,
        )  # fmt: skip

    for spec in specs:
        for stored in seals.stored_rows(spec, where, params):
            report.rows += 1
            sealed = latest.pop((spec.label, stored.pk), None)
            if sealed is None:
                found.append(
                    broken(
                        "unsealed",
                        "has no seal (written behind the product's back; after an upgrade, "
                        "run `tousu audit seal` once)",
                        stored.scope,
                        spec.label,
                        stored.pk,
                    )  # fmt: skip
                )
            elif sealed[1] != stored.scope:
                found.append(
                    broken(
                        "row_moved",
                        f"moved from {sealed[1]} (its seals say)",
                        stored.scope,
                        spec.label,
                        stored.pk,
                    )  # fmt: skip
                )
            elif sealed[0] != stored.digest:
                found.append(
                    broken(
                        "row_changed",
                        "changed since it was sealed (content edited)",
                        stored.scope,
                        spec.label,
                        stored.pk,
                    )  # fmt: skip
                )
    return found


def gone(
    org_label: str, latest: dict[tuple[str, int], tuple[str, str]], label_of: dict[int, str]
) -> list[Break]:
    found = []
    for (table, row), (_digest, scope) in sorted(latest.items()):
        case_id = int(scope[2:]) if scope.startswith("c:") else None
        found.append(
            Break(
                org=org_label,
                problem="row_removed",
                message="sealed, but no longer stored",
                case=None if case_id is None else label_of.get(case_id, f"#{case_id}"),
                case_id=case_id,
                table=table,
                row=row,
            )  # fmt: skip
        )
    return found


def _pinned(
    org_label: str,
    macs: dict[str, dict[int, str]],
    recorded: RecordedScopes,
    label_of: dict[int, str],
) -> list[Break]:
    """Every seal-chain head a keyed checkpoint recorded must still be on its chain."""
    found = []
    for scope in sorted(recorded):
        for seq in sorted(recorded[scope]):
            for mac, checkpoint_seq in sorted(recorded[scope][seq].items(), key=lambda kv: kv[1]):
                have = macs.get(scope, {}).get(seq)
                if have == mac:
                    continue
                problem, message = (
                    ("seal_removed", f"missing (keyed checkpoint {checkpoint_seq} recorded it)")
                    if have is None
                    else ("seal_rewritten", f"differs from keyed checkpoint {checkpoint_seq}")
                )
                case_id = int(scope[2:]) if scope.startswith("c:") else None
                found.append(
                    Break(
                        org=org_label,
                        problem=problem,
                        message=message,
                        case=None if case_id is None else label_of.get(case_id, f"#{case_id}"),
                        case_id=case_id,
                        seal=f"{scope}#{seq}",
                    )  # fmt: skip
                )
                break
            else:
                continue
            break
    return found


def _unless_chain_broken(breaks: list[Break], chain_broken: set[int]) -> list[Break]:
    return [b for b in breaks if not (b.table == "cases.event" and b.case_id in chain_broken)]


def verify_case_seals(
    org: Organisation, report: Report, recorded: RecordedScopes, chain_broken: set[int]
) -> None:
    """The seals of the organisation's cases, a batch of cases at a time.

    A case whose event chain is already reported broken gets no second report for the
    same events' seals (its first broken link is named once); its other rows still do."""
    q = connection.ops.quote_name
    seen: set[str] = set()
    after = 0
    while True:
        batch = list(
            Case.objects.filter(org=org, pk__gt=after)
            .order_by("pk")
            .values_list("pk", "number")[:_BATCH]
        )
        if not batch:
            break
        label_of = {pk: number or f"#{pk}" for pk, number in batch}
        scopes = [seals.case_scope(pk) for pk in label_of]
        seen.update(scopes)
        latest, macs, broken = walk_seals(seals_of(scopes), report)
        for scope, link in broken.items():
            case_id = int(scope[2:])
            report.breaks.append(
                replace(link, org=org.slug, case=label_of[case_id], case_id=case_id)
            )
        marks = ", ".join(["%s"] * len(label_of))
        for spec in seals.CASE_SCOPED:
            column = "id" if spec.scope_from == "self" else "case_id"
            found = compare_rows(
                org.slug, (spec,), f"t.{q(column)} IN ({marks})", list(label_of),
                latest, report, label_of,
            )  # fmt: skip
            report.breaks.extend(_unless_chain_broken(found, chain_broken))
        found = gone(org.slug, latest, label_of)
        report.breaks.extend(_unless_chain_broken(found, chain_broken))
        report.breaks.extend(
            _pinned(org.slug, macs, {s: recorded[s] for s in scopes if s in recorded}, label_of)
        )
        after = batch[-1][0]
    # Seal chains of cases no longer in the organisation (deleted or moved away).
    orphans = (
        set(
            Seal.objects.filter(org_id=org.pk, scope__startswith="c:")
            .values_list("scope", flat=True)
            .distinct()
        )
        | {s for s in recorded if s.startswith("c:")}
    ) - seen
    for scope in sorted(orphans):
        report.breaks.append(
            Break(
                org=org.slug,
                problem="case_removed",
                message="its seals remain, but the case is no longer in this organisation",
                case=f"#{scope[2:]}",
                case_id=int(scope[2:]),
                seal=f"{scope}#1",
            )  # fmt: skip
        )


def verify_scope(
    org_label: str,
    scope: str,
    specs: tuple[seals.Covered, ...],
    where: str,
    params: list[Any],
    report: Report,
    recorded: RecordedScopes,
) -> None:
    """One organisation's (or the installation's) own rows against their seal chain."""
    latest, macs, broken = walk_seals(seals_of([scope]), report)
    report.breaks.extend(replace(b, org=org_label) for b in broken.values())
    report.breaks.extend(compare_rows(org_label, specs, where, params, latest, report))
    report.breaks.extend(gone(org_label, latest, {}))
    report.breaks.extend(_pinned(org_label, macs, {scope: recorded.get(scope, {})}, {}))


def verify_installation(report: Report, recorded: dict[int, dict[str, int]]) -> None:
    verify_scope(
        INSTALLATION_LABEL, seals.INSTALLATION, seals.ORG_SCOPED, "t.org_id IS NULL", [],
        report, {seals.INSTALLATION: recorded},
    )  # fmt: skip

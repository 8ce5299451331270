"""What other apps add to a case's ledger row: penalties, remedies and rewards, special
procedures (medical disputes), quality sub-tasks.

Each provider is a function ``lines(case_ids, actor) -> {case_id: [line, ...]}``: for the
cases of one ledger page or one export it answers short lines in Chinese (the ledger's
language, like its headers), already cut to what this viewer may see (a penalised
person's name only for the roles that may read staff records; never a reporter's
identity). Providers run one or two queries for all the cases, never one per case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

from django.utils.module_loading import import_string

from tousu.cases.access import Actor

Provider = Callable[[list[int], Actor], dict[int, list[str]]]

# Each app appends its provider's dotted path here.
PROVIDERS: list[str] = [
    "tousu.accountability.ledger.lines",
    "tousu.remedies.ledger.lines",
    "tousu.procedures.ledger.lines",
    "tousu.quality.ledger.lines",
]


@cache
def _providers() -> tuple[Provider, ...]:
    return tuple(import_string(path) for path in PROVIDERS)


def lines_for(case_ids: Iterable[int], actor: Actor) -> dict[int, list[str]]:
    """All providers' lines per case, in the order of :data:`PROVIDERS`."""
    ids = list(case_ids)
    merged: dict[int, list[str]] = {pk: [] for pk in ids}
    if not ids:
        return merged
    for provider in _providers():
        for pk, lines in provider(ids, actor).items():
            if pk in merged:
                merged[pk].extend(lines)
    return merged

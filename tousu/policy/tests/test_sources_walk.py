"""Every departure on the record: a walk over every shipped preset.

Each ``clause`` must cite a passage of a shipped source (``tousu/policy/sources``), or be
the 条号待核 marker; and each value that is not its regulation's — a rule marked
``org_default``, a clause that says the value is the organisation's own (单位默认, 原文缺失,
...), one borrowed from another regulation (参照, 《…》) or one whose article number cannot be
checked (条号待核) — must be covered by a ``[[deviations]]`` entry whose key names it
(``deadlines.reply``, or a parent such as ``deadlines``); 条号待核 alone is covered by one
entry with key ``clause`` saying which text is not shipped.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from typing import Any

import pytest

from tousu.policy import sources
from tousu.policy.loader import preset_names, preset_source, validate

# The fields that name an item of an array of tables, in order of preference.
_NAMES = ("stage", "code", "category", "field", "kind", "name", "role")


def items(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every table of a preset that can carry a ``clause``, with its key path."""
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            if k == "deviations":
                continue
            yield from items(v, f"{path}.{k}" if path else k)
    elif isinstance(node, list):
        for v in node:
            if isinstance(v, dict):
                name = next((str(v[n]) for n in _NAMES if n in v), "")
                yield from items(v, f"{path}.{name}" if name else path)


def covered(path: str, deviations: list[dict[str, Any]], *, pending_only: bool = False) -> bool:
    """A deviation names the table (``deadlines.reply``), a parent of it (``deadlines``) or
    a field of it (``retention.years``); 条号待核 alone is covered by one ``clause`` entry."""
    for d in deviations:
        key = d["key"].split(" (")[0].strip()
        if path == key or path.startswith(key + ".") or key.startswith(path + "."):
            return True
        if pending_only and key == "clause":
            return True
    return False


def problems(name: str) -> list[str]:
    data = tomllib.loads(preset_source(name))
    deviations = data.get("deviations", [])
    found: list[str] = []
    for path, table in items(data, ""):
        departs: list[str] = []
        pending_only = True
        if table.get("org_default"):
            departs.append("org_default")
            pending_only = False
        clause = table.get("clause")
        if isinstance(clause, str) and clause:
            for c in sources.resolve(name, clause):
                found += [f"{path}: {p}" for p in c.problems]
                if c.departs:
                    departs.append(c.text)
                    pending_only = pending_only and c.pending and not (c.default or c.borrowed)
        if departs and not covered(path, deviations, pending_only=pending_only):
            found.append(f"{path}: {'; '.join(departs)} has no [[deviations]] entry")
    return found


def test_every_source_loads_with_unique_clauses() -> None:
    ids = sources.all_ids()
    assert "gov-service" in ids and "hospital-fugong" in ids
    for i in ids:
        s = sources.load(i)
        assert s.title_zh and s.passages, i
        assert all(p.text.strip() for p in s.passages), i


def test_passages_are_the_regulations_own_words() -> None:
    p = sources.passages("gov-service", "第5条")
    assert p is not None and "一般书面投诉在2个工作日内作出答复" in p.text
    p = sources.passages("food-drug", "六")
    assert p is not None and "自作出不予受理决定之日起15日内" in p.text
    assert sources.passages("gov-service", "第11条") is None


def test_resolve_finds_the_most_specific_passage() -> None:
    [c] = sources.resolve("market", "第2条(2)（单位默认）")
    assert c.passage is not None and c.passage.clause == "第2条(2)" and c.default
    [c] = sources.resolve("gov-service", "第10条")
    assert c.passage is not None and c.passage.clause == "第10条"
    [a, b] = sources.resolve("hospital", "[人民医院]7（2）；[福贡]三、3")
    assert a.passage is not None and a.passage.source == "hospital-renmin"
    assert b.passage is not None and b.passage.clause == "三、3"
    [c] = sources.resolve("gov-service", "第12条")
    assert c.problems
    [c] = sources.resolve("petitions", sources.PENDING)
    assert c.pending and not c.problems


@pytest.mark.parametrize("name", preset_names())
def test_every_departure_is_recorded(name: str) -> None:
    validate(tomllib.loads(preset_source(name)))
    assert problems(name) == []

"""The regulations the presets cite, shipped as data: one TOML file per source.

A source file holds the regulation in its own words, split into passages addressed by the
clause a preset cites (``第5条``, ``四、1``, ``A(七)3``, ``工作职责（五）``)::

    [source]
    id = "gov-service"             # the file's name; a preset's own source has its name
    title_zh = "投诉处理管理制度"
    issuer_zh = ""                 # optional
    cited_as = ""                  # optional: the [prefix] a preset cites it by (hospital)
    note = ""                      # optional: where the text breaks off, how it is numbered

    [[passages]]
    clause = "第5条"
    text = "5、投诉受理时限 督查科所受理的口头投诉……"

A preset ``NAME`` cites the source ``NAME`` by default, and ``NAME-*`` sources by their
``[cited_as]`` prefix (hospital: ``[人民医院]7（1）``); ``[OTHER-ID]clause`` cites another
organisation's shipped regulation, which is a borrowing. ``resolve`` turns a preset's
``clause`` field into the passages it cites, or says why it cannot.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

# A clause whose article number cannot be checked against a shipped text.
PENDING = "条号待核"

# Words that mark a value as the organisation's own (no clause of the source gives it).
DEFAULT_MARKERS = (
    "organisation default",
    "单位默认",
    "单位补充",
    "原文缺失",
    "原文残缺",
    "原文未规定",
    "制度未规定",
    "原文未定期限",
)
# Words that mark a value borrowed from another regulation.
BORROWED_MARKERS = ("参照", "《")

# Characters that continue a clause number: a key must not be followed by one of them
# ("第1条" is not a prefix of "第10条", "四、1" not of "四、10").
_NUMERALS = set("0123456789〇零一二三四五六七八九十百")


@dataclass(frozen=True)
class Passage:
    source: str
    clause: str
    text: str


@dataclass(frozen=True)
class Source:
    id: str
    title_zh: str
    issuer_zh: str = ""
    cited_as: str = ""
    note: str = ""
    passages: tuple[Passage, ...] = ()

    def passage(self, clause: str) -> Passage | None:
        """The passage addressed exactly by ``clause``."""
        for p in self.passages:
            if p.clause == clause:
                return p
        return None

    def cited(self, ref: str) -> Passage | None:
        """The most specific passage ``ref`` starts with ("第2条(2)（单位默认）" → 第2条(2))."""
        best: Passage | None = None
        for p in self.passages:
            if not ref.startswith(p.clause):
                continue
            rest = ref[len(p.clause) :]
            if rest and rest[0] in _NUMERALS:
                continue
            if best is None or len(p.clause) > len(best.clause):
                best = p
        return best


@dataclass
class Citation:
    """One ``；``-separated part of a clause field, and what it comes to."""

    text: str
    passage: Passage | None = None
    pending: bool = False  # 条号待核
    default: bool = False  # the organisation's own value
    borrowed: bool = False  # from another regulation
    problems: list[str] = field(default_factory=list)

    @property
    def departs(self) -> bool:
        return self.pending or self.default or self.borrowed


@cache
def load(source_id: str) -> Source:
    """The shipped source ``source_id``; KeyError if there is none."""
    path = resources.files(__package__) / f"{source_id}.toml"
    if not path.is_file():
        raise KeyError(source_id)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    head = data["source"]
    if head["id"] != source_id:
        raise ValueError(f"{source_id}.toml names itself {head['id']!r}")
    passages = tuple(Passage(source_id, p["clause"], p["text"]) for p in data["passages"])
    seen: set[str] = set()
    for p in passages:
        if p.clause in seen:
            raise ValueError(f"{source_id}.toml: clause {p.clause!r} twice")
        seen.add(p.clause)
    return Source(
        id=source_id,
        title_zh=head["title_zh"],
        issuer_zh=head.get("issuer_zh", ""),
        cited_as=head.get("cited_as", ""),
        note=head.get("note", ""),
        passages=passages,
    )


def all_ids() -> list[str]:
    return sorted(
        p.name.removesuffix(".toml")
        for p in resources.files(__package__).iterdir()
        if p.name.endswith(".toml")
    )


def sources_for(preset: str) -> list[Source]:
    """The preset's own source first, then its ``PRESET-*`` companions."""
    ids = [i for i in all_ids() if i == preset or i.startswith(preset + "-")]
    return [load(i) for i in sorted(ids, key=lambda i: (i != preset, i))]


def passages(source_id: str, clause: str) -> Passage | None:
    """The passage of ``source_id`` addressed exactly by ``clause``."""
    return load(source_id).passage(clause)


def _split(clause: str) -> list[str]:
    """``；``-separated parts, not splitting inside brackets."""
    parts, depth, cur = [], 0, ""
    for ch in clause:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        if ch == "；" and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [*parts, cur]


def resolve(preset: str, clause: str) -> list[Citation]:
    """What a preset's ``clause`` field cites: one Citation per ``；``-separated part."""
    own = sources_for(preset)
    by_alias = {s.cited_as: s for s in own if s.cited_as}
    out: list[Citation] = []
    for part in (p.strip() for p in _split(clause)):
        if not part:
            continue
        c = Citation(part)
        c.pending = PENDING in part
        c.default = any(m in part for m in DEFAULT_MARKERS)
        c.borrowed = any(m in part for m in BORROWED_MARKERS)
        ref = part
        source: Source | None = own[0] if own and own[0].id == preset else None
        if ref.startswith("["):
            alias, _, ref = ref[1:].partition("]")
            source = by_alias.get(alias)
            if source is None and alias in all_ids():
                # Another organisation's regulation: a borrowing.
                source = load(alias)
                c.borrowed = True
            if source is None:
                c.problems.append(f"no shipped source is cited as [{alias}]")
        if source is not None and not ref.startswith(("《", "（", "(")):
            c.passage = source.cited(ref)
        if c.passage is None and not c.departs and not c.problems:
            where = source.id if source else "no shipped source"
            c.problems.append(f"{part!r} is no passage of {where}")
        out.append(c)
    return out

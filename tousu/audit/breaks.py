"""What verifying the record finds: each broken link (:class:`Break`) and the report of a
run (:class:`Report`). See :mod:`tousu.audit.verify`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Break:
    """The first broken link of one case or of one organisation's checkpoint chain.

    ``problem`` is a stable code for programs; ``message`` is for people.
    """

    org: str
    problem: str
    message: str
    case: str | None = None  # the case number ("#<id>" when the case row is gone)
    case_id: int | None = None
    event: int | None = None
    checkpoint: int | None = None
    file: str | None = None  # an attachment's SHA-256
    table: str | None = None  # a covered row's table (app_label.model) ...
    row: int | None = None  # ... and its id
    seal: str | None = None  # a seal chain's link, "<scope>#<seq>"

    def __str__(self) -> str:
        if self.case is not None:
            where = f"case {self.case}"
            if self.event is not None:
                where += f" event {self.event}"
            if self.file is not None:
                where += f" file {self.file[:16]}"
        elif self.table is not None or self.seal is not None:
            where = f"org {self.org}"
        else:
            where = f"checkpoint {self.checkpoint} of org {self.org}"
        if self.table is not None:
            where += f" {self.table} {self.row}"
        if self.seal is not None:
            where += f" seal {self.seal}"
        return f"BROKEN {where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        found = asdict(self)
        for optional in ("file", "table", "row", "seal"):  # only named when they apply
            if found[optional] is None:
                del found[optional]
        return found


@dataclass
class Report:
    cases: int = 0
    events: int = 0
    checkpoints: int = 0
    rows: int = 0  # covered rows checked against their seals
    seals: int = 0
    files: int = 0
    # Blobs of shredded cases: their bytes are checked, but they cannot be opened.
    files_not_opened: int = 0
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    def summary(self) -> str:
        text = (
            f"{self.cases} cases, {self.events} events, {self.checkpoints} checkpoints, "
            f"{self.rows} sealed rows, {self.seals} seals"
        )
        if self.files:
            text += f", {self.files} files"
        if self.files_not_opened:
            text += (
                f" ({self.files_not_opened} files of shredded cases checked on disk only:"
                " their key is destroyed)"
            )
        return text

    def lines(self) -> list[str]:
        if self.ok:
            return [f"OK: {self.summary()} verified"]
        return [str(b) for b in self.breaks]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "cases": self.cases,
            "events": self.events,
            "checkpoints": self.checkpoints,
            "rows": self.rows,
            "seals": self.seals,
            "files": self.files,
            "files_not_opened": self.files_not_opened,
            "breaks": [b.as_dict() for b in self.breaks],
        }


# What checkpoints recorded: case id -> seq -> {hash: seq of the first checkpoint recording it}
Recorded = dict[int, dict[int, dict[str, int]]]


# What keyed checkpoints recorded of the seal chains: scope -> seq -> {mac: checkpoint seq}
RecordedScopes = dict[str, dict[int, dict[str, int]]]

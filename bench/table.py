"""One table of every benchmark's figures: what `make bench` prints at the end.

Reads what the benchmarks wrote into a directory (default var/bench): ``intake.json``
(bench/intake --json), ``desk-*.json`` (bench/desk --json), ``export.txt`` (bench/export's
line) and ``deadlines.json`` (bench/deadlines --json). A missing file is a missing row, not
an error. Prints Markdown (the form docs/performance.md quotes).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def intake_rows(doc: Any) -> list[str]:
    if not doc:
        return []
    rows = [
        "| Intake (API registrations) | clients | reg/s | p50 ms | p95 ms | CPU ms/reg (web) "
        "| web worker RSS MiB | pgbench reg-shaped/s (same run) | share |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    pgbench = {
        r["database"]: r.get("pgbench_per_s") for r in doc["results"] if r.get("pgbench_per_s")
    }
    for r in doc["results"]:
        base = r.get("pgbench_per_s") or pgbench.get(r["database"])
        share = r["per_s"] / base if base else None
        rows.append(
            f"| {r['database']} | {r['concurrency']} | {r['per_s']:.0f} | {r['p50_ms']:.1f} "
            f"| {r['p95_ms']:.1f} | {r['web_cpu_ms']:.2f} | {r['web_rss_mib']:.0f} "
            f"| {'—' if not base else f'{base:.0f}'} | {'—' if share is None else f'{share:.0%}'} |"
        )
    targets = (
        f"Targets: CPU ≤ {doc.get('target_web_cpu_ms')} ms/registration, share ≥ "
        f"{doc.get('target_share', 0):.0%} of pgbench, p95 < {doc.get('target_p95_ms_c8')} ms "
        f"at 8 clients, web worker RSS ≤ {doc.get('target_rss_mib')} MiB."
    )
    return [*rows, "", targets]


def desk_rows(docs: list[tuple[str, Any]]) -> list[str]:
    if not docs:
        return []
    reports = [rep for _, doc in docs for rep in (doc or [])]
    if not reports:
        return []
    columns = [f"{rep['db']} {rep['cases']:,}" for rep in reports]
    rows = [
        "| Desk page (server time, p50 / p95 ms) | " + " | ".join(columns) + " | target p95 |",
        "|---|" + "---|" * (len(columns) + 1),
    ]
    labels: list[str] = []
    for rep in reports:
        labels += [p["page"] for p in rep["pages"] if p["page"] not in labels]
    for label in labels:
        cells, target = [], ""
        for rep in reports:
            page = next((p for p in rep["pages"] if p["page"] == label), None)
            if page is None:
                cells.append("—")
                continue
            target = f"< {page.get('target', 0):.0f}"
            mark = "" if page["pass"] else " ✗"
            cells.append(f"{page['p50']:.1f} / {page['p95']:.1f}{mark}")
        rows.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")
    rss = " | ".join(f"{rep.get('peak_rss_mib', 0):.0f}" for rep in reports)
    rows.append(f"| peak RSS of the process (MiB) | {rss} | |")
    return rows


def main() -> int:
    where = Path(sys.argv[1] if len(sys.argv) > 1 else "var/bench")
    out: list[str] = []
    out += intake_rows(_load(where / "intake.json"))
    desks = sorted(where.glob("desk-*.json"))
    if desks:
        out += ["", *desk_rows([(p.stem, _load(p)) for p in desks])]
    export = where / "export.txt"
    if export.exists():
        line = export.read_text(encoding="utf-8").strip().splitlines()
        figure = next((x for x in reversed(line) if x.startswith("export of")), "")
        out += [
            "",
            f"Ledger export (job worker, SQLite): {figure or 'FAILED'}; target 100,000 rows < 20 s, RSS within 50 MiB of idle.",
        ]
    deadlines = _load(where / "deadlines.json")
    sweep = (deadlines or {}).get("sweep") or {}
    for timing in sweep.get("timings", []):
        out += [
            f"Sweep over {sweep['cases']:,} open deadlines ({sweep.get('server', '')}): "
            f"{timing['what']}: median {timing['median_ms']:.2f} ms (target < 1 s)"
        ]
    print("\n".join(out) if out else f"no figures in {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

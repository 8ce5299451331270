"""Export timing: the ledger's .xlsx of N cases, built as the job worker builds it.

Seeds --cases cases with bench/ledger_seed.py (a temporary TOUSU_VAR_DIR and SQLite, or an
empty PostgreSQL database given by --database-url), then asks for the whole ledger as the
supervisor (who sees every case) and runs the export job in this process: the rows batch
by batch, the workbook, the sealed file. It prints one line::

    export of 100,000 rows: 17.9 s (CPU 17.5 s), peak RSS 182 MiB (idle 160 MiB, +22 MiB)

The export runs in a fresh process, as in the worker: "idle" is its resident memory just
before the export (Django set up, nothing else); the peak is the kernel's high-water mark,
reset at that moment (/proc/self/clear_refs), so it is the export's own peak. Not a test.
``export_figure()`` gives the line for a database already seeded.

    .venv/bin/python bench/export.py --cases 100000
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ledger_seed  # noqa: E402


def _status(field: str) -> int:
    """A VmRSS / VmHWM figure of this process, in KiB (0 where /proc is not there)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def export_figure(username: str = "supervisor") -> str:
    """Build the whole ledger as ``username`` sees it, as the worker does; the figure line."""
    from django.contrib.auth import get_user_model

    from tousu.cases.access import actor_for
    from tousu.reports import background, sealed
    from tousu.reports.models import Export
    from tousu.reports.query import Filters

    actor = actor_for(get_user_model().objects.get(username=username), ledger_seed.ORG)
    export = background.start_ledger(actor, Filters())  # autocommit: no kick is waited on
    gc.collect()
    idle = _status("VmRSS")
    exact = _reset_peak()
    began, cpu = time.perf_counter(), time.process_time()
    state = background.build(export.pk)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    peak = _status("VmHWM") if exact else max(idle, _status("VmRSS"))
    export.refresh_from_db()
    assert state == Export.State.READY, (state, export.error)
    sealed.remove(export.file_name)
    return (
        f"export of {export.rows_done:,} rows: {seconds:.1f} s (CPU {cpu:.1f} s), "
        f"peak RSS {peak / 1024:.0f} MiB (idle {idle / 1024:.0f} MiB, "
        f"+{(peak - idle) / 1024:.0f} MiB){'' if exact else ' (peak sampled at the end)'}; "
        f"file {(export.size or 0) / 1e6:.1f} MB"
    )


def _measure(var: str, database_url: str | None) -> int:
    """The export in a fresh process on a seeded directory: the worker's own memory."""
    ledger_seed.setup_django(Path(var), database_url)
    from django.conf import settings

    from tousu.reports import background

    settings.TOUSU_EXPORTS_DIR = Path(var) / "exports"
    # The job runs right here; the request to the queue is not sent.
    background.kick = lambda export_id: None
    print(export_figure(), flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="an empty database (default: SQLite)")
    parser.add_argument("--measure", metavar="VAR_DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return _measure(args.measure, args.database_url)
    with tempfile.TemporaryDirectory(prefix="tousu-export-") as var:
        ledger_seed.setup_django(Path(var), args.database_url)
        began = time.perf_counter()
        ledger_seed.seed(args.cases)
        print(f"seeded {args.cases:,} cases in {time.perf_counter() - began:.0f} s", flush=True)
        command = [sys.executable, __file__, "--measure", var]
        if args.database_url:
            command += ["--database-url", args.database_url]
        return subprocess.run(command, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())

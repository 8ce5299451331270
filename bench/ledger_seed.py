"""Ledger timing: seed an organisation with many cases, then time the ledger page and export.

Runs in-process on a temporary TOUSU_VAR_DIR with its own SQLite database (or the
PostgreSQL database given by --database-url, which must be empty and is left as seeded).
It creates the organisation ``bench`` (general preset), a supervisor and a finance handler,
then bulk-inserts --cases cases received over 2025-2026 (seeded random): each with one
complainant (a fifth anonymous, a tenth of them reports), one subject, acceptance and reply
deadlines, and the events a ledger reads (accepted, resolved, replied, followed up), in a
spread of states; about a fifth are overdue. Personal data is sealed as in production.

It then times, as the supervisor (sees everything) and the handler (one department),
through Django's test client: the ledger's first page, a filtered page, the page sorted by
deadline, the dossier of 2026, and the .xlsx export of the cases received in 2026.
Not a test: it prints figures and exits 0 unless setup fails.

    .venv/bin/python bench/ledger_seed.py --cases 100000
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SEED = 20261128
ORG = "bench"
CHUNK = 5000
STATES = (
    # (status, share): what happened to a case, as the ledger will show it
    ("registered", 0.05),
    ("in_progress", 0.20),
    ("replied", 0.15),
    ("followed_up", 0.25),
    ("closed", 0.25),
    ("rejected", 0.10),
)
CONTENTS = (
    "CT检查被重复收费两次，要求退还多收的费用。电话{phone}",
    "窗口工作人员态度恶劣，拒绝解释办理流程。",
    "停车场收费标准未公示，要求说明依据。",
    "举报收费处工作人员收受红包，本人{name}愿意配合调查。",
    "病房卫生间漏水多日无人维修。",
)


def setup_django(var: Path, database_url: str | None) -> None:
    os.environ |= {
        "DJANGO_SETTINGS_MODULE": "tousu.settings",
        "TOUSU_VAR_DIR": str(var),
        "TOUSU_SECRET_KEY": secrets.token_urlsafe(50),
        "TOUSU_ALLOWED_HOSTS": "testserver",
        "TOUSU_RUN_WORKER": "false",
    }
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def seed(n: int) -> None:
    from django.core.management import call_command

    from tousu.cases.models import Case, Deadline, Event, Party, Subject
    from tousu.orgs.models import Department
    from tousu.orgs.services import create_user
    from tousu.policy.services import create_org
    from tousu.privacy.crypto import new_case_key, wrap

    call_command("migrate", verbosity=0)
    org = create_org(ORG, "基准测试医院")
    supervisor = create_user("supervisor", org=org, role="supervisor")
    handler = create_user("handler", org=org, role="handler", department="finance")
    clerk = create_user("clerk", org=org, role="intake_clerk", department="office")
    depts = {d.code: d for d in Department.objects.filter(org=org)}
    categories = {
        "fees": "finance",
        "service_attitude": "service",
        "quality": "quality",
        "facilities": "logistics",
        "misconduct": "supervision",
        "other": "office",
    }
    channels = ("phone", "phone", "phone", "visit", "letter", "web", "email")
    rng = random.Random(SEED)  # noqa: S311  # reproducible data, not secrets
    start = datetime(2025, 1, 1, tzinfo=UTC)
    span = int((datetime(2026, 11, 20, tzinfo=UTC) - start).total_seconds())
    assert org.active_policy_id is not None
    statuses = [s for s, _ in STATES]
    weights = [w for _, w in STATES]
    made = 0
    while made < n:
        size = min(CHUNK, n - made)
        batch: list[Case] = []
        plans: list[tuple[str, datetime]] = []
        for i in range(made, made + size):
            received = start + timedelta(seconds=rng.randrange(span))
            status = rng.choices(statuses, weights)[0]
            category = rng.choice(list(categories))
            kind = "report" if rng.random() < 0.1 else "complaint"
            assigned = status not in ("registered", "rejected")
            case = Case(
                org=org, number=f"TS-{received.year}-{i + 1:06d}",
                policy_version_id=org.active_policy_id, kind=kind,
                channel=rng.choice(channels), category=category, status=status,
                received_at=received, registered_at=received, registered_by=clerk,
                first_contact_owner=clerk, updated_at=received,
                lead_department=depts[categories[category]] if assigned else None,
                handler=handler if assigned and categories[category] == "finance" else None,
                responsibility="organisation" if status in ("replied", "followed_up", "closed") else "",
                validity="valid" if status in ("replied", "followed_up", "closed") else "",
                satisfaction=rng.choice(["satisfied", "basically_satisfied", "dissatisfied"])
                if status in ("followed_up", "closed") else "",
                reply_channel="phone" if status in ("replied", "followed_up", "closed") else "",
                sealed_key=wrap(new_case_key()),
            )  # fmt: skip
            case.content = rng.choice(CONTENTS).format(phone="13912345678", name="王建国")
            batch.append(case)
            plans.append((status, received))
        Case.objects.bulk_create(batch, batch_size=1000)
        parties, subjects, deadlines, events = [], [], [], []
        for case, (status, received) in zip(batch, plans, strict=True):
            anonymous = rng.random() < 0.2
            party = Party(case=case, role="reporter" if case.kind == "report" else "complainant",
                          anonymous=anonymous)  # fmt: skip
            if not anonymous:
                party.name, party.phone = "王建国", "13912345678"
            parties.append(party)
            subjects.append(Subject(case=case, type="department", name="门诊收费处"))
            accepted = received + timedelta(hours=2)
            late = rng.random() < 0.2
            reply_due = accepted + timedelta(days=21)
            done = status in ("replied", "followed_up", "closed")
            deadlines.append(Deadline(
                case=case, stage="acceptance", start="received", started_at=received,
                due_at=received + timedelta(days=7), hard=True, state="met", met_at=accepted,
            ))  # fmt: skip
            if status != "rejected":
                replied = reply_due + timedelta(days=3) if late else accepted + timedelta(days=10)
                deadlines.append(Deadline(
                    case=case, stage="reply", start="accepted", started_at=accepted,
                    due_at=reply_due, hard=True,
                    state="met" if done else "open", met_at=replied if done else None,
                ))  # fmt: skip
            seq = 1
            types = ["registered"]
            types += ["rejected"] if status == "rejected" else []
            types += ["accepted", "assigned"] if status not in ("registered", "rejected") else []
            types += ["resolved", "replied"] if done else []
            types += ["followed_up"] if status in ("followed_up", "closed") else []
            for type_ in types:
                at = received + timedelta(hours=seq)
                data: dict[str, Any] = {}
                if type_ == "replied":
                    data = {"channel": "phone", "delivered_at": at.isoformat()}
                elif type_ == "followed_up":
                    data = {"reached": True, "satisfaction": case.satisfaction}
                events.append(Event(
                    case=case, seq=seq, type=type_, at=at, actor=supervisor,
                    reason_code="outside_mandate" if type_ == "rejected" else "",
                    data=data, hash="0" * 64,
                ))  # fmt: skip
                seq += 1
        Party.objects.bulk_create(parties, batch_size=1000)
        Subject.objects.bulk_create(subjects, batch_size=1000)
        Deadline.objects.bulk_create(deadlines, batch_size=1000)
        Event.objects.bulk_create(events, batch_size=1000)
        made += size
        print(f"  seeded {made:,} cases", file=sys.stderr, flush=True)


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def measure(runs: int) -> None:
    from functools import partial

    from django.contrib.auth import get_user_model
    from django.test import Client

    base = f"/desk/{ORG}/ledger/"
    pages: tuple[tuple[str, str, dict[str, str]], ...] = (
        ("ledger, first page", base, {}),
        ("ledger, overdue, finance", base, {"overdue": "yes", "department": "finance"}),
        ("ledger, sorted by deadline", base, {"sort": "deadline", "dir": "asc"}),
        ("ledger, page 500", base, {"page": "500"}),
        ("dossier 2026", f"{base}dossier/2026/", {}),
    )
    for username in ("supervisor", "handler"):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        print(f"{username}:")
        for label, path, params in pages:
            seconds, _ = timed(partial(fetch, client, path, params), runs)
            print(f"  {label:<30} {seconds * 1e3:8.0f} ms (median of {runs})")
        seconds, size = timed(
            partial(fetch_size, client, f"{base}export.xlsx", {"received_from": "2026-01-01"}), 1
        )
        print(f"  {'export.xlsx, 2026':<30} {seconds:8.1f} s  ({size / 1e6:.1f} MB)")


def fetch(client: Any, path: str, params: dict[str, str]) -> Any:
    r = client.get(path, params)
    assert r.status_code == 200, (path, r.status_code)
    return r


def fetch_size(client: Any, path: str, params: dict[str, str]) -> int:
    r = fetch(client, path, params)
    return sum(len(chunk) for chunk in r.streaming_content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="an empty database (default: SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tousu-ledger-") as var:
        setup_django(Path(var), args.database_url)
        began = time.perf_counter()
        seed(args.cases)
        print(f"seeded {args.cases:,} cases in {time.perf_counter() - began:.0f} s")
        measure(args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A realistic data set: N cases over several organisations, loaded in bulk, verifiable.

Organisations, policies and users are created through the real services (few rows);
the bulk (cases, parties, subjects, records, events, deadlines, assignments and their
row seals) is prepared in Python (sealed fields under per-case keys, blind indexes,
the events' hash chain, each row's seal chained and keyed under the audit key) by up to
two worker processes, and loaded by ``COPY ... FROM STDIN`` on PostgreSQL or
``executemany`` on SQLite, one transaction per chunk. ``tousu audit verify`` passes on
the result.

What it generates (seeded, so a run is reproducible):

- Cases received over three years before now, office hours mostly, more in recent
  months; case ids and numbers follow registration time (per organisation and numbering
  period, gap-free; the counters are left at the last serial).
- Kinds: complaints, ~10% reports where the policy takes them (half anonymous), a few
  consultations and suggestions. Channels: phone most, then web, visit, letter, e-mail,
  SMS, referral (those the policy has).
- Chinese text per category theme (bench/texts.py), with amounts, dates, places, items.
- Complainants with repeats: a long tail of people who complain again (same phone,
  hence the same blind index); subjects (departments, staff, businesses) drawn Zipf-like.
- Histories that match the status: registered → accepted → assigned → resolved →
  replied → followed up → closed, with rejections, referrals, withdrawals, cases
  resolved on the spot, pauses, extensions and reopenings; older cases are closed,
  recent ones open. Deadlines are the policy's rules (``rules_for``, ``due_of``), met
  when the action that meets them happens; ~5–15% are met late (marked overdue by the
  sweep first, with its event), and a few hundred open ones are overdue now.
- The case row's clock summary is ``tousu.cases.deadlines.summary`` of its deadlines.

Importable: ``generate(cases, seed, ...)`` runs inside an already set-up Django.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import multiprocessing
import os
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import texts  # noqa: E402

PRESETS = ("general", "hospital", "consumer-12315", "gov-service", "market", "customer-service")
ORG_SHARE = (0.34, 0.28, 0.2, 0.1, 0.05, 0.03)
CHANNEL_WEIGHTS = {
    "phone": 42, "web": 18, "visit": 11, "letter": 8, "email": 6, "sms": 5, "referral": 4,
    "box": 1, "opinion_book": 1, "touchscreen": 1, "evaluation_form": 1, "fax": 0.3, "other": 0.5,
}  # fmt: skip
YEARS = 3
CHUNK = 2000
# Id strides per case: each case's rows take ids in a block of their own, so workers
# prepare chunks independently (ids of unused slots are simply never taken).
STRIDE = {"event": 40, "record": 12, "party": 2, "subject": 2, "assignment": 3, "deadline": 24}
SEAL_STRIDE = 64
SWEEP_LAG = timedelta(minutes=5)  # the overdue sweep marks a clock this long after it falls due

TABLES = (
    "cases_case", "cases_caserecord", "cases_event", "cases_party", "cases_subject",
    "cases_assignment", "cases_deadline", "audit_seal",
)  # fmt: skip


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# Stored forms
# ---------------------------------------------------------------------------------------


class J:
    """A JSON column value, written as PostgreSQL's jsonb prints it (so the stored text,
    and therefore the row's seal digest, is the same on both databases)."""

    __slots__ = ("text", "value")

    def __init__(self, value: Any) -> None:
        self.value = value
        self.text = jsonb_text(value)


def _jsonb_order(value: Any) -> Any:
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k))
        return {k: _jsonb_order(value[k]) for k in keys}
    if isinstance(value, list | tuple):
        return [_jsonb_order(v) for v in value]
    return value


def jsonb_text(value: Any) -> str:
    """``value`` as jsonb prints it: object keys shortest first (then bytewise), ``", "``
    and ``": "`` between items, text unescaped beyond JSON's own escapes."""
    return json.dumps(_jsonb_order(value), ensure_ascii=False)


def _pg_escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


def pg_field(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, J):
        return _pg_escape(value.text)
    return _pg_escape(value)


def sqlite_field(value: Any) -> Any:
    if isinstance(value, datetime):
        return str(value.astimezone(UTC).replace(tzinfo=None))
    if isinstance(value, J):
        return value.text
    return value


def plain(value: Any, pg: bool) -> Any:
    """The value as ``tousu.audit.seals.stored_rows`` reads it back (for the digest)."""
    if isinstance(value, datetime):
        return value.isoformat() if pg else value.astimezone(UTC).replace(tzinfo=None).isoformat()
    if isinstance(value, J):
        return value.text
    return value


# ---------------------------------------------------------------------------------------
# Set-up: what the workers need, gathered before they fork
# ---------------------------------------------------------------------------------------


@dataclass
class OrgPlan:
    org_id: int
    slug: str
    preset: str
    tz: ZoneInfo
    version_id: int
    version_number: int
    policy: Any
    cal: Any
    kinds: list[tuple[str, float]]
    channels: list[str]
    channel_cum: list[float]
    categories: list[tuple[str, str, int | None, int | None]]  # code, theme, lead, co dept
    clerks: list[int]
    dispatchers: list[int]
    handlers: dict[int, list[int]]  # department id → handler user ids
    department_ids: list[int]
    staff_subjects: list[tuple[str, int]]  # name, department id
    numbering: Any
    reporter_reply: str = ""
    rules: dict[tuple[Any, ...], list[Any]] = field(default_factory=dict)


@dataclass
class Plan:
    pg: bool
    seed: int
    now: datetime
    orgs: list[OrgPlan]
    # per case index: (received_at epoch, registered_at epoch, org index, channel, number)
    received: list[float]
    registered: list[float]
    org_of: list[int]
    channel_of: list[str]
    number_of: list[str]
    case_base: int
    bases: dict[str, int]
    seal_base: int
    columns: dict[str, list[str]]  # table → columns in load order
    kinds: dict[str, list[str]]  # table → each column's kind (dt, json, bool, val)
    sealed_columns: dict[str, list[tuple[str, str]]]  # covered table → (column, kind), sorted
    labels: dict[str, str]  # table → covered label
    keys: tuple[bytes, bytes, bytes]  # master, index, audit
    fk_checks: bool = True


_PLAN: Plan | None = None


def _users(org: Any, departments: dict[str, int]) -> dict[str, Any]:
    """The organisation's staff: 3 intake clerks, 2 dispatchers, a supervisor and 2 handlers
    per department (``<org>-clerk0``, ``<org>-dispatch0``, ``<org>-<department>-0``...);
    a second run on the same database finds them."""
    from django.contrib.auth import get_user_model

    from tousu.orgs.roles import Role
    from tousu.orgs.services import create_user

    rng = random.Random(org.pk)  # noqa: S311

    def user(username: str, role: str, department: str | None = None) -> int:
        found = get_user_model().objects.filter(username=username).first()
        if found is None:
            name = texts.person_name(rng)
            found = create_user(username, org=org, role=role, department=department, name=name)
        return int(found.pk)

    slug = org.slug
    made: dict[str, Any] = {"clerks": [], "dispatchers": [], "handlers": {}, "staff": []}
    made["clerks"] = [user(f"{slug}-clerk{i}", Role.INTAKE_CLERK) for i in range(3)]
    made["dispatchers"] = [user(f"{slug}-dispatch{i}", Role.DISPATCHER) for i in range(2)]
    user(f"{slug}-supervisor", Role.SUPERVISOR)
    for code, pk in departments.items():
        made["handlers"][pk] = [
            user(f"{slug}-{code}-{i}"[:150], Role.HANDLER, code) for i in range(2)
        ]
        for _ in range(6):
            made["staff"].append((f"{texts.person_name(rng)}（{rng.choice(texts.POSTS)}）", pk))
    return made


def make_orgs(count: int, seed: int) -> list[OrgPlan]:
    """The organisations (real services), each with its policy, departments and staff."""
    from tousu.clock.overrides import calendar_for
    from tousu.orgs.models import Department, Organisation
    from tousu.policy.models import policy_for
    from tousu.policy.services import create_org

    plans = []
    for i in range(count):
        preset = PRESETS[i % len(PRESETS)]
        slug = f"gen{i + 1}-{preset}"
        org = Organisation.objects.filter(slug=slug).first() or create_org(
            slug, f"{preset} 生成数据 {i + 1}", preset=preset
        )
        assert org.active_policy_id is not None
        number, policy = policy_for(org.active_policy_id)
        departments = dict(Department.objects.filter(org=org).values_list("code", "pk"))
        if not departments:
            departments = {
                "office": Department.objects.create(org=org, code="office", name="办公室").pk
            }
        made = _users(org, departments)
        first_dept = next(iter(departments.values()))
        categories = []
        for cat in policy.categories:
            if cat.refer_to:
                continue
            lead = departments.get(cat.lead) if cat.lead else None
            co = departments.get(cat.co[0]) if cat.co else None
            categories.append((cat.code, texts.theme_of(cat.code, cat.name_zh), lead, co))
        if not categories:
            categories = [("", "other", first_dept, None)]
        kinds = [("complaint", 0.85 if "report" in policy.kinds else 0.95)]
        if "report" in policy.kinds:
            kinds.append(("report", 0.10))
        if "consultation" in policy.kinds:
            kinds.append(("consultation", 0.03))
        if "suggestion" in policy.kinds:
            kinds.append(("suggestion", 0.02))
        if "complaint" not in policy.kinds:
            kinds = [(k, 1.0) for k in policy.kinds]
        channels = [c for c in policy.channels if CHANNEL_WEIGHTS.get(c, 0) > 0]
        cum = list(itertools.accumulate(CHANNEL_WEIGHTS[c] for c in channels))
        plans.append(
            OrgPlan(
                org_id=org.pk,
                slug=slug,
                preset=preset,
                tz=ZoneInfo(org.time_zone),
                version_id=org.active_policy_id,
                version_number=number,
                policy=policy,
                cal=calendar_for(org.pk),
                kinds=kinds,
                channels=channels,
                channel_cum=cum,
                categories=categories,
                clerks=made["clerks"],
                dispatchers=made["dispatchers"],
                handlers=made["handlers"],
                department_ids=list(departments.values()),
                staff_subjects=made["staff"],
                numbering=policy.numbering,
            )  # fmt: skip
        )
    return plans


def _draw_times(n: int, seed: int, now: datetime, orgs: list[OrgPlan]) -> dict[str, Any]:
    """Receipt and registration times, organisation and channel of every case, sorted by
    registration, with each case's number (per organisation and period, in that order)."""
    from tousu.cases.numbering import format_number, period_key

    rng = random.Random(seed)  # noqa: S311
    span = YEARS * 365 * 86400
    end = now.timestamp() - 600
    shares = ORG_SHARE[: len(orgs)]
    org_cum = list(itertools.accumulate(s / sum(shares) for s in shares))
    drawn = []
    hours = [
        0.2,
        0.1,
        0.1,
        0.1,
        0.1,
        0.2,
        0.5,
        1.5,
        5,
        8,
        9,
        8,
        5,
        6,
        8,
        8,
        7,
        5,
        3,
        2,
        1.5,
        1,
        0.6,
        0.4,
    ]
    hour_cum = list(itertools.accumulate(hours))
    for _ in range(n):
        # More cases recently (volume grows ~40% a year): density ∝ e^(a·x) on [0, 1].
        x = math.log(1 + rng.random() * (math.e**1 - 1))
        day = end - span + x * span
        base = day - day % 86400
        hour = bisect.bisect_left(hour_cum, rng.random() * hour_cum[-1])
        received = min(base + hour * 3600 + rng.random() * 3600 - 8 * 3600, end - 3600)
        oi = min(bisect.bisect_left(org_cum, rng.random()), len(orgs) - 1)
        org = orgs[oi]
        ci = bisect.bisect_left(org.channel_cum, rng.random() * org.channel_cum[-1])
        channel = org.channels[min(ci, len(org.channels) - 1)]
        lag = {
            "letter": rng.uniform(4, 60) * 3600, "box": rng.uniform(10, 72) * 3600,
            "opinion_book": rng.uniform(2, 24) * 3600, "web": rng.uniform(0.1, 20) * 3600,
            "email": rng.uniform(0.2, 20) * 3600, "referral": rng.uniform(2, 48) * 3600,
        }.get(channel, rng.uniform(60, 900))  # fmt: skip
        registered = min(received + lag, end)
        drawn.append((registered, received, oi, channel))
    drawn.sort()
    counters: dict[tuple[int, str], int] = {}
    numbers = []
    for registered, _received, oi, _channel in drawn:
        org = orgs[oi]
        local = datetime.fromtimestamp(registered, UTC).astimezone(org.tz)
        key = (oi, period_key(org.numbering, local))
        counters[key] = counters.get(key, 0) + 1
        numbers.append(format_number(org.numbering, local, counters[key]))
    return {
        "registered": [d[0] for d in drawn],
        "received": [d[1] for d in drawn],
        "org_of": [d[2] for d in drawn],
        "channel_of": [d[3] for d in drawn],
        "number_of": numbers,
        "counters": counters,
    }


# ---------------------------------------------------------------------------------------
# One case
# ---------------------------------------------------------------------------------------

START_OF = {  # event type → the clock starts it marks (``rule.start``)
    "accepted": ("accepted", "decided"),
    "rejected": ("rejected", "decided"),
    "assigned": ("assigned",),
    "resolved": ("resolved",),
    "replied": ("replied",),
    "resolved_on_the_spot": ("resolved", "replied"),
}
START_EVENTS = {
    "accepted": ("accepted",), "rejected": ("rejected",), "decided": ("accepted", "rejected"),
    "assigned": ("assigned",), "resolved": ("resolved", "resolved_on_the_spot"),
    "replied": ("replied", "resolved_on_the_spot"), "review_requested": ("review_requested",),
    "second_review_requested": ("review_requested",),
}  # fmt: skip
_MEETS: dict[str, frozenset[str]] = {}
TERMINAL = {"closed", "rejected", "referred", "withdrawn"}


def _meets(event_type: str) -> frozenset[str]:
    if not _MEETS:
        from tousu.cases.lifecycle import TABLE

        for t in TABLE.values():
            _MEETS[t.event] = t.meets
    return _MEETS.get(event_type, frozenset())


@dataclass(slots=True)
class Clock:
    """A deadline of the case being built (a ``Deadline`` row to be)."""

    pk: int
    stage: str
    start: str
    started_at: datetime
    known_at: datetime
    due_at: datetime
    hard: bool
    provisional: bool
    rule: Any
    rule_json: dict[str, Any]
    text_zh: str
    text_en: str
    state: str = "open"
    paused_at: datetime | None = None
    paused_days: int = 0
    extended: int = 0
    met_at: datetime | None = None
    overdue_at: datetime | None = None
    ended_at: datetime | None = None


class Zipf:
    """Draws 0..n-1 with weight 1/(k+k0)^s (a long tail; k0 flattens the head)."""

    def __init__(self, n: int, s: float = 1.1, k0: int = 1) -> None:
        self.cum = list(itertools.accumulate(1 / (k + k0) ** s for k in range(n)))

    def draw(self, rng: random.Random) -> int:
        return min(bisect.bisect_left(self.cum, rng.random() * self.cum[-1]), len(self.cum) - 1)


_ZIPF: dict[tuple[int, float, int], Zipf] = {}


def zipf(n: int, s: float = 1.1, k0: int = 1) -> Zipf:
    if (n, s, k0) not in _ZIPF:
        _ZIPF[(n, s, k0)] = Zipf(n, s, k0)
    return _ZIPF[(n, s, k0)]


class CaseBuilder:
    """Builds one case: its row, parties, subject, history, deadlines and seals."""

    def __init__(self, plan: Plan, i: int) -> None:
        self.plan = plan
        self.i = i
        self.pk = plan.case_base + i + 1
        self.rng = random.Random(plan.seed * 1_000_003 + i)  # noqa: S311
        self.org = plan.orgs[plan.org_of[i]]
        self.policy = self.org.policy
        self.received = datetime.fromtimestamp(plan.received[i], UTC)
        self.registered = datetime.fromtimestamp(plan.registered[i], UTC)
        self.channel = plan.channel_of[i]
        self.events: list[dict[str, Any]] = []
        self.records: list[dict[str, Any]] = []
        self.clocks: list[Clock] = []
        self.assignments: list[dict[str, Any]] = []
        self.status = "registered"
        self.last = self.registered  # the time of the latest step so far
        self.reopen_count = 0
        self.reply_channel = self.satisfaction = self.validity = self.responsibility = ""
        self.paused_from = ""
        self.after_hours = False
        self.ids = {k: plan.bases[k] + i * s for k, s in STRIDE.items()}

    def next_id(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]

    # -- clocks ------------------------------------------------------------------------

    def rules(self, start: str) -> list[Any]:
        key = (self.kind, self.channel, self.category, start, self.after_hours)
        found = self.org.rules.get(key)
        if found is None:
            found = self.policy.rules_for(
                kind=self.kind, channel=self.channel, complexity=self.complexity, start=start,
                category=self.category, departments=1, customer_date=False,
                after_hours=self.after_hours,
            )  # fmt: skip
            found = [r for r in found if r.unit not in ("none", "customer_date")]
            self.org.rules[key] = found
        return found

    def origin(self, rule: Any, known: datetime, since: datetime | None) -> datetime:
        event = rule.counted_from
        if event == rule.start:
            return known
        origin: datetime | None = None
        if event == "received":
            origin = self.received
        else:
            types = START_EVENTS.get(event, ())
            for e in self.events:
                if e["type"] in types and e["at"] <= known:
                    origin = e["at"]
        if origin is None or (since is not None and origin < since):
            origin = since or known
        return min(origin, known)

    def start_clocks(self, start: str, at: datetime, since: datetime | None = None) -> list[Clock]:
        from tousu.cases.deadlines import _rule_json, due_of

        running = {(c.stage, c.hard) for c in self.clocks if c.state in ("open", "paused")}
        made = []
        for rule in self.rules(start):
            if (rule.stage, rule.hard) in running:
                continue
            origin = self.origin(rule, at, since)
            due, provisional = due_of(rule, origin, self.policy, self.org.cal, self.org.tz)
            clock = Clock(
                pk=self.next_id("deadline"), stage=rule.stage, start=start, started_at=origin,
                known_at=at, due_at=due.astimezone(UTC), hard=rule.hard, provisional=provisional,
                rule=rule, rule_json=_rule_json(rule), text_zh=rule.text_zh, text_en=rule.text_en,
            )  # fmt: skip
            self.clocks.append(clock)
            made.append(clock)
        return made

    def rederive(self, clock: Clock) -> None:
        from tousu.cases.deadlines import due_of

        due, clock.provisional = due_of(
            clock.rule, clock.started_at, self.policy, self.org.cal, self.org.tz,
            paused_days=clock.paused_days, extended=clock.extended,
        )  # fmt: skip
        clock.due_at = due.astimezone(UTC)

    def due_for(self, event_type: str, after: datetime) -> tuple[datetime | None, bool]:
        """The limit the next step is timed against: the earliest running hard limit
        (a step that does not meet it still comes before it, so that the one that does
        can), and whether one the step meets has already passed."""
        stages = _meets(event_type)
        dues = []
        passed = False
        for c in self.clocks:
            if c.state == "open" and c.hard:
                if c.due_at > after:
                    dues.append(c.due_at)
                elif c.stage in stages:
                    passed = True
        return min(dues, default=None), passed

    # -- events ------------------------------------------------------------------------

    def when(self, after: datetime, event_type: str, quick: float = 0.0) -> datetime:
        """When the next step happens: most well within its limit, some late."""
        rng = self.rng
        due, passed = self.due_for(event_type, after)
        if passed:  # already late: hurry
            return after + timedelta(hours=rng.uniform(1, 30))
        if due is not None:
            u = rng.uniform(1.03, 1.9) if rng.random() < self.late else rng.uniform(0.05, 0.9)
            if quick:
                u *= quick
            return after + (due - after) * u
        return after + timedelta(hours=rng.uniform(0.5, 96) * (quick or 1))

    def event(
        self, type: str, at: datetime, actor: int | None, to: str | None = None,
        record: tuple[str, str, dict[str, Any]] | None = None, **data: Any,
    ) -> bool:  # fmt: skip
        """Write the next step (False, and nothing, if it would happen after now)."""
        if at <= self.last:  # steps never go back in time
            at = self.last + timedelta(minutes=self.rng.uniform(1, 60))
        if at >= self.plan.now:
            return False
        before = self.status
        met = []
        for c in self.clocks:
            if c.state in ("open", "paused") and c.stage in _meets(type):
                c.state, c.met_at, c.paused_at = "met", at, None
                met.append(c.stage)
        if met:
            data["deadlines_met"] = sorted(set(met))
        if to is not None:
            self.status = to
        record_id = None
        if record is not None:
            record_id = self.next_id("record")
            self.records.append(
                {"pk": record_id, "kind": record[0], "body": record[1], "data": record[2],
                 "created_by_id": actor, "created_at": at}
            )  # fmt: skip
        started: list[Clock] = []
        for start in START_OF.get(type, ()):
            started += self.start_clocks(start, at)
        if started:
            data["started"] = [c.stage for c in started]
        if self.status in TERMINAL:
            for c in self.clocks:
                if c.state in ("open", "paused") and (c.known_at < at):
                    c.state, c.ended_at = "cancelled", at
        self.events.append(
            {"type": type, "at": at, "actor": actor, "from": before, "to": self.status,
             "record": record_id, "data": data}
        )  # fmt: skip
        self.last = at
        return True

    # -- the case ----------------------------------------------------------------------

    def build(self) -> None:
        rng, org = self.rng, self.org
        r = rng.random()
        self.kind = "complaint"
        acc = 0.0
        for kind, share in org.kinds:
            acc += share
            if r < acc:
                self.kind = kind
                break
        self.complexity = self.policy.default_complexity
        cat = org.categories[zipf(len(org.categories)).draw(rng)]
        self.category, theme, self.lead, self.co = cat
        self.theme = theme
        local = self.received.astimezone(org.tz)
        hours = self.policy.working_hours
        self.after_hours = not org.cal.is_working_day(local.date()) or not (
            hours.start <= local.time() < hours.end
        )
        self.late = 0.025
        clerk = rng.choice(org.clerks)
        dispatcher = rng.choice(org.dispatchers)
        self.lead = self.lead or rng.choice(org.department_ids)
        handler = rng.choice(org.handlers.get(self.lead) or [clerk])
        self.handler_id: int | None = None
        self.lead_id: int | None = None
        self.clerk = clerk

        self.texts()
        self.parties()
        self.subjects()

        # Registration.
        received_clocks = self.start_clocks("received", self.received)
        self.status = "registered"
        self.events.append(
            {"type": "registered", "at": self.registered, "actor": clerk, "from": "",
             "to": "registered", "record": None,
             "data": {
                 "kind": self.kind, "channel": self.channel, "category": self.category,
                 "complexity": self.complexity,
                 "received_at": self.received.isoformat(),
                 "policy_version": org.version_number,
                 "proposed_department": self.lead, "proposed_referral": "",
                 "missing_fields": [],
                 "deadlines": [{"stage": c.stage, "due_at": c.due_at.astimezone(org.tz).isoformat()}
                               for c in received_clocks],
             }}
        )  # fmt: skip
        self.last = self.registered
        self.history(clerk, dispatcher, handler)
        self.overdue()

    def history(self, clerk: int, dispatcher: int, handler: int) -> None:
        rng = self.rng
        r = rng.random()
        t = self.last
        # Cases handled at once at the desk.
        if r < 0.06 and self.channel in ("phone", "visit"):
            at = t + timedelta(minutes=rng.uniform(2, 40))
            if not self.event(
                "resolved_on_the_spot", at, clerk, "replied",
                ("on_the_spot_findings", self.fmt(rng.choice(texts.FINDINGS)), {}),
            ):  # fmt: skip
                return
            self.reply_channel = self.channel
            self.finish(clerk, dispatcher)
            return
        if r < 0.11:
            self.event(
                "rejected", self.when(t, "rejected"), dispatcher, "rejected",
                ("rejection_note", rng.choice(texts.REASONS), {}),
            )  # fmt: skip
            return
        if r < 0.14:
            self.event("referred", self.when(t, "referred"), dispatcher, "referred",
                       ("referral_note", "已转送有权处理的单位。", {}))  # fmt: skip
            return
        if not self.event("accepted", self.when(t, "accepted"), dispatcher, "accepted"):
            return
        if r < 0.16:
            self.event("withdrawn", self.when(self.last, "withdrawn"), clerk, "withdrawn",
                       ("withdrawal_reason", "投诉人表示问题已自行解决，申请撤回。", {}))  # fmt: skip
            return
        at = self.when(self.last, "assigned", quick=0.5)
        if not self.event(
            "assigned", at, dispatcher, "in_progress",
            department=self.lead, handler=handler, role="lead",
        ):  # fmt: skip
            return
        self.lead_id, self.handler_id = self.lead, handler
        self.assignments.append(
            {"pk": self.next_id("assignment"), "department_id": self.lead, "role": "lead",
             "handler_id": handler, "active": True, "assigned_at": at, "ended_at": None}
        )  # fmt: skip
        if self.co and self.co != self.lead and rng.random() < 0.3:
            self.assignments.append(
                {"pk": self.next_id("assignment"), "department_id": self.co, "role": "co",
                 "handler_id": None, "active": True, "assigned_at": at, "ended_at": None}
            )  # fmt: skip
        # Pauses (testing, appraisal) and extensions while in progress.
        if rng.random() < 0.04:
            at = self.last + timedelta(days=rng.uniform(1, 5))
            if not self.event("paused", at, handler, "paused", ("pause_reason", "需要检测鉴定，中止计时。", {}),
                              reason="testing"):  # fmt: skip
                return
            self.paused_from = "in_progress"
            for c in self.clocks:
                if c.state == "open" and c.hard:
                    c.state, c.paused_at = "paused", at
            back = at + timedelta(days=rng.uniform(3, 25))
            if back >= self.plan.now:
                return
            for c in self.clocks:
                if c.state == "paused":
                    assert c.paused_at is not None
                    since, until = (
                        c.paused_at.astimezone(self.org.tz).date(),
                        back.astimezone(self.org.tz).date(),
                    )
                    if c.rule_json.get("unit") == "working_days":
                        c.paused_days += max(0, self.org.cal.working_days_between(since, until))
                    else:
                        c.paused_days += max(0, (until - since).days)
                    c.state, c.paused_at = "open", None
                    self.rederive(c)
            self.event("resumed", back, handler, "in_progress")
            self.paused_from = ""
        if rng.random() < 0.05:
            target = next(
                (c for c in self.clocks if c.state == "open" and c.hard and c.due_at > self.last),
                None,
            )  # an extension is asked for before the limit passes
            if target is not None:
                at = self.last + (target.due_at - self.last) * rng.uniform(0.3, 0.8)
                if not self.event("extension_requested", at, handler, None,
                                  ("extension_request", "案情复杂，需要延期办理。", {}),
                                  stage=target.stage):  # fmt: skip
                    return
                at2 = at + timedelta(hours=rng.uniform(2, 48))
                amount = min(self.policy.extension.max_amount or 5, rng.choice((5, 10, 15, 30)))
                if at2 < self.plan.now and target.state == "open":
                    target.extended += amount
                    self.rederive(target)
                self.event("extension_decided", at2, dispatcher, None, approved=True,
                           stage=target.stage, amount=amount)  # fmt: skip
        at = self.when(self.last, "resolved")
        self.validity = rng.choice(("valid", "valid", "invalid", ""))
        self.responsibility = rng.choice(("organisation", "complainant", "third_party", "unclear"))
        if not self.event(
            "resolved", at, handler, "resolved",
            ("findings", self.fmt(rng.choice(texts.FINDINGS)), {}),
            responsibility=self.responsibility, validity=self.validity,
        ):  # fmt: skip
            self.validity = self.responsibility = ""
            return
        self.reply_channel = (
            self.channel
            if self.channel in ("phone", "letter", "email", "sms", "visit")
            else "phone"
        )
        at = self.when(self.last, "replied", quick=0.5)
        if not self.event(
            "replied", at, handler, "replied",
            ("reply", self.fmt(rng.choice(texts.REPLIES)), {}),
            channel=self.reply_channel, delivered_at=at.isoformat(),
        ):  # fmt: skip
            self.reply_channel = ""
            return
        self.finish(clerk, dispatcher)

    def finish(self, clerk: int, dispatcher: int) -> None:
        rng = self.rng
        if rng.random() < 0.85:
            at = self.when(self.last, "followed_up")
            u = rng.random()
            self.satisfaction = (
                "satisfied" if u < 0.7 else "basically_satisfied" if u < 0.9 else "dissatisfied"
            )
            if not self.event(
                "followed_up", at, clerk, "followed_up",
                ("follow_up_note", rng.choice(texts.NOTES), {}),
                reached=True, satisfaction=self.satisfaction, channel="phone",
            ):  # fmt: skip
                self.satisfaction = ""
                return
        at = self.last + timedelta(hours=rng.uniform(1, 120))
        if not self.event("closed", at, dispatcher, "closed"):
            return
        if self.reopen_count == 0 and rng.random() < 0.02:
            at = self.last + timedelta(days=rng.uniform(1, 20))
            since = at
            if not self.event("reopened", at, dispatcher, "in_progress",
                              ("reopen_reason", "投诉人对处理结果有异议，重新核实。", {})):  # fmt: skip
                return
            self.reopen_count = 1
            self.start_clocks("assigned", at, since=since)
            at = self.when(self.last, "resolved")
            if not self.event("resolved", at, self.handler_id or clerk, "resolved",
                              ("findings", self.fmt(rng.choice(texts.FINDINGS)), {}),
                              responsibility=self.responsibility, validity=self.validity):  # fmt: skip
                return
            at = self.when(self.last, "replied", quick=0.5)
            if not self.event("replied", at, self.handler_id or clerk, "replied",
                              ("reply", self.fmt(rng.choice(texts.REPLIES)), {}),
                              channel=self.reply_channel or "phone", delivered_at=at.isoformat()):  # fmt: skip
                return
            self.event(
                "closed", self.last + timedelta(hours=rng.uniform(1, 120)), dispatcher, "closed"
            )

    def overdue(self) -> None:
        """What the sweep did: each hard limit passed while it ran was marked overdue
        (SWEEP_LAG after it fell due), with its event."""
        marks = []
        for c in self.clocks:
            if not c.hard:
                continue
            end = c.met_at or c.ended_at or c.paused_at or self.plan.now
            mark = c.due_at + SWEEP_LAG
            if mark < end and mark < self.plan.now and mark > self.registered:
                c.overdue_at = mark
                marks.append(c)
        if not marks:
            return
        for c in marks:
            self.events.append(
                {"type": "deadline_overdue", "at": c.overdue_at, "actor": None, "from": None,
                 "to": None, "record": None,
                 "data": {"stage": c.stage, "due_at": c.due_at.astimezone(self.org.tz).isoformat()}}
            )  # fmt: skip
        self.events.sort(key=lambda e: (e["at"], e["type"] == "deadline_overdue"))
        status = ""
        for e in self.events:
            if e["from"] is None:
                e["from"] = e["to"] = status
            status = e["to"]

    def fmt(self, template: str) -> str:
        date = (self.received - timedelta(days=self.rng.randint(0, 6))).astimezone(self.org.tz)
        return texts.fill(
            template, self.rng, f"{date.month}月{date.day}日", self.staff_text, self.shop,
            self.amount, self.item, self.theme,
        )  # fmt: skip

    def texts(self) -> None:
        rng = self.rng
        self.shop = texts.shop_name(self.org.org_id * 100_000 + zipf(5000).draw(rng))
        self.staff_text = f"{rng.choice(texts.SURNAMES)}姓{rng.choice(texts.POSTS)}"
        # One amount and one item per case, so the demands and the reply match the complaint.
        self.amount = rng.choice(texts.AMOUNTS)
        self.item = rng.choice(texts.ITEMS.get(self.theme, texts.ITEMS_ANY))
        pool = texts.REPORTS if self.kind == "report" else texts.THEMES[self.theme]
        self.content = self.fmt(rng.choice(pool))
        if rng.random() < 0.3:
            self.content += self.fmt(rng.choice(texts.EXTRA))
        self.demands = (
            self.fmt(rng.choice(texts.DEMANDS[self.theme])) if self.kind != "consultation" else ""
        )
        self.reply_channel = self.satisfaction = self.validity = self.responsibility = ""
        self.reopen_count = 0
        self.paused_from = ""

    def parties(self) -> None:
        rng = self.rng
        self.party_rows: list[dict[str, Any]] = []
        role = "reporter" if self.kind == "report" else "complainant"
        anonymous = self.kind == "report" and rng.random() < 0.5
        if anonymous:
            self.party_rows.append({"pk": self.next_id("party"), "role": role, "anonymous": True})
            return
        # Repeat complainants: ~15% of cases come from a pool of people who write again
        # and again (one in eight cases' worth of people, a long tail: at 1,000,000 cases
        # the most persistent has about a thousand, most have a few); the rest are one-off.
        n = len(self.plan.received)
        if rng.random() < 0.15:
            person = zipf(max(50, n // 8), 1.3, 50).draw(rng)
        else:
            person = 10_000_000 + self.i
        pr = random.Random(person * 7919 + self.org.org_id)  # noqa: S311
        phone = (
            f"1{pr.choice((3, 5, 7, 8, 9))}{pr.randint(0, 9)}{pr.randint(10_000_000, 99_999_999)}"
        )
        row = {
            "pk": self.next_id("party"), "role": role, "anonymous": False,
            "name": texts.person_name(pr), "phone": phone,
            "address": texts.address(pr) if pr.random() < 0.6 else "",
            "email": f"u{person}@example.cn" if pr.random() < 0.2 else "",
            "consent_share_identity": rng.random() < 0.3,
        }  # fmt: skip
        self.party_rows.append(row)

    def subjects(self) -> None:
        rng, org = self.rng, self.org
        self.subject_rows: list[dict[str, Any]] = []
        r = rng.random()
        if self.theme in ("consumer", "counterfeit", "food", "quality") or r < 0.15:
            self.subject_rows.append(
                {"pk": self.next_id("subject"), "type": "merchant", "name": self.shop,
                 "address": texts.address(random.Random(hash(self.shop)))}  # noqa: S311
            )  # fmt: skip
        elif r < 0.55:
            name, dept = org.staff_subjects[zipf(len(org.staff_subjects)).draw(rng)]
            self.subject_rows.append(
                {"pk": self.next_id("subject"), "type": "staff", "name": name, "department_id": dept}
            )  # fmt: skip
        elif r < 0.85:
            dept = org.department_ids[zipf(len(org.department_ids)).draw(rng)]
            self.subject_rows.append(
                {"pk": self.next_id("subject"), "type": "department", "department_id": dept}
            )  # fmt: skip


# ---------------------------------------------------------------------------------------
# Rows, sealed and chained
# ---------------------------------------------------------------------------------------


def _defaults(model: Any) -> dict[str, Any]:
    """Each column's value when the generator does not set it (the model's default)."""
    from django.db.models import NOT_PROVIDED

    out: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.default is not NOT_PROVIDED:
            value = f.default() if callable(f.default) else f.default
        else:
            value = None if f.null else ""
        if f.get_internal_type() == "JSONField":
            value = J(value)
        out[f.column] = value
    return out


_DEFAULTS: dict[str, dict[str, Any]] = {}


_RULE_J: dict[int, J] = {}
PLAIN_KINDS = frozenset({"dt", "json"})


def _rule_j(rule: Any, data: dict[str, Any]) -> J:
    found = _RULE_J.get(id(rule))
    if found is None:
        found = _RULE_J[id(rule)] = J(data)
    return found


def chunk_rows(start: int, stop: int) -> dict[str, Any]:
    """Cases ``start..stop-1`` as rows per table (database form), with counts."""
    from tousu.audit.seals import canonical_json, row_digest
    from tousu.cases.deadlines import summary
    from tousu.cases.events import chain_hash
    from tousu.privacy import crypto as pc
    from tousu.security import crypto as sc

    plan = _PLAN
    assert plan is not None
    pg = plan.pg
    master, index_key, audit_key = plan.keys
    out: dict[str, list[Any]] = {t: [] for t in TABLES}
    stats: dict[str, int] = {}

    def blind(kind: str, value: str) -> str:
        norm = pc.normalise(kind, value)
        return sc.keyed_digest(index_key, f"{kind}:{norm}".encode())[:40] if norm else ""

    for i in range(start, stop):
        b = CaseBuilder(plan, i)
        b.build()
        org = b.org
        key = os.urandom(32)

        def seal(text: str, context: str, key: bytes = key) -> str:
            return pc.seal(key, text, context=context) if text else ""

        seals: list[tuple[str, int, dict[str, Any]]] = []  # (table, pk, values)
        now_row = b.last
        # Deadlines and the summary.
        summ = summary(b.clocks)  # type: ignore[arg-type]  # read like Deadline rows
        case = dict(_DEFAULTS["cases_case"])
        case.update(
            id=b.pk, org_id=org.org_id, number=plan.number_of[i], policy_version_id=org.version_id,
            kind=b.kind, channel=b.channel, category=b.category, complexity=b.complexity,
            status=b.status, paused_from=b.paused_from if b.status == "paused" else "",
            received_at=b.received, registered_at=b.registered, registered_by_id=b.clerk,
            first_contact_owner_id=b.clerk, proposed_department_id=b.lead,
            lead_department_id=b.lead_id, handler_id=b.handler_id,
            content=seal(b.content, "case.content"), demands=seal(b.demands, "case.demands"),
            sealed_key=pc.wrap(key, master=master), validity=b.validity,
            responsibility=b.responsibility, satisfaction=b.satisfaction,
            reply_channel=b.reply_channel, reopen_count=b.reopen_count, updated_at=now_row,
            **summ,
        )  # fmt: skip
        seals.append(("cases_case", b.pk, case))
        for p in b.party_rows:
            row = dict(_DEFAULTS["cases_party"])
            row.update(
                id=p["pk"], case_id=b.pk, role=p["role"], anonymous=p["anonymous"],
                name=seal(p.get("name", ""), "party.name"), phone=seal(p.get("phone", ""), "party.phone"),
                email=seal(p.get("email", ""), "party.email"),
                address=seal(p.get("address", ""), "party.address"),
                phone_index=blind("phone", p.get("phone", "")),
                email_index=blind("email", p.get("email", "")),
                consent_share_identity=p.get("consent_share_identity", False),
            )  # fmt: skip
            seals.append(("cases_party", p["pk"], row))
        for s in b.subject_rows:
            row = dict(_DEFAULTS["cases_subject"])
            row.update(id=s["pk"], case_id=b.pk, type=s["type"], name=s.get("name", ""),
                       address=s.get("address", ""), department_id=s.get("department_id"))  # fmt: skip
            seals.append(("cases_subject", s["pk"], row))
        records = {r["pk"]: r for r in b.records}
        prev = ""
        for seq, e in enumerate(b.events, 1):
            if e["record"] is not None:
                r = records[e["record"]]
                row = dict(_DEFAULTS["cases_caserecord"])
                row.update(
                    id=r["pk"], case_id=b.pk, kind=r["kind"], body=seal(r["body"], "record.body"),
                    data=seal(json.dumps(r["data"], ensure_ascii=False, sort_keys=True) if r["data"] else "", "record.data"),
                    created_by_id=r["created_by_id"] or b.clerk, created_at=r["created_at"],
                )  # fmt: skip
                seals.append(("cases_caserecord", r["pk"], row))
            ev = SimpleNamespace(
                case_id=b.pk,
                seq=seq,
                type=e["type"],
                actor_id=e["actor"],
                at=e["at"],
                from_status=e["from"],
                to_status=e["to"],
                reason_code="",
                record_id=e["record"],
                data=e["data"],
            )
            h = chain_hash(prev, ev)  # type: ignore[arg-type]
            pk = b.next_id("event")
            row = {
                "id": pk, "case_id": b.pk, "seq": seq, "type": e["type"], "actor_id": e["actor"],
                "at": e["at"], "from_status": e["from"], "to_status": e["to"], "reason_code": "",
                "record_id": e["record"], "data": J(e["data"]), "prev_hash": prev, "hash": h,
            }  # fmt: skip
            seals.append(("cases_event", pk, row))
            prev = h
        case["last_seq"] = len(b.events)
        case["last_hash"] = prev
        for a in b.assignments:
            row = dict(_DEFAULTS["cases_assignment"])
            row.update(id=a.pop("pk"), case_id=b.pk, **a)
            out["cases_assignment"].append(row)
        for c in b.clocks:
            out["cases_deadline"].append({
                "id": c.pk, "case_id": b.pk, "stage": c.stage, "start": c.start,
                "started_at": c.started_at, "known_at": c.known_at, "due_at": c.due_at,
                "hard": c.hard, "provisional": c.provisional, "state": c.state,
                "rule": _rule_j(c.rule, c.rule_json), "text_zh": c.text_zh, "text_en": c.text_en,
                "paused_at": c.paused_at, "paused_days": c.paused_days, "extended": c.extended,
                "met_at": c.met_at, "reminded_at": None, "overdue_at": c.overdue_at,
            })  # fmt: skip
            stats["deadlines_missed"] = stats.get("deadlines_missed", 0) + (
                c.overdue_at is not None
            )
            stats["deadlines_overdue_now"] = stats.get("deadlines_overdue_now", 0) + (
                c.hard and c.state == "open" and c.due_at < plan.now
            )
        # Seals: the case's chain, in the order the rows were written.
        scope = f"c:{b.pk}"
        prev_mac = ""
        seal_id = plan.seal_base + i * SEAL_STRIDE
        for seq, (table, pk, row) in enumerate(seals, 1):
            out[table].append(row)
            label = plan.labels[table]
            values = {
                c: plain(row[c], pg) if k in PLAIN_KINDS else row[c]
                for c, k in plan.sealed_columns[table]
            }
            digest = row_digest(label, pk, values)
            payload = {"scope": scope, "seq": seq, "org": org.org_id, "table": label, "row": pk,
                       "digest": digest, "prev": prev_mac}  # fmt: skip
            mac = sc.keyed_digest(audit_key, canonical_json(payload))
            seal_id += 1
            out["audit_seal"].append({
                "id": seal_id, "scope": scope, "seq": seq, "org_id": org.org_id, "table": label,
                "row": pk, "digest": digest, "prev": prev_mac, "mac": mac, "at": now_row,
            })  # fmt: skip
            prev_mac = mac
        stats[f"status:{b.status}"] = stats.get(f"status:{b.status}", 0) + 1
        stats["missed_cases"] = stats.get("missed_cases", 0) + bool(summ["missed_deadline"])
    return {"rows": _encode(out, plan), "stats": stats, "cases": stop - start}


def _pg_dt(v: Any) -> str:
    return "\\N" if v is None else v.isoformat(sep=" ")


def _pg_json(v: Any) -> str:
    return _pg_escape(v.text)


def _pg_bool(v: Any) -> str:
    return "\\N" if v is None else ("t" if v else "f")


def _pg_val(v: Any) -> str:
    if v is None:
        return "\\N"
    if isinstance(v, str):
        return _pg_escape(v)
    return str(v)


def _sq_dt(v: Any) -> Any:
    return None if v is None else str(v.astimezone(UTC).replace(tzinfo=None))


def _sq_json(v: Any) -> Any:
    return v.text


def _same(v: Any) -> Any:
    return v


PG_CONVERT: dict[str, Callable[[Any], Any]] = {
    "dt": _pg_dt, "json": _pg_json, "bool": _pg_bool, "val": _pg_val, "str": _pg_escape,
    "int": str,
}  # fmt: skip
SQLITE_CONVERT: dict[str, Callable[[Any], Any]] = {
    "dt": _sq_dt, "json": _sq_json, "bool": _same, "val": _same, "str": _same, "int": _same,
}  # fmt: skip


def _encode(out: dict[str, list[dict[str, Any]]], plan: Plan) -> dict[str, Any]:
    encoded: dict[str, Any] = {}
    table_of = PG_CONVERT if plan.pg else SQLITE_CONVERT
    for table, rows in out.items():
        pairs = [
            (c, table_of[k]) for c, k in zip(plan.columns[table], plan.kinds[table], strict=True)
        ]
        if plan.pg:
            lines = ["\t".join([f(r[c]) for c, f in pairs]) for r in rows]
            encoded[table] = ("\n".join(lines) + "\n").encode() if lines else b""
        else:
            encoded[table] = [tuple([f(r[c]) for c, f in pairs]) for r in rows]
    return encoded


def _chunk(bounds: tuple[int, int]) -> dict[str, Any]:
    return chunk_rows(*bounds)


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------


def _max_ids() -> dict[str, int]:
    from django.db import connection

    found = {}
    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            found[table] = int(cur.fetchone()[0])
    return found


def _load_chunk(encoded: dict[str, Any], plan: Plan) -> None:
    from django.db import connection, transaction

    with transaction.atomic():
        connection.ensure_connection()
        raw = connection.connection
        q = connection.ops.quote_name
        if plan.pg and not plan.fk_checks:
            # Rows are consistent by construction; the foreign keys are checked once at
            # the end (check_foreign_keys), not row by row.
            raw.execute("SET LOCAL session_replication_role = replica")
        if plan.pg:
            raw.execute("SET LOCAL synchronous_commit = off")
        for table in TABLES:
            data = encoded[table]
            if not data:
                continue
            cols = ", ".join(q(c) for c in plan.columns[table])
            if plan.pg:
                with raw.cursor() as cur, cur.copy(f"COPY {q(table)} ({cols}) FROM STDIN") as copy:
                    copy.write(data)
            else:
                marks = ", ".join("?" * len(plan.columns[table]))
                raw.executemany(f"INSERT INTO {q(table)} ({cols}) VALUES ({marks})", data)  # noqa: S608


def _finish(plan: Plan, counters: dict[tuple[int, str], int]) -> None:
    """Counters at the last serial of each period; id sequences past the ids taken."""
    from django.db import connection, transaction

    from tousu.cases.models import CaseCounter

    with transaction.atomic():
        for (oi, period), value in counters.items():
            org_id = plan.orgs[oi].org_id
            row = CaseCounter.objects.filter(org_id=org_id, period=period).first()
            if row is None:
                CaseCounter.objects.create(org_id=org_id, period=period, value=value)
            else:
                CaseCounter.objects.filter(pk=row.pk).update(value=row.value + value)
        if plan.pg:
            with connection.cursor() as cur:
                for table in TABLES:
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT GREATEST(MAX(id), 1) FROM {table}))"
                    )


def _kind(f: Any) -> str:
    t = f.get_internal_type()
    if t == "DateTimeField":
        return "dt"
    if t == "JSONField":
        return "json"
    if t == "BooleanField":
        return "bool"
    if f.null:
        return "val"
    if t in ("CharField", "TextField"):
        return "str"
    if t.endswith(("IntegerField", "AutoField")) or f.is_relation:
        return "int"
    return "val"


def build_plan(
    cases: int, seed: int, orgs: int, now: datetime, fk_checks: bool = False
) -> tuple[Plan, dict[tuple[int, str], int]]:
    from django.apps import apps
    from django.db import connection

    from tousu.audit.keys import audit_key
    from tousu.audit.seals import COVERED
    from tousu.cases.numbering import period_key  # noqa: F401  (numbering is drawn here)
    from tousu.privacy.crypto import index_key, master_key

    org_plans = make_orgs(orgs, seed)
    # Existing counters: numbering continues after them.
    drawn = _draw_times(cases, seed, now, org_plans)
    _offset_numbers(drawn, org_plans)
    maxes = _max_ids()
    columns: dict[str, list[str]] = {}
    kinds: dict[str, list[str]] = {}
    defaults = {}
    for table in TABLES:
        model = next(m for m in apps.get_models() if m._meta.db_table == table)
        columns[table] = [f.column for f in model._meta.concrete_fields]
        kinds[table] = [_kind(f) for f in model._meta.concrete_fields]
        defaults[table] = _defaults(model)
    _DEFAULTS.update(defaults)
    sealed = {}
    labels = {}
    for spec in COVERED:
        if spec.table in TABLES:
            kind_of = dict(zip(columns[spec.table], kinds[spec.table], strict=True))
            sealed[spec.table] = [(c, kind_of[c]) for c in spec.columns()]
            labels[spec.table] = spec.label
    case_base = maxes["cases_case"]
    bases = {
        kind: maxes[table] + cases * 0 + 0
        for kind, table in (
            ("event", "cases_event"), ("record", "cases_caserecord"), ("party", "cases_party"),
            ("subject", "cases_subject"), ("assignment", "cases_assignment"),
            ("deadline", "cases_deadline"),
        )
    }  # fmt: skip
    plan = Plan(
        pg=connection.vendor == "postgresql", seed=seed, now=now, orgs=org_plans,
        received=drawn["received"], registered=drawn["registered"], org_of=drawn["org_of"],
        channel_of=drawn["channel_of"], number_of=drawn["number_of"], case_base=case_base,
        bases=bases, seal_base=maxes["audit_seal"], columns=columns, kinds=kinds, sealed_columns=sealed,
        labels=labels, keys=(master_key(), index_key(), audit_key()),
        fk_checks=fk_checks or not _superuser(),
    )  # fmt: skip
    return plan, drawn["counters"]


def _own_cpu() -> tuple[float, float]:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _cpu_seconds(pg: bool, since: tuple[float, float]) -> dict[str, float]:
    from django.db import connection

    own, children = _own_cpu()
    cpu = {
        "generator": round(own - since[0], 1),
        "workers": round(children - since[1], 1),
    }
    if pg and connection.connection is not None:
        try:
            pid = connection.connection.info.backend_pid
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu["database"] = round(
                (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 1
            )
        except (OSError, ValueError, IndexError):
            pass  # a database on another machine
    return cpu


def _superuser() -> bool:
    from django.db import connection

    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cur.fetchone()
    return bool(row and row[0])


def check_foreign_keys() -> dict[str, int]:
    """Rows of the generated tables whose foreign key points at no row (all 0 expected)."""
    from django.apps import apps
    from django.db import connection

    q = connection.ops.quote_name
    broken: dict[str, int] = {}
    with connection.cursor() as cur:
        for table in TABLES:
            model = next(m for m in apps.get_models() if m._meta.db_table == table)
            for f in model._meta.concrete_fields:
                if not f.is_relation or not getattr(f, "db_constraint", False):
                    continue
                ref = f.related_model._meta.db_table  # type: ignore[union-attr]
                cur.execute(
                    f"SELECT count(*) FROM {q(table)} t LEFT JOIN {q(ref)} r "  # noqa: S608
                    f"ON r.id = t.{q(f.column)} WHERE t.{q(f.column)} IS NOT NULL AND r.id IS NULL"
                )
                found = int(cur.fetchone()[0])
                if found:
                    broken[f"{table}.{f.column}"] = found
    return broken


def _offset_numbers(drawn: dict[str, Any], orgs: list[OrgPlan]) -> None:
    """Continue after numbers the organisations already gave (a re-run adds cases)."""
    from tousu.cases.models import CaseCounter
    from tousu.cases.numbering import format_number

    existing = {
        (r.org_id, r.period): r.value
        for r in CaseCounter.objects.filter(org_id__in=[o.org_id for o in orgs])
    }
    if not existing:
        return
    counters: dict[tuple[int, str], int] = {}
    from tousu.cases.numbering import period_key

    for i, registered in enumerate(drawn["registered"]):
        org = orgs[drawn["org_of"][i]]
        local = datetime.fromtimestamp(registered, UTC).astimezone(org.tz)
        period = period_key(org.numbering, local)
        key = (drawn["org_of"][i], period)
        counters[key] = counters.get(key, 0) + 1
        serial = existing.get((org.org_id, period), 0) + counters[key]
        drawn["number_of"][i] = format_number(org.numbering, local, serial)


def generate(
    cases: int = 1_000_000,
    seed: int = 1,
    *,
    orgs: int = 4,
    workers: int = 2,
    now: datetime | None = None,
    chunk: int = CHUNK,
    fk_checks: bool = False,
    report: Callable[[str], None] = progress,
) -> dict[str, Any]:
    """Generate and load ``cases`` cases into the configured database (inside a set-up
    Django); returns figures: counts per status, rows per table, timings."""
    global _PLAN
    from django.db import connections

    began = time.perf_counter()
    cpu_at_start = _own_cpu()
    now = now or datetime.now(UTC)
    report(f"organisations, policies and staff ({orgs})")
    plan, counters = build_plan(cases, seed, orgs, now, fk_checks)
    _PLAN = plan
    setup_s = time.perf_counter() - began
    bounds = [(s, min(s + chunk, cases)) for s in range(0, cases, chunk)]
    stats: dict[str, int] = {}
    rows = dict.fromkeys(TABLES, 0)
    done = 0
    load_s = 0.0
    tick = time.perf_counter()

    def take(result: dict[str, Any]) -> None:
        nonlocal done, load_s, tick
        t = time.perf_counter()
        _load_chunk(result["rows"], plan)
        load_s += time.perf_counter() - t
        for k, v in result["stats"].items():
            stats[k] = stats.get(k, 0) + v
        for table, data in result["rows"].items():
            rows[table] += data.count(b"\n") if plan.pg else len(data)
        done += result["cases"]
        if time.perf_counter() - tick > 15 or done == cases:
            tick = time.perf_counter()
            elapsed = tick - began
            report(f"{done:,}/{cases:,} cases, {done / max(elapsed - setup_s, 1e-9):,.0f} cases/s")

    if workers > 0 and len(bounds) > 1:
        connections.close_all()  # the children must not share the parent's connection
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers) as pool:
            pending: list[Any] = []
            queue = iter(bounds)
            for b in itertools.islice(queue, workers * 2):
                pending.append(pool.apply_async(_chunk, (b,)))
            while pending:
                result = pending.pop(0).get()
                nxt = next(queue, None)
                if nxt is not None:
                    pending.append(pool.apply_async(_chunk, (nxt,)))
                take(result)
    else:
        for b in bounds:
            take(_chunk(b))
    _finish(plan, counters)
    cpu = _cpu_seconds(plan.pg, cpu_at_start)
    fk_s = 0.0
    if not plan.fk_checks and plan.pg:
        report("foreign keys (checked once, after the load)")
        t = time.perf_counter()
        broken = check_foreign_keys()
        fk_s = time.perf_counter() - t
        if broken:
            raise RuntimeError(f"rows point at no row: {broken}")
    total = time.perf_counter() - began
    by_status = {k.split(":", 1)[1]: v for k, v in sorted(stats.items()) if k.startswith("status:")}
    return {
        "cases": cases,
        "seed": seed,
        "orgs": [o.slug for o in plan.orgs],
        "now": now.isoformat(),
        "by_status": by_status,
        "rows": rows,
        "missed_cases": stats.get("missed_cases", 0),
        "deadlines_missed": stats.get("deadlines_missed", 0),
        "deadlines_overdue_now": stats.get("deadlines_overdue_now", 0),
        "setup_s": round(setup_s, 1),
        "load_s": round(load_s, 1),
        "fk_check_s": round(fk_s, 1),
        "fk_checks_per_row": plan.fk_checks,
        "total_s": round(total, 1),
        "cases_per_s": round(cases / total, 1),
        # CPU time of the load (this process and its workers; the database backend that
        # took the rows, when it runs on this machine): what the wall time would be on
        # two idle cores, whatever else the machine was doing meanwhile.
        "cpu_s": cpu,
    }


# ---------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------


def setup_django(var: Path, database_url: str) -> None:
    for name in list(os.environ):
        if name.startswith(("TOUSU_", "DJANGO_")) or name == "DATABASE_URL":
            del os.environ[name]
    os.environ |= {
        "DJANGO_SETTINGS_MODULE": "tousu.settings",
        "TOUSU_VAR_DIR": str(var),
        "TOUSU_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
    }
    import django

    django.setup()


def _pg_admin(url: str) -> tuple[str, str]:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    return name, urlunsplit(parts._replace(path="/postgres"))


def _sizes(pg: bool) -> dict[str, int]:
    from django.db import connection

    if not pg:
        return {}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class "
            "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
            "ORDER BY 2 DESC LIMIT 12"
        )
        sizes = {name: int(size) for name, size in cur.fetchall()}
        cur.execute("SELECT pg_database_size(current_database())")
        sizes["(database)"] = int(cur.fetchone()[0])
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/tousu_gen",
        help="PostgreSQL (created if missing; must hold no cases) or sqlite:///FILE",
    )  # fmt: skip
    parser.add_argument("--orgs", type=int, default=4, help=f"organisations ({', '.join(PRESETS)})")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="processes preparing rows")
    parser.add_argument("--var", type=Path, help="TOUSU_VAR_DIR (keys); default: a temporary one")
    parser.add_argument("--keep", action="store_true", help="keep the database (and the keys)")
    parser.add_argument("--verify", action="store_true", help="run `tousu audit verify` at the end")
    parser.add_argument(
        "--fk-checks", action="store_true",
        help="PostgreSQL: check foreign keys row by row while loading (default: once, after)",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    var = args.var or Path(tempfile.mkdtemp(prefix="tousu-gen-"))
    var.mkdir(parents=True, exist_ok=True)
    url: str = args.database_url
    pg = url.startswith("postgres")
    created = False
    if pg:
        import psycopg
        from psycopg import sql

        name, admin = _pg_admin(url)
        with psycopg.connect(admin, autocommit=True) as conn:
            if (
                conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
                is None
            ):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                created = True
    setup_django(var, url)
    from django.core.management import call_command
    from django.db import connection

    result: dict[str, Any] = {"database": "postgresql" if pg else "sqlite", "var": str(var)}
    code = 0
    try:
        t = time.perf_counter()
        progress("migrate")
        call_command("migrate", verbosity=0)
        result["migrate_s"] = round(time.perf_counter() - t, 1)
        result |= generate(
            args.cases, args.seed, orgs=args.orgs, workers=args.workers, fk_checks=args.fk_checks
        )
        if pg:
            t = time.perf_counter()
            progress("VACUUM (ANALYZE)")
            connection.ensure_connection()
            with connection.cursor() as cur:
                cur.execute("VACUUM (ANALYZE)")
            result["vacuum_s"] = round(time.perf_counter() - t, 1)
        result["sizes"] = _sizes(pg)
        if args.verify:
            from tousu.audit.verify import verify

            progress("tousu audit verify")
            t = time.perf_counter()
            found = verify()
            result["verify_s"] = round(time.perf_counter() - t, 1)
            result["verify"] = {
                "ok": not found.breaks, "cases": found.cases, "events": found.events,
                "rows": found.rows, "seals": found.seals, "breaks": len(found.breaks),
                "first_breaks": [str(b) for b in found.breaks[:5]],
            }  # fmt: skip
            if found.breaks:
                code = 1
    finally:
        connection.close()
        if pg and not args.keep and created:
            import psycopg
            from psycopg import sql

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            progress(f"dropped {name}")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    if args.keep:
        print(f"kept: {url} with keys in {var}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())

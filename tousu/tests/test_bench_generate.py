"""bench/generate keeps producing a record that verifies: a small run on the test database."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tousu.audit.verify import verify
from tousu.cases import deadlines
from tousu.cases.access import actor_for
from tousu.cases.inputs import ComplainantIn, RegisterIn
from tousu.cases.intake import register
from tousu.cases.models import Case, CaseCounter, Deadline, Event, Party
from tousu.cases.numbering import format_number, period_key
from tousu.orgs.models import Organisation
from tousu.policy.models import policy_for
from tousu.privacy.crypto import blind_index

CASES = 300
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def _module() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "bench" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_a_small_generated_data_set() -> None:
    """One generation (it takes a few seconds), checked five ways."""
    generated = _module().generate(CASES, seed=7, orgs=4, workers=0, now=NOW, report=lambda _: None)
    _record_verifies(generated)
    _statuses_are_as_generated_and_realistic(generated)
    _each_case_keeps_the_summary_of_its_deadlines(generated)
    _sealed_text_opens_and_repeat_complainants_share_an_index()
    _a_case_registered_afterwards_takes_the_next_number(generated)


def _record_verifies(generated: dict[str, Any]) -> None:
    report = verify()
    assert report.breaks == []
    assert report.cases == CASES
    assert report.events == Event.objects.count() == generated["rows"]["cases_event"]
    # Every case, party, subject, record and event is under seal.
    assert report.seals == report.rows >= generated["rows"]["audit_seal"]


def _statuses_are_as_generated_and_realistic(generated: dict[str, Any]) -> None:
    stored = Counter(Case.objects.values_list("status", flat=True))
    assert dict(stored) == generated["by_status"]
    assert sum(stored.values()) == CASES
    # Mostly closed (three years of history), some rejected, some still open.
    assert stored["closed"] > CASES * 0.6
    assert stored["rejected"] > 0
    open_now = sum(n for s, n in stored.items() if s not in {"closed", "rejected", "referred",
                                                               "withdrawn"})  # fmt: skip
    assert 0 < open_now < CASES * 0.2
    # Every case's last event left it in its status (the projection the audit checks),
    # and each history runs forward in time.
    times: dict[int, list[datetime]] = {}
    for case_id, at in Event.objects.order_by("case_id", "seq").values_list("case_id", "at"):
        times.setdefault(case_id, []).append(at)
    for case in Case.objects.all():
        last = Event.objects.get(case=case, seq=case.last_seq)
        assert last.to_status == case.status
        assert times[case.pk] == sorted(times[case.pk]), case.number


def _each_case_keeps_the_summary_of_its_deadlines(generated: dict[str, Any]) -> None:
    rows: dict[int, list[Deadline]] = {}
    for d in Deadline.objects.all():
        rows.setdefault(d.case_id, []).append(d)
    missed = 0
    for case in Case.objects.all():
        expected = deadlines.summary(rows.get(case.pk, []))
        got = {name: getattr(case, name) for name in deadlines.SUMMARY_FIELDS}
        assert got == expected, case.number
        missed += bool(case.missed_deadline)
    assert missed == generated["missed_cases"]
    assert 0 < missed < CASES * 0.3  # limits met and missed


def _sealed_text_opens_and_repeat_complainants_share_an_index() -> None:
    case = Case.objects.filter(kind="complaint").order_by("pk").first()
    assert case is not None
    assert case.content and not case.content.startswith("s1:")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in case.content)  # Chinese text
    named = Party.objects.exclude(phone_index="")
    party = named.first()
    assert party is not None and party.phone_index == blind_index("phone", party.phone)
    by_phone = Counter(named.values_list("phone_index", flat=True))
    assert by_phone.most_common(1)[0][1] > 1  # someone complained more than once


def _a_case_registered_afterwards_takes_the_next_number(generated: dict[str, Any]) -> None:
    org = Organisation.objects.get(slug=generated["orgs"][0])
    assert org.active_policy_id is not None
    policy = policy_for(org.active_policy_id)[1]
    local = NOW.astimezone(ZoneInfo(org.time_zone))
    period = period_key(policy.numbering, local)
    counter = CaseCounter.objects.filter(org=org, period=period).first()
    given = counter.value if counter is not None else 0
    clerk = org.memberships.filter(role="intake_clerk").first()
    assert clerk is not None
    data = RegisterIn(
        kind="complaint", channel="phone", content="停车场收费标准没有公示。",
        complainant=ComplainantIn(anonymous=False, name="李强", phone="13800000000"),
    )  # fmt: skip
    case = register(actor_for(clerk.user, org.slug), data, now=NOW)
    assert case.number == format_number(policy.numbering, local, given + 1)
    assert Case.objects.filter(org=org, number=case.number).count() == 1

"""Each preset's clocks on the evening before National Day 2026, counted by hand.

Received Wednesday 30 September 2026, 19:00 (after office hours). 1–7 October are off;
8 (Thu) and 9 (Fri) October are working days, Saturday 10 October is a make-up workday
(调休), Sunday 11 October is off. Each expectation below is the regulation's rule
counted on that calendar, independently of the code under test.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tousu.cases import inputs, intake
from tousu.cases.access import actor_for
from tousu.cases.models import Deadline
from tousu.orgs.services import create_user
from tousu.policy.models import policy_for
from tousu.policy.services import create_org

RECEIVED = "2026-09-30T19:00:00+08:00"
SHANGHAI = ZoneInfo("Asia/Shanghai")

# preset -> (kind, channel, {stage: "YYYY-MM-DD HH:MM" local due time})
EXPECTED: dict[str, tuple[str, str, dict[str, str]]] = {
    # 5 working days: 8, 9, 10 (make-up Saturday), 12, 13 October
    "general": ("complaint", "letter", {"acceptance": "2026-10-13 17:30"}),
    # "当场/当日": received after hours on a holiday eve → the next working day's close
    "gov-service": ("complaint", "letter", {"acceptance": "2026-10-08 17:00"}),
    # "5日内" (calendar days): 5 October is a holiday → the next working day, 8 October
    "food-drug": ("complaint", "letter", {"acceptance": "2026-10-08 17:30"}),
    # 信访工作条例: 15 days → 15 October (a Thursday, a working day)
    "petitions": (
        "complaint",
        "letter",
        {"routing": "2026-10-15 17:30", "notification": "2026-10-15 17:30"},
    ),
    # Order 121: 7 working days: 8, 9, 10, 12, 13, 14, 15 October
    "samr-regulator": ("complaint", "letter", {"acceptance": "2026-10-15 17:30"}),
    # EU Directive: acknowledge in 7 days (7 October is off → 8 October); feedback in
    # 3 months (30 December, a Wednesday)
    "whistleblowing": (
        "report",
        "letter",
        {"acknowledgement": "2026-10-08 18:00", "reply": "2026-12-30 18:00"},
    ),
    # Investigation within 1 working day (8 October), answer within 2 (9 October)
    "customer-service": (
        "complaint",
        "phone",
        {"investigation_start": "2026-10-08 17:30", "reply": "2026-10-09 17:30"},
    ),
    # 7 days to decide on acceptance (7 October off → 8 October); the general office
    # passes it on 次日 from the duty log: its next working day, Thursday 8 October
    # (1–7 October are off), not National Day
    "hospital": (
        "complaint",
        "letter",
        {"acceptance": "2026-10-08 17:30", "routing": "2026-10-08 17:30"},
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("preset", sorted(EXPECTED))
def test_clocks_started_at_registration_follow_the_regulation(preset: str) -> None:
    kind, channel, expected = EXPECTED[preset]
    org = create_org(f"clock-{preset}", preset=preset)
    policy = policy_for(org.active_policy_id or 0)[1]
    clerk = actor_for(create_user(f"clock-clerk-{preset}", org=org, role="intake_clerk"), org.slug)
    body = {
        "kind": kind,
        "channel": channel,
        "category": policy.categories[0].code,
        "content": "节前来信反映问题",
        "received_at": RECEIVED,
        "complainant": {"name": "吴静", "phone": "13700007777", "address": "中山路1号"},
        "subject": {"type": "other", "name": "被投诉对象"},
    }
    case = intake.register(
        clerk, inputs.RegisterIn.model_validate(body), now=datetime(2026, 9, 30, 12, tzinfo=UTC)
    )
    started = {
        d.stage: d.due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        for d in Deadline.objects.filter(case=case, hard=True)
    }
    assert started == expected

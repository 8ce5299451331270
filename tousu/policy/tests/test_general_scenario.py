"""The general preset, walked end to end."""

from __future__ import annotations

import pytest

from tousu.policy.tests.scenario import Scenario, walk

GENERAL = Scenario(
    preset="general",
    register={
        "kind": "complaint",
        "channel": "letter",
        "category": "fees",
        "content": "来信反映收费处重复收取检查费用。",
        "demands": "退还重复收取的费用",
        "complainant": {"name": "刘芳", "address": "人民路12号"},
    },
    lead="finance",
    missing=["subject"],
    amend={"subject": {"type": "department", "name": "收费处"}},
    at_registration={"acceptance": (5, "working_days", True)},
    at_acceptance={"reply": (15, "working_days", True)},
    reply_channel="letter",
    written_reply_required=True,
)


@pytest.mark.django_db
def test_a_letter_about_fees_under_the_general_policy() -> None:
    walked = walk(GENERAL)
    assert walked.case.reply_channel == "letter"

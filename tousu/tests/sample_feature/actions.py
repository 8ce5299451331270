"""The spot check: its row of the transition table, its input, its function and effect."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy
from pydantic import ConfigDict, Field

from tousu.cases import lifecycle, outbox, registry
from tousu.cases.access import Actor
from tousu.cases.lifecycle import ACTIVE, R, transition
from tousu.cases.models import Case, Notification
from tousu.cases.steps import step
from tousu.cases.values import In, Reason

ACTION = "spot_check"
EFFECT = "spot_check_tally"
TALLIED = "spot_check_tallied"


class SpotCheckIn(In):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"finding": "抽查合格", "rating": 4}]}
    )

    finding: str = Reason
    rating: int = Field(ge=1, le=5)


def spot_check(
    case_id: int, *, actor: Actor, data: SpotCheckIn, now: datetime | None = None
) -> Case:
    with step(ACTION, case_id, actor, now) as s:
        s.data["_record"] = s.record("spot_check_finding", data.finding)
        s.data["rating"] = data.rating
        # After commit: tally the check (an effect the worker runs exactly once).
        outbox.write(EFFECT, {"case": s.case.pk, "user": actor.user_id}, now=s.now)
    return s.case


def tally(payload: dict[str, Any]) -> None:
    """Writes one notice per spot check. While the file named by SAMPLE_HOLD exists the
    handler waits inside its transaction (a test kills the worker there)."""
    hold = os.environ.get("SAMPLE_HOLD")
    Notification.objects.create(
        user_id=payload["user"], case_id=payload["case"], kind=TALLIED, created_at=timezone.now()
    )
    while hold and Path(hold).exists():
        time.sleep(0.05)


def register() -> None:
    lifecycle.add(
        transition(
            ACTION,
            ACTIVE,
            None,
            {R.SUPERVISOR},
            gettext_lazy("抽查"),
            event="spot_checked",
        )
    )
    registry.actions({ACTION: (spot_check, SpotCheckIn)})
    registry.effect(EFFECT, tally)

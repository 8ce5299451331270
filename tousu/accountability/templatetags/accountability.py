"""The case page's penalties and appeals (only for the roles that see them)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from tousu.accountability import records
from tousu.cases.models import Case
from tousu.policy.models import policy_for
from tousu.web.pages import Desk

register = template.Library()


@register.simple_tag
def case_penalties(case: Case, desk: Desk) -> dict[str, Any]:
    """{"shown": False} for anyone the policy does not let see penalties."""
    policy = policy_for(case.policy_version_id)[1]
    rows = records.case_penalties(desk.actor, case, policy)
    if rows is None:
        return {"shown": False, "rows": []}
    printable = records.may_view_records(desk.actor, desk.policy)
    for row in rows:
        decided = row["status"] in ("approved", "revoked")
        row["notice_url"] = (
            reverse("desk:people:notice", kwargs={"org": desk.org.slug, "penalty_id": row["id"]})
            if printable and decided
            else ""
        )
        row["appeal_decision_url"] = (
            reverse(
                "desk:people:appeal_decision",
                kwargs={"org": desk.org.slug, "penalty_id": row["id"]},
            )
            if printable and any(a["status"] != "pending" for a in row["appeals"])
            else ""
        )
        row["record_url"] = (
            reverse(
                "desk:people:record",
                kwargs={"org": desk.org.slug, "username": row["staff"]["username"]},
            )
            if printable and row["staff"]
            else ""
        )
    return {"shown": True, "rows": rows}

"""The case page's remedies (赔付、退换货) and rewards for the report."""

from __future__ import annotations

from typing import Any

from django import template

from tousu.cases.models import Case
from tousu.policy.models import policy_for
from tousu.remedies import printouts, services
from tousu.web.pages import Desk

register = template.Library()


@register.simple_tag
def case_remedies(case: Case, desk: Desk) -> dict[str, Any]:
    """Rows of the case page; the reward decision is offered only to those who may open it
    (the approval form to everyone who sees the case, as the page itself)."""
    policy = policy_for(case.policy_version_id)[1]
    rewards = services.case_rewards(case)
    if rewards:
        may_print = printouts.may_print_reward(desk.actor, case, policy)
        for row in rewards:
            row["printable"] = may_print and row["state"] in printouts.PRINTABLE_REWARDS
    return {"remedies": services.case_remedies(case, policy), "rewards": rewards}

"""The remedies' actions: compensation, refunds and returns (先行赔付), and rewards for reports.

Its rows of the core's transition table (with their event types and the roles the policy
chooses) and the functions staff and the API call, registered from ``ready()``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy

from tousu.cases import lifecycle, registry
from tousu.cases.lifecycle import ACTIVE, DECIDERS, HANDLERS, R, S, transition
from tousu.policy.schema import Policy
from tousu.remedies import inputs, services


def _remedy_approvers(p: Policy) -> Iterable[str]:
    """The roles of the policy's approval limits (核决权限), or its compensation approvers."""
    return (*(row.role for row in p.approval_limits), *p.permissions.approve_compensation)


def register() -> None:
    lifecycle.add(
        # Remedies (tousu.remedies): 先行赔付, refunds, returns, credits. The approver's role must
        # hold a policy approval limit (核决权限) that covers the amount or quantity.
        transition(
            "propose_remedy",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            {R.INTAKE_CLERK} | DECIDERS | HANDLERS,
            gettext_lazy("提出赔付/退换货"),
            event="remedy_proposed",
        ),
        transition(
            "approve_remedy",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            {R.DEPARTMENT_HEAD, R.SUPERVISOR, R.LEADER, R.DISPATCHER},
            gettext_lazy("核准赔付/退换货"),
            event="remedy_decided",
            policy_roles=_remedy_approvers,
        ),
        transition(
            "record_remedy_paid",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            None,
            {R.INTAKE_CLERK} | DECIDERS | HANDLERS,
            gettext_lazy("登记赔付兑现"),
            event="remedy_paid",
        ),
        # Rewards for substantiated reports: a named reporter's through the custodian, an
        # anonymous one's to whoever shows the case's receipt.
        transition(
            "propose_reward",
            {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            None,
            DECIDERS | {R.DEPARTMENT_HEAD},
            gettext_lazy("提出举报奖励"),
            event="reward_proposed",
        ),
        transition(
            "approve_reward",
            {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            None,
            {R.DEPARTMENT_HEAD, R.SUPERVISOR, R.LEADER, R.DISPATCHER},
            gettext_lazy("审批举报奖励"),
            event="reward_decided",
            policy_roles=lambda p: p.permissions.approve_reward,
        ),
        transition(
            "hand_over_reward",
            {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            None,
            DECIDERS | {R.DEPARTMENT_HEAD},
            gettext_lazy("发放举报奖励"),
            event="reward_handed_over",
        ),
    )
    registry.actions(
        {
            "propose_remedy": (services.propose_remedy, inputs.ProposeRemedyIn),
            "approve_remedy": (services.approve_remedy, inputs.ApproveRemedyIn),
            "record_remedy_paid": (services.record_remedy_paid, inputs.RecordRemedyPaidIn),
            "propose_reward": (services.propose_reward, inputs.ProposeRewardIn),
            "approve_reward": (services.approve_reward, inputs.ApproveRewardIn),
            "hand_over_reward": (services.hand_over_reward, inputs.HandOverRewardIn),
        }
    )

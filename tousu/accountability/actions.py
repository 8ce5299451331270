"""Accountability's actions (责任追究): penalties, appeals and the delivery of their notices.

Its rows of the core's transition table (with their event types and the roles the policy
chooses) and the functions staff and the API call, registered from ``ready()``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy

from tousu.accountability import inputs, services
from tousu.cases import lifecycle, registry
from tousu.cases.lifecycle import DECIDERS, STAFF, R, S, transition
from tousu.policy.schema import Policy

# A penalty is decided on a case that has been decided itself.
PENALTY_STATES = {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED}


def _appeal_authority(p: Policy) -> Iterable[str]:
    """The appeal authority first (the policy's ``accountability.appeal_to``)."""
    return (
        (p.accountability.appeal_to,) if p.accountability.appeal_to else p.permissions.hear_appeal
    )


def _notice_recorders(p: Policy) -> Iterable[str]:
    """Delivery (送达) of a written penalty notice: its deciders and the record readers."""
    return (
        *p.permissions.approve_penalty,
        *p.permissions.hear_appeal,
        *((p.accountability.appeal_to,) if p.accountability.appeal_to else ()),
        *p.permissions.view_staff_record,
    )


def register() -> None:
    lifecycle.add(
        # Accountability (tousu.accountability): a penalty on a decided case, its approval,
        # the penalised person's appeal and its decision. Roles come from the policy.
        transition(
            "propose_penalty",
            PENALTY_STATES,
            None,
            DECIDERS | {R.DEPARTMENT_HEAD},
            gettext_lazy("提出处罚意见"),
            event="penalty_proposed",
            policy_roles=lambda p: p.permissions.propose_penalty,
        ),
        transition(
            "decide_penalty",
            PENALTY_STATES,
            None,
            {R.SUPERVISOR, R.LEADER, R.DEPARTMENT_HEAD},
            gettext_lazy("审批处罚"),
            event="penalty_decided",
            policy_roles=lambda p: p.permissions.approve_penalty,
        ),
        # By the penalised person themself, even on a case about them (scope "penalised").
        transition(
            "appeal_penalty",
            PENALTY_STATES,
            None,
            STAFF,
            gettext_lazy("对处罚提出申诉"),
            scope="penalised",
            event="penalty_appealed",
        ),
        transition(
            "decide_appeal",
            PENALTY_STATES,
            None,
            {R.SUPERVISOR, R.LEADER, R.DEPARTMENT_HEAD},
            gettext_lazy("处理申诉"),
            event="appeal_decided",
            policy_roles=_appeal_authority,
        ),
        # Delivery (送达) of the written penalty notice or appeal decision to the person.
        transition(
            "record_notice_delivered",
            PENALTY_STATES,
            None,
            {R.SUPERVISOR, R.LEADER, R.DEPARTMENT_HEAD},
            gettext_lazy("登记处罚文书送达"),
            event="penalty_notice_delivered",
            policy_roles=_notice_recorders,
        ),
    )
    registry.actions(
        {
            "propose_penalty": (services.propose_penalty, inputs.ProposePenaltyIn),
            "decide_penalty": (services.decide_penalty, inputs.DecidePenaltyIn),
            "appeal_penalty": (services.appeal_penalty, inputs.AppealPenaltyIn),
            "decide_appeal": (services.decide_appeal, inputs.DecideAppealIn),
            "record_notice_delivered": (
                services.record_notice_delivered,
                inputs.RecordNoticeDeliveredIn,
            ),
        }
    )

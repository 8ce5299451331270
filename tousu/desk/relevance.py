"""Whether an action has anything to act on for this case now.

The transition table says who may take an action in which states; some actions also need
something on the case to act on (a proposed remedy to approve, an open sub-task to
complete, a started procedure to record a step of). The case page offers only actions
that have: a form that can only be refused is noise, and every extra form costs the page
time. The action itself still checks (the API takes any action, and answers 4xx).
"""

from __future__ import annotations

from collections.abc import Callable

from tousu.accountability.models import Appeal, Penalty
from tousu.cases.models import Case, IdentityReveal, Recusal
from tousu.policy.schema import Policy
from tousu.procedures.models import ProcedureRun
from tousu.procedures.services import applies
from tousu.quality.models import SubTask
from tousu.remedies.models import Remedy, Reward

Relevant = Callable[[Case, Policy], bool]


def _procedure_applies(case: Case, policy: Policy) -> bool:
    started = set(ProcedureRun.objects.filter(case=case).values_list("code", flat=True))
    return any(applies(p, case) and p.code not in started for p in policy.procedures)


def _procedure_started(case: Case, policy: Policy) -> bool:
    return ProcedureRun.objects.filter(case=case).exists()


def _investigation_fields(case: Case, policy: Policy) -> bool:
    return any(
        f.group == "investigation" and (not f.kinds or case.kind in f.kinds) for f in policy.fields
    )


def _open_subtask(case: Case, policy: Policy) -> bool:
    return SubTask.objects.filter(case=case, state=SubTask.State.OPEN).exists()


def _remedy(state: str) -> Relevant:
    def relevant(case: Case, policy: Policy) -> bool:
        return Remedy.objects.filter(case=case, state=state).exists()

    return relevant


def _reward(state: str) -> Relevant:
    def relevant(case: Case, policy: Policy) -> bool:
        return Reward.objects.filter(case=case, state=state).exists()

    return relevant


def _proposed_penalty(case: Case, policy: Policy) -> bool:
    return Penalty.objects.filter(case=case, status=Penalty.Status.PROPOSED).exists()


def _pending_appeal(case: Case, policy: Policy) -> bool:
    return Appeal.objects.filter(penalty__case=case, status=Appeal.Status.PENDING).exists()


def _undelivered_notice(case: Case, policy: Policy) -> bool:
    return Penalty.objects.filter(
        case=case, status__in=[Penalty.Status.APPROVED, Penalty.Status.REVOKED]
    ).exists()


def _reviews(case: Case, policy: Policy) -> bool:
    return policy.reviews.levels > 0


def _pending_recusal(case: Case, policy: Policy) -> bool:
    return Recusal.objects.filter(case=case, state=Recusal.State.PENDING).exists()


def _pending_reveal(case: Case, policy: Policy) -> bool:
    return IdentityReveal.objects.filter(case=case, state=IdentityReveal.State.PENDING).exists()


def _rewardable(case: Case, policy: Policy) -> bool:
    return case.kind == "report" and policy.rewards.enabled


def _splits(case: Case, policy: Policy) -> bool:
    return policy.split.mixed_submissions == "split"


def _running_clock(case: Case, policy: Policy) -> bool:
    return policy.extension.max_amount > 0 and case.deadlines.filter(state="open").exists()


def _rejection_reasons(case: Case, policy: Policy) -> bool:
    return bool(policy.rejection_reasons)


RELEVANT: dict[str, Relevant] = {
    "split": _splits,
    "reject": _rejection_reasons,
    "request_extension": _running_clock,
    "propose_reward": _rewardable,
    "decide_recusal": _pending_recusal,
    "approve_reveal": _pending_reveal,
    "request_review": _reviews,
    "start_procedure": _procedure_applies,
    "record_procedure_step": _procedure_started,
    "record_quality": _investigation_fields,
    "complete_subtask": _open_subtask,
    "cancel_subtask": _open_subtask,
    "approve_remedy": _remedy("proposed"),
    "record_remedy_paid": _remedy("approved"),
    "approve_reward": _reward("proposed"),
    "hand_over_reward": _reward("approved"),
    "decide_penalty": _proposed_penalty,
    "decide_appeal": _pending_appeal,
    "record_notice_delivered": _undelivered_notice,
}


def relevant(action: str, case: Case, policy: Policy) -> bool:
    check = RELEVANT.get(action)
    return check is None or check(case, policy)

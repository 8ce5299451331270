"""Remedies (先行赔付, refunds, returns, credits) with approval limits, and rewards for reports.

Each function is a case action (:data:`tousu.cases.actions.ACTION_FUNCTIONS`): it runs in
:func:`tousu.cases.steps.step`, so a refusal changes nothing and every change writes one
event. Events carry amounts, quantities and states, never a name.

Approval limits (核决权限): the policy's ``approval_limits`` rows of the remedy's kind,
ordered by limit, form the chain. The first row whose limits cover the remedy names the
role it waits for; an approver whose own row does not cover it is refused with that role's
title. Where the policy sets no limits for a kind, its ``approve_compensation`` roles approve.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from typing import overload

from django.utils.translation import gettext_lazy

from tousu.cases.access import Actor, reaches
from tousu.cases.errors import TousuError, conflict, invalid
from tousu.cases.models import Case, Party
from tousu.cases.steps import Step, step
from tousu.cases.values import sane_moment
from tousu.i18n import Text, both, either
from tousu.orgs.people import display_name
from tousu.orgs.roles import Role
from tousu.policy.schema import Policy
from tousu.policy.sections import ApprovalLimit
from tousu.remedies import inputs
from tousu.remedies.models import Remedy, Reward
from tousu.reporter import receipts


# --------------------------------------------------------------------------- approval limits, Text
def chain(policy: Policy, kind: str) -> list[ApprovalLimit]:
    """The policy's approval limits for a kind, lowest limit first (unlimited last)."""
    rows = [row for row in policy.approval_limits if row.kind == kind]
    return sorted(
        rows,
        key=lambda r: (
            r.max_amount if r.max_amount is not None else Decimal("Infinity"),
            r.max_quantity if r.max_quantity is not None else math.inf,
        ),
    )


def covers(row: ApprovalLimit, remedy: Remedy) -> bool:
    """Whether the row's limits cover the remedy's amount and quantity."""
    amount, limit = remedy.amount, row.max_amount
    if amount is not None and limit is not None and amount > limit:
        return False
    if remedy.quantity_undetermined:
        # A quantity not yet known cannot be held within a limit.
        return row.max_quantity is None
    if remedy.quantity is not None and row.max_quantity is not None:
        return remedy.quantity <= row.max_quantity
    return True


def role_title(policy: Policy, role: str, zh: str = "") -> tuple[str, str]:
    """(zh, en) of a role as the organisation names it."""
    default_zh, default_en = both(Role(role).label)
    zh = zh or policy.title_for(role) or default_zh
    same = [t.en for t in policy.titles if t.role == role and t.zh == zh and t.en]
    general = [t.en for t in policy.titles if t.role == role and not t.department and t.en]
    en = (same or general or [default_en])[0]
    return zh, en


@overload
def _yuan(amount: Decimal) -> Decimal: ...
@overload
def _yuan(amount: None) -> None: ...
def _yuan(amount: Decimal | None) -> Decimal | None:
    """An amount in yuan with its two decimal places (36000 → 36000.00)."""
    return None if amount is None else amount.quantize(Decimal("0.01"))


def _roles_reaching(actor: Actor, case: Case) -> set[str]:
    return {role for role in actor.roles if reaches(actor, case, role=role)}


# --------------------------------------------------------------------------- remedies


def _remedy(s: Step, no: int, field: str = "remedy") -> Remedy:
    remedy = Remedy.objects.select_for_update().filter(case=s.case, no=no).first()
    if remedy is None:
        raise invalid(field, gettext_lazy("本案没有第{no}项赔付"), {"no": no})
    return remedy


def _remedy_data(remedy: Remedy) -> dict[str, object]:
    return {
        "remedy": remedy.no,
        "kind": remedy.kind,
        "amount": str(remedy.amount) if remedy.amount is not None else None,
        "quantity": remedy.quantity,
        "unit": remedy.unit,
        "quantity_undetermined": remedy.quantity_undetermined,
    }


def propose_remedy(
    case_id: int, *, actor: Actor, data: inputs.ProposeRemedyIn, now: datetime | None = None
) -> Case:
    """提出先行赔付、退款、退换货或折让 on a case; it waits for the approver the limits name."""
    if data.amount is None and data.quantity is None and not data.quantity_undetermined:
        raise invalid(
            "amount", gettext_lazy("须填写金额或数量（数量可为“未确定”）"),
        )  # fmt: skip
    if data.quantity is not None and data.quantity_undetermined:
        raise invalid(
            "quantity_undetermined", gettext_lazy("已填写数量，不能同时标为未确定"),
        )  # fmt: skip
    with step("propose_remedy", case_id, actor, now) as s:
        no = (Remedy.objects.filter(case=s.case).order_by("-no").values_list("no", flat=True)
              .first() or 0) + 1  # fmt: skip
        remedy = Remedy(
            case=s.case, no=no, kind=data.kind, amount=_yuan(data.amount), quantity=data.quantity,
            unit=data.unit, quantity_undetermined=data.quantity_undetermined,
            proposed_by_id=actor.user_id, proposed_at=s.now,
        )  # fmt: skip
        rows = chain(s.policy, data.kind)
        first = next((row for row in rows if covers(row, remedy)), None)
        if rows and first is None:
            raise invalid(
                "amount", gettext_lazy("超出制度中所有核决权限，无人可以核准"),
            )  # fmt: skip
        remedy.awaiting_role = first.role if first else ""
        remedy.save()
        s.data.update(_remedy_data(remedy), awaiting_role=remedy.awaiting_role)
        s.data["_record"] = s.record("remedy_reason", data.reason, {"remedy": no})
    return s.case


def approve_remedy(
    case_id: int, *, actor: Actor, data: inputs.ApproveRemedyIn, now: datetime | None = None
) -> Case:
    """核准 (or decline): only a role whose approval limit covers the remedy."""
    with step("approve_remedy", case_id, actor, now) as s:
        remedy = _remedy(s, data.remedy)
        if remedy.state != Remedy.State.PROPOSED:
            raise conflict("remedy_decided", gettext_lazy("该项赔付已经审批"))
        if remedy.proposed_by_id == actor.user_id:
            raise TousuError(
                "own_proposal", gettext_lazy("不能审批本人提出的赔付"),
                status=403,
            )  # fmt: skip
        held = _roles_reaching(actor, s.case)
        rows = chain(s.policy, remedy.kind)
        if rows:
            mine = [row for row in rows if row.role in held]
            if not any(covers(row, remedy) for row in mine):
                _above_limit(s.policy, rows, remedy, bool(mine))
        elif not held & set(s.policy.permissions.approve_compensation):
            raise TousuError(
                "not_an_approver", gettext_lazy("制度未授权您审批赔付"), status=403,
            )  # fmt: skip
        remedy.state = Remedy.State.APPROVED if data.approved else Remedy.State.REFUSED
        remedy.decided_by_id = actor.user_id
        remedy.decided_at = s.now
        remedy.save()
        s.data.update(_remedy_data(remedy), approved=data.approved)
        if data.note:
            s.data["_record"] = s.record("remedy_decision", data.note, {"remedy": remedy.no})
        s.notify(remedy.proposed_by_id, "remedy_decided")
    return s.case


def _above_limit(policy: Policy, rows: list[ApprovalLimit], remedy: Remedy, has_row: bool) -> None:
    nxt = next((row for row in rows if covers(row, remedy)), None)
    if not has_row or nxt is None:
        raise TousuError(
            "not_an_approver", gettext_lazy("制度未授权您审批此类赔付"), status=403,
        )  # fmt: skip
    zh, en = role_title(policy, nxt.role, nxt.title_zh)
    raise TousuError(
        "above_approval_limit",
        gettext_lazy("超出您的核决权限，须由{title}核准"),
        status=403,
        details={"remedy": remedy.no, "next_role": nxt.role, "next_title": zh},
        params={"title": either(zh, en)},
    )


def record_remedy_paid(
    case_id: int, *, actor: Actor, data: inputs.RecordRemedyPaidIn, now: datetime | None = None
) -> Case:
    """登记兑现: when and how an approved remedy was paid or the goods handed over."""
    paid_at = sane_moment(data.paid_at, "paid_at")
    with step("record_remedy_paid", case_id, actor, now) as s:
        remedy = _remedy(s, data.remedy)
        if remedy.state != Remedy.State.APPROVED:
            raise conflict(
                "remedy_not_approved", gettext_lazy("该项赔付尚未核准或已兑现"),
            )  # fmt: skip
        if paid_at > s.now:
            raise invalid("paid_at", gettext_lazy("兑现时间不能晚于现在"))
        remedy.state = Remedy.State.PAID
        remedy.paid_at = paid_at
        remedy.paid_method = data.method
        remedy.paid_recorded_by_id = actor.user_id
        remedy.save()
        s.data.update(_remedy_data(remedy), paid_at=paid_at.isoformat(), method=data.method)
        if data.note:
            s.data["_record"] = s.record("remedy_paid_note", data.note, {"remedy": remedy.no})
    return s.case


# --------------------------------------------------------------------------- rewards


def _reward(s: Step, no: int) -> Reward:
    reward = Reward.objects.select_for_update().filter(case=s.case, no=no).first()
    if reward is None:
        raise invalid("reward", gettext_lazy("本案没有第{no}项奖励"), {"no": no})
    return reward


def _rewardable(s: Step) -> None:
    if s.case.kind != "report":
        raise invalid("amount", gettext_lazy("仅举报件可以奖励"))
    if not s.policy.rewards.enabled:
        raise invalid("amount", gettext_lazy("本单位制度未设举报奖励"))


def propose_reward(
    case_id: int, *, actor: Actor, data: inputs.ProposeRewardIn, now: datetime | None = None
) -> Case:
    with step("propose_reward", case_id, actor, now) as s:
        _rewardable(s)
        no = (Reward.objects.filter(case=s.case).order_by("-no").values_list("no", flat=True)
              .first() or 0) + 1  # fmt: skip
        Reward.objects.create(
            case=s.case, no=no, amount=_yuan(data.amount), proposed_by_id=actor.user_id,
            proposed_at=s.now,
        )  # fmt: skip
        s.data.update(reward=no, amount=str(_yuan(data.amount)))
        s.data["_record"] = s.record("reward_reason", data.reason, {"reward": no})
    return s.case


def approve_reward(
    case_id: int, *, actor: Actor, data: inputs.ApproveRewardIn, now: datetime | None = None
) -> Case:
    """By the policy's reward approvers (the table and ``permissions.approve_reward``)."""
    with step("approve_reward", case_id, actor, now) as s:
        reward = _reward(s, data.reward)
        if reward.state != Reward.State.PROPOSED:
            raise conflict("reward_decided", gettext_lazy("该项奖励已经审批"))
        reward.state = Reward.State.APPROVED if data.approved else Reward.State.REFUSED
        reward.decided_by_id = actor.user_id
        reward.decided_at = s.now
        reward.save()
        s.data.update(reward=reward.no, amount=str(reward.amount), approved=data.approved)
        if data.note:
            s.data["_record"] = s.record("reward_decision", data.note, {"reward": reward.no})
    return s.case


def _named_reporter(case: Case) -> bool:
    party = (
        case.parties.filter(superseded_at__isnull=True)
        .exclude(role=Party.Role.AGENT)
        .order_by("pk")
        .first()
    )
    return party is not None and not party.anonymous


def hand_over_reward(
    case_id: int, *, actor: Actor, data: inputs.HandOverRewardIn, now: datetime | None = None
) -> Case:
    """发放: a named reporter's reward only by the custodian (the identity stays sealed from
    everyone else); an anonymous reporter's to the claimant who shows the case's receipt."""
    with step("hand_over_reward", case_id, actor, now) as s:
        reward = _reward(s, data.reward)
        if reward.state != Reward.State.APPROVED:
            raise conflict(
                "reward_not_approved", gettext_lazy("该项奖励尚未批准或已发放"),
            )  # fmt: skip
        if _named_reporter(s.case):
            custodians = set(s.policy.permissions.custodian)
            if not _roles_reaching(actor, s.case) & custodians:
                raise TousuError(
                    "custodian_only", gettext_lazy("实名举报人的奖励只能由身份保管人发放"), status=403,
                )  # fmt: skip
            reward.via_custodian = True
        else:
            if receipts.find(s.case.org, data.receipt) != s.case:
                raise invalid(
                    "receipt", gettext_lazy("查询回执与本案不符，不能发放"),
                )  # fmt: skip
            reward.receipt_shown = True
        reward.state = Reward.State.HANDED_OVER
        reward.handed_over_at = s.now
        reward.handed_over_by_id = actor.user_id
        reward.method = data.method
        reward.save()
        s.data.update(
            reward=reward.no, amount=str(reward.amount), method=data.method,
            via_custodian=reward.via_custodian, receipt_shown=reward.receipt_shown,
        )  # fmt: skip
        if data.note:
            s.data["_record"] = s.record(
                "reward_handed_over_note", data.note, {"reward": reward.no}
            )
    return s.case


# --------------------------------------------------------------------------- on the case

HAND_OVER_METHODS: dict[str, Text] = {
    "cash": gettext_lazy("现金"),
    "bank_transfer": gettext_lazy("银行转账"),
    "goods": gettext_lazy("实物"),
    "credit_note": gettext_lazy("折让单"),
    "other": gettext_lazy("其他"),
}
UNDETERMINED = gettext_lazy("未确定")


def _pair(label: Text) -> dict[str, str]:
    zh, en = both(label)
    return {"zh": zh, "en": en or zh}


def case_remedies(case: Case, policy: Policy) -> list[dict[str, object]]:
    """A case's remedies: kind, amount or quantity (or 未确定), the approval chain so far and
    whose approval it waits for, and payment. Amounts are not personal data: whoever sees
    the case sees them."""
    rows: list[dict[str, object]] = []
    remedies = Remedy.objects.filter(case=case).select_related(
        "proposed_by__staff_profile", "decided_by__staff_profile"
    )
    for r in remedies:
        awaiting = None
        if r.state == Remedy.State.PROPOSED and r.awaiting_role:
            row = next((x for x in chain(policy, r.kind) if x.role == r.awaiting_role), None)
            zh, en = role_title(policy, r.awaiting_role, row.title_zh if row else "")
            awaiting = {"role": r.awaiting_role, "zh": zh, "en": en}
        elif r.state == Remedy.State.PROPOSED:
            awaiting = {"role": "", "zh": "", "en": ""}
        steps = [
            {
                "step": "proposed",
                "by": r.proposed_by.get_username(),
                "by_name": display_name(r.proposed_by),
                "at": r.proposed_at,
            }
        ]
        if r.decided_by is not None:
            steps.append(
                {"step": "approved" if r.state != Remedy.State.REFUSED else "refused",
                 "by": r.decided_by.get_username(), "by_name": display_name(r.decided_by),
                 "at": r.decided_at}
            )  # fmt: skip
        rows.append(
            {
                "id": r.pk, "no": r.no, "kind": r.kind,
                "kind_label": _pair(Remedy.Kind(r.kind).label),
                "amount": str(r.amount) if r.amount is not None else None,
                "quantity": r.quantity, "unit": r.unit,
                "quantity_undetermined": r.quantity_undetermined,
                "state": r.state, "state_label": _pair(Remedy.State(r.state).label),
                "chain": steps, "awaiting": awaiting,
                "paid_at": r.paid_at, "paid_method": r.paid_method,
                "paid_method_label": _label_of(HAND_OVER_METHODS, r.paid_method),
            }
        )  # fmt: skip
    return rows


def _label_of(table: dict[str, Text], code: str) -> dict[str, str] | None:
    if not code:
        return None
    zh, en = both(table.get(code, code))
    return {"zh": zh, "en": en}


RECIPIENT_NAMED = gettext_lazy("实名举报人，经身份保管人发放")
RECIPIENT_ANONYMOUS = gettext_lazy("匿名举报人，凭查询回执领取")


def case_rewards(case: Case) -> list[dict[str, object]]:
    """A case's rewards: amount and state, and how the recipient is reached — never who."""
    rewards = list(Reward.objects.filter(case=case))
    if not rewards:
        return []
    named = _named_reporter(case)
    rows: list[dict[str, object]] = []
    for r in rewards:
        via = r.via_custodian or (r.state != Reward.State.HANDED_OVER and named)
        zh, en = both(RECIPIENT_NAMED if via else RECIPIENT_ANONYMOUS)
        rows.append(
            {
                "id": r.pk, "no": r.no, "amount": str(r.amount), "state": r.state,
                "state_label": _pair(Reward.State(r.state).label),
                "recipient": {"zh": zh, "en": en},
                "via_custodian": r.via_custodian, "receipt_shown": r.receipt_shown,
                "decided_at": r.decided_at, "handed_over_at": r.handed_over_at,
                "method": r.method, "method_label": _label_of(HAND_OVER_METHODS, r.method),
            }
        )  # fmt: skip
    return rows

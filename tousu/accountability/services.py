"""Penalty decisions, appeals and counting rules, as case actions; and the staff record.

The four actions run inside :func:`tousu.cases.steps.step` like every other: locked,
authorised by the policy's roles (accountability and permissions sections), one
transaction, one event. The penalised person hears of each decision about them through
a notice that names the case number only; they never see the case itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy

from tousu.accountability import inputs
from tousu.accountability.models import Appeal, Penalty
from tousu.cases.access import Actor, is_excluded, roles_for
from tousu.cases.errors import TousuError, action_forbidden, invalid
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case
from tousu.cases.steps import Step, department_by_code, step
from tousu.cases.values import sane_moment
from tousu.i18n import Text, both
from tousu.orgs.models import Membership
from tousu.orgs.roles import Role
from tousu.policy.schema import Policy

# The titles of the written documents (书面通知).
NOTICE_TITLE = "处罚决定通知书"
APPEAL_DECISION_TITLE = "申诉处理决定书"

# Labels for the penalty kinds a policy does not list itself.
KINDS: dict[str, Text] = {
    "warning": gettext_lazy("警告"),
    "criticism": gettext_lazy("通报批评"),
    "apology": gettext_lazy("赔礼道歉"),
    "fine": gettext_lazy("罚款"),
    "appraisal_deduction": gettext_lazy("绩效考核扣分"),
    "transfer": gettext_lazy("调离岗位"),
    "suspension": gettext_lazy("暂停工作"),
    "dismissal": gettext_lazy("开除/解除劳动合同"),
    "judicial_referral": gettext_lazy("移送公安、司法机关"),
}


def _label(policy: Policy, kind: str) -> tuple[str, str, Any]:
    """(zh, en, amount) for a kind; refused when the policy lists its penalties without it."""
    specs = policy.accountability.penalties
    zh, en = both(KINDS[kind])
    for spec in specs:
        if spec.code == kind:
            return spec.zh, spec.en or en, spec.amount
    if specs:
        raise invalid("kind", gettext_lazy("制度未列出此种处罚：{kind}"), {"kind": KINDS[kind]})
    return zh, en, None


def penalised_people(penalty: Penalty) -> list[int]:
    """The person penalised, or the heads of the penalised department."""
    if penalty.staff_id is not None:
        return [int(penalty.staff_id)]
    return list(
        Membership.objects.filter(
            department_id=int(penalty.department_id or 0), role=Role.DEPARTMENT_HEAD, active=True
        )
        .values_list("user_id", flat=True)
        .distinct()
    )


def _tell(s: Step, user_ids: list[int], kind: str, *, include_actor: bool = False) -> None:
    """A notice to the penalised person, even when the case is about them: it carries the
    case number and the kind of news only, and their own record shows the decision."""
    for user_id in user_ids:
        if user_id == s.actor.user_id and not include_actor:
            continue
        s.tell(user_id, kind)


def _penalty(s: Step, penalty_id: int) -> Penalty:
    penalty = Penalty.objects.select_for_update().filter(pk=penalty_id, case_id=s.case.pk).first()
    if penalty is None:
        raise invalid("penalty", gettext_lazy("本案没有该处罚记录"))
    return penalty


def _summary(penalty: Penalty) -> dict[str, Any]:
    return {
        "penalty": penalty.pk,
        "kind": penalty.kind,
        "staff": penalty.staff.get_username() if penalty.staff else "",
        "department": penalty.department.code if penalty.department else "",
        "amount": str(penalty.amount) if penalty.amount is not None else None,
    }


# --------------------------------------------------------------------------- actions


def propose_penalty(
    case_id: int, *, actor: Actor, data: inputs.ProposePenaltyIn, now: datetime | None = None
) -> Case:
    """处罚意见: against one staff member or one department, on a decided case."""
    if bool(data.staff) == bool(data.department):
        raise invalid(
            "staff", gettext_lazy("须指明被处罚的工作人员（staff）或部门（department）之一"),
        )  # fmt: skip
    with step("propose_penalty", case_id, actor, now) as s:
        zh, en, fixed = _label(s.policy, data.kind)
        amount = data.amount if data.amount is not None else fixed
        if data.kind == "fine" and amount is None:
            raise invalid("amount", gettext_lazy("罚款须写明金额"))
        if data.kind != "fine" and data.amount is not None:
            raise invalid("amount", gettext_lazy("只有罚款写金额"))
        target: dict[str, Any] = {}
        if data.staff:
            user = get_user_model().objects.filter(username=data.staff, is_active=True).first()
            if (
                user is None
                or not Membership.objects.filter(
                    user=user, org_id=s.case.org_id, active=True
                ).exists()
            ):
                raise invalid("staff", gettext_lazy("本单位没有该工作人员"))
            target["staff"] = user
        else:
            target["department"] = department_by_code(s.case.org, data.department, "department")
        penalty = Penalty.objects.create(
            org_id=s.case.org_id, case=s.case, kind=data.kind, label_zh=zh, label_en=en,
            amount=amount, reason=data.reason, proposed_by_id=actor.user_id,
            proposed_at=s.now, **target,
        )  # fmt: skip
        s.data.update(_summary(penalty))
        for user_id in s.members(roles_for(TABLE["decide_penalty"], s.policy)):
            s.notify(user_id, "penalty_proposed")
    return s.case


def decide_penalty(
    case_id: int, *, actor: Actor, data: inputs.DecidePenaltyIn, now: datetime | None = None
) -> Case:
    """Approve or reject a proposal; an approval is told to the person and counted."""
    with step("decide_penalty", case_id, actor, now) as s:
        penalty = _penalty(s, data.penalty)
        if penalty.status != Penalty.Status.PROPOSED:
            raise TousuError(
                "penalty_not_pending", gettext_lazy("该处罚已有决定"),
                status=409,
            )  # fmt: skip
        penalty.status = Penalty.Status.APPROVED if data.approved else Penalty.Status.REJECTED
        penalty.in_force = data.approved
        penalty.decided_by_id = actor.user_id
        penalty.decided_at = s.now
        penalty.decision_note = data.note
        penalty.save()
        s.data.update(_summary(penalty), approved=data.approved)
        if data.approved:
            if s.policy.accountability.notify_in_writing:
                # 书面通知: the notice is issued with the decision; the person is told in-app
                # (the notice links to their record, where the notice is printed).
                penalty.notice_issued_at = s.now
                penalty.save(update_fields=["notice_issued_at"])
                s.data["written_notice"] = {
                    "document": "penalty_notice", "title": NOTICE_TITLE,
                    "issued_at": s.now.isoformat(),
                }  # fmt: skip
            _tell(s, penalised_people(penalty), "penalty_decided")
            counted = _count(s, penalty)
            if counted:
                s.data["counting"] = counted
    return s.case


def _count(s: Step, penalty: Penalty) -> list[dict[str, Any]]:
    """The policy's counting rules over this person's penalties in each rule's window:
    reaching a rule's count proposes its follow-up penalty (once per window) to its role."""
    if penalty.staff_id is None:
        return []
    found = []
    for rule in s.policy.accountability.counting:
        since = s.now - timedelta(days=rule.window_days)
        mine = Penalty.objects.filter(
            org_id=s.case.org_id, staff_id=penalty.staff_id, triggered_by__isnull=True,
            status=Penalty.Status.APPROVED, decided_at__gte=since,
        )  # fmt: skip
        count = mine.values("case_id").distinct().count()
        if count < rule.count:
            continue
        already = Penalty.objects.filter(
            org_id=s.case.org_id, staff_id=penalty.staff_id, kind=rule.proposes,
            triggered_by__isnull=False, proposed_at__gte=since,
        ).exists()  # fmt: skip
        if already:
            continue
        if rule.proposes in KINDS:
            specs: dict[str, Any] = {sp.code: sp for sp in s.policy.accountability.penalties}
            spec = specs.get(rule.proposes)
            zh, en = (spec.zh, spec.en) if spec else both(KINDS[rule.proposes])
        else:
            zh, en = rule.proposes, rule.proposes
        follow = Penalty.objects.create(
            org_id=s.case.org_id, case=s.case, staff_id=penalty.staff_id, kind=rule.proposes,
            label_zh=zh, label_en=en, amount=None, proposed_at=s.now, proposed_by_id=None,
            reason=rule.zh or f"{rule.window_days}日内第{count}次被投诉",
            rule_zh=rule.zh, triggered_by=penalty,
        )  # fmt: skip
        # A to-do for the rule's role, the approver who set it off included.
        holders = [u for u in s.members((rule.notify_role,)) if not is_excluded(u, s.case)]
        _tell(s, holders, "penalty_rule_triggered", include_actor=True)
        found.append(
            {"rule": rule.clause or rule.zh, "count": count, "proposed": follow.pk,
             "kind": rule.proposes, "notify_role": rule.notify_role}
        )  # fmt: skip
    return found


def appeal_authority(policy: Policy) -> str:
    rules = policy.accountability
    return rules.appeal_to or (policy.permissions.hear_appeal or ("leader",))[0]


def appeal_penalty(
    case_id: int, *, actor: Actor, data: inputs.AppealPenaltyIn, now: datetime | None = None
) -> Case:
    """申诉: by the penalised person, within the policy's window, to its appeal authority."""
    with step("appeal_penalty", case_id, actor, now) as s:
        penalty = _penalty(s, data.penalty)
        if actor.user_id not in penalised_people(penalty):
            raise action_forbidden("appeal_penalty")
        if penalty.status != Penalty.Status.APPROVED:
            raise TousuError(
                "penalty_not_decided", gettext_lazy("只能对已决定的处罚提出申诉"), status=409,
            )  # fmt: skip
        if penalty.appeals.exists():
            raise TousuError(
                "already_appealed", gettext_lazy("已对该处罚提出过申诉"),
                status=409,
            )  # fmt: skip
        rules = s.policy.accountability
        assert penalty.decided_at is not None
        if rules.appeal_window_days and s.now > penalty.decided_at + timedelta(
            days=rules.appeal_window_days
        ):
            raise TousuError(
                "appeal_window_passed",
                gettext_lazy("申诉期限（{appeal_window_days}日）已过"),
                status=409,
                params={"appeal_window_days": rules.appeal_window_days},
            )
        to_role = appeal_authority(s.policy)
        Appeal.objects.create(
            penalty=penalty, appellant_id=actor.user_id, reason=data.reason, to_role=to_role,
            filed_at=s.now,
        )  # fmt: skip
        if not rules.decision_stands_during_appeal:
            penalty.in_force = False
            penalty.save(update_fields=["in_force"])
        s.data.update(
            penalty=penalty.pk, to_role=to_role, stands=rules.decision_stands_during_appeal
        )
        for user_id in s.members(roles_for(TABLE["decide_appeal"], s.policy)):
            s.notify(user_id, "penalty_appealed")
    return s.case


def decide_appeal(
    case_id: int, *, actor: Actor, data: inputs.DecideAppealIn, now: datetime | None = None
) -> Case:
    """The appeal authority upholds the decision or revokes it; the person is told."""
    with step("decide_appeal", case_id, actor, now) as s:
        penalty = _penalty(s, data.penalty)
        appeal = penalty.appeals.select_for_update().filter(status=Appeal.Status.PENDING).first()
        if appeal is None:
            raise TousuError(
                "no_pending_appeal", gettext_lazy("该处罚没有待决定的申诉"), status=409,
            )  # fmt: skip
        appeal.status = Appeal.Status.UPHELD if data.upheld else Appeal.Status.REVOKED
        appeal.decided_by_id = actor.user_id
        appeal.decided_at = s.now
        appeal.note = data.note
        appeal.save()
        penalty.in_force = data.upheld
        if not data.upheld:
            penalty.status = Penalty.Status.REVOKED
        penalty.save(update_fields=["in_force", "status"])
        s.data.update(penalty=penalty.pk, upheld=data.upheld)
        _tell(s, penalised_people(penalty), "appeal_decided")
    return s.case


DELIVERY_WAYS: dict[str, Text] = {
    "in_person": gettext_lazy("直接送达"),
    "post": gettext_lazy("邮寄送达"),
    "email": gettext_lazy("电子送达"),
    "other": gettext_lazy("其他方式"),
}


def record_notice_delivered(
    case_id: int, *, actor: Actor, data: inputs.RecordNoticeDeliveredIn, now: datetime | None = None
) -> Case:
    """送达: the written notice (or the appeal decision) reached the person, when and how."""
    delivered_at = sane_moment(data.delivered_at, "delivered_at")
    with step("record_notice_delivered", case_id, actor, now) as s:
        penalty = _penalty(s, data.penalty)
        if delivered_at > s.now:
            raise invalid("delivered_at", gettext_lazy("送达时间不能晚于现在"))
        if data.document == "penalty_notice":
            if penalty.status not in (Penalty.Status.APPROVED, Penalty.Status.REVOKED):
                raise TousuError(
                    "penalty_not_decided", gettext_lazy("处罚尚未决定，没有可送达的通知书"), status=409,
                )  # fmt: skip
            penalty.notice_delivered_at = delivered_at
            penalty.notice_delivered_how = data.how
            penalty.save(update_fields=["notice_delivered_at", "notice_delivered_how"])
        else:
            appeal = penalty.appeals.select_for_update().exclude(status=Appeal.Status.PENDING)
            decided = appeal.order_by("-pk").first()
            if decided is None:
                raise TousuError(
                    "appeal_not_decided", gettext_lazy("申诉尚未决定，没有可送达的决定书"), status=409,
                )  # fmt: skip
            decided.delivered_at = delivered_at
            decided.delivered_how = data.how
            decided.save(update_fields=["delivered_at", "delivered_how"])
        s.data.update(
            penalty=penalty.pk, document=data.document, delivered_at=delivered_at.isoformat(),
            how=data.how,
        )  # fmt: skip
        if data.note:
            s.data["_record"] = s.record("notice_delivery", data.note, {"penalty": penalty.pk})
    return s.case

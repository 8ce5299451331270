"""The printed remedy approval form (赔付/退换货审批单) and reward decision (举报奖励决定书).

The approval form is a record of the organisation, written in its language; the reward
decision is for the reporter, written in theirs where it is known, else the organisation's
(:func:`tousu.documents.build.document_language`), whatever the desk's. The approval form is
for whoever may
see the case (``get_case``); the complainant's name is on it only for viewers who may see
the identity (:func:`tousu.documents.build.load`, which logs the access), and free text
is masked for the others. The reward decision is for those who may see the case and take
part in rewards (propose, approve or hand over); it never names the reporter nor prints
the receipt's digits — only how the reward reaches them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy, pgettext

from tousu.cases.access import Actor, get_case, permitted
from tousu.cases.errors import not_found
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case, CaseRecord
from tousu.cases.redaction import identity_masker
from tousu.documents import build
from tousu.documents.render import render_pdf
from tousu.i18n import localized
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy
from tousu.policy.sections import ApprovalLimit
from tousu.remedies import services
from tousu.remedies.models import Remedy, Reward

APPROVAL_TITLE = gettext_lazy("赔付/退换货审批单")
REWARD_TITLE = gettext_lazy("举报奖励决定书")
SEALED = gettext_lazy("（身份信息依规保密）")
ANONYMOUS = gettext_lazy("（匿名，未留身份信息）")
UNDETERMINED = gettext_lazy("客户加工中未确定")
PENDING = gettext_lazy("待核准")
VIA_CUSTODIAN = gettext_lazy("经举报人身份保管人发放")
WITH_RECEIPT = gettext_lazy("凭查询回执领取")
REWARD_ACTIONS = ("propose_reward", "approve_reward", "hand_over_reward")
PRINTABLE_REWARDS = (Reward.State.APPROVED, Reward.State.HANDED_OVER)


# --------------------------------------------------------------------------- who may print


def may_print_reward(actor: Actor, case: Case, policy: Policy) -> bool:
    """Those who take part in rewards on this case: propose, approve or hand over.

    ``permitted`` applies the table's roles, the policy's narrowing, the actor's reach
    over the case and exclusion (the subject of the case, a recused person)."""
    if actor.reporter or actor.system or case.org_id != actor.org.pk:
        return False
    return any(permitted(actor, case, TABLE[action], policy) for action in REWARD_ACTIONS)


def _case_remedy(actor: Actor, number: str, remedy_id: int) -> Remedy:
    case = get_case(actor, number)
    remedy = (
        Remedy.objects.select_related("proposed_by", "decided_by", "paid_recorded_by")
        .filter(pk=remedy_id, case=case)
        .first()
    )
    if remedy is None:
        raise not_found()
    remedy.case = case
    return remedy


def _case_reward(actor: Actor, number: str, reward_id: int) -> tuple[Reward, Policy]:
    case = get_case(actor, number)
    policy = policy_for(case.policy_version_id)[1]
    reward = (
        Reward.objects.select_related("decided_by", "handed_over_by")
        .filter(pk=reward_id, case=case, state__in=PRINTABLE_REWARDS)
        .first()
    )
    if reward is None or not may_print_reward(actor, case, policy):
        raise not_found()
    reward.case = case
    return reward, policy


# --------------------------------------------------------------------------- formatting


def _money(amount: Decimal | None) -> str:
    return "" if amount is None else gettext("人民币 {amount} 元").format(amount=f"{amount:.2f}")


def _extent(remedy: Remedy) -> str:
    """Amount and/or quantity, or that the quantity is not yet determined."""
    parts = []
    if remedy.amount is not None:
        parts.append(_money(remedy.amount))
    if remedy.quantity is not None:
        parts.append(f"{remedy.quantity} {remedy.unit}".strip())
    elif remedy.quantity_undetermined:
        parts.append(gettext("数量客户加工中未确定"))
    return pgettext("list of clauses", "；").join(parts) or str(UNDETERMINED)


def _quantity(remedy: Remedy) -> str:
    if remedy.quantity is not None:
        return f"{remedy.quantity} {remedy.unit}".strip()
    return str(UNDETERMINED) if remedy.quantity_undetermined else ""


def _limit(row: ApprovalLimit, unit: str) -> str:
    parts = []
    if row.max_amount is not None:
        parts.append(gettext("金额 {amount} 元以内").format(amount=f"{row.max_amount:.2f}"))
    if row.max_quantity is not None:
        parts.append(
            gettext("数量 {quantity} {unit}以内").format(
                quantity=row.max_quantity, unit=unit or pgettext("unit", "件")
            )
        )
    return build.joined(parts) or pgettext("document", "不限")


def _title(policy: Policy, role: str, zh: str = "") -> str:
    try:
        return localized(*services.role_title(policy, role, zh))
    except ValueError:
        return zh or policy.title_for(role) or role


def _records(doc: build.Document, kind: str, key: str, no: int) -> list[str]:
    """The bodies of a remedy's records (reason, decision, payment) as this viewer sees them."""
    return [
        str(e["record"]["body"])
        for e in doc.data["timeline"]
        if e["record"] and e["record"]["kind"] == kind and e["record"]["data"].get(key) == no
        and e["record"]["body"]
    ]  # fmt: skip


# --------------------------------------------------------------------------- approval form


def _decision(remedy: Remedy, tz: ZoneInfo) -> dict[str, str]:
    if remedy.decided_by is None:
        return {"result": str(PENDING), "by": "", "at": ""}
    result = gettext("不予核准") if remedy.state == Remedy.State.REFUSED else gettext("核准")
    return {
        "result": result,
        "by": build.staff_name(remedy.decided_by),
        "at": build.document_datetime(remedy.decided_at, tz),
    }


def approval_chain(remedy: Remedy, policy: Policy, tz: ZoneInfo) -> list[dict[str, str]]:
    """The policy's approval limits for the remedy's kind, lowest first: the rows below the
    one that covers it are exceeded, that row decides (or is awaited), the rows above are
    not needed. Without limits, the policy's compensation approvers decide."""
    rows = services.chain(policy, remedy.kind)
    decision = _decision(remedy, tz)
    if not rows:
        approvers = pgettext("alternatives", "或").join(
            _title(policy, r) for r in policy.permissions.approve_compensation
        )
        return [{"title": approvers or gettext("审批人"), "limit": "—", "role": "", **decision,
                 "status": "decides"}]  # fmt: skip
    steps = []
    reached = False
    for row in rows:
        covering = not reached and (
            row.role == remedy.awaiting_role if remedy.awaiting_role else
            services.covers(row, remedy)
        )  # fmt: skip
        step: dict[str, str] = {
            "title": _title(policy, row.role, row.title_zh),
            "limit": _limit(row, remedy.unit),
            "role": row.role,
            "clause": row.clause,
        }
        if covering:
            reached = True
            step.update(decision, status="decides")
        elif not reached:
            step.update(result=gettext("超出本级核决权限"), by="", at="", status="exceeded")
        else:
            step.update(result=gettext("无需审批"), by="", at="", status="not_needed")
        steps.append(step)
    return steps


def approval_form(remedy: Remedy, actor: Actor, now: datetime) -> dict[str, Any]:
    """What the 赔付/退换货审批单 says, as this viewer may see the case."""
    case = remedy.case
    doc = build.load(case, actor, now)
    tz, policy = doc.tz, doc.policy
    party = doc.party()
    if party is None or party["anonymous"]:
        person = str(ANONYMOUS)
    elif party["masked"]:
        person = str(SEALED)
    else:
        person = doc.shown_name() or str(SEALED)
    paid = remedy.paid_at is not None
    method = str(services.HAND_OVER_METHODS.get(remedy.paid_method, remedy.paid_method))
    return {
        **doc.context(),
        "title": str(APPROVAL_TITLE),
        "number": f"{case.number}-PF{remedy.no}",
        "case_number": case.number,
        "remedy_no": remedy.no,
        "person_name": person,
        "kind": str(Remedy.Kind(remedy.kind).label),
        "extent": _extent(remedy),
        "amount": _money(remedy.amount),
        "quantity": _quantity(remedy),
        "state": str(Remedy.State(remedy.state).label),
        "reasons": _records(doc, "remedy_reason", "remedy", remedy.no),
        "notes": _records(doc, "remedy_decision", "remedy", remedy.no),
        "proposed_by": build.staff_name(remedy.proposed_by),
        "proposed_at": build.document_datetime(remedy.proposed_at, tz),
        "chain": approval_chain(remedy, policy, tz),
        "paid": {
            "done": paid,
            "at": build.document_datetime(remedy.paid_at, tz),
            "how": method if paid else "",
            "by": build.staff_name(remedy.paid_recorded_by) if paid else "",
            "notes": _records(doc, "remedy_paid_note", "remedy", remedy.no),
        },
    }


# --------------------------------------------------------------------------- reward decision


def reward_decision(reward: Reward, policy: Policy, now: datetime) -> dict[str, Any]:
    """What the 举报奖励决定书 says: never who reported, never the receipt."""
    case = reward.case
    tz = ZoneInfo(case.org.time_zone)
    via = reward.via_custodian or (
        reward.state != Reward.State.HANDED_OVER and services._named_reporter(case)
    )
    hide = identity_masker(case)
    reasons = [
        hide(r.body)
        for r in CaseRecord.objects.filter(case=case, kind="reward_reason").order_by("pk")
        if r.data.get("reward") == reward.no and r.body
    ]
    handed = reward.state == Reward.State.HANDED_OVER
    method = str(services.HAND_OVER_METHODS.get(reward.method, reward.method))
    return {
        "org_name": case.org.name,
        "printed_at": build.document_datetime(now, tz),
        "title": str(REWARD_TITLE),
        "number": f"{case.number}-JL{reward.no}",
        "case_number": case.number,
        "amount": f"{reward.amount:.2f}",
        "reasons": reasons,
        "clause": policy.rewards.clause,
        "approved_by": build.staff_name(reward.decided_by),
        "approved_at": build.document_datetime(reward.decided_at, tz),
        "decided": build.document_date(reward.decided_at, tz),
        "via_custodian": via,
        "how": str(VIA_CUSTODIAN if via else WITH_RECEIPT),
        "handed": {
            "done": handed,
            "at": build.document_datetime(reward.handed_over_at, tz) if handed else "",
            "by": build.staff_name(reward.handed_over_by) if handed else "",
            "method": method if handed else "",
        },
    }


# --------------------------------------------------------------------------- PDFs


def _render(template: str, context: dict[str, Any]) -> bytes:
    html = render_to_string(f"remedies/pdf/{template}.html", context)
    return render_pdf(html)


def approval_pdf(actor: Actor, number: str, remedy_id: int, now: datetime) -> tuple[bytes, str]:
    """The approval form, a record of the organisation: in its language."""
    remedy = _case_remedy(actor, number, remedy_id)
    with translation.override(build.document_language(remedy.case)):
        pdf = _render("approval", approval_form(remedy, actor, now))
    return pdf, f"{number}-{remedy.no}"


def reward_pdf(actor: Actor, number: str, reward_id: int, now: datetime) -> tuple[bytes, str]:
    """The reward decision, for the reporter: in their language, else the organisation's."""
    reward, policy = _case_reward(actor, number, reward_id)
    with translation.override(build.document_language(reward.case, build.REPORTER)):
        pdf = _render("reward_decision", reward_decision(reward, policy, now))
    return pdf, f"{number}-{reward.no}"

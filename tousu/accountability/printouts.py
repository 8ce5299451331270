"""The written penalty notice (处罚决定通知书) and the appeal decision (申诉处理决定书).

Both are papers handed to the penalised person, so they say what the decision says and
nothing more: the facts as the decision states them (with every phrase marked for the
case and the reporter's own particulars masked), the penalty, the rule and its clause,
and how to appeal. Never who complained. Who may print them: the person (or, for a
department, its heads) and the roles the policy lets read staff records; anyone else is
answered like a missing page. They are written in the penalised person's language (their
``StaffContact.language``), else the organisation's: a department's, the organisation's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, pgettext_lazy

from tousu.accountability.models import Appeal, Penalty
from tousu.accountability.records import may_view_records
from tousu.accountability.services import DELIVERY_WAYS, appeal_authority, penalised_people
from tousu.cases import redaction
from tousu.cases.access import Actor
from tousu.cases.errors import not_found
from tousu.cases.models import Party
from tousu.documents.build import document_date, document_datetime, document_language
from tousu.documents.render import render_pdf
from tousu.i18n import localized
from tousu.orgs.people import display_name
from tousu.orgs.roles import Role
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy

IDENTITY_FIELDS = ("name", "phone", "email", "address", "employer", "id_number")
NOTICE_TITLE = pgettext_lazy("document title", "处罚决定通知书")
APPEAL_DECISION_TITLE = pgettext_lazy("document title", "申诉处理决定书")


def may_print(actor: Actor, penalty: Penalty, policy: Policy) -> bool:
    """The penalised person (a department's heads) and the staff-record readers."""
    if penalty.org_id != actor.org.pk or actor.reporter or actor.system:
        return False
    return actor.user_id in penalised_people(penalty) or may_view_records(actor, policy)


def printable(actor: Actor, policy: Policy, penalty_id: int) -> Penalty:
    """A decided penalty this viewer may print the notice of; anything else: not found."""
    penalty = (
        Penalty.objects.select_related("case", "case__org", "staff", "department")
        .filter(pk=penalty_id, org_id=actor.org.pk)
        .first()
    )
    if penalty is None or not may_print(actor, penalty, policy):
        raise not_found()
    if penalty.status not in (Penalty.Status.APPROVED, Penalty.Status.REVOKED):
        raise not_found()
    return penalty


def decided_appeal(penalty: Penalty) -> Appeal | None:
    return penalty.appeals.exclude(status=Appeal.Status.PENDING).order_by("-pk").first()


def _masker(penalty: Penalty) -> Any:
    """Hides the case's marked phrases and the reporter's own particulars."""
    case = penalty.case
    own: list[str] = []
    for party in Party.objects.filter(case=case):
        party.case = case  # the case's key opens the sealed fields
        own += [v for v in (str(getattr(party, f) or "") for f in IDENTITY_FIELDS) if len(v) >= 2]
    return redaction.redactor(case, tuple(own))


def _role_title(policy: Policy, role: str) -> str:
    title = policy.title_for(role)
    if title:
        en = next((t.en for t in policy.titles if t.role == role and not t.department), "")
        return localized(title, en)
    try:
        return str(Role(role).label)
    except ValueError:
        return role


def _target(penalty: Penalty) -> tuple[str, str]:
    """(who, what they are called): the person's name, or the department's."""
    if penalty.staff is not None:
        return display_name(penalty.staff), gettext("被处罚人")
    department = penalty.department
    assert department is not None
    return localized(department.name, department.name_en), gettext("被处罚部门")


def _rule(penalty: Penalty, policy: Policy) -> tuple[str, str]:
    """(the rule as the policy words it, its clause)."""
    rules = policy.accountability
    if penalty.rule_zh:
        clause = next((r.clause for r in rules.counting if r.zh == penalty.rule_zh), "")
        return penalty.rule_zh, clause or rules.clause
    return penalty.label_zh, rules.clause


def _delivery(at: datetime | None, how: str, tz: ZoneInfo) -> dict[str, str]:
    return {"at": document_datetime(at, tz), "how": str(DELIVERY_WAYS.get(how, ""))}


def _common(penalty: Penalty, now: datetime) -> tuple[dict[str, Any], Policy, ZoneInfo]:
    case = penalty.case
    policy = policy_for(case.policy_version_id)[1]
    tz = ZoneInfo(case.org.time_zone)
    who, called = _target(penalty)
    return (
        {
            "org_name": case.org.name,
            "printed_at": document_datetime(now, tz),
            "case_number": case.number,
            "addressee": who,
            "addressee_label": called,
            "department": penalty.department is not None,
        },
        policy,
        tz,
    )


def penalty_notice(penalty: Penalty, now: datetime) -> dict[str, Any]:
    """What the 处罚决定通知书 says."""
    context, policy, tz = _common(penalty, now)
    hide = _masker(penalty)
    rules = policy.accountability
    rule, clause = _rule(penalty, policy)
    appeal_to = appeal_authority(policy)
    context.update(
        title=str(NOTICE_TITLE),
        number=f"{penalty.case.number}-CF{penalty.pk}",
        facts=hide(penalty.reason),
        note=hide(penalty.decision_note),
        penalty=localized(penalty.label_zh, penalty.label_en),
        kind=penalty.kind,
        amount=f"{penalty.amount:.2f}" if penalty.amount is not None else "",
        rule=rule,
        clause=clause,
        appeal_to=_role_title(policy, appeal_to),
        appeal_days=rules.appeal_window_days,
        stands=rules.decision_stands_during_appeal,
        decided=document_date(penalty.decided_at, tz),
        issued=document_date(penalty.notice_issued_at or penalty.decided_at, tz),
        revoked=penalty.status == Penalty.Status.REVOKED,
        delivered=_delivery(penalty.notice_delivered_at, penalty.notice_delivered_how, tz),
    )
    return context


def appeal_decision(penalty: Penalty, appeal: Appeal, now: datetime) -> dict[str, Any]:
    """What the 申诉处理决定书 says."""
    context, policy, tz = _common(penalty, now)
    hide = _masker(penalty)
    context.update(
        title=str(APPEAL_DECISION_TITLE),
        number=f"{penalty.case.number}-SS{appeal.pk}",
        penalty=localized(penalty.label_zh, penalty.label_en),
        amount=f"{penalty.amount:.2f}" if penalty.amount is not None else "",
        decided=document_date(penalty.decided_at, tz),
        filed=document_date(appeal.filed_at, tz),
        reason=appeal.reason,
        upheld=appeal.status == Appeal.Status.UPHELD,
        note=hide(appeal.note),
        authority=_role_title(policy, appeal.to_role),
        appeal_decided=document_date(appeal.decided_at, tz),
        delivered=_delivery(appeal.delivered_at, appeal.delivered_how, tz),
    )
    return context


def language(penalty: Penalty) -> str:
    """The penalised person's language, else the organisation's (a department: the
    organisation's)."""
    return document_language(penalty.case, penalty.staff)


def render(template: str, context: dict[str, Any]) -> bytes:
    html = render_to_string(f"accountability/pdf/{template}.html", context)
    return render_pdf(html)


def notice_pdf(actor: Actor, policy: Policy, penalty_id: int, now: datetime) -> tuple[bytes, str]:
    """The notice as PDF, in the penalised person's language whatever the viewer's."""
    penalty = printable(actor, policy, penalty_id)
    with translation.override(language(penalty)):
        pdf = render("penalty_notice", penalty_notice(penalty, now))
    return pdf, str(penalty.case.number)


def appeal_decision_pdf(
    actor: Actor, policy: Policy, penalty_id: int, now: datetime
) -> tuple[bytes, str]:
    penalty = printable(actor, policy, penalty_id)
    appeal = decided_appeal(penalty)
    if appeal is None:
        raise not_found()
    with translation.override(language(penalty)):
        pdf = render("appeal_decision", appeal_decision(penalty, appeal, now))
    return pdf, str(penalty.case.number)

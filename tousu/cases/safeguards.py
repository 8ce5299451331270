"""Recusal (回避) and opening a reporter's identity: need-to-know, enforced as actions.

A recused person, or the staff member a case is about, loses access at once
(:func:`tousu.cases.access.excluded`). A reporter's identity opens to one person only
with a reason and a custodian's approval; both are events the auditor can list.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils.translation import gettext_lazy

from tousu.cases import deadlines, inputs
from tousu.cases.access import Actor, identity_visible
from tousu.cases.errors import TousuError, action_forbidden, invalid
from tousu.cases.intake import staff_member, successor
from tousu.cases.models import Case, CaseRecord, IdentityReveal, Recusal
from tousu.cases.redaction import identity_masker, identity_maskers
from tousu.cases.steps import Step, step
from tousu.policy.models import policy_for


def _activate(s: Step, user_id: int) -> None:
    Recusal.objects.create(
        case=s.case, user_id=user_id, origin=s.data["origin"], state=Recusal.State.ACTIVE,
        created_at=s.now, decided_at=s.now,
    )  # fmt: skip
    if s.case.handler_id == user_id:
        s.case.handler_id = None
        s.data["handler_removed"] = True
    if s.case.first_contact_owner_id == user_id:
        s.case.first_contact_owner_id = successor(s.case, user_id)
        s.data["first_contact_passed_to"] = s.case.first_contact_owner_id
        s.notify(s.case.first_contact_owner_id, "case_moved")


def recuse(
    case_id: int, *, actor: Actor, data: inputs.RecuseIn, now: datetime | None = None
) -> Case:
    """Declare one's own conflict, or (as the policy's approver) order someone to step aside."""
    with step("recuse", case_id, actor, now) as s:
        if data.user and data.user != actor.username:
            if not actor.roles & set(s.policy.recusal.approver_roles):
                raise action_forbidden("recuse")
            user_id = staff_member(s.case.org_id, data.user, "user")
            s.data["origin"] = "ordered"
        else:
            user_id = actor.user_id
            s.data["origin"] = "declared"
        if Recusal.objects.filter(
            case=s.case, user_id=user_id, state=Recusal.State.ACTIVE
        ).exists():
            raise TousuError("already_recused", gettext_lazy("已回避"), status=409)
        s.data.update(user=user_id, _record=s.record("recusal_reason", data.reason))
        _activate(s, user_id)
    return s.case


def request_recusal(
    case_id: int, *, actor: Actor, data: inputs.RequestRecusalIn, now: datetime | None = None
) -> Case:
    """A party asks that a staff member step aside; where the policy says so, the clock
    stops until the request is decided."""
    with step("request_recusal", case_id, actor, now) as s:
        user_id = staff_member(s.case.org_id, data.user, "user")
        if Recusal.objects.filter(
            case=s.case, user_id=user_id,
            state__in=[Recusal.State.PENDING, Recusal.State.ACTIVE],
        ).exists():  # fmt: skip
            raise TousuError(
                "already_requested",
                gettext_lazy("已有回避申请或已回避"),
                status=409,
            )
        Recusal.objects.create(
            case=s.case, user_id=user_id, origin="party_request", state=Recusal.State.PENDING,
            created_at=s.now,
        )  # fmt: skip
        s.data.update(user=user_id, _record=s.record("recusal_request", data.reason))
        if s.policy.recusal.request_pauses_clock:
            deadlines.pause(s.case, s.now)
            s.data["clock_paused"] = True
    return s.case


def decide_recusal(
    case_id: int, *, actor: Actor, data: inputs.DecideRecusalIn, now: datetime | None = None
) -> Case:
    with step("decide_recusal", case_id, actor, now) as s:
        user_id = staff_member(s.case.org_id, data.user, "user")
        pending = Recusal.objects.filter(case=s.case, user_id=user_id, state=Recusal.State.PENDING)
        if not pending.exists():
            raise invalid("user", gettext_lazy("没有待决定的回避申请"))
        if user_id == actor.user_id:
            raise TousuError(
                "self_decision",
                gettext_lazy("不能决定针对本人的回避申请"),
                status=403,
            )
        pending.update(
            state=Recusal.State.ACTIVE if data.approved else Recusal.State.REFUSED,
            decided_at=s.now,
        )
        s.data.update(user=user_id, approved=data.approved, origin="party_request")
        if data.note:
            s.data["_record"] = s.record("recusal_decision", data.note)
        if data.approved:
            s.case.handler_id = None if s.case.handler_id == user_id else s.case.handler_id
            if s.case.first_contact_owner_id == user_id:
                s.case.first_contact_owner_id = successor(s.case, user_id)
                s.data["first_contact_passed_to"] = s.case.first_contact_owner_id
        still_pending = Recusal.objects.filter(case=s.case, state=Recusal.State.PENDING).exists()
        if s.policy.recusal.request_pauses_clock and not still_pending:
            s.data["moved"] = deadlines.resume(s.case, s.policy, s.now)
    return s.case


def request_reveal(
    case_id: int, *, actor: Actor, data: inputs.RequestRevealIn, now: datetime | None = None
) -> Case:
    """Ask, with a reason, to see who brought the case.

    A report (举报): the request waits for a custodian's approval. Any other kind
    (break-glass): one who may handle the case opens the masked contact details at once by
    giving the reason; the opening is an event the auditors list with its reason.
    """
    with step("request_reveal", case_id, actor, now) as s:
        if IdentityReveal.objects.filter(
            case=s.case, requested_by_id=actor.user_id,
            state__in=[IdentityReveal.State.PENDING, IdentityReveal.State.APPROVED],
        ).exists():  # fmt: skip
            raise TousuError("already_requested", gettext_lazy("已提出申请"), status=409)
        if s.case.kind != "report" and identity_visible(actor, s.case):
            raise TousuError(
                "identity_visible", gettext_lazy("您已可查看投诉人身份，无需申请"), status=409,
            )  # fmt: skip
        break_glass = s.case.kind != "report"
        IdentityReveal.objects.create(
            case=s.case, requested_by_id=actor.user_id,
            state=IdentityReveal.State.APPROVED if break_glass else IdentityReveal.State.PENDING,
            decided_by_id=actor.user_id if break_glass else None,
            decided_at=s.now if break_glass else None,
            created_at=s.now,
        )  # fmt: skip
        s.data.update(_record=s.record("reveal_reason", data.reason))
        if break_glass:
            s.data["break_glass"] = True
    return s.case


def approve_reveal(
    case_id: int, *, actor: Actor, data: inputs.ApproveRevealIn, now: datetime | None = None
) -> Case:
    """The custodian decides. Never the asker, never the case's own handler."""
    with step("approve_reveal", case_id, actor, now) as s:
        asker = staff_member(s.case.org_id, data.requested_by, "requested_by")
        if actor.user_id in (asker, s.case.handler_id):
            raise TousuError(
                "custodian_conflict", gettext_lazy("申请人或本案承办人不能审批"), status=403,
            )  # fmt: skip
        pending = IdentityReveal.objects.filter(
            case=s.case, requested_by_id=asker, state=IdentityReveal.State.PENDING
        )
        if not pending.exists():
            raise invalid("requested_by", gettext_lazy("没有待审批的申请"))
        pending.update(
            state=IdentityReveal.State.APPROVED if data.approved else IdentityReveal.State.REFUSED,
            decided_by_id=actor.user_id,
            decided_at=s.now,
        )
        s.data.update(requested_by=asker, approved=data.approved)
        if data.note:
            s.data["_record"] = s.record("reveal_decision", data.note)
        s.notify(asker, "identity_decided")
    return s.case


def hold(case_id: int, *, actor: Actor, data: inputs.HoldIn, now: datetime | None = None) -> Case:
    """诉讼保全: keep the case's personal data past its retention (litigation, inquiry)."""
    with step("hold", case_id, actor, now) as s:
        if s.case.legal_hold:
            raise TousuError("already_held", gettext_lazy("已处于保全状态"), status=409)
        s.case.legal_hold = True
        s.data["_record"] = s.record("hold_reason", data.reason)
    return s.case


def release_hold(
    case_id: int, *, actor: Actor, data: inputs.HoldIn, now: datetime | None = None
) -> Case:
    with step("release_hold", case_id, actor, now) as s:
        if not s.case.legal_hold:
            raise TousuError("not_held", gettext_lazy("未处于保全状态"), status=409)
        s.case.legal_hold = False
        s.data["_record"] = s.record("release_reason", data.reason)
    return s.case


def redact(
    case_id: int, *, actor: Actor, data: inputs.RedactIn, now: datetime | None = None
) -> Case:
    """标注遮蔽: phrases hidden wherever a restricted view shows the case's text. The
    phrases themselves are sealed with the case's other personal data."""
    with step("redact", case_id, actor, now) as s:
        s.data.update(
            _record=s.record("redaction", "", {"phrases": data.phrases}), count=len(data.phrases)
        )
    return s.case


def subject_view(case: Case) -> dict[str, object]:
    """What the staff member a case is about may see once a decision about them exists:
    the allegation (redacted, without the reporter), the decision, and how to appeal."""
    return subject_views([case])[case.pk]


def subject_views(cases: Iterable[Case]) -> dict[int, dict[str, object]]:
    """:func:`subject_view` of many cases in a fixed number of queries: case id → view."""
    by_id = {c.pk: c for c in cases}
    ids = list(by_id)
    latest: dict[int, CaseRecord] = {}
    for record in CaseRecord.objects.filter(
        case_id__in=ids, kind__in=["findings", "on_the_spot_findings"]
    ).order_by("-created_at", "-pk"):
        record.case = by_id[record.case_id]  # its sealed body opens with the case's key
        latest.setdefault(record.case_id, record)
    # Whoever wrote the findings, the subject never reads the reporter's own particulars.
    hiders = identity_maskers(ids)
    views: dict[int, dict[str, object]] = {}
    for case in by_id.values():
        policy = policy_for(case.policy_version_id)[1]
        findings = latest.get(case.pk)
        rules = policy.accountability
        hide = hiders[case.pk]
        views[case.pk] = {
            "number": case.number,
            "category": case.category,
            "received_at": case.received_at.isoformat(),
            "allegation": hide(case.content),
            "decision": {
                "validity": case.validity,
                "responsibility": case.responsibility,
                "findings": hide(findings.body) if findings else "",
            },
            "appeal": {
                "to_role": rules.appeal_to or "",
                "to_title": policy.title_for(rules.appeal_to) if rules.appeal_to else "",
                "window_days": rules.appeal_window_days,
                "decision_stands_during_appeal": rules.decision_stands_during_appeal,
            },
        }  # fmt: skip
    return views


def openings(case: Case, viewer: Actor) -> list[dict[str, object]]:
    """Each time a masked identity was opened to someone: by a custodian's approval (a
    report) or by the person themself with a reason (break-glass, a complaint), with the
    reason as written (masked for a viewer who may not see the identity)."""
    mask = (lambda text: text) if identity_visible(viewer, case) else identity_masker(case)
    reasons = {
        (r.created_by_id, r.created_at): r.body
        for r in CaseRecord.objects.filter(case=case, kind="reveal_reason")
    }
    result: list[dict[str, object]] = []
    for reveal in (
        IdentityReveal.objects.filter(case=case, state=IdentityReveal.State.APPROVED)
        .select_related("requested_by", "decided_by")
        .order_by("decided_at", "pk")
    ):
        self_opened = reveal.decided_by_id == reveal.requested_by_id
        result.append(
            {
                "user": reveal.requested_by.get_username(),
                "at": reveal.decided_at,
                "surface": "break_glass" if self_opened else "custodian_approval",
                "approved_by": reveal.decided_by.get_username() if reveal.decided_by else None,
                "reason": mask(reasons.get((reveal.requested_by_id, reveal.created_at), "")),
            }
        )
    return result

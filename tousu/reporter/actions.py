"""The reporter's channel: messages both ways, receipts, rating, disagreement, the oral record.

Staff actions (:data:`STAFF_FUNCTIONS`, registered into
:data:`tousu.cases.registry.ACTION_FUNCTIONS`) write to the reporter and issue or bind
receipts. Reporter actions (:data:`REPORTER_FUNCTIONS`) are taken on the public portal
by :func:`tousu.cases.access.reporter_actor`, bound to the case their receipt opened;
they are never in ``ACTION_FUNCTIONS`` (that table is for staff and the API).

Every one runs in :func:`tousu.cases.steps.step`. Events say *that* a message was sent
or a receipt issued, never the words or the digits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from tousu.cases import lifecycle, registry, values
from tousu.cases.access import Actor
from tousu.cases.answers import start_reverification, start_review
from tousu.cases.errors import TousuError, invalid
from tousu.cases.lifecycle import ACTIVE, DECIDERS, HANDLERS, R, S, transition
from tousu.cases.models import Case, Event, Status
from tousu.cases.steps import Step, step
from tousu.orgs.models import Membership
from tousu.orgs.roles import Role
from tousu.reporter import inputs, receipts
from tousu.reporter.models import Message

# Channels where staff write down what the person said: the person may confirm or correct it.
ORAL_CHANNELS = frozenset({"phone", "visit"})
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def pseudonym(case: Case) -> str:
    """How staff name the reporter of a case when they may not see who it is:
    举报人 / 投诉人 with a short code, stable for the case and different across cases."""
    seed = f"tousu-pseudonym:{case.org_id}:{case.pk}:{case.registered_at.isoformat()}"
    digest = hashlib.sha256(seed.encode()).digest()
    code = "".join(_CODE_ALPHABET[b % len(_CODE_ALPHABET)] for b in digest[:4])
    if case.kind == "report":
        return gettext("举报人 {code}").format(code=code)
    return gettext("投诉人 {code}").format(code=code)


def _event_of(case: Case) -> Event:
    """The event the step just wrote (the case row is still locked by the transaction)."""
    return Event.objects.get(case_id=case.pk, seq=case.last_seq)


def _message(case: Case, direction: str, body: str, author_id: int | None, at: datetime) -> None:
    Message.objects.create(
        case=case, direction=direction, body=body, author_id=author_id, created_at=at,
        event=_event_of(case),
    )  # fmt: skip


def _tell_staff(s: Step, kind: str) -> None:
    """A notice to whoever handles the case: the handler, else the first contact (when a
    person), else the organisation's dispatchers."""
    if s.case.handler_id is not None:
        s.notify(s.case.handler_id, kind)
        return
    owner = s.case.first_contact_owner_id
    if (
        owner is not None
        and Membership.objects.filter(org_id=s.case.org_id, user_id=owner, active=True).exists()
    ):
        s.notify(owner, kind)
        return
    dispatchers = Membership.objects.filter(
        org_id=s.case.org_id, role=Role.DISPATCHER, active=True
    ).values_list("user_id", flat=True)
    for user_id in sorted(set(dispatchers)):
        s.notify(user_id, kind)


# --------------------------------------------------------------------------- staff


def message_reporter(
    case_id: int, *, actor: Actor, data: inputs.MessageReporterIn, now: datetime | None = None
) -> Case:
    """给投诉举报人留言: a question or a word to the reporter, read on the portal."""
    with transaction.atomic():
        with step("message_reporter", case_id, actor, now) as s:
            s.data["direction"] = "out"
        _message(s.case, "out", data.body, actor.user_id, s.now)
    return s.case


def issue_receipt(
    case_id: int, *, actor: Actor, data: inputs.IssueReceiptIn, now: datetime | None = None
) -> Case:
    """发放查询回执: a receipt for a case registered by phone, letter or visit.

    The digits are set on the returned case as ``issued_receipt`` for the page that shows
    them once; neither the event nor any row holds them.
    """
    with transaction.atomic(), step("issue_receipt", case_id, actor, now) as s:
        s.data["channel"] = data.channel
        digits = receipts.issue(s.case, channel=data.channel, by_user_id=actor.user_id)
    s.case.issued_receipt = digits  # type: ignore[attr-defined]
    return s.case


def bind_receipt(
    case_id: int, *, actor: Actor, data: inputs.BindReceiptIn, now: datetime | None = None
) -> Case:
    """登记举报箱回执: the receipt pre-printed on the report-box form this case came from."""
    with step("bind_receipt", case_id, actor, now) as s:
        if not receipts.bind(s.case, data.receipt):
            raise invalid(
                "receipt", gettext_lazy("回执号无效、已使用或不属于本单位"),
            )  # fmt: skip
        s.data["channel"] = "box"
    return s.case


STAFF_FUNCTIONS: dict[str, tuple[Callable[..., Case], type[values.In]]] = {
    "message_reporter": (message_reporter, inputs.MessageReporterIn),
    "issue_receipt": (issue_receipt, inputs.IssueReceiptIn),
    "bind_receipt": (bind_receipt, inputs.BindReceiptIn),
}


# --------------------------------------------------------------------------- the reporter


def reporter_message(
    case_id: int, *, actor: Actor, data: inputs.ReporterMessageIn, now: datetime | None = None
) -> Case:
    """The reporter writes to the staff handling the case (who get a notice)."""
    with transaction.atomic():
        with step("reporter_message", case_id, actor, now) as s:
            s.data["direction"] = "in"
            _tell_staff(s, "reporter_wrote")
        _message(s.case, "in", data.body, None, s.now)
    return s.case


def rate(case_id: int, *, actor: Actor, data: inputs.RateIn, now: datetime | None = None) -> Case:
    """The reporter's satisfaction with the reply (after it, never before)."""
    with step("rate", case_id, actor, now) as s:
        s.case.satisfaction = data.satisfaction
        s.data["satisfaction"] = data.satisfaction
        if data.comment:
            s.data["_record"] = s.record("reporter_rating", data.comment)
        if data.satisfaction == "dissatisfied":
            _tell_staff(s, "reporter_rated")
    return s.case


def _days_since_reply(s: Step) -> int | None:
    answered = (
        s.case.events.filter(type__in=["replied", "resolved_on_the_spot"])
        .order_by("-seq")
        .values_list("at", flat=True)
        .first()
    )
    if answered is None:
        return None
    tz = ZoneInfo(s.case.org.time_zone)
    return (s.now.astimezone(tz).date() - answered.astimezone(tz).date()).days


def disagree(
    case_id: int, *, actor: Actor, data: inputs.DisagreeIn, now: datetime | None = None
) -> Case:
    """ "I disagree": the reporter asks for the case to be looked at again.

    Within ``follow_up.disagreement_window_days`` of the reply (0: no limit). What follows
    is the policy's: where it has a review procedure (复查/复核, petitions), a review is
    requested (its own window and levels apply); where dissatisfaction means
    re-verification, the case is reopened; otherwise the disagreement is recorded for
    the staff to act on.
    """
    with step("disagree", case_id, actor, now) as s:
        window = s.policy.follow_up.disagreement_window_days
        days = _days_since_reply(s)
        if window and days is not None and days > window:
            raise TousuError(
                "disagreement_window_passed",
                gettext_lazy("答复后{window}日内可提出异议，现已超过期限"),
                status=409,
                params={"window": window},
            )
        if s.policy.reviews.levels > 0:
            start_review(s, data.reason, s.now)
            s.case.status = Status.IN_PROGRESS
            s.data["outcome"] = "review_requested"
            _tell_staff(s, "reporter_disagreed")
        elif s.policy.follow_up.dissatisfied == "reverify":
            start_reverification(s, data.reason)
            s.data["outcome"] = "reopened"
            if s.case.handler_id is None:
                _tell_staff(s, "reporter_disagreed")
        else:
            s.case.satisfaction = "dissatisfied"
            s.data.update(_record=s.record("disagreement", data.reason), outcome="recorded")
            _tell_staff(s, "reporter_disagreed")
    return s.case


def _oral(s: Step) -> None:
    if s.case.channel not in ORAL_CHANNELS:
        raise TousuError(
            "not_an_oral_record", gettext_lazy("只有电话或来访登记的案件有供确认的记录"), status=409,
        )  # fmt: skip


def confirm_record(
    case_id: int, *, actor: Actor, data: inputs.ConfirmRecordIn, now: datetime | None = None
) -> Case:
    """The reporter confirms the written record of what they said (EU Directive art. 18)."""
    with step("confirm_record", case_id, actor, now) as s:
        _oral(s)
        s.data["content_sha256"] = hashlib.sha256(s.case.content.encode()).hexdigest()
    return s.case


def correct_record(
    case_id: int, *, actor: Actor, data: inputs.CorrectRecordIn, now: datetime | None = None
) -> Case:
    """The reporter corrects the record: the correction is a record of its own, beside the
    original (which stays as written)."""
    with step("correct_record", case_id, actor, now) as s:
        _oral(s)
        s.data.update(
            _record=s.record("reporter_correction", data.correction),
            content_sha256=hashlib.sha256(s.case.content.encode()).hexdigest(),
        )
        _tell_staff(s, "record_corrected")
    return s.case


REPORTER_FUNCTIONS: dict[str, tuple[Callable[..., Case], type[values.In]]] = {
    "reporter_message": (reporter_message, inputs.ReporterMessageIn),
    "rate": (rate, inputs.RateIn),
    "disagree": (disagree, inputs.DisagreeIn),
    "confirm_record": (confirm_record, inputs.ConfirmRecordIn),
    "correct_record": (correct_record, inputs.CorrectRecordIn),
}


def take(action: str, case_id: int, actor: Actor, data: values.In) -> Case:
    fn, _schema = REPORTER_FUNCTIONS[action]
    return fn(case_id, actor=actor, data=data, now=timezone.now())


def register() -> None:
    """The channel's rows of the core's transition table and its staff actions."""
    lifecycle.add(
        # The reporter on the portal (tousu.portal), and the staff side of that channel.
        transition(
            "message_reporter",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            {R.INTAKE_CLERK} | DECIDERS | HANDLERS,
            gettext_lazy("给投诉举报人留言"),
            event="reporter_messaged",
            tells_reporter=True,
        ),
        # A receipt for a case registered by phone, letter or visit (read out or printed).
        transition(
            "issue_receipt",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED, S.REJECTED, S.REFERRED},
            None,
            {R.INTAKE_CLERK} | DECIDERS | HANDLERS,
            gettext_lazy("发放查询回执"),
            event="receipt_issued",
        ),
        # The pre-printed receipt of a report-box form, bound to the case registered from it.
        transition(
            "bind_receipt",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED, S.REJECTED, S.REFERRED},
            None,
            {R.INTAKE_CLERK} | DECIDERS,
            gettext_lazy("登记举报箱回执"),
            event="receipt_bound",
        ),
        transition(
            "reporter_message",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            set(),
            gettext_lazy("投诉举报人留言"),
            reporter=True,
            event="reporter_wrote",
        ),
        transition(
            "reporter_evidence",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            set(),
            gettext_lazy("投诉举报人补充证据"),
            reporter=True,
            event="reporter_evidence_added",
        ),
        transition(
            "rate",
            {S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            None,
            set(),
            gettext_lazy("投诉举报人评价"),
            reporter=True,
            event="reporter_rated",
        ),
        # "I disagree": re-verification (reopen) or a review (复查), as the policy says.
        transition(
            "disagree",
            {S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            None,
            set(),
            gettext_lazy("投诉举报人提出异议"),
            reporter=True,
            event="reporter_disagreed",
        ),
        # An oral report's written record: confirmed or corrected by the person (never
        # overwritten: the correction is a record of its own).
        transition(
            "confirm_record",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            set(),
            gettext_lazy("投诉举报人确认记录"),
            reporter=True,
            event="record_confirmed",
        ),
        transition(
            "correct_record",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            set(),
            gettext_lazy("投诉举报人更正记录"),
            reporter=True,
            event="record_corrected",
        ),
    )
    registry.actions(STAFF_FUNCTIONS)

"""The answer and after it: resolution, the reply (答复), review (复查), follow-up
(回访), closing, reopening for re-verification, withdrawal."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy

from tousu.cases import deadlines, inputs, values
from tousu.cases.access import Actor
from tousu.cases.errors import TousuError, invalid
from tousu.cases.models import (
    Case,
    Status,
)
from tousu.cases.steps import (
    Step,
    stage_list,
    step,
)
from tousu.i18n import either


def resolve(
    case_id: int, *, actor: Actor, data: inputs.ResolveIn, now: datetime | None = None
) -> Case:
    with step("resolve", case_id, actor, now) as s:
        rec = s.record(
            "findings", data.findings, {"measures": data.measures} if data.measures else {}
        )
        s.case.responsibility = data.responsibility
        s.case.validity = "" if data.valid is None else ("valid" if data.valid else "invalid")
        s.data.update(_record=rec, responsibility=data.responsibility, validity=s.case.validity)
        s.data["started"] = stage_list(deadlines.start_clocks(s.case, s.policy, "resolved", s.now))
    return s.case


def reply(case_id: int, *, actor: Actor, data: inputs.ReplyIn, now: datetime | None = None) -> Case:
    """答复: a case that came in writing gets a written reply."""
    with step("reply", case_id, actor, now) as s:
        rules = s.policy.reply
        written_in = rules.written_for_written and s.case.channel in s.policy.written_channels
        if (written_in or rules.written_always) and data.channel not in rules.written_forms:
            raise TousuError(
                "written_reply_required",
                gettext_lazy("本案须书面答复（可用：{forms}）"),
                status=422,
                params={
                    "forms": either("、".join(rules.written_forms), ", ".join(rules.written_forms))
                },
                details=[{"field": "channel", "allowed": list(rules.written_forms)}],
            )
        s.case.reply_channel = data.channel
        if data.delivered_at is not None:
            values.not_after_now(data.delivered_at, s.now, "delivered_at")
        delivered = (data.delivered_at or s.now).isoformat()
        s.data.update(
            _record=s.record("reply", data.body), channel=data.channel, delivered_at=delivered
        )
        s.data["started"] = stage_list(deadlines.start_clocks(s.case, s.policy, "replied", s.now))
        if s.case.review_level:
            stage = "review" if s.case.review_level == 1 else "second_review"
            s.data["deadlines_met"] = deadlines.meet(s.case, frozenset({stage}), s.now)
    return s.case


def request_review(
    case_id: int, *, actor: Actor, data: inputs.RequestReviewIn, now: datetime | None = None
) -> Case:
    """复查 / 复核: the petitioner asks the next level up to review the handling opinion.

    Within the policy's window after the last answer; after the last level, the same
    facts are not taken again.
    """
    with step("request_review", case_id, actor, now) as s:
        if data.requested_at is not None:
            values.not_after_now(data.requested_at, s.now, "requested_at")
        start_review(s, data.reason, data.requested_at or s.now)
    return s.case


def start_review(s: Step, reason: str, asked: datetime) -> None:
    """The body of ``request_review``: checks the policy's levels and window, then starts
    the review clock (also taken for the reporter's "I disagree" on the portal)."""
    rules = s.policy.reviews
    if rules.levels == 0:
        raise TousuError(
            "no_review_in_policy", gettext_lazy("本单位制度未设复查、复核程序"), status=409,
        )  # fmt: skip
    if s.case.review_level >= rules.levels:
        raise TousuError(
            "final_review_done", gettext_lazy("复核意见为最终意见，同一事实不再受理"), status=409,
        )  # fmt: skip
    answered = (
        s.case.events.filter(type="replied").order_by("-seq").values_list("at", flat=True).first()
    )
    tz = ZoneInfo(s.case.org.time_zone)
    if (
        answered is not None
        and (asked.astimezone(tz).date() - answered.astimezone(tz).date()).days
        > rules.request_window_days
    ):
        raise TousuError(
            "review_window_passed",
            gettext_lazy("已超过{request_window_days}日的申请期限"),
            status=409,
            params={"request_window_days": rules.request_window_days},
        )
    s.case.review_level += 1
    start = "review_requested" if s.case.review_level == 1 else "second_review_requested"
    s.data.update(
        _record=s.record("review_request", reason),
        level=s.case.review_level,
        started=stage_list(deadlines.start_clocks(s.case, s.policy, start, asked)),
    )


def follow_up(
    case_id: int, *, actor: Actor, data: inputs.FollowUpIn, now: datetime | None = None
) -> Case:
    """回访: a call that reached the complainant records their satisfaction; one that did
    not is recorded as such (another attempt may follow). A satisfaction with no one
    reached is refused, not dropped: it would be a judgement nobody gave."""
    with step("follow_up", case_id, actor, now) as s:
        if data.satisfaction and not data.reached:
            raise invalid(
                "satisfaction",
                gettext_lazy(
                    "未联系上投诉人，不能记录满意度：已联系上的，请勾选“已联系上投诉人”；"
                    "未联系上的，请将满意度留空"
                ),
            )
        if data.satisfaction:
            s.case.satisfaction = data.satisfaction
        if data.note:
            s.data["_record"] = s.record("follow_up_note", data.note)
        s.data.update(reached=data.reached, satisfaction=data.satisfaction, channel=data.channel)
    return s.case


def close(case_id: int, *, actor: Actor, data: inputs.CloseIn, now: datetime | None = None) -> Case:
    with step("close", case_id, actor, now) as s:
        if data.note:
            s.data["_record"] = s.record("closing_note", data.note)
    return s.case


def reopen(
    case_id: int, *, actor: Actor, data: inputs.ReopenIn, now: datetime | None = None
) -> Case:
    """重新核实: the complainant disagrees; the case is looked at again, linked to the earlier handling."""
    with step("reopen", case_id, actor, now) as s:
        start_reverification(s, data.reason)
    return s.case


def start_reverification(s: Step, reason: str) -> None:
    """The body of ``reopen`` (also taken for the reporter's "I disagree" on the portal)."""
    s.case.reopen_count += 1
    s.data.update(
        _record=s.record("reopen_reason", reason),
        round=s.case.reopen_count,
        earlier_handling_until_seq=s.case.last_seq,
        earlier_outcome={
            "validity": s.case.validity,
            "responsibility": s.case.responsibility,
            "satisfaction": s.case.satisfaction,
        },
    )
    # The earlier outcome stays in the timeline; the case awaits a new one.
    s.case.validity = s.case.responsibility = s.case.satisfaction = ""
    # Clocks of the earlier round still running (the follow-up target after the reply)
    # no longer stand: this event closes them, and the new round starts its own.
    stale = deadlines.close_round(s.case)
    if stale:
        s.data["deadlines_cancelled"] = stale
    s.case.status = Status.IN_PROGRESS if s.case.lead_department_id else Status.REGISTERED
    start = "accepted" if s.case.lead_department_id else "received"
    s.data["started"] = stage_list(
        deadlines.start_clocks(s.case, s.policy, start, s.now, since=s.now)
    )
    s.notify(s.case.handler_id, "case_reopened")


def withdraw(
    case_id: int, *, actor: Actor, data: inputs.WithdrawIn, now: datetime | None = None
) -> Case:
    with step("withdraw", case_id, actor, now) as s:
        s.data["_record"] = s.record("withdrawal_reason", data.reason)
    return s.case

"""Petitions: review (复查) and second review (复核), each asked within 30 days, each final step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tousu.cases import actions, inputs, intake
from tousu.cases.access import actor_for
from tousu.cases.errors import TousuError
from tousu.cases.models import Deadline
from tousu.orgs.services import create_user
from tousu.policy.services import create_org

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _handled_petition() -> tuple[int, dict[str, object]]:
    org = create_org("review-office", preset="petitions")
    lead = org.departments.order_by("pk").first()
    assert lead is not None
    people = {
        "clerk": create_user("rv-clerk", org=org, role="intake_clerk"),
        "dispatcher": create_user("rv-dispatcher", org=org, role="dispatcher"),
        "supervisor": create_user("rv-supervisor", org=org, role="supervisor"),
        "leader": create_user("rv-leader", org=org, role="leader"),
        "handler": create_user("rv-handler", org=org, role="handler", department=lead.code),
    }
    actors = {name: actor_for(user, org.slug) for name, user in people.items()}
    body = inputs.RegisterIn.model_validate(
        {
            "kind": "complaint", "channel": "letter", "category": "land_housing",
            "content": "反映拆迁补偿标准过低", "demands": "按新标准补偿",
            "complainant": {"name": "冯建华", "address": "解放路3号"},
            "subject": {"type": "department", "name": "区征收办"},
        }
    )  # fmt: skip
    case = intake.register(actors["clerk"], body, now=T0)
    decider = actors["dispatcher"]
    for persona in ("dispatcher", "supervisor", "leader"):
        try:
            actions.accept(case.pk, actor=actors[persona], data=inputs.AcceptIn(), now=T0)
            decider = actors[persona]
            break
        except TousuError:
            continue
    actions.assign(case.pk, actor=decider, data=inputs.AssignIn(lead_department=lead.code), now=T0)
    return case.pk, {"actors": actors, "decider": decider}


def _answer(case_id: int, handler: object, at: datetime) -> None:
    actions.resolve(
        case_id, actor=handler,  # type: ignore[arg-type]
        data=inputs.ResolveIn(findings="补偿标准符合规定", responsibility="unclear"), now=at,
    )  # fmt: skip
    actions.reply(
        case_id, actor=handler,  # type: ignore[arg-type]
        data=inputs.ReplyIn(channel="letter", body="处理意见书"), now=at,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_review_then_a_second_review_then_no_more() -> None:
    case_id, ctx = _handled_petition()
    actors = ctx["actors"]
    assert isinstance(actors, dict)
    clerk, handler = actors["clerk"], actors["handler"]
    _answer(case_id, handler, T0 + timedelta(days=20))
    # Within 30 days of the answer: the review clock (30 days) starts
    actions.request_review(
        case_id, actor=clerk, data=inputs.RequestReviewIn(reason="不服处理意见"),
        now=T0 + timedelta(days=40),
    )  # fmt: skip
    review = Deadline.objects.get(case_id=case_id, stage="review")
    assert review.rule["amount"] == 30 and review.rule["unit"] == "calendar_days"
    _answer(case_id, handler, T0 + timedelta(days=60))
    assert Deadline.objects.get(case_id=case_id, stage="review").state == "met"
    actions.request_review(
        case_id, actor=clerk, data=inputs.RequestReviewIn(reason="不服复查意见"),
        now=T0 + timedelta(days=70),
    )  # fmt: skip
    assert Deadline.objects.filter(case_id=case_id, stage="second_review", state="open").exists()
    _answer(case_id, handler, T0 + timedelta(days=80))
    with pytest.raises(TousuError) as final:
        actions.request_review(
            case_id, actor=clerk, data=inputs.RequestReviewIn(reason="再次申请"),
            now=T0 + timedelta(days=85),
        )  # fmt: skip
    assert final.value.code == "final_review_done"


@pytest.mark.django_db
def test_a_review_asked_after_the_window_is_refused() -> None:
    case_id, ctx = _handled_petition()
    actors = ctx["actors"]
    assert isinstance(actors, dict)
    _answer(case_id, actors["handler"], T0 + timedelta(days=20))
    with pytest.raises(TousuError) as late:
        actions.request_review(
            case_id, actor=actors["clerk"], data=inputs.RequestReviewIn(reason="不服"),
            now=T0 + timedelta(days=51),
        )  # fmt: skip
    assert late.value.code == "review_window_passed"


@pytest.mark.django_db
def test_under_order_121_a_merged_duplicate_restarts_the_cases_clocks() -> None:
    org = create_org("samr-merge", preset="samr-regulator")
    clerk = actor_for(create_user("sm-clerk", org=org, role="intake_clerk"), org.slug)
    dispatcher = actor_for(create_user("sm-dispatcher", org=org, role="dispatcher"), org.slug)
    body = inputs.RegisterIn.model_validate(
        {
            "kind": "report", "channel": "phone", "category": "counterfeit",
            "content": "举报某店销售假冒电饭煲", "complainant": {"name": "韩梅"},
            "subject": {"type": "merchant", "name": "优品电器专营店", "address": "文一西路1号"},
        }
    )  # fmt: skip
    first = intake.register(clerk, body, now=T0)
    again = intake.register(clerk, body, now=T0 + timedelta(days=5))
    before = Deadline.objects.get(case=first, stage="verification").due_at
    actions.merge(again.pk, actor=dispatcher, data=inputs.MergeIn(into=str(first.number)),
                  now=T0 + timedelta(days=5))  # fmt: skip
    after = Deadline.objects.get(case=first, stage="verification")
    assert after.due_at > before and after.started_at == T0 + timedelta(days=5)
    event = first.events.get(type="clocks_restarted")
    assert event.data["merged"] == again.number and event.data["by"] == dispatcher.user_id
    assert event.actor is not None and event.actor.username == "tousu-system"

"""Statutory clocks on real cases: holidays, make-up workdays, pauses, re-classification."""

from __future__ import annotations

from datetime import UTC, datetime

from tousu.cases import actions, inputs, intake
from tousu.cases.models import Case, Deadline
from tousu.conftest import World
from tousu.policy.loader import preset_source
from tousu.policy.services import activate_policy


def _register(world: World, received: str, **extra: object) -> Case:
    body = {
        "kind": "complaint", "channel": "phone", "category": "fees", "content": "重复收费",
        "complainant": {"name": "钱伟"}, "subject": {"type": "department", "name": "收费处"},
        "received_at": received, **extra,
    }  # fmt: skip
    now = max(datetime.fromisoformat(received), datetime(2026, 1, 1, tzinfo=UTC))
    return intake.register(world.actor("clerk"), inputs.RegisterIn.model_validate(body), now=now)


def _due_local(case: Case, stage: str) -> str:
    from zoneinfo import ZoneInfo

    d = Deadline.objects.get(case=case, stage=stage)
    return d.due_at.astimezone(ZoneInfo("Asia/Shanghai")).isoformat()


def test_the_evening_before_national_day_counts_past_the_holiday(world: World) -> None:
    # 30 Sep 2026 19:00; 1–7 Oct off; 8, 9 Oct, make-up Saturday 10 Oct, 12, 13 Oct
    case = _register(world, "2026-09-30T19:00:00+08:00")
    assert _due_local(case, "acceptance") == "2026-10-13T17:30:00+08:00"


def test_a_make_up_saturday_is_a_working_day_and_intake_on_it_counts_from_it(
    world: World,
) -> None:
    case = _register(world, "2026-10-10T10:00:00+08:00")
    # 12, 13, 14, 15, 16 Oct
    assert _due_local(case, "acceptance") == "2026-10-16T17:30:00+08:00"


def test_after_hours_intake_counts_from_the_next_working_day_where_the_policy_says_so(
    world: World,
) -> None:
    doc = preset_source("general").replace(
        'stage = "acceptance"\nstart = "received"',
        'stage = "acceptance"\nstart = "received"\nafter_hours = true',
        1,
    )
    activate_policy(world.org, doc)
    case = _register(world, "2026-09-30T19:00:00+08:00")
    # Day 0 is 8 Oct (the next working day); then 9, 10 (make-up), 12, 13, 14 Oct
    assert _due_local(case, "acceptance") == "2026-10-14T17:30:00+08:00"


def test_a_deadline_reaching_an_unpublished_year_is_provisional(world: World) -> None:
    case = _register(world, "2026-12-28T10:00:00+08:00")
    deadline = Deadline.objects.get(case=case, stage="acceptance")
    assert deadline.due_at.year == 2027
    assert deadline.provisional is True
    summer = _register(world, "2026-06-01T10:00:00+08:00")
    assert Deadline.objects.get(case=summer, stage="acceptance").provisional is False


def test_a_pause_of_k_working_days_moves_the_deadline_by_k(world: World) -> None:
    case = _register(world, "2026-06-01T09:00:00+08:00")
    dispatcher, handler = world.actor("dispatcher"), world.actor("handler")
    actions.accept(case.pk, actor=dispatcher, data=inputs.AcceptIn(),
                   now=datetime(2026, 6, 1, 3, tzinfo=UTC))  # fmt: skip
    actions.assign(case.pk, actor=dispatcher, data=inputs.AssignIn(lead_department="finance"),
                   now=datetime(2026, 6, 1, 4, tzinfo=UTC))  # fmt: skip
    before = _due_local(case, "reply")
    # Paused Tuesday 2 June, resumed Tuesday 9 June: 5 working days (3, 4, 5, 8, 9 June)
    actions.pause(case.pk, actor=handler, data=inputs.PauseIn(reason_code="testing"),
                  now=datetime(2026, 6, 2, 2, tzinfo=UTC))  # fmt: skip
    actions.resume(case.pk, actor=handler, data=inputs.ResumeIn(),
                   now=datetime(2026, 6, 9, 2, tzinfo=UTC))  # fmt: skip
    reply = Deadline.objects.get(case=case, stage="reply")
    assert reply.paused_days == 5
    # 15 working days from 1 June end 23 June (Dragon Boat, 19 June, is off); +5: 30 June
    assert before == "2026-06-23T17:30:00+08:00"
    assert _due_local(case, "reply") == "2026-06-30T17:30:00+08:00"


def test_reclassifying_recomputes_running_deadlines_as_an_event(world: World) -> None:
    doc = preset_source("general").replace(
        '[[deadlines]]\nstage = "acceptance"',
        '[[deadlines]]\nstage = "acceptance"\nstart = "received"\namount = 2\nunit = "working_days"\n'
        'categories = ["misconduct"]\ntext_zh = "违纪举报2个工作日内决定是否受理"\n\n'
        '[[deadlines]]\nstage = "acceptance"',
        1,
    )
    activate_policy(world.org, doc)
    case = _register(world, "2026-06-01T09:00:00+08:00")
    assert _due_local(case, "acceptance") == "2026-06-08T17:30:00+08:00"
    actions.classify(case.pk, actor=world.actor("dispatcher"),
                     data=inputs.ClassifyIn(category="misconduct"))  # fmt: skip
    assert _due_local(case, "acceptance") == "2026-06-03T17:30:00+08:00"
    event = case.events.get(type="classified")
    assert event.data["recomputed"] == [
        {"stage": "acceptance", "from": "2026-06-08T09:30:00+00:00",
         "to": "2026-06-03T17:30:00+08:00"},
    ]  # fmt: skip


def test_the_api_shows_the_rule_in_words_with_its_date_and_the_working_days_left(
    world: World,
) -> None:
    r = world.api("clerk").register(received_at="2026-09-30T19:00:00+08:00")
    deadline = r.json()["deadlines"][0]
    # The words from the rule's numbers, the clause's wording beside.
    assert deadline["rule_with_date"] == "自收到起 5 个工作日（2026-10-13 截止）"
    assert deadline["rule"] == "自收到起 5 个工作日"
    assert deadline["rule_en"] == "5 working day(s) from receipt"
    assert deadline["note"] == "收到后5个工作日内作出是否受理的决定"
    assert deadline["note_en"] == "Decide on acceptance within 5 working days of receipt"
    assert deadline["target"] is False and deadline["paused_days"] == 0
    assert isinstance(deadline["remaining_working_days"], int)


def test_loading_the_years_schedule_recomputes_provisional_deadlines_as_events(
    world: World,
) -> None:
    from io import StringIO
    from pathlib import Path

    from django.core.management import call_command

    import tousu.clock

    case = _register(world, "2026-12-28T10:00:00+08:00")
    assert Deadline.objects.get(case=case, stage="acceptance").provisional is True
    example = Path(tousu.clock.__file__).parent / "data" / "cn-2027-example.toml"
    out = StringIO()
    call_command("calendar", "load", str(example), "--org", world.org.slug, stdout=out)
    assert "2027" in out.getvalue()
    deadline = Deadline.objects.get(case=case, stage="acceptance")
    assert deadline.provisional is False
    event = case.events.get(type="deadlines_recomputed")
    assert event.data["recomputed"][0]["stage"] == "acceptance"
    assert event.actor is not None and event.actor.username == "tousu-system"


def test_recomputing_never_restarts_a_stage_already_met(world: World) -> None:
    case = _register(world, "2026-06-01T09:00:00+08:00")
    dispatcher = world.actor("dispatcher")
    actions.accept(case.pk, actor=dispatcher, data=inputs.AcceptIn())
    actions.assign(
        case.pk,
        actor=dispatcher,
        data=inputs.AssignIn(lead_department="finance", co_departments=["service"]),
    )
    case.refresh_from_db()
    assert case.involved_departments == 2
    states = list(
        Deadline.objects.filter(case=case, stage="acceptance").values_list("state", flat=True)
    )
    assert states == ["met"]

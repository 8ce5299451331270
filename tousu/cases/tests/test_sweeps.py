"""The worker's sweeps: overdue deadlines escalated and due-soon ones reminded, once each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tousu.cases.models import Case, Deadline, Event, Notification
from tousu.cases.sweeps import mark_overdue, sweep
from tousu.conftest import World
from tousu.notify.models import Delivery, StaffContact

# A Tuesday morning in an ordinary week.
NOW = datetime(2026, 6, 9, 2, 0, tzinfo=UTC)


def _register(world: World, received: datetime) -> Case:
    r = world.api("clerk").register(received_at=received.isoformat())
    assert r.status_code == 201, r.content
    return Case.objects.get(org=world.org, number=r.json()["number"])


def test_an_overdue_acceptance_is_escalated_once_to_those_the_policy_names(world: World) -> None:
    case = _register(world, NOW - timedelta(days=20))
    # Registered "now" by the API, so take the sweep's now later than the due time.
    later = datetime.now(UTC) + timedelta(days=30)
    first = sweep(later)
    assert first.overdue == 1
    again = sweep(later + timedelta(minutes=1))
    assert again.overdue == 0
    events = Event.objects.filter(case=case, type="deadline_overdue")
    assert events.count() == 1
    assert events.get().data["stage"] == "acceptance"
    told = set(Notification.objects.filter(case=case, kind="deadline_overdue").values_list(
        "user__username", flat=True))  # fmt: skip
    # general policy: overdue goes to the lead department's head and the supervisor; the
    # first-contact owner is told too. (No lead department yet: no head.)
    assert told == {"supervisor", "clerk"}
    deadline = Deadline.objects.get(case=case, stage="acceptance")
    assert deadline.overdue_at is not None and deadline.state == "open"


def test_a_deadline_due_soon_is_reminded_once_and_a_target_is_never_escalated(
    world: World,
) -> None:
    case = _register(world, datetime.now(UTC))
    due = Deadline.objects.get(case=case, stage="acceptance").due_at
    result = sweep(due - timedelta(hours=3))
    assert result.reminded == 1 and result.overdue == 0
    assert sweep(due - timedelta(hours=2)).reminded == 0
    assert Event.objects.filter(case=case, type="reminded").count() == 1
    # The decision is due with the dispatchers while nobody handles the case yet
    assert Notification.objects.filter(case=case, kind="deadline_due_soon").exists()
    # A best-effort target (the follow-up visit) is reminded but never marked overdue
    Deadline.objects.filter(case=case).update(hard=False)
    assert sweep(due + timedelta(days=30)).overdue == 0


def test_a_closed_case_is_left_alone(world: World) -> None:
    case = _register(world, datetime.now(UTC))
    world.api("dispatcher").act(
        str(case.number), "reject", {"reason_code": "other", "complainant_told": True}
    )
    assert sweep(datetime.now(UTC) + timedelta(days=60)).overdue == 0
    assert not Event.objects.filter(case=case, type="deadline_overdue").exists()


def test_a_deadline_already_claimed_is_not_escalated_again(world: World) -> None:
    from tousu.cases.sweeps import AlreadyDone

    case = _register(world, datetime.now(UTC))
    deadline = Deadline.objects.get(case=case, stage="acceptance")
    later = deadline.due_at + timedelta(hours=1)
    mark_overdue(case.pk, deadline_id=deadline.pk, now=later)
    with pytest.raises(AlreadyDone):
        mark_overdue(case.pk, deadline_id=deadline.pk, now=later)
    assert Event.objects.filter(case=case, type="deadline_overdue").count() == 1


def test_staff_cannot_take_the_workers_actions(world: World) -> None:
    case = _register(world, datetime.now(UTC))
    r = world.api("supervisor").act(str(case.number), "mark_overdue", {})
    assert r.status_code == 404  # not an API action at all


def test_notices_go_out_by_email_and_sms_without_personal_data(
    world: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    supervisor = world.users["supervisor"]
    supervisor.email = "supervisor@example.org"
    supervisor.save()
    StaffContact.objects.create(user=supervisor, phone="13800001234", sms_notifications=True)
    case = _register(world, datetime.now(UTC))
    deadline = Deadline.objects.get(case=case, stage="acceptance")
    with django_capture_on_commit_callbacks(execute=True):
        mark_overdue(case.pk, deadline_id=deadline.pk, now=deadline.due_at + timedelta(hours=1))
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert case.number in mail.subject and mail.to == ["supervisor@example.org"]
    assert "王建国" not in mail.body and "13912345678" not in mail.body
    channels = set(Delivery.objects.filter(status="sent").values_list("channel", flat=True))
    assert channels == {"email", "sms"}

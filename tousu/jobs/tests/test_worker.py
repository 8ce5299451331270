"""Reminders and escalations through a real worker on a real Redis, exactly once each."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import close_old_connections

from tousu.cases import inputs, intake, outbox
from tousu.cases.access import actor_for
from tousu.cases.models import Deadline, Event, OutboxEffect
from tousu.conftest import needs_redis
from tousu.jobs.queue import make_huey, register_tasks
from tousu.orgs.services import create_user
from tousu.policy.services import create_org


@pytest.mark.django_db(transaction=True)
def test_two_workers_and_repeated_sweeps_act_exactly_once_per_deadline() -> None:
    url = needs_redis()
    org = create_org("worker-org", "任务单位")
    clerk = create_user("worker-clerk", org=org, role="intake_clerk")
    actor = actor_for(clerk, "worker-org")
    payload = inputs.RegisterIn(
        kind="complaint", channel="phone", category="fees", content="重复收费",
        complainant=inputs.ComplainantIn(name="周敏"),
        subject=inputs.SubjectIn(type="department", name="收费处"),
    )  # fmt: skip
    cases = [intake.register(actor, payload) for _ in range(6)]
    # Half fall due within the day (reminders), half are long overdue (escalations).
    due = Deadline.objects.filter(case__in=cases, stage="acceptance").order_by("case_id")
    now = datetime.now(UTC)
    for i, deadline in enumerate(due):
        deadline.due_at = now + timedelta(hours=2) if i % 2 else now - timedelta(days=3)
        deadline.save(update_fields=["due_at"])

    queue = make_huey(f"tousu-test-{uuid.uuid4().hex[:8]}", redis_url=url)
    tasks = register_tasks(queue)
    queue.flush()
    consumers = [queue.create_consumer(workers=2, worker_type="thread", periodic=False)
                 for _ in range(2)]  # fmt: skip
    threads = [threading.Thread(target=c.run, daemon=True) for c in consumers]
    for consumer in consumers:
        consumer._set_signal_handlers = lambda: None
    for thread in threads:
        thread.start()
    try:
        results = [tasks["sweep"](now.isoformat()) for _ in range(4)]
        outcomes = [r.get(blocking=True, timeout=60) for r in results]
    finally:
        for consumer in consumers:
            consumer.stop(graceful=True)
        for thread in threads:
            thread.join(timeout=10)
        queue.flush()
        close_old_connections()
    assert sum(o["overdue"] for o in outcomes) == 3
    assert sum(o["reminded"] for o in outcomes) == 3
    assert Event.objects.filter(type="deadline_overdue").count() == 3
    assert Event.objects.filter(type="reminded").count() == 3


@pytest.mark.django_db(transaction=True)
def test_outbox_rows_kicked_to_two_real_workers_run_once_each() -> None:
    """The same rows asked of two workers on a real Redis (a kick after commit and the
    periodic dispatch racing): the conditional claim lets each effect run once."""
    url = needs_redis()
    org = create_org("outbox-org", "外发单位")
    clerk = create_user("outbox-clerk", org=org, role="intake_clerk")
    create_user("outbox-dispatcher", org=org, role="dispatcher")
    actor = actor_for(clerk, "outbox-org")
    payload = inputs.RegisterIn(
        kind="complaint", channel="phone", category="fees", content="多收费用",
        complainant=inputs.ComplainantIn(name="李华"),
    )  # fmt: skip
    case = intake.register(actor, payload)
    kicker = outbox._kicker
    outbox.set_kicker(None)  # nobody asked yet: the rows wait for the workers below
    try:
        notes = [
            outbox.notify(user.pk, case, "case_assigned", datetime.now(UTC))
            for user in get_user_model().objects.filter(username__startswith="outbox-")
        ]
    finally:
        outbox.set_kicker(kicker)
    rows = list(OutboxEffect.objects.filter(done_at__isnull=True).values_list("pk", flat=True))
    assert len(rows) == len(notes) == 2

    queue = make_huey(f"tousu-test-{uuid.uuid4().hex[:8]}", redis_url=url)
    tasks = register_tasks(queue)
    queue.flush()
    consumers = [queue.create_consumer(workers=2, worker_type="thread", periodic=False)
                 for _ in range(2)]  # fmt: skip
    threads = [threading.Thread(target=c.run, daemon=True) for c in consumers]
    for consumer in consumers:
        consumer._set_signal_handlers = lambda: None
    for thread in threads:
        thread.start()
    try:
        results = [tasks["dispatch"](rows) for _ in range(4)] + [tasks["dispatch"](None)]
        ran = sum(r.get(blocking=True, timeout=60) for r in results)
    finally:
        for consumer in consumers:
            consumer.stop(graceful=True)
        for thread in threads:
            thread.join(timeout=10)
        queue.flush()
        close_old_connections()
    assert ran == 2
    assert OutboxEffect.objects.filter(pk__in=rows, done_at__isnull=False).count() == 2
    assert set(OutboxEffect.objects.filter(pk__in=rows).values_list("attempts", flat=True)) == {1}

"""The job queue: huey on SQLite (embedded default) or on Redis (TOUSU_REDIS_URL).

Jobs take the current time as a parameter and act only through case actions, so
running one twice, or on two workers, changes nothing the second time.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey


def make_huey(
    name: str = "tousu", *, redis_url: str | None = None, immediate: bool = False
) -> Huey:
    url = redis_url if redis_url is not None else settings.TOUSU_REDIS_URL
    if url:
        return RedisHuey(name, url=url, immediate=immediate)
    return SqliteHuey(name, filename=str(settings.VAR_DIR / "jobs.sqlite3"), immediate=immediate)


huey = make_huey(immediate=settings.TOUSU_JOBS_IMMEDIATE)


def _tidy_connections(*, done: bool = False) -> None:
    """Worker threads drop stale connections before a job and close theirs after it (jobs
    are rare; an idle worker should hold no connection). Inline (immediate) runs on the
    caller's thread must not touch the caller's connection."""
    if threading.current_thread() is threading.main_thread():
        return
    if done:
        connections.close_all()
    else:
        close_old_connections()


def run_sweep(now_iso: str | None = None) -> dict[str, int]:
    from tousu.cases.sweeps import sweep

    _tidy_connections()
    try:
        now = timezone.now() if now_iso is None else datetime.fromisoformat(now_iso)
        result = sweep(now)
        from tousu.quality.services import sweep_subtasks

        # Sub-tasks past their due date: the department head hears once (tousu.quality).
        subtasks = sweep_subtasks(now)
        return {
            "overdue": result.overdue, "reminded": result.reminded, "skipped": result.skipped,
            "subtasks_overdue": subtasks,
        }  # fmt: skip
    finally:
        _tidy_connections(done=True)


def run_delivery(notification_ids: list[int]) -> int:
    from tousu.notify.delivery import deliver

    _tidy_connections()
    try:
        return deliver(notification_ids)
    finally:
        _tidy_connections(done=True)


def run_reporter_notice(case_id: int, action: str) -> int:
    from tousu.reporter.notices import send

    _tidy_connections()
    try:
        return send(case_id, action)
    finally:
        _tidy_connections(done=True)


def register_tasks(queue: Huey) -> dict[str, Any]:
    """Attach Tousu's tasks to a huey instance (tests build their own on a test Redis)."""
    from tousu.audit.checkpoints import run_periodic_checkpoints
    from tousu.duty.handon import run_hand_on

    return {
        "sweep": queue.task(name="tousu.sweep")(run_sweep),
        "deliver": queue.task(name="tousu.deliver", retries=3, retry_delay=30)(run_delivery),
        "reporter_notice": queue.task(name="tousu.reporter_notice", retries=3, retry_delay=30)(
            run_reporter_notice
        ),
        "periodic_sweep": queue.periodic_task(crontab(minute="*"), name="tousu.periodic_sweep")(
            run_sweep
        ),
        "periodic_checkpoint": queue.periodic_task(
            crontab(minute="0"), name="tousu.periodic_checkpoint"
        )(run_periodic_checkpoints),
        # What duty officers could not settle passes to the office when it is due.
        "periodic_hand_on": queue.periodic_task(
            crontab(minute="*/15"), name="tousu.periodic_hand_on"
        )(run_hand_on),
    }


tasks = register_tasks(huey)
sweep_task = tasks["sweep"]
deliver_task = tasks["deliver"]
reporter_notice_task = tasks["reporter_notice"]

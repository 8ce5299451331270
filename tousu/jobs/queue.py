"""The job queue: huey on SQLite (embedded default) or on Redis (TOUSU_REDIS_URL).

Jobs take the current time as a parameter and act only through case actions, so
running one twice, or on two workers, changes nothing the second time. What a change
leaves to do after it commits waits in the outbox (:mod:`tousu.cases.outbox`): the
dispatch task runs those rows at once, and the periodic dispatch runs whatever a process
that died left behind.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey

from tousu.audit.checkpoints import run_periodic_checkpoints
from tousu.cases import outbox
from tousu.cases.registry import SWEEPS
from tousu.cases.sweeps import sweep
from tousu.jobs.schedule import ON_DEMAND, PERIODIC


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


def tidy(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a job with fresh connections on a worker thread, closed after it."""

    def job(*args: Any, **kwargs: Any) -> Any:
        _tidy_connections()
        try:
            return fn(*args, **kwargs)
        finally:
            _tidy_connections(done=True)

    job.__name__ = fn.__name__
    job.__qualname__ = fn.__qualname__
    return job


@tidy
def run_sweep(now_iso: str | None = None) -> dict[str, int]:
    """Overdue and due-soon deadlines, then what the features sweep (sub-tasks...)."""
    now = timezone.now() if now_iso is None else datetime.fromisoformat(now_iso)
    result = sweep(now)
    counts = {"overdue": result.overdue, "reminded": result.reminded, "skipped": result.skipped}
    for feature_sweep in SWEEPS.values():
        counts.update(feature_sweep(now))
    return counts


@tidy
def run_dispatch(ids: list[int] | None = None) -> int:
    """Run these outbox rows now (None: every row still to do)."""
    return outbox.dispatch(ids)


@tidy
def run_job(name: str, row_id: int) -> object:
    """Run a feature's on-demand job (an export the desk asked for) on its row."""
    return ON_DEMAND[name](row_id)


def register_tasks(queue: Huey) -> dict[str, Any]:
    """Attach Tousu's tasks to a huey instance (tests build their own on a test Redis)."""
    return {
        "sweep": queue.task(name="tousu.sweep")(run_sweep),
        "dispatch": queue.task(name="tousu.dispatch", retries=3, retry_delay=30)(run_dispatch),
        "job": queue.task(name="tousu.job")(run_job),
    }


def attach_periodic(queue: Huey) -> None:
    """The periodic jobs, attached by the worker when it starts."""
    queue.periodic_task(crontab(minute="*"), name="tousu.periodic_sweep")(run_sweep)
    # What a process that died between commit and dispatch left in the outbox.
    queue.periodic_task(crontab(minute="*"), name="tousu.periodic_dispatch")(run_dispatch)
    queue.periodic_task(crontab(minute="0"), name="tousu.periodic_checkpoint")(
        tidy(run_periodic_checkpoints)
    )
    for job in PERIODIC.values():
        queue.periodic_task(crontab(minute=job.minute), name=f"tousu.periodic_{job.name}")(
            tidy(job.fn)
        )


tasks = register_tasks(huey)
sweep_task = tasks["sweep"]
dispatch_task = tasks["dispatch"]
job_task = tasks["job"]

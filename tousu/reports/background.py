"""Exports built by the job worker: asked for on the desk, built batch by batch, sealed.

:func:`start_ledger` and :func:`start_dossier` check what was asked and record an
:class:`~tousu.reports.models.Export`; once that commits, the queue is asked to build it
(:func:`build`). The worker claims the row (one worker wins; a claim whose heartbeat
stopped for :data:`LEASE` is taken over), writes the plain workbook into a private
working directory, updating the progress after every batch, seals it
(:mod:`tousu.reports.sealed`) and marks the export ready for 24 hours.

:func:`upkeep` runs every few minutes: it removes expired files (the row stays, marked
expired) and asks again for exports whose request to the queue was lost.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone, translation

from tousu.audit.integrity import detected
from tousu.cases.access import Actor, actor_for
from tousu.jobs.queue import job_task
from tousu.policy.models import policy_for
from tousu.privacy.crypto import CryptoError
from tousu.reports import dossier as dossiers
from tousu.reports import sealed
from tousu.reports.models import LIFETIME, Export
from tousu.reports.query import Filters, departments, ledger_ids, parse_filters

log = logging.getLogger(__name__)

# A running export whose worker has not been heard of for this long is taken over.
LEASE = timedelta(minutes=10)
# An export still queued this long after it was asked for is asked for again.
REKICK = timedelta(minutes=2)
MAX_ATTEMPTS = 3
# How often the progress is written (rows).
PROGRESS_EVERY = 1000  # rows: the export's batch (tousu.reports.export.BATCH)


def query_of(params: Mapping[str, Any]) -> QueryDict:
    """The ledger's filters as the page's query parameters (lists for repeated ones)."""
    query = QueryDict(mutable=True)
    for name, value in params.items():
        if isinstance(value, list):
            query.setlist(name, [str(v) for v in value])
        else:
            query[name] = str(value)
    return query


def _policy(actor: Actor) -> Any:
    if actor.org.active_policy_id is None:
        raise RuntimeError("the organisation has no active policy")
    return policy_for(actor.org.active_policy_id)[1]


def ledger_filters(actor: Actor, params: Mapping[str, Any]) -> Filters:
    """The ledger's filters read as the page reads them (FilterErrors when one is bad)."""
    return parse_filters(query_of(params), _policy(actor), [d.code for d in departments(actor)])


def _create(actor: Actor, kind: str, params: dict[str, Any], now: datetime) -> Export:
    export = Export.objects.create(
        org=actor.org,
        requested_by_id=actor.user_id,
        kind=kind,
        params=params,
        created_at=now,
        expires_at=now + LIFETIME,
    )
    transaction.on_commit(lambda: kick(export.pk))
    return export


def start_ledger(actor: Actor, filters: Filters, now: datetime | None = None) -> Export:
    """Ask for the ledger with these (checked) filters as .xlsx."""
    return _create(actor, Export.Kind.LEDGER, filters.as_params(), now or timezone.now())


def start_dossier(actor: Actor, year: int, now: datetime | None = None) -> Export:
    return _create(actor, Export.Kind.DOSSIER, {"year": year}, now or timezone.now())


def kick(export_id: int) -> None:
    """Ask the queue to build this export now (if the queue is down, upkeep asks again)."""
    try:
        job_task("export", export_id)
    except Exception:
        log.warning("export %s: the queue did not take it; upkeep asks again", export_id)


# -- building ------------------------------------------------------------------------------


def _claim(export_id: int, now: datetime) -> bool:
    stale = now - LEASE
    won = (
        Export.objects.filter(pk=export_id, attempts__lt=MAX_ATTEMPTS)
        .filter(
            Q(state=Export.State.QUEUED) | Q(state=Export.State.RUNNING, heartbeat_at__lt=stale)
        )
        .update(
            state=Export.State.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            rows_done=0,
        )
    )
    return won == 1


def build(export_id: int) -> str:
    """Build one export; returns its state afterwards (or "" when another worker has it)."""
    now = timezone.now()
    if not _claim(export_id, now):
        return ""
    export = Export.objects.select_related("org").get(pk=export_id)
    plain: IO[bytes] = tempfile.TemporaryFile(dir=sealed.work_dir())  # noqa: SIM115
    try:
        user = get_user_model().objects.get(pk=export.requested_by_id)
        # The requester as they stand now: a staff member who left exports nothing.
        actor = actor_for(user, export.org.slug)
        # The ledger is filed in Chinese, whatever the requester's language.
        with translation.override("zh-hans"):
            if export.kind == Export.Kind.LEDGER:
                named, download_name = _ledger(export, actor, plain)
            else:
                named, download_name = _dossier(export, actor, plain)
        plain.seek(0)
        name, wrapped, size = sealed.seal_file(plain, export.pk)
    except Exception as exc:
        if isinstance(exc, CryptoError):
            # Sealed data that no longer opens: the record was changed outside the system.
            detected(None, f"export {export_id}", [{"problem": "unopenable", "error": str(exc)}])
            error = "record integrity broken"
        else:
            log.exception("export %s failed", export_id)
            error = f"{type(exc).__name__}: {str(exc)[:300]}"
        Export.objects.filter(pk=export_id, state=Export.State.RUNNING).update(
            state=Export.State.FAILED,
            finished_at=timezone.now(),
            error=error,
        )
        return Export.State.FAILED
    finally:
        plain.close()
    finished = timezone.now()
    done = Export.objects.filter(pk=export_id, state=Export.State.RUNNING).update(
        state=Export.State.READY,
        finished_at=finished,
        expires_at=finished + LIFETIME,
        heartbeat_at=finished,
        file_name=name,
        wrapped_key=wrapped,
        size=size,
        download_name=download_name,
        names_identities=bool(named),
        named_case_ids=named,
        error="",
    )
    if done != 1:  # taken over meanwhile: the other worker's file stands
        sealed.remove(name)
        return ""
    return Export.State.READY


def _progress(export_id: int, done: int, total: int | None = None) -> None:
    values: dict[str, Any] = {"rows_done": done, "heartbeat_at": timezone.now()}
    if total is not None:
        values["rows_total"] = total
    Export.objects.filter(pk=export_id, state=Export.State.RUNNING).update(**values)


def _ledger(export: Export, actor: Actor, target: IO[bytes]) -> tuple[list[int], str]:
    from tousu.reports import export as xlsx  # openpyxl: loaded by the worker only

    tz = ZoneInfo(export.org.time_zone)
    now = export.created_at
    filters = ledger_filters(actor, export.params)
    ids = list(ledger_ids(actor, filters, now))
    _progress(export.pk, 0, len(ids))
    named: list[int] = []
    written = 0

    def on_rows(batch: list[Any]) -> None:
        nonlocal written
        named.extend(r.case_id for r in batch if r.identity_shown)
        written += len(batch)
        _progress(export.pk, written)

    xlsx.write(
        target,
        xlsx.row_batches(actor, ids, now),
        tz=tz,
        total=len(ids),
        notes=xlsx.notes_for(export.org.name, actor.username, now, tz, filters, len(ids)),
        on_rows=on_rows,
    )
    return named, xlsx.filename(export.org.slug, timezone.localtime(now, tz))


def _dossier(export: Export, actor: Actor, target: IO[bytes]) -> tuple[list[int], str]:
    from tousu.reports import export as xlsx  # openpyxl: loaded by the worker only

    year = int(export.params["year"])
    result = dossiers.build(actor, year, _policy(actor))
    _progress(export.pk, 0, result.total)
    xlsx.write_dossier(
        target,
        result,
        org_name=export.org.name,
        username=actor.username,
        now=export.created_at,
        tz=ZoneInfo(export.org.time_zone),
        on_progress=lambda done: _progress(export.pk, done),
    )
    return [], xlsx.dossier_filename(export.org.slug, year)


# -- expiry and lost requests ------------------------------------------------------------


def expire(export: Export) -> None:
    """Remove the file and mark the row expired (the row itself stays)."""
    with contextlib.suppress(ValueError):
        sealed.remove(export.file_name)
    Export.objects.filter(pk=export.pk).exclude(state=Export.State.EXPIRED).update(
        state=Export.State.EXPIRED, file_name="", wrapped_key=""
    )


def upkeep(now: datetime | None = None) -> dict[str, int]:
    """Expire what is past its time; ask again for exports the queue never started."""
    now = now or timezone.now()
    expired = 0
    for export in Export.objects.filter(expires_at__lte=now).exclude(
        state__in=(
            Export.State.EXPIRED,
            Export.State.FAILED,
            Export.State.QUEUED,
            Export.State.RUNNING,
        )
    ):
        expire(export)
        expired += 1
    # A queued or running export older than its lifetime is not coming back.
    late = Export.objects.filter(
        state__in=(Export.State.QUEUED, Export.State.RUNNING), created_at__lte=now - LIFETIME
    )
    gave_up = late.update(state=Export.State.FAILED, error="not built in time")
    asked = 0
    waiting = Export.objects.filter(attempts__lt=MAX_ATTEMPTS).filter(
        Q(state=Export.State.QUEUED, created_at__lte=now - REKICK)
        | Q(state=Export.State.RUNNING, heartbeat_at__lt=now - LEASE)
    )
    for export_id in waiting.values_list("pk", flat=True):
        kick(export_id)
        asked += 1
    gave_up += (
        Export.objects.filter(attempts__gte=MAX_ATTEMPTS)
        .filter(
            Q(state=Export.State.QUEUED)
            | Q(state=Export.State.RUNNING, heartbeat_at__lt=now - LEASE)
        )
        .update(state=Export.State.FAILED, error="the worker stopped while building it")
    )
    return {"exports_expired": expired, "exports_asked_again": asked, "exports_failed": gave_up}

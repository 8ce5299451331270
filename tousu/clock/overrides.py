"""Working-day calendars with the database's overrides; override files.

``calendar_for(org_id)`` is the calendar deadlines of that organisation are
counted in: python-holidays' State Council data, then the installation's
overrides, then the organisation's own (which win on the same date); years are
covered (not provisional) when python-holidays has their schedule or a
:class:`~tousu.clock.models.CoveredYear` row of either scope says so.

Freshness: calendars are cached per organisation in process memory. A save of
either model in this process bumps a version counter (at save and again at
commit), which drops every cached calendar at once; other processes (gunicorn
workers, the job worker) keep theirs for at most :data:`CACHE_SECONDS`, so a
change shows everywhere within a minute. Nothing else is stored.

Override files (TOML)::

    source_notice = "国办发明电〔2026〕xx号"   # required
    complete_years = [2027]                   # optional: the file covers these years fully
    [[days]]
    date = 2027-02-06       # a TOML date, unquoted
    working = true          # true = working day (调休上班); false = day off
    name = "春节调休上班"

A file is the whole of what its notice says for its scope (one organisation or
the installation): loading it again, corrected, replaces the earlier load, so
rows from the same notice that the file no longer lists are withdrawn.
"""

from __future__ import annotations

import itertools
import os
import re
import time
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from tousu.clock.calendar import WorkCalendar, default_calendar
from tousu.clock.models import CoveredYear, HolidayOverride
from tousu.orgs.models import Organisation
from tousu.orgs.services import audit

__all__ = [
    "CACHE_SECONDS",
    "Coverage",
    "LoadResult",
    "OverrideFileError",
    "add_override",
    "calendar_for",
    "clear_cache",
    "coverage",
    "declare_covered",
    "effective_overrides",
    "load_overrides",
    "parse_override_file",
    "withdraw",
]

CACHE_SECONDS = 60.0

# ---------------------------------------------------------------------------
# Calendars
# ---------------------------------------------------------------------------

_monotonic = time.monotonic  # a name of our own: tests move this clock, not the process's
_versions = itertools.count(1)  # next() is atomic under the GIL
_version = 0
_cache: dict[int | None, tuple[int, float, WorkCalendar]] = {}


def _bump(**kwargs: Any) -> None:
    global _version
    _version = next(_versions)


@receiver(post_save, sender=HolidayOverride, dispatch_uid="clock.override_saved")
@receiver(post_save, sender=CoveredYear, dispatch_uid="clock.covered_year_saved")
def _saved(**kwargs: Any) -> None:
    # Again at commit: a reader that cached between the save and the commit saw
    # the old rows under the new version.
    _bump()
    transaction.on_commit(_bump, using=kwargs.get("using"))


def clear_cache() -> None:
    """Forget every cached calendar (tests: ids are reused after a rollback on SQLite)."""
    _cache.clear()
    _bump()


def _scope(org_id: int | None) -> Q:
    return Q(org__isnull=True) if org_id is None else Q(org__isnull=True) | Q(org_id=org_id)


def effective_overrides(org_id: int | None, year: int | None = None) -> dict[date, HolidayOverride]:
    """The overrides that count for ``org_id`` (None: the installation's), by date.

    The organisation's own row wins over the installation's on the same date.
    """
    rows = HolidayOverride.objects.filter(_scope(org_id), withdrawn_at__isnull=True)
    if year is not None:
        rows = rows.filter(date__year=year)
    found: dict[date, HolidayOverride] = {}
    for row in sorted(rows, key=lambda r: (r.org_id is not None, r.date)):
        found[row.date] = row
    return found


def calendar_for(org_id: int | None) -> WorkCalendar:
    """The working-day calendar of an organisation (None: the installation's)."""
    version, now = _version, _monotonic()
    hit = _cache.get(org_id)
    if hit is not None and hit[0] == version and now - hit[1] < CACHE_SECONDS:
        return hit[2]
    days = {d: row.working for d, row in effective_overrides(org_id).items()}
    years = set(
        CoveredYear.objects.filter(_scope(org_id), withdrawn_at__isnull=True).values_list(
            "year", flat=True
        )
    )
    cal = WorkCalendar(days, years) if days or years else default_calendar()
    _cache[org_id] = (version, now, cal)
    return cal


@dataclass(frozen=True, slots=True)
class Coverage:
    """Whether a year's official schedule is known for one scope, and from where."""

    year: int
    state_council: bool  # python-holidays has the State Council's schedule
    notices: tuple[str, ...]  # CoveredYear rows (installation's first, then the organisation's)

    @property
    def covered(self) -> bool:
        return self.state_council or bool(self.notices)


def coverage(year: int, org_id: int | None) -> Coverage:
    rows = CoveredYear.objects.filter(_scope(org_id), year=year, withdrawn_at__isnull=True)
    notices = [r.source_notice for r in sorted(rows, key=lambda r: r.org_id is not None)]
    return Coverage(year, default_calendar().is_covered(year), tuple(dict.fromkeys(notices)))


# ---------------------------------------------------------------------------
# Creating and withdrawing rows (each one an audit event)
# ---------------------------------------------------------------------------


def add_override(
    *,
    org: Organisation | None,
    day: date,
    working: bool,
    name: str,
    source_notice: str,
    actor: Any = None,
    via: str = "service",
) -> HolidayOverride:
    """A new active override; refused (``ValidationError``) if one is active on that day."""
    row = HolidayOverride(
        org=org,
        date=day,
        working=working,
        name=name,
        source_notice=source_notice,
        created_by=actor,
    )
    row.full_clean()
    with transaction.atomic():
        row.save()
        _audit_override("holidayoverride.created", row, actor, via=via)
    return row


def declare_covered(
    *,
    org: Organisation | None,
    year: int,
    source_notice: str,
    actor: Any = None,
    via: str = "service",
) -> CoveredYear:
    """Declare ``year``'s schedule complete for the scope; refused if already declared."""
    row = CoveredYear(org=org, year=year, source_notice=source_notice, created_by=actor)
    row.full_clean()
    with transaction.atomic():
        row.save()
        _audit_covered("coveredyear.created", row, actor, via=via)
    return row


def withdraw(
    row: HolidayOverride | CoveredYear, *, actor: Any = None, via: str = "service"
) -> bool:
    """Withdraw a row (it stays, with ``withdrawn_at``); False if it already was."""
    model = type(row)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=row.pk)
        if current.withdrawn_at is not None:
            row.withdrawn_at = current.withdrawn_at
            return False
        current.withdrawn_at = row.withdrawn_at = timezone.now()
        current.save(update_fields=["withdrawn_at"])
        if isinstance(current, HolidayOverride):
            _audit_override("holidayoverride.withdrawn", current, actor, via=via)
        else:
            _audit_covered("coveredyear.withdrawn", current, actor, via=via)
    return True


def _audit_override(type: str, row: HolidayOverride, actor: Any, **data: Any) -> None:
    audit(type, row, org=row.org, actor=actor, date=row.date.isoformat(), working=row.working,
          name=row.name, source_notice=row.source_notice, **data)  # fmt: skip


def _audit_covered(type: str, row: CoveredYear, actor: Any, **data: Any) -> None:
    audit(type, row, org=row.org, actor=actor, year=row.year,
          source_notice=row.source_notice, **data)  # fmt: skip


# ---------------------------------------------------------------------------
# Override files
# ---------------------------------------------------------------------------


class OverrideFileError(ValueError):
    """An override file that cannot be loaded; ``problems`` name the line or key of each."""

    def __init__(self, label: str, problems: Iterable[str]) -> None:
        self.label = label
        self.problems = list(problems)
        super().__init__("\n".join(f"{label}: {p}" for p in self.problems))


@dataclass(frozen=True, slots=True)
class DaySpec:
    date: date
    working: bool
    name: str


@dataclass(frozen=True, slots=True)
class OverrideFile:
    source_notice: str
    complete_years: tuple[int, ...]
    days: tuple[DaySpec, ...]


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What loading a file changed. ``touched_years``: recompute deadlines in these years."""

    source_notice: str
    org_id: int | None
    created: tuple[date, ...]  # days that had no active override in this scope
    updated: tuple[date, ...]  # days whose override changed (old row withdrawn, new one made)
    withdrawn: tuple[date, ...]  # days of this notice that the file no longer lists
    unchanged: int
    covered_added: tuple[int, ...]
    covered_withdrawn: tuple[int, ...]
    touched_years: tuple[int, ...]
    warnings: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.touched_years)


_TOP_KEYS = {"source_notice", "complete_years", "days"}
_DAY_KEYS = {"date", "working", "name"}
_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_DAYS_HEADER = re.compile(r"^\s*\[\[\s*days\s*\]\]")


def _key_line(lines: list[str], key: str) -> str:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for n, line in enumerate(lines, 1):
        if pattern.match(line):
            return f" (line {n})"
    return ""


def parse_override_file(text: str, label: str = "<text>") -> OverrideFile:
    """Validate an override file; every problem is reported at once, naming its line or key."""
    lines = text.splitlines()
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = _POSITION.search(message)
        if where is not None and 0 < int(where.group(1)) <= len(lines):
            n = int(where.group(1))
            message = f"line {n}: {lines[n - 1].strip()!r}: {message}"
        hint = "（日期不存在？(not a real date?)）" if "date" in message.lower() else ""
        raise OverrideFileError(label, [f"TOML 语法错误 (syntax error): {message}{hint}"]) from None
    problems: list[str] = []
    for key in sorted(doc.keys() - _TOP_KEYS):
        problems.append(f"{key}{_key_line(lines, key)}: 未知的键 (unknown key)")

    notice = doc.get("source_notice")
    if notice is None:
        problems.append("source_notice: 缺少发文依据 (required: the notice the days come from)")
    elif not isinstance(notice, str) or not notice.strip():
        problems.append(
            f"source_notice{_key_line(lines, 'source_notice')}: 须为非空字符串 (must be a non-empty string)"
        )
    elif len(notice.strip()) > 200:
        problems.append("source_notice: 过长，最多 200 字 (at most 200 characters)")

    years: list[int] = []
    raw_years = doc.get("complete_years", [])
    at = f"complete_years{_key_line(lines, 'complete_years')}"
    if not isinstance(raw_years, list):
        problems.append(f"{at}: 须为年份列表 (must be a list of years, e.g. [2027])")
    else:
        for y in raw_years:
            if isinstance(y, bool) or not isinstance(y, int) or not 1949 <= y <= 9999:
                problems.append(f"{at}: {y!r} 不是年份 (not a year)")
            elif y in years:
                problems.append(f"{at}: {y} 重复 (listed twice)")
            else:
                years.append(y)

    days: list[DaySpec] = []
    raw_days = doc.get("days", [])
    headers = [n for n, line in enumerate(lines, 1) if _DAYS_HEADER.match(line)]
    if not isinstance(raw_days, list):
        problems.append(
            f"days{_key_line(lines, 'days')}: 须为 [[days]] 表 (must be [[days]] tables)"
        )
        raw_days = []
    first_seen: dict[date, str] = {}
    for i, item in enumerate(raw_days):
        where_ = f"days[{i}]" + (f" (line {headers[i]})" if len(headers) == len(raw_days) else "")
        if not isinstance(item, dict):
            problems.append(f"{where_}: 须为表 (must be a table: date, working, name)")
            continue
        for key in sorted(item.keys() - _DAY_KEYS):
            problems.append(f"{where_}.{key}: 未知的键 (unknown key)")
        d, working, name = item.get("date"), item.get("working"), item.get("name")
        ok = True
        if d is None:
            problems.append(f"{where_}.date: 缺少日期 (required)")
            ok = False
        elif isinstance(d, datetime) or not isinstance(d, date):
            problems.append(
                f"{where_}.date: {d!r} 须为 TOML 日期，不加引号 (must be a TOML date such as 2027-02-06, unquoted)"
            )
            ok = False
        elif d in first_seen:
            problems.append(
                f"{where_}.date: {d.isoformat()} 重复，已见于 {first_seen[d]} (listed twice; first at {first_seen[d]})"
            )
            ok = False
        else:
            first_seen[d] = where_
        if working is None:
            problems.append(f"{where_}.working: 缺少 true 或 false (required: true or false)")
            ok = False
        elif not isinstance(working, bool):
            problems.append(
                f"{where_}.working: {working!r} 须为 true 或 false (must be the boolean true or false)"
            )
            ok = False
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where_}.name: 须为非空字符串 (required, a non-empty string)")
            ok = False
        elif len(name.strip()) > 100:
            problems.append(f"{where_}.name: 过长，最多 100 字 (at most 100 characters)")
            ok = False
        if ok:
            assert isinstance(d, date) and isinstance(working, bool) and isinstance(name, str)
            days.append(DaySpec(d, working, name.strip()))
    if not raw_days and not years and not problems:
        problems.append("文件没有 days 也没有 complete_years (nothing to load)")
    if problems:
        raise OverrideFileError(label, problems)
    assert isinstance(notice, str)
    return OverrideFile(notice.strip(), tuple(sorted(years)), tuple(days))


def _read(path_or_text: str | os.PathLike[str]) -> tuple[str, str]:
    """(label, text): a path-like is read; a ``str`` is TOML text unless it is one line
    without ``=`` (then it is a file name: every override file has ``source_notice = ...``)."""
    if isinstance(path_or_text, str) and ("\n" in path_or_text or "=" in path_or_text):
        return "<text>", path_or_text
    path = Path(path_or_text)
    try:
        return str(path), path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise OverrideFileError(str(path), ["文件不存在 (no such file)"]) from None
    except UnicodeDecodeError:
        raise OverrideFileError(str(path), ["不是 UTF-8 文本 (not UTF-8 text)"]) from None
    except OSError as exc:
        raise OverrideFileError(str(path), [f"无法读取 (cannot read): {exc.strerror}"]) from None


def load_overrides(
    path_or_text: str | os.PathLike[str],
    *,
    org: Organisation | None = None,
    actor: Any = None,
) -> LoadResult:
    """Validate an override file and apply it to ``org`` (None: the installation) atomically.

    A bad file raises :class:`OverrideFileError` (a ``ValueError``) and writes nothing.
    An active row that says the same (working, name, notice) is left alone; one that
    differs is withdrawn and replaced; rows of the same notice in this scope that the
    file no longer lists are withdrawn. Every row created or withdrawn is an audit event.
    """
    label, text = _read(path_or_text)
    spec = parse_override_file(text, label)
    notice, org_id = spec.source_notice, (org.pk if org is not None else None)
    scope = Q(org__isnull=True) if org is None else Q(org=org)
    created: list[date] = []
    updated: list[date] = []
    gone: list[date] = []
    covered_added: list[int] = []
    covered_gone: list[int] = []
    unchanged = 0
    via = "file"
    in_file = {d.date for d in spec.days}
    with transaction.atomic():
        active = {
            row.date: row
            for row in HolidayOverride.objects.select_for_update().filter(
                scope, withdrawn_at__isnull=True
            )
            if row.date in in_file or row.source_notice == notice
        }
        listed: set[date] = set()
        for day in spec.days:
            listed.add(day.date)
            old = active.get(day.date)
            if old is not None and (old.working, old.name, old.source_notice) == (
                day.working,
                day.name,
                notice,
            ):
                unchanged += 1
                continue
            if old is not None:
                withdraw(old, actor=actor, via=via)
                updated.append(day.date)
            else:
                created.append(day.date)
            add_override(org=org, day=day.date, working=day.working, name=day.name,
                         source_notice=notice, actor=actor, via=via)  # fmt: skip
        for d, row in sorted(active.items()):
            if d not in listed and row.source_notice == notice:
                withdraw(row, actor=actor, via=via)
                gone.append(d)

        covered = {
            row.year: row
            for row in CoveredYear.objects.select_for_update().filter(
                scope, withdrawn_at__isnull=True
            )
        }
        for year in spec.complete_years:
            old_year = covered.get(year)
            if old_year is not None and old_year.source_notice == notice:
                continue
            if old_year is not None:
                withdraw(old_year, actor=actor, via=via)
            declare_covered(org=org, year=year, source_notice=notice, actor=actor, via=via)
            covered_added.append(year)
        for year, row_year in sorted(covered.items()):
            if year not in spec.complete_years and row_year.source_notice == notice:
                withdraw(row_year, actor=actor, via=via)
                covered_gone.append(year)

    warnings = [
        f"complete_years 含 {y}，但文件没有该年的日子 (declares {y} complete but lists no day in it)"
        for y in spec.complete_years
        if not any(d.date.year == y for d in spec.days)
    ]
    touched = {d.year for d in (*created, *updated, *gone)} | {*covered_added, *covered_gone}
    return LoadResult(
        source_notice=notice,
        org_id=org_id,
        created=tuple(created),
        updated=tuple(updated),
        withdrawn=tuple(gone),
        unchanged=unchanged,
        covered_added=tuple(covered_added),
        covered_withdrawn=tuple(covered_gone),
        touched_years=tuple(sorted(touched)),
        warnings=tuple(warnings),
    )

"""``tousu calendar show YEAR | check | load FILE`` (each with ``--org SLUG``).

``check`` exits 1 when this year or next is not covered, so it can run from cron.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import re
from datetime import date
from pathlib import Path
from typing import Any

import holidays
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tousu.cases.sweeps import recompute_after_calendar_change
from tousu.clock.calendar import WorkCalendar
from tousu.clock.models import HolidayOverride
from tousu.clock.overrides import (
    Coverage,
    LoadResult,
    OverrideFileError,
    calendar_for,
    coverage,
    effective_overrides,
    load_overrides,
)
from tousu.orgs.models import Organisation

WEEKDAYS = "一二三四五六日"
MONTHS_EN = stdlib_calendar.month_name
_SUBSTITUTED = re.compile(r"由 (\d{4}-\d{2}-\d{2}) 调休")


def _today() -> date:
    return timezone.localdate()


def _years(text: str) -> range:
    m = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", text)
    if m is None:
        raise CommandError(f"--years {text!r}: 应为 2025-2028 或 2027 (expected 2025-2028 or 2027)")
    lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    if not 1949 <= lo <= hi <= 9999 or hi - lo > 50:
        raise CommandError(f"--years {text!r}: 范围无效 (bad range: 1949-9999, at most 50 years)")
    return range(lo, hi + 1)


def _describe(cov: Coverage) -> str:
    if cov.state_council and cov.notices:
        return (
            "已覆盖 (covered) — 国务院安排 (State Council schedule, python-holidays)；"
            f"另有覆盖文件 (also override file): {'、'.join(cov.notices)}"
        )
    if cov.state_council:
        return "已覆盖 (covered) — 国务院安排 (State Council schedule, python-holidays)"
    if cov.notices:
        return f"已覆盖 (covered) — 覆盖文件 (override file): {'、'.join(cov.notices)}"
    return "未覆盖 (NOT covered) — 涉及该年的期限为临时 (deadlines reaching it are provisional)"


class Command(BaseCommand):
    help = "Working-day calendar: show a year, check coverage (cron), load an override file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        show = sub.add_parser("show", help="a year month by month, with holidays and make-up days")
        show.add_argument("year", type=int)
        check = sub.add_parser(
            "check", help="which years are covered; exit 1 if this year or next is not"
        )
        check.add_argument("--years", help="e.g. 2025-2028 (default: this year and next)")
        load = sub.add_parser("load", help="load a TOML override file; prints the touched years")
        load.add_argument("file")
        for p in (show, check, load):
            p.add_argument("--org", metavar="SLUG", help="an organisation (default: installation)")

    def handle(self, *args: Any, **options: Any) -> None:
        org = self._org(options.get("org"))
        verb = options["verb"]
        if verb == "show":
            year = options["year"]
            if not 1949 <= year <= 9999:
                raise CommandError(f"{year}: 年份无效 (not a year between 1949 and 9999)")
            self._show(year, org)
        elif verb == "check":
            self._check(options.get("years"), org)
        else:
            self._load(options["file"], org)

    def _org(self, slug: str | None) -> Organisation | None:
        if not slug:
            return None
        org = Organisation.objects.filter(slug=slug).first()
        if org is None:
            raise CommandError(f"没有组织 (no organisation) {slug!r}")
        return org

    def _scope(self, org: Organisation | None) -> str:
        return f"组织 (organisation) {org.slug}" if org else "全系统 (installation)"

    # -- show ---------------------------------------------------------------

    def _show(self, year: int, org: Organisation | None) -> None:
        org_id = org.pk if org else None
        cal = calendar_for(org_id)
        overrides = effective_overrides(org_id, year)
        names = self._names(year)
        w = self.stdout.write
        w(f"{year}年工作日历 (working-day calendar) — {self._scope(org)}")
        w(f"覆盖情况 (coverage): {_describe(coverage(year, org_id))}")
        if not cal.is_covered(year):
            w("  注意：该年安排未公布或未载入，下列休息日为估计 (schedule not loaded: an estimate)")
        w("图例 (legend): 休 = 工作日休息 (weekday off)  班 = 周末上班 (weekend workday)")
        for month in range(1, 13):
            w("")
            w(f"{year}年{month}月 ({MONTHS_EN[month]})")
            w("".join(f"   {d}" for d in WEEKDAYS))
            for week in stdlib_calendar.Calendar(0).monthdayscalendar(year, month):
                w("".join(self._cell(cal, year, month, day) for day in week).rstrip())
            for line in self._notes(cal, year, month, names, overrides):
                w(line)

    @staticmethod
    def _cell(cal: WorkCalendar, year: int, month: int, day: int) -> str:
        if day == 0:
            return " " * 5
        d = date(year, month, day)
        working, weekend = cal.is_working_day(d), d.weekday() >= 5
        mark = "班" if working and weekend else "休" if not working and not weekend else "  "
        return f"{day:>3}{mark}"

    @staticmethod
    def _names(year: int) -> dict[date, str]:
        """python-holidays' names (zh_CN) of the year's rest days and make-up workdays."""
        cn = holidays.country_holidays("CN", years=year, language="zh_CN")
        names = {d: str(n) for d, n in cn.items() if d.year == year}
        make_up = {d for d in cn.weekend_workdays if d.year == year}
        swapped: dict[date, date] = {}
        for rest, name in names.items():
            m = _SUBSTITUTED.search(name)
            if m is not None:
                swapped[date.fromisoformat(m.group(1))] = rest
        for d in make_up:
            rest_day = swapped.get(d)
            names[d] = f"调休上班（{rest_day:%m-%d} 休息）" if rest_day else "调休上班"
        return names

    @staticmethod
    def _notes(
        cal: WorkCalendar,
        year: int,
        month: int,
        names: dict[date, str],
        overrides: dict[date, HolidayOverride],
    ) -> list[str]:
        days = sorted(d for d in names.keys() | overrides.keys() if d.month == month)
        lines = []
        for d in days:
            working = cal.is_working_day(d)
            row = overrides.get(d)
            name = row.name if row is not None else names[d]
            note = f"  〔调整 override: {row.source_notice}〕" if row is not None else ""
            kind = "班" if working else "休"
            lines.append(f"  {d:%m-%d} 周{WEEKDAYS[d.weekday()]} {kind} {name}{note}")
        return lines

    # -- check --------------------------------------------------------------

    def _check(self, years_arg: str | None, org: Organisation | None) -> None:
        org_id = org.pk if org else None
        this_year = _today().year
        years = _years(years_arg) if years_arg else range(this_year, this_year + 2)
        w = self.stdout.write
        w(f"工作日历覆盖检查 (calendar coverage) — {self._scope(org)}")
        for year in years:
            w(f"{year}  {_describe(coverage(year, org_id))}")
        missing = [y for y in (this_year, this_year + 1) if not coverage(y, org_id).covered]
        for y in missing:
            if y not in years:
                w(f"{y}  {_describe(coverage(y, org_id))}")
        if missing:
            listed = "、".join(str(y) for y in missing)
            raise CommandError(
                f"当年或次年未覆盖 (this or next year not covered): {listed} — "
                "国务院安排公布后请载入：tousu calendar load FILE (load the schedule once published)",
                returncode=1,
            )
        w("当年和次年均已覆盖 (this year and next are covered)")

    # -- load ---------------------------------------------------------------

    def _load(self, path: str, org: Organisation | None) -> None:
        try:
            result = load_overrides(Path(path), org=org)
        except OverrideFileError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{exc.label}: {problem}")
            raise CommandError(
                f"{exc.label}: 未载入，未写入任何内容 (not loaded; nothing written): "
                f"{len(exc.problems)} 个问题 (problem(s))"
            ) from None
        self._report(path, org, result)
        if result.touched_years:
            changed = recompute_after_calendar_change(
                org.pk if org else None,
                result.touched_years,
                reason=f"calendar:{result.source_notice}",
                now=timezone.now(),
            )
            self.stdout.write(f"已重算期限的案件 (cases with deadlines recomputed): {changed}")

    def _report(self, path: str, org: Organisation | None, r: LoadResult) -> None:
        w = self.stdout.write
        w(f"已载入 (loaded) {path} → {self._scope(org)}")
        w(f"依据 (source notice): {r.source_notice}")
        rows = {
            row.date: row
            for row in HolidayOverride.objects.filter(
                org=org, date__in=[*r.created, *r.updated], withdrawn_at__isnull=True
            )
        }
        for label, days in (("新增 (created)", r.created), ("更新 (updated)", r.updated)):
            for d in days:
                row = rows.get(d)
                desc = f"{'班' if row.working else '休'} {row.name}" if row is not None else ""
                w(f"  {label} {d.isoformat()} 周{WEEKDAYS[d.weekday()]} {desc}")
        for d in r.withdrawn:
            w(f"  撤销 (withdrawn) {d.isoformat()}")
        w(
            f"新增 (created) {len(r.created)}，更新 (updated) {len(r.updated)}，"
            f"撤销 (withdrawn) {len(r.withdrawn)}，未变 (unchanged) {r.unchanged}"
        )
        if r.covered_added:
            w(f"已覆盖年份 (covered years) +{', '.join(map(str, r.covered_added))}")
        if r.covered_withdrawn:
            w(f"撤销覆盖年份 (covered years withdrawn) -{', '.join(map(str, r.covered_withdrawn))}")
        for warning in r.warnings:
            w(f"注意 (warning): {warning}")
        if r.touched_years:
            years = ", ".join(map(str, r.touched_years))
            w(f"受影响年份 (touched years): {years}")
        else:
            w("受影响年份 (touched years): 无 (none) — 没有变化 (nothing changed)")

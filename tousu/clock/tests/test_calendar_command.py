"""``tousu calendar show | check | load``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from tousu.cli import main
from tousu.clock import overrides
from tousu.clock.models import HolidayOverride
from tousu.conftest import World
from tousu.ops.management.commands import calendar as command

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "cn-2027-example.toml"


@pytest.fixture(autouse=True)
def _fresh_calendars(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    overrides.clear_cache()
    monkeypatch.setattr(command, "_today", lambda: date(2026, 6, 1))
    yield
    overrides.clear_cache()


def run(*args: str) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _month(output: str, year: int, month: int) -> str:
    start = output.index(f"{year}年{month}月")
    end = output.find(f"{year}年{month + 1}月", start)
    return output[start : end if end > 0 else None]


def test_show_marks_make_up_saturdays_and_weekday_holidays(db: None) -> None:
    out = run("show", "2026")
    assert "已覆盖 (covered)" in out and "python-holidays" in out
    february, october = _month(out, 2026, 2), _month(out, 2026, 10)
    grid = february.splitlines()
    assert grid[1].split() == list("一二三四五六日")
    week = next(line for line in grid if re.search(r"\b14班", line))
    assert week.index("14班") == 5 * 5 + 1  # the Saturday column
    assert re.search(r"\b16休", february) and re.search(r"\b20休", february)
    assert "02-14 周六 班 调休上班（02-20 休息）" in february
    assert re.search(r"^\s+1休", october, re.MULTILINE)
    assert "10-01 周四 休 国庆节" in october
    assert "10-10 周六 班" in october
    assert re.search(r"\b3\s", october.splitlines()[2])  # Saturday 10-03: a weekend, no mark


def test_show_says_when_a_year_is_provisional_and_shows_overrides(world: World) -> None:
    out = run("show", "2027")
    assert "未覆盖 (NOT covered)" in out and "估计" in out
    run("load", str(EXAMPLE), "--org", "acme")
    out = run("show", "2027", "--org", "acme")
    assert "组织 (organisation) acme" in out
    assert "已覆盖 (covered) — 覆盖文件 (override file): 示例 EXAMPLE" in out
    assert "02-20 周六 班 春节调休上班  〔调整 override: 示例 EXAMPLE" in out
    assert re.search(r"\b20班", _month(out, 2027, 2))


def test_check_reports_2027_as_not_covered_and_fails(db: None) -> None:
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("calendar", "check", "--years", "2025-2028", stdout=out)
    assert caught.value.returncode == 1
    assert "2027" in str(caught.value)
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("2025  已覆盖 (covered) — 国务院安排")
    assert lines[2].startswith("2026  已覆盖 (covered)")
    assert lines[3].startswith("2027  未覆盖 (NOT covered)")
    assert lines[4].startswith("2028  未覆盖 (NOT covered)")


def test_check_exit_status_through_the_tousu_command(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In process (fast); run_from_argv would close the test database's connection.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as caught:
        main(["tousu", "calendar", "check"])
    assert caught.value.code == 1
    run("load", str(EXAMPLE))
    out = run("check")  # 2026 and 2027: no error now
    assert "2027  已覆盖 (covered) — 覆盖文件 (override file): 示例 EXAMPLE" in out
    assert "均已覆盖" in out
    # In 2027, next year (2028) is checked even when --years leaves it out.
    monkeypatch.setattr(command, "_today", lambda: date(2027, 6, 1))
    report = StringIO()
    with pytest.raises(CommandError, match="2028"):
        call_command("calendar", "check", "--years", "2027", stdout=report)
    assert "2028  未覆盖" in report.getvalue()


def test_check_is_per_organisation(world: World) -> None:
    run("load", str(EXAMPLE), "--org", "acme")
    assert "均已覆盖" in run("check", "--org", "acme")
    with pytest.raises(CommandError):
        run("check", "--org", "other")
    with pytest.raises(CommandError, match="no organisation"):
        run("check", "--org", "nobody")


def test_load_prints_what_changed_and_the_touched_years(db: None) -> None:
    out = run("load", str(EXAMPLE))
    assert "受影响年份 (touched years): 2027" in out
    assert "新增 (created) 2027-02-20 周六 班 春节调休上班" in out
    assert "新增 (created) 23，更新 (updated) 0，撤销 (withdrawn) 0，未变 (unchanged) 0" in out
    assert "已覆盖年份 (covered years) +2027" in out
    again = run("load", str(EXAMPLE))
    assert "受影响年份 (touched years): 无 (none)" in again


def test_load_refuses_a_broken_file(db: None, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'complete_years = [2027]\n[[days]]\ndate = 2027-02-06\nworking = "yes"\nname = "x"\n'
    )
    err = StringIO()
    with pytest.raises(CommandError, match="nothing written"):
        call_command("calendar", "load", str(bad), stdout=StringIO(), stderr=err)
    assert "source_notice" in err.getvalue() and "working: 'yes'" in err.getvalue()
    assert not HolidayOverride.objects.exists()

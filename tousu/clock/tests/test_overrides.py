"""Holiday overrides: per organisation or installation-wide, withdrawable, loaded from files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from tousu.clock import overrides
from tousu.clock.models import CoveredYear, HolidayOverride
from tousu.clock.overrides import (
    OverrideFileError,
    add_override,
    calendar_for,
    coverage,
    declare_covered,
    load_overrides,
    withdraw,
)
from tousu.conftest import World
from tousu.orgs.models import AuditEvent, Organisation

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "cn-2027-example.toml"
NOTICE = "国办发明电〔2099〕1号"
FRIDAY, MONDAY, TUESDAY = date(2026, 3, 6), date(2026, 3, 9), date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _fresh_calendars() -> Iterator[None]:
    # Ids are reused after a rollback on SQLite, and a rollback fires no signal.
    overrides.clear_cache()
    yield
    overrides.clear_cache()


def _closure(
    org: Organisation | None, day: date = MONDAY, working: bool = False, name: str = "本地停工"
) -> HolidayOverride:
    return add_override(org=org, day=day, working=working, name=name, source_notice=NOTICE)


def _next_working(org_id: int | None) -> date:
    return calendar_for(org_id).add_working_days(FRIDAY, 1).date


def test_an_override_turns_a_working_day_into_a_rest_day(world: World) -> None:
    assert _next_working(world.org.pk) == MONDAY
    _closure(world.org)
    cal = calendar_for(world.org.pk)
    assert not cal.is_working_day(MONDAY)
    assert cal.add_working_days(FRIDAY, 1).date == TUESDAY
    assert cal.add_working_days(FRIDAY, 2).date == date(2026, 3, 11)


def test_a_working_override_makes_a_saturday_count(world: World) -> None:
    saturday = date(2026, 3, 7)
    _closure(world.org, day=saturday, working=True, name="加班日")
    assert _next_working(world.org.pk) == saturday


def test_an_organisations_override_applies_only_to_it(world: World) -> None:
    _closure(world.org)
    assert _next_working(world.org.pk) == TUESDAY
    assert _next_working(world.other.pk) == MONDAY
    assert _next_working(None) == MONDAY


def test_installation_overrides_apply_to_every_organisation(world: World) -> None:
    _closure(None)
    assert _next_working(None) == TUESDAY
    assert _next_working(world.org.pk) == TUESDAY
    assert _next_working(world.other.pk) == TUESDAY


def test_the_organisations_own_override_wins_over_the_installations(world: World) -> None:
    _closure(None)
    _closure(world.org, working=True, name="照常上班")
    assert _next_working(world.org.pk) == MONDAY
    assert _next_working(world.other.pk) == TUESDAY


def test_a_withdrawn_override_no_longer_counts_and_stays_on_record(world: World) -> None:
    row = _closure(world.org)
    assert _next_working(world.org.pk) == TUESDAY
    assert withdraw(row, actor=world.users["admin"]) is True
    assert withdraw(row) is False  # once only
    assert _next_working(world.org.pk) == MONDAY
    row.refresh_from_db()
    assert row.withdrawn_at is not None
    # The day can be declared again; the withdrawn row stays.
    _closure(world.org, name="本地停工（改期后）")
    assert HolidayOverride.objects.filter(org=world.org, date=MONDAY).count() == 2
    assert _next_working(world.org.pk) == TUESDAY


def test_two_active_overrides_on_one_day_are_refused(world: World) -> None:
    from django.core.exceptions import ValidationError

    _closure(world.org)
    with pytest.raises(ValidationError):
        _closure(world.org, working=True)
    _closure(None)
    with pytest.raises(ValidationError):
        _closure(None)


def test_create_and_withdraw_write_audit_events(world: World) -> None:
    admin = world.users["admin"]
    row = add_override(org=world.org, day=MONDAY, working=False, name="本地停工",
                       source_notice=NOTICE, actor=admin)  # fmt: skip
    withdraw(row, actor=admin)
    year = declare_covered(org=None, year=2031, source_notice=NOTICE, actor=admin)
    created = AuditEvent.objects.get(type="holidayoverride.created", object_id=str(row.pk))
    assert created.org == world.org and created.actor == admin
    assert created.data["date"] == "2026-03-09" and created.data["working"] is False
    assert created.data["source_notice"] == NOTICE
    assert AuditEvent.objects.filter(type="holidayoverride.withdrawn", actor=admin).count() == 1
    covered = AuditEvent.objects.get(type="coveredyear.created", object_id=str(year.pk))
    assert covered.org is None and covered.data["year"] == 2031


def test_other_processes_see_a_change_within_a_minute(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(overrides, "_monotonic", lambda: now[0])
    row = _closure(world.org)
    assert _next_working(world.org.pk) == TUESDAY
    # Another process withdraws it: no signal reaches this one.
    HolidayOverride.objects.filter(pk=row.pk).update(withdrawn_at=timezone.now())
    now[0] += 30
    assert _next_working(world.org.pk) == TUESDAY  # still cached
    now[0] += 31
    assert _next_working(world.org.pk) == MONDAY


def test_a_save_in_this_process_drops_cached_calendars_at_once(world: World) -> None:
    cal = calendar_for(world.org.pk)
    assert calendar_for(world.org.pk) is cal
    _closure(None)
    assert calendar_for(world.org.pk) is not cal


# -- override files ------------------------------------------------------------


def test_loading_the_example_makes_2027_covered_for_the_installation(world: World) -> None:
    start = date(2027, 3, 1)
    assert calendar_for(None).add_working_days(start, 5).provisional
    result = load_overrides(EXAMPLE)
    assert result.touched_years == (2027,)
    assert len(result.created) == 23 and result.covered_added == (2027,)
    assert not result.updated and not result.withdrawn
    for org_id in (None, world.org.pk, world.other.pk):
        cal = calendar_for(org_id)
        assert cal.is_covered(2027)
        assert not cal.add_working_days(start, 5).provisional
        assert cal.is_working_day(date(2027, 2, 20))  # a make-up Saturday in the example
        assert not cal.is_working_day(date(2027, 2, 11))
    assert coverage(2027, None).notices == (result.source_notice,)
    assert AuditEvent.objects.filter(type="holidayoverride.created").count() == 23
    assert AuditEvent.objects.filter(type="coveredyear.created").count() == 1


def test_loading_for_an_organisation_covers_2027_for_it_only(world: World) -> None:
    result = load_overrides(EXAMPLE, org=world.org, actor=world.users["admin"])
    assert result.touched_years == (2027,) and result.org_id == world.org.pk
    assert calendar_for(world.org.pk).is_covered(2027)
    assert not calendar_for(world.other.pk).is_covered(2027)
    assert not calendar_for(None).is_covered(2027)
    event = AuditEvent.objects.filter(type="holidayoverride.created").first()
    assert event is not None and event.org == world.org and event.actor == world.users["admin"]
    assert event.data["via"] == "file"


def test_reloading_changes_only_what_differs(world: World) -> None:
    load_overrides(EXAMPLE)
    again = load_overrides(EXAMPLE)
    assert again.touched_years == () and again.unchanged == 23
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("date = 2027-10-09\nworking = true", "date = 2027-10-09\nworking = false")
    text = text.replace('[[days]]\ndate = 2027-06-09\nworking = false\nname = "端午节"\n', "")
    text = text.replace("complete_years = [2027]", "complete_years = []")
    fixed = load_overrides(text)
    assert fixed.updated == (date(2027, 10, 9),)
    assert fixed.withdrawn == (date(2027, 6, 9),)
    assert fixed.covered_withdrawn == (2027,)
    assert fixed.touched_years == (2027,)
    assert not calendar_for(None).is_working_day(date(2027, 10, 9))
    assert not calendar_for(None).is_covered(2027)
    assert HolidayOverride.objects.filter(withdrawn_at__isnull=True).count() == 22
    assert HolidayOverride.objects.count() == 24  # withdrawn rows stay


GOOD_DAY = '[[days]]\ndate = 2027-02-06\nworking = true\nname = "春节调休上班"\n'


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("complete_years = [2027]\n" + GOOD_DAY, "source_notice: "),
        (
            f'source_notice = "{NOTICE}"\n[[days]]\ndate = 2027-02-30\nworking = false\nname = "x"\n',
            "line 3: 'date = 2027-02-30'",
        ),
        (
            f'source_notice = "{NOTICE}"\n' + GOOD_DAY + GOOD_DAY,
            "days[1] (line 6).date: 2027-02-06",
        ),
        (
            f'source_notice = "{NOTICE}"\n' + GOOD_DAY.replace("true", '"yes"'),
            "days[0] (line 2).working: 'yes'",
        ),
        (
            f'source_notice = "{NOTICE}"\n' + GOOD_DAY.replace("2027-02-06", '"2027-02-06"'),
            "TOML date",
        ),
        (
            f'source_notice = "{NOTICE}"\ncomplete_year = [2027]\n' + GOOD_DAY,
            "complete_year (line 2)",
        ),
        (f'source_notice = "{NOTICE}"\ncomplete_years = ["2027"]\n', "'2027'"),
    ],
    ids=["no-notice", "bad-date", "duplicate", "working-yes", "quoted-date", "typo", "year"],
)
def test_a_broken_file_is_refused_naming_the_problem_and_writes_nothing(
    db: None, text: str, problem: str
) -> None:
    with pytest.raises(OverrideFileError) as caught:
        load_overrides(text)
    assert isinstance(caught.value, ValueError)
    assert problem in str(caught.value), str(caught.value)
    assert not HolidayOverride.objects.exists()
    assert not CoveredYear.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_failure_while_writing_rolls_the_whole_file_back(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(overrides, "declare_covered", fail)
    with pytest.raises(RuntimeError):
        load_overrides(EXAMPLE)
    assert not HolidayOverride.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_missing_file_is_an_override_file_error(db: None, tmp_path: Path) -> None:
    with pytest.raises(OverrideFileError, match="no such file"):
        load_overrides(tmp_path / "nope.toml")


# -- admin ---------------------------------------------------------------------


def _client(user) -> Client:
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_organisation_administrators_see_their_rows_not_the_installations(world: World) -> None:
    mine = _closure(world.org, name="甲单位停工")
    _closure(world.other, name="乙单位停工")
    _closure(None, name="全系统停工")
    client = _client(world.users["admin"])
    listing = client.get("/admin/clock/holidayoverride/").content.decode()
    assert "甲单位停工" in listing
    assert "乙单位停工" not in listing and "全系统停工" not in listing
    assert client.get(f"/admin/clock/holidayoverride/{mine.pk}/change/").status_code == 200
    # The organisation is required for them: a blank one would be installation-wide.
    r = client.post(
        "/admin/clock/holidayoverride/add/",
        {"org": "", "date": "2026-03-10", "working": "", "name": "x", "source_notice": NOTICE},
    )
    assert r.status_code == 200 and not HolidayOverride.objects.filter(name="x").exists()
    r = client.post(
        "/admin/clock/holidayoverride/add/",
        {"org": world.org.pk, "date": "2026-03-10", "name": "停电", "source_notice": NOTICE},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    added = HolidayOverride.objects.get(name="停电")
    assert added.org == world.org and added.created_by == world.users["admin"]
    assert added.working is False
    assert AuditEvent.objects.filter(
        type="holidayoverride.created", object_id=str(added.pk)
    ).exists()
    assert _next_working(world.org.pk) == date(2026, 3, 11)


def test_a_second_active_row_on_a_day_is_a_form_error_and_withdrawal_is_an_action(
    world: World,
) -> None:
    row = _closure(world.org)
    client = _client(world.users["admin"])
    r = client.post(
        "/admin/clock/holidayoverride/add/",
        {"org": world.org.pk, "date": "2026-03-09", "name": "重复", "source_notice": NOTICE},
    )
    assert r.status_code == 200 and "已有生效的调整" in r.content.decode()
    r = client.post(
        "/admin/clock/holidayoverride/",
        {"action": "withdraw_selected", "_selected_action": [row.pk]},
    )
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.withdrawn_at is not None
    assert AuditEvent.objects.filter(type="holidayoverride.withdrawn", data__via="admin").exists()
    r = client.post(f"/admin/clock/holidayoverride/{row.pk}/delete/", {"post": "yes"})
    assert r.status_code == 403


def test_superusers_see_installation_rows(world: World) -> None:
    _closure(None, name="全系统停工")
    user = world.users["admin"]
    user.is_superuser = True
    client = _client(user)
    assert "全系统停工" in client.get("/admin/clock/holidayoverride/").content.decode()
    r = client.post(
        "/admin/clock/coveredyear/add/", {"org": "", "year": "2031", "source_notice": NOTICE}
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert calendar_for(world.other.pk).is_covered(2031)

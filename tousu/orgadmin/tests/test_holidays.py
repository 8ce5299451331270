"""Holiday overrides: added and withdrawn here, deadlines recomputed at once."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from tousu.cases.models import Case, Deadline, Event
from tousu.clock.models import HolidayOverride
from tousu.clock.overrides import add_override, calendar_for
from tousu.conftest import World
from tousu.orgs.models import AuditEvent

NOTICE = "本单位通知〔2026〕1号"


def _acceptance(desk) -> Deadline:
    assert desk("clerk").register().status_code == 302
    return Deadline.objects.get(case=Case.objects.get(), stage="acceptance")


def _working_day_within(world: World, deadline: Deadline) -> date:
    """A working day the acceptance clock counts (after its start, up to its due date)."""
    tz = ZoneInfo(world.org.time_zone)
    start = deadline.started_at.astimezone(tz).date()
    due = deadline.due_at.astimezone(tz).date()
    cal = calendar_for(world.org.pk)
    day = start + timedelta(days=1)
    while not cal.is_working_day(day):
        day += timedelta(days=1)
    assert day <= due
    return day


def test_a_day_off_moves_a_running_deadline_and_the_page_says_so(world: World, desk) -> None:
    deadline = _acceptance(desk)
    before = deadline.due_at
    day = _working_day_within(world, deadline)
    admin = desk("admin")
    r = admin.post(
        "manage/holidays/new/",
        {"date": day.isoformat(), "working": "0", "name": "本地停工", "source_notice": NOTICE},
        follow=True,
    )
    assert r.status_code == 200
    page = r.content.decode()
    assert "已重算期限：1 个期限的到期时间改变（涉及 1 件案件）" in page
    deadline.refresh_from_db()
    assert deadline.due_at > before
    event = Event.objects.get(case=deadline.case, type="deadlines_recomputed")
    assert event.data["reason"] == f"calendar:{NOTICE}"
    row = HolidayOverride.objects.get(org=world.org, date=day)
    assert row.created_by == world.users["admin"] and not row.working
    created = AuditEvent.objects.get(type="holidayoverride.created", object_id=str(row.pk))
    assert created.data["via"] == "desk" and created.actor == world.users["admin"]

    r = admin.post(f"manage/holidays/{row.pk}/withdraw/", follow=True)
    assert r.status_code == 200
    assert "已重算期限：1 个期限" in r.content.decode()
    deadline.refresh_from_db()
    assert deadline.due_at == before
    row.refresh_from_db()
    assert row.withdrawn_at is not None  # withdrawn, not deleted
    assert AuditEvent.objects.filter(type="holidayoverride.withdrawn").count() == 1


def test_a_second_active_override_on_the_same_day_is_refused(world: World, desk) -> None:
    admin = desk("admin")
    data = {"date": "2026-03-09", "working": "0", "name": "停工", "source_notice": NOTICE}
    assert admin.post("manage/holidays/new/", data).status_code == 302
    r = admin.post("manage/holidays/new/", {**data, "working": "1"})
    assert r.status_code == 409
    assert "该日已有生效的调整" in r.content.decode()
    assert HolidayOverride.objects.filter(org=world.org).count() == 1
    r = admin.post("manage/holidays/new/", {**data, "date": "2026-02-30"})
    assert r.status_code == 422


def test_the_installations_overrides_are_shown_but_not_withdrawn_here(world: World, desk) -> None:
    row = add_override(
        org=None, day=date(2027, 2, 6), working=True, name="春节调休上班", source_notice="国办"
    )
    other = add_override(
        org=world.other, day=date(2027, 2, 8), working=False, name="别家停工", source_notice="x"
    )
    admin = desk("admin")
    page = admin.get("manage/holidays/").content.decode()
    assert "春节调休上班" in page and "别家停工" not in page
    assert f"/holidays/{row.pk}/withdraw/" not in page
    assert admin.post(f"manage/holidays/{row.pk}/withdraw/").status_code == 404
    assert admin.post(f"manage/holidays/{other.pk}/withdraw/").status_code == 404
    row.refresh_from_db()
    assert row.withdrawn_at is None

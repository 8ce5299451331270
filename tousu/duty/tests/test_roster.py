"""The roster: adding and cancelling shifts, who is on duty, when the office is closed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tousu.cases.errors import TousuError
from tousu.conftest import World
from tousu.duty import services
from tousu.duty.models import Shift
from tousu.duty.tests.conftest import TZ, at
from tousu.orgs.models import AuditEvent
from tousu.orgs.services import set_profile


def _form(
    world: World,
    persona: str = "handler",
    start: str = "2026-12-01T17:30",
    end: str = "2026-12-02T08:30",
    **more: str,
) -> dict[str, str]:
    return {
        "user": str(world.users[persona].pk),
        "kind": "general",
        "starts_at": start,
        "ends_at": end,
        **more,
    }


def test_a_supervisor_adds_a_shift_and_it_is_audited(world, desk):
    r = desk("supervisor").post("duty/shifts/add/", _form(world, note="节前加班"))
    assert r.status_code == 302, r.content.decode()[:2000]
    assert r["Location"].endswith("/duty/?week=2026-12-01")
    shift = Shift.objects.get()
    assert shift.user == world.users["handler"] and shift.kind == "general"
    assert shift.starts_at == at("2026-12-01", "17:30")
    assert shift.ends_at == at("2026-12-02", "08:30")
    assert shift.created_by == world.users["supervisor"] and shift.note == "节前加班"
    event = AuditEvent.objects.get(type="shift.added")
    assert event.actor == world.users["supervisor"] and event.object_id == str(shift.pk)
    assert event.data["user"] == "handler" and "note" not in event.data
    page = desk("handler").get("duty/", week="2026-12-01").content.decode()
    assert "17:30–08:30 (+1)" in page and "handler" in page


def test_an_overlapping_shift_of_the_same_kind_is_refused_and_nothing_saved(world, desk):
    sup = desk("supervisor")
    assert sup.post("duty/shifts/add/", _form(world)).status_code == 302
    r = sup.post("duty/shifts/add/", _form(world, start="2026-12-02T08:00", end="2026-12-02T12:00"))
    assert r.status_code == 409
    assert "已有同类班次，时间不能重叠" in r.content.decode()
    assert Shift.objects.count() == 1
    assert AuditEvent.objects.filter(type="shift.added").count() == 1
    # Another kind for the same person, or the same kind for someone else, is fine.
    hotline = _form(world, start="2026-12-02T08:00", end="2026-12-02T12:00", kind="hotline")
    assert sup.post("duty/shifts/add/", hotline).status_code == 302
    other = _form(world, "clerk", start="2026-12-02T08:00", end="2026-12-02T12:00")
    assert sup.post("duty/shifts/add/", other).status_code == 302
    # Back to back is not an overlap.
    after = _form(world, start="2026-12-02T08:30", end="2026-12-02T17:30")
    assert sup.post("duty/shifts/add/", after).status_code == 302
    assert Shift.objects.count() == 4


def test_the_overlap_message_is_in_english_too(world):
    admin = world.actor("admin")
    kw = {"user_id": world.users["clerk"].pk, "kind": "hotline", "now": timezone.now()}
    services.add_shift(
        admin, starts_at=at("2026-12-01", "08:00"), ends_at=at("2026-12-01", "20:00"), **kw
    )
    with pytest.raises(TousuError) as refused:
        services.add_shift(
            admin, starts_at=at("2026-12-01", "19:00"), ends_at=at("2026-12-02", "07:00"), **kw
        )
    assert refused.value.code == "shift_overlap" and refused.value.status == 409
    assert "already has a shift of this kind" in refused.value.en


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-12-01T17:30", "2026-12-01T17:30", "结束时间须晚于开始时间"),
        ("2026-12-01T17:30", "2026-12-01T08:00", "结束时间须晚于开始时间"),
        ("2026-12-01T08:00", "2026-12-04T08:01", "一个班次最长 72 小时"),
        ("", "2026-12-01T08:00", "请填写开始时间"),
    ],
)
def test_a_shift_must_end_after_it_starts_and_last_at_most_72_hours(
    world, desk, start, end, message
):
    r = desk("leader").post("duty/shifts/add/", _form(world, start=start, end=end))
    assert r.status_code == 422
    assert message in r.content.decode()
    assert not Shift.objects.exists() and not AuditEvent.objects.filter(type="shift.added").exists()


def test_someone_from_another_organisation_cannot_be_put_on_the_roster(world, desk):
    r = desk("admin").post("duty/shifts/add/", _form(world, "outsider"))
    assert r.status_code == 422 and "本单位没有该工作人员" in r.content.decode()
    assert not Shift.objects.exists()


def test_on_duty_answers_across_midnight(world):
    org = world.org
    night = Shift.objects.create(
        org=org, user=world.users["supervisor"], kind="general",
        starts_at=at("2026-11-24", "17:30"), ends_at=at("2026-11-25", "08:30"),
        created_by=world.users["admin"], created_at=timezone.now(),
    )  # fmt: skip
    assert services.on_duty(org, at("2026-11-24", "23:00")) == [night]
    assert services.on_duty(org, at("2026-11-25", "02:00")) == [night]
    assert services.on_duty(org, at("2026-11-24", "17:30")) == [night]  # start counts
    assert services.on_duty(org, at("2026-11-25", "08:30")) == []  # end does not
    assert services.on_duty(org, at("2026-11-24", "17:29")) == []
    assert services.on_duty(org, at("2026-11-25", "02:00"), kind="hotline") == []
    assert services.on_duty(world.other, at("2026-11-25", "02:00")) == []
    night.cancelled_at = timezone.now()
    night.save()
    assert services.on_duty(org, at("2026-11-25", "02:00")) == []


def test_after_hours_follows_working_hours_and_the_working_day_calendar(world):
    org = world.org
    assert not services.after_hours(org, at("2026-11-24", "10:00"))  # Tuesday
    assert not services.after_hours(org, at("2026-11-24", "08:30"))
    assert services.after_hours(org, at("2026-11-24", "17:30"))
    assert services.after_hours(org, at("2026-11-24", "22:00"))
    assert services.after_hours(org, at("2026-11-25", "07:59"))
    assert services.after_hours(org, at("2026-11-28", "10:00"))  # Saturday
    assert not services.after_hours(org, at("2026-10-10", "10:00"))  # make-up Saturday (调休)
    assert services.after_hours(org, at("2026-10-01", "10:00"))  # National Day
    # The organisation's clock, whatever the caller's zone.
    assert services.after_hours(org, at("2026-11-24", "10:00").astimezone(TZ).replace(hour=2))


def test_cancelling_keeps_the_row_and_an_ended_shift_stays(world, desk):
    now = timezone.now()
    admin = world.actor("admin")
    kw = {"user_id": world.users["clerk"].pk, "kind": "hotline", "now": now}
    coming = services.add_shift(
        admin, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=8), **kw
    )
    past = services.add_shift(
        admin, starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1), **kw
    )
    sup = desk("supervisor")
    assert sup.post(f"duty/shifts/{coming.pk}/cancel/").status_code == 302
    coming.refresh_from_db()
    assert coming.cancelled_at is not None and coming.cancelled_by == world.users["supervisor"]
    assert AuditEvent.objects.filter(type="shift.cancelled", object_id=str(coming.pk)).exists()
    r = sup.post(f"duty/shifts/{coming.pk}/cancel/")
    assert r.status_code == 409 and "该班次已取消" in r.content.decode()
    r = sup.post(f"duty/shifts/{past.pk}/cancel/")
    assert r.status_code == 409 and "已结束的班次不能取消" in r.content.decode()
    past.refresh_from_db()
    assert past.cancelled_at is None
    assert Shift.objects.count() == 2


def test_the_roster_shows_who_is_on_duty_now_to_everyone(world, desk):
    set_profile(world.users["supervisor"], org=world.org, name="赵立新", title="行政总值班")
    now = timezone.now()
    services.add_shift(
        world.actor("leader"), user_id=world.users["supervisor"].pk, kind="general",
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=5), now=now,
    )  # fmt: skip
    for persona in ("handler", "auditor", "clerk"):
        r = desk(persona).get("duty/")
        assert r.status_code == 200
        page = r.content.decode()
        assert "当前值班" in page and "（值班中）" in page and "赵立新" in page
        assert "加入值班表" not in page  # read-only


def test_a_handler_cannot_change_the_roster(world, desk):
    shift = services.add_shift(
        world.actor("admin"), user_id=world.users["clerk"].pk, kind="hotline",
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=8), now=timezone.now(),
    )  # fmt: skip
    handler = desk("handler")
    r = handler.post("duty/shifts/add/", _form(world))
    assert r.status_code == 403 and "只有督办员、分管领导和管理员可以排班" in r.content.decode()
    assert handler.post(f"duty/shifts/{shift.pk}/cancel/").status_code == 403
    assert Shift.objects.count() == 1 and Shift.objects.get().cancelled_at is None
    assert desk("dispatcher").post("duty/shifts/add/", _form(world)).status_code == 403


def test_another_organisation_and_anonymous_visitors_are_kept_out(world, desk):
    shift = services.add_shift(
        world.actor("admin"), user_id=world.users["clerk"].pk, kind="hotline",
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=8), now=timezone.now(),
    )  # fmt: skip
    outsider = desk("outsider")
    assert outsider.get("duty/").status_code == 404
    assert outsider.get("duty/mine/").status_code == 404
    assert outsider.post("duty/shifts/add/", _form(world)).status_code == 404
    assert outsider.post(f"duty/shifts/{shift.pk}/cancel/").status_code == 404
    # A shift of acme through the other organisation's own roster is not found either.
    assert desk("outsider", "other").post(f"duty/shifts/{shift.pk}/cancel/").status_code in (
        403,
        404,
    )
    anonymous = desk("handler")
    anonymous.client.logout()
    r = anonymous.get("duty/")
    assert r.status_code == 302 and "/login/" in r["Location"]
    r = anonymous.post("duty/shifts/add/", _form(world))
    assert r.status_code == 302 and "/login/" in r["Location"]
    assert Shift.objects.count() == 1


def test_reading_pages_refuse_post_and_changes_refuse_get(world, desk):
    sup = desk("supervisor")
    assert sup.get("duty/shifts/add/").status_code == 405
    assert sup.post("duty/").status_code == 405

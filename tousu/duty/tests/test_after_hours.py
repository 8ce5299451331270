"""After-hours intake lands with the duty officer; the next day the office takes it over."""

from __future__ import annotations

from datetime import date

from tousu.cases import intake
from tousu.cases.actions import resolve_on_the_spot
from tousu.cases.inputs import RegisterIn, ResolveOnTheSpotIn
from tousu.cases.models import Notification
from tousu.clock.overrides import calendar_for
from tousu.duty import handon
from tousu.duty.models import DutyIntake, Shift
from tousu.duty.tests.conftest import Hospital, at
from tousu.orgs.models import AuditEvent, Membership

TUESDAY, WEDNESDAY = "2026-11-24", "2026-11-25"


def _night(
    hos: Hospital,
    persona: str = "supervisor",
    day: str = TUESDAY,
    next_day: str = WEDNESDAY,
    kind: str = "general",
) -> Shift:
    return hos.on_roster(persona, at(day, "17:30"), at(next_day, "08:30"), kind)


def test_a_case_at_22_on_a_working_day_lands_with_the_duty_officer(hos, desk):
    night = _night(hos)
    case = hos.register("clerk", at(TUESDAY, "22:00"), now=at(TUESDAY, "22:05"))
    landed = DutyIntake.objects.get(case=case)
    assert landed.shift == night and landed.hand_on_state == "pending"
    assert landed.hand_on_date == date(2026, 11, 25)  # the hospital: 次日
    note = Notification.objects.get(user=hos.user("supervisor"), case=case)
    assert note.kind == "after_hours_intake"
    # First contact stays with whoever took the call; nothing else about the case moves.
    case.refresh_from_db()
    assert case.first_contact_owner == hos.user("clerk") and case.handler is None
    event = AuditEvent.objects.get(type="dutyintake.landed")
    assert event.data["officer"] == "supervisor" and event.data["notified"] is True
    assert "王建国" not in str(event.data)
    page = desk("supervisor", "hos").get("duty/mine/", shift=night.pk).content.decode()
    assert "本班次收到的案件" in page and str(case.number) in page
    assert "是（非工作时间）" in page


def test_a_case_at_10_does_not_land(hos):
    _night(hos)
    hos.on_roster("leader", at(TUESDAY, "08:30"), at(TUESDAY, "17:30"), "other")
    case = hos.register("clerk", at(TUESDAY, "10:00"), now=at(TUESDAY, "10:05"))
    assert not DutyIntake.objects.filter(case=case).exists()
    assert not Notification.objects.filter(case=case).exists()


def test_a_night_call_written_up_in_the_morning_is_already_with_the_office(hos):
    _night(hos)
    case = hos.register("clerk", at(TUESDAY, "22:00"), now=at(WEDNESDAY, "09:00"))
    assert not DutyIntake.objects.filter(case=case).exists()


def test_without_anyone_on_the_roster_nothing_lands(hos):
    case = hos.register("clerk", at(TUESDAY, "22:00"), now=at(TUESDAY, "22:05"))
    assert not DutyIntake.objects.exists() and not Notification.objects.filter(case=case).exists()


def test_an_organisation_without_duty_rules_is_untouched(world, hos):
    # acme runs the general preset: after hours, cases wait for the next working day.
    Shift.objects.create(
        org=world.org, user=world.users["supervisor"], kind="general",
        starts_at=at(TUESDAY, "17:30"), ends_at=at(WEDNESDAY, "08:30"),
        created_by=world.users["admin"], created_at=at(TUESDAY, "09:00"),
    )  # fmt: skip
    data = RegisterIn.model_validate(
        {
            "kind": "complaint",
            "channel": "phone",
            "content": "夜间来电",
            "received_at": at(TUESDAY, "22:00"),
        }
    )
    case = intake.register(world.actor("clerk"), data, now=at(TUESDAY, "22:05"))
    assert not DutyIntake.objects.exists() and not Notification.objects.filter(case=case).exists()


def test_the_duty_officer_who_takes_the_call_gets_no_notice(hos):
    night = _night(hos)
    _night(hos, "leader", kind="other")
    case = hos.register("supervisor", at(TUESDAY, "23:10"), now=at(TUESDAY, "23:15"))
    assert DutyIntake.objects.get(case=case).shift == night
    assert not Notification.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.first_contact_owner == hos.user("supervisor")


def test_general_duty_is_chosen_before_the_hotline(hos):
    _night(hos, "clerk", kind="hotline")
    general = _night(hos, "supervisor")
    case = hos.register("dispatcher", at(TUESDAY, "21:00"), now=at(TUESDAY, "21:01"))
    assert DutyIntake.objects.get(case=case).shift == general


def test_an_officer_who_may_not_see_the_case_is_not_told_about_it(hos):
    # The hotline clerk on duty sees only what they registered themselves.
    hotline = _night(hos, "clerk", kind="hotline")
    case = hos.register("dispatcher", at(TUESDAY, "21:00"), now=at(TUESDAY, "21:01"))
    assert DutyIntake.objects.get(case=case).shift == hotline
    assert not Notification.objects.filter(case=case).exists()


def test_friday_night_is_handed_on_saturday_or_monday(hos):
    friday = hos.on_roster("supervisor", at("2026-11-27", "17:30"), at("2026-11-28", "08:30"))
    cal = calendar_for(hos.org.pk)
    opening = at("2026-11-27", "08:30").timetz().replace(tzinfo=None)
    late = at("2026-11-27", "22:00")
    small_hours = at("2026-11-28", "01:00")
    for received in (late, small_hours):
        assert handon.hand_on_date("next_day", received, friday, opening, cal) == date(2026, 11, 28)
        assert handon.hand_on_date("next_working_day", received, friday, opening, cal) == date(
            2026, 11, 30
        )
    # A Saturday day shift's calls go on Sunday (次日) or Monday.
    saturday = hos.on_roster("supervisor", at("2026-11-28", "08:30"), at("2026-11-28", "17:30"))
    noon = at("2026-11-28", "12:00")
    assert handon.hand_on_date("next_day", noon, saturday, opening, cal) == date(2026, 11, 29)
    assert handon.hand_on_date("next_working_day", noon, saturday, opening, cal) == date(
        2026, 11, 30
    )


def test_the_office_takes_over_the_next_day_what_duty_could_not_settle(hos, desk):
    _night(hos)
    waiting = hos.register("clerk", at(TUESDAY, "22:00"), now=at(TUESDAY, "22:05"))
    settled = hos.register("clerk", at(TUESDAY, "23:00"), now=at(TUESDAY, "23:05"))
    resolve_on_the_spot(
        settled.pk, actor=hos.actor("supervisor"),
        data=ResolveOnTheSpotIn(findings="当场核对收费记录并解释，投诉人认可。"),
        now=at(TUESDAY, "23:30"),
    )  # fmt: skip
    # Not before the hand-on day.
    assert handon.hand_on(hos.org, at(TUESDAY, "23:59")) == handon.HandOnResult()
    result = handon.hand_on(hos.org, at(WEDNESDAY, "08:40"))
    assert (result.handed_on, result.settled, result.notified) == (1, 1, 1)
    assert DutyIntake.objects.get(case=waiting).hand_on_state == "handed_on"
    assert DutyIntake.objects.get(case=settled).hand_on_state == "settled"
    notice = Notification.objects.get(kind="duty_hand_on")
    assert notice.user == hos.user("dispatcher") and notice.case == waiting
    event = AuditEvent.objects.get(type="dutyintake.handed_on")
    assert event.data["to"] == ["dispatcher"]
    # A second run (or a second worker) finds nothing left.
    assert handon.hand_on(hos.org, at(WEDNESDAY, "09:00")) == handon.HandOnResult()
    assert handon.run_hand_on(at(WEDNESDAY, "09:00").isoformat())["handed_on"] == 0
    assert Notification.objects.filter(kind="duty_hand_on").count() == 1


def test_the_office_sees_it_on_its_duty_page_from_the_hand_on_day(hos, desk):
    _night(hos, day="2026-11-26", next_day="2026-11-27")
    case = hos.register("clerk", at("2026-11-26", "22:00"), now=at("2026-11-26", "22:05"))
    # The page shows it from the hand-on day (27 November, before today), before any run.
    page = desk("dispatcher", "hos").get("duty/mine/").content.decode()
    assert "值班移交待办" in page and str(case.number) in page
    # A handler is not the office and sees no such list.
    page = desk("handler", "hos").get("duty/mine/").content.decode()
    assert "值班移交待办" not in page and str(case.number) not in page


def test_the_periodic_job_hands_on_every_organisation(hos):
    _night(hos)
    hos.register("clerk", at(TUESDAY, "22:00"), now=at(TUESDAY, "22:05"))
    assert handon.run_hand_on(at(WEDNESDAY, "08:00").isoformat()) == {
        "handed_on": 1,
        "settled": 0,
        "notified": 1,
    }


def test_an_officer_who_left_the_organisation_does_not_stop_registration(hos):
    _night(hos)
    Membership.objects.filter(org=hos.org, user=hos.user("supervisor")).update(active=False)
    case = hos.register("clerk", at(TUESDAY, "22:00"), now=at(TUESDAY, "22:05"))
    assert case.number and DutyIntake.objects.filter(case=case).exists()
    assert not Notification.objects.filter(case=case).exists()

"""The hand-over note (交接班): what is open goes to the next person, who acknowledges it."""

from __future__ import annotations

from tousu.cases.models import Case, Notification
from tousu.duty.models import DutyIntake, HandOver, Shift
from tousu.duty.tests.conftest import Hospital, at
from tousu.orgs.models import AuditEvent

TUESDAY, WEDNESDAY = "2026-11-24", "2026-11-25"


def _night_with_cases(hos: Hospital) -> tuple[Shift, Case, Case]:
    night = hos.on_roster("supervisor", at(TUESDAY, "17:30"), at(WEDNESDAY, "08:30"))
    by_clerk = hos.register("clerk", at(TUESDAY, "20:00"), now=at(TUESDAY, "20:05"))
    by_officer = hos.register("supervisor", at(TUESDAY, "23:00"), now=at(TUESDAY, "23:05"))
    hos.register("clerk", at(TUESDAY, "15:00"), now=at(TUESDAY, "15:05"))  # the day before
    return night, by_clerk, by_officer


def test_the_note_lists_the_open_cases_of_the_shift_and_only_the_receiver_acknowledges(hos, desk):
    night, by_clerk, by_officer = _night_with_cases(hos)
    officer = desk("supervisor", "hos")
    page = officer.get("duty/mine/", shift=night.pk).content.decode()
    assert str(by_clerk.number) in page and str(by_officer.number) in page
    assert "写交接班记录" in page
    r = officer.post(
        "duty/handover/",
        {"shift": night.pk, "to": hos.user("dispatcher").pk, "body": "两件收费投诉待分办。"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    note = HandOver.objects.get()
    assert note.from_shift == night and note.from_user == hos.user("supervisor")
    assert note.to_user == hos.user("dispatcher") and not note.to_office
    assert note.case_numbers == [by_clerk.number, by_officer.number]
    written = AuditEvent.objects.get(type="handover.written")
    assert written.data == {"to": "dispatcher", "shift": night.pk, "cases": 2}

    # The writer, a leader who may read the duty log, and a stranger to the note cannot sign.
    assert officer.post(f"duty/handover/{note.pk}/receive/").status_code == 403
    r = desk("leader", "hos").post(f"duty/handover/{note.pk}/receive/")
    assert r.status_code == 403 and "只有接班人可以签收" in r.content.decode()
    assert desk("handler", "hos").post(f"duty/handover/{note.pk}/receive/").status_code == 404
    assert desk("outsider").post(f"duty/handover/{note.pk}/receive/").status_code == 404
    note.refresh_from_db()
    assert note.received_at is None

    receiver = desk("dispatcher", "hos")
    page = receiver.get("duty/mine/").content.decode()
    assert "待我签收的交接班" in page and "两件收费投诉待分办。" in page
    assert receiver.post(f"duty/handover/{note.pk}/receive/").status_code == 302
    note.refresh_from_db()
    assert note.received_by == hos.user("dispatcher") and note.received_at is not None
    assert AuditEvent.objects.get(type="handover.received").data == {"by": "dispatcher"}
    r = receiver.post(f"duty/handover/{note.pk}/receive/")
    assert r.status_code == 409 and "已签收" in r.content.decode()


def test_the_hand_over_never_lists_a_case_the_receiver_may_not_see(hos, desk):
    night, by_clerk, by_officer = _night_with_cases(hos)
    officer = desk("supervisor", "hos")
    # To the intake clerk, who sees only the cases they took themselves.
    r = officer.post(
        "duty/handover/", {"shift": night.pk, "to": hos.user("clerk").pk, "body": "见下列案件。"}
    )
    assert r.status_code == 302
    note = HandOver.objects.get()
    assert note.case_numbers == [by_clerk.number]
    page = desk("clerk", "hos").get("duty/mine/").content.decode()
    assert str(by_clerk.number) in page and str(by_officer.number) not in page

    # To the office: stored for the office, shown to each member as far as they may see.
    officer.post("duty/handover/", {"shift": night.pk, "to": "office", "body": "交办公室。"})
    office_note = HandOver.objects.get(to_office=True)
    assert office_note.case_numbers == [by_clerk.number, by_officer.number]
    page = desk("clerk", "hos").get("duty/mine/").content.decode()
    assert "交办公室。" in page and str(by_officer.number) not in page
    page = desk("dispatcher", "hos").get("duty/mine/").content.decode()
    assert str(by_officer.number) in page


def test_a_note_to_the_office_is_acknowledged_there_and_hands_on_what_is_due(hos, desk):
    night, by_clerk, _ = _night_with_cases(hos)
    # Received on the shift, so it landed with the officer; the hand-on day is Wednesday.
    assert DutyIntake.objects.filter(case=by_clerk).exists()
    desk("supervisor", "hos").post(
        "duty/handover/", {"shift": night.pk, "to": "office", "body": "夜间来电两件。"}
    )
    note = HandOver.objects.get()
    assert desk("handler", "hos").post(f"duty/handover/{note.pk}/receive/").status_code == 404
    assert desk("dispatcher", "hos").post(f"duty/handover/{note.pk}/receive/").status_code == 302
    # Acknowledged today, after the hand-on day: the office is told about both landed cases
    # (the officer's own call is told to the office too; the officer is not told again).
    states = set(DutyIntake.objects.values_list("hand_on_state", flat=True))
    assert states == {"handed_on"}
    told = Notification.objects.filter(kind="duty_hand_on")
    assert set(told.values_list("user__username", flat=True)) == {"dispatcher"}
    assert told.count() == 2


def test_a_note_needs_a_receiver_and_a_text_and_nothing_is_saved_otherwise(hos, desk):
    night, *_ = _night_with_cases(hos)
    officer = desk("supervisor", "hos")
    r = officer.post(
        "duty/handover/", {"shift": night.pk, "to": hos.user("dispatcher").pk, "body": "  "}
    )
    assert r.status_code == 422 and "请填写交接内容" in r.content.decode()
    r = officer.post("duty/handover/", {"shift": night.pk, "to": "", "body": "有事交接"})
    assert r.status_code == 422 and "请选择接班人或投诉办公室" in r.content.decode()
    r = officer.post(
        "duty/handover/", {"shift": night.pk, "to": hos.user("supervisor").pk, "body": "x"}
    )
    assert r.status_code == 422 and "不能交接给自己" in r.content.decode()
    r = officer.post(
        "duty/handover/", {"shift": night.pk, "to": hos.user("outsider").pk, "body": "x"}
    )
    assert r.status_code == 422 and "本单位没有该工作人员" in r.content.decode()
    # Someone else's shift is not yours to hand over.
    r = desk("dispatcher", "hos").post(
        "duty/handover/", {"shift": night.pk, "to": hos.user("leader").pk, "body": "x"}
    )
    assert r.status_code == 404
    assert not HandOver.objects.exists()
    assert not AuditEvent.objects.filter(type="handover.written").exists()


def test_the_next_on_duty_is_suggested_as_receiver(hos, desk):
    night, *_ = _night_with_cases(hos)
    hos.on_roster("leader", at(WEDNESDAY, "08:30"), at(WEDNESDAY, "17:30"), "other")
    day = hos.on_roster("dispatcher", at(WEDNESDAY, "08:30"), at(WEDNESDAY, "17:30"))
    assert day.kind == night.kind
    page = desk("supervisor", "hos").get("duty/mine/", shift=night.pk).content.decode()
    assert f'<option value="{hos.user("dispatcher").pk}" selected>' in page


def test_the_duty_page_is_in_english_too(hos, desk):
    night, by_clerk, _ = _night_with_cases(hos)
    officer = desk("supervisor", "hos")
    officer.client.cookies["django_language"] = "en"
    page = officer.get("duty/mine/", shift=night.pk).content.decode()
    assert "Received on my shift" in page and "Write the hand-over note" in page
    assert str(by_clerk.number) in page
    page = officer.get("duty/").content.decode()
    assert "Duty roster" in page and "On duty now" in page

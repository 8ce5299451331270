"""What is sent is written in the recipient's language where it is known, else in the
organisation's: a staff member's is the last one they chose on the desk; a reporter's is the
one they wrote in on the portal; the organisation's is set by its administrators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.test import Client

from tousu.cases.models import Case, Deadline
from tousu.cases.sweeps import mark_overdue
from tousu.conftest import World
from tousu.notify.models import StaffContact
from tousu.orgs.models import AuditEvent, Organisation
from tousu.portal.tests.test_reporter_portal import NEW, _receipt_of
from tousu.reporter import receipts


def _overdue_mail(world: World, mailoutbox: list[Any], capture: Any) -> Any:
    supervisor = world.users["supervisor"]
    supervisor.email = "supervisor@example.org"
    supervisor.save()
    r = world.api("clerk").register(received_at=datetime.now(UTC).isoformat())
    assert r.status_code == 201, r.content
    case = Case.objects.get(org=world.org, number=r.json()["number"])
    deadline = Deadline.objects.get(case=case, stage="acceptance")
    with capture(execute=True):
        mark_overdue(case.pk, deadline_id=deadline.pk, now=deadline.due_at + timedelta(hours=1))
    assert len(mailoutbox) == 1
    return mailoutbox[0]


def test_a_staff_notice_is_in_the_organisations_language_when_theirs_is_unknown(
    world: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    mail = _overdue_mail(world, mailoutbox, django_capture_on_commit_callbacks)
    assert "案件已逾期" in mail.subject and "Case overdue" not in mail.subject + mail.body


def test_a_staff_notice_follows_the_language_they_chose_on_the_desk(
    world: World, desk: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    supervisor = desk("supervisor")
    r = supervisor.client.post("/i18n/setlang/", {"language": "en", "next": "/desk/acme/"})
    assert r.status_code == 302
    assert StaffContact.objects.get(user=world.users["supervisor"]).language == "en"
    mail = _overdue_mail(world, mailoutbox, django_capture_on_commit_callbacks)
    assert "Case overdue" in mail.subject and "案件已逾期" not in mail.subject + mail.body


def test_an_unknown_language_on_the_switch_changes_nothing(world: World, desk: Any) -> None:
    supervisor = desk("supervisor")
    supervisor.client.post("/i18n/setlang/", {"language": "xx", "next": "/desk/acme/"})
    assert not StaffContact.objects.filter(user=world.users["supervisor"]).exists()


def test_the_organisations_language_is_used_when_the_staff_members_is_not_known(
    world: World, desk: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    r = desk("admin").post("manage/language/", {"language": "en"})
    assert r.status_code == 302
    assert Organisation.objects.get(pk=world.org.pk).language == "en"
    event = AuditEvent.objects.filter(org=world.org, type="organisation.changed").latest("pk")
    assert event.data["after"] == "en" and event.data["before"] == "zh-hans"
    mail = _overdue_mail(world, mailoutbox, django_capture_on_commit_callbacks)
    assert "Case overdue" in mail.subject


def test_the_organisations_language_refuses_a_language_it_does_not_have(
    world: World, desk: Any
) -> None:
    before = AuditEvent.objects.count()
    r = desk("admin").post("manage/language/", {"language": "fr"})
    assert r.status_code == 422
    assert "请选择简体中文、繁體中文或 English" in r.content.decode()
    assert Organisation.objects.get(pk=world.org.pk).language == "zh-hans"
    assert AuditEvent.objects.count() == before


def test_a_reporter_is_told_in_the_language_they_wrote_in(
    world: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client(headers={"accept-language": "en"})
    r = client.post(
        NEW,
        {
            "kind": "complaint",
            "category": "",
            "content": "The supermarket sold expired milk and refused a refund.",
            "demands": "A refund",
            "subject_name": "某超市",
            "name": "Li Mei",
            "email": "li@example.cn",
            "notify_email": "on",
        },
        follow=True,
    )
    assert r.status_code == 200, r.content.decode()[:2000]
    case = receipts.find(world.org, _receipt_of(r))
    assert case is not None and case.reporter_language == "en"
    with django_capture_on_commit_callbacks(execute=True):
        assert world.api("dispatcher").act(str(case.number), "accept").status_code == 200
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert "has been accepted" in mail.subject and "已受理" not in mail.subject + mail.body
    assert "Read it with your receipt" in mail.body


def test_a_line_break_in_the_organisations_name_does_not_stop_the_reporters_notice(
    world: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    Organisation.objects.filter(pk=world.org.pk).update(name="示例医院\r\nBcc: x@example.org")
    client = Client()
    r = client.post(
        NEW,
        {
            "kind": "complaint",
            "category": "",
            "content": "超市出售过期牛奶，拒绝退款。",
            "demands": "退款",
            "subject_name": "某超市",
            "name": "李梅",
            "email": "li@example.cn",
            "notify_email": "on",
        },
        follow=True,
    )
    assert r.status_code == 200, r.content.decode()[:2000]
    case = receipts.find(world.org, _receipt_of(r))
    assert case is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert world.api("dispatcher").act(str(case.number), "accept").status_code == 200
    assert len(mailoutbox) == 1
    assert "\n" not in mailoutbox[0].subject and "\r" not in mailoutbox[0].subject
    assert mailoutbox[0].to == ["li@example.cn"]

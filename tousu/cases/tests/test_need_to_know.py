"""What a recused colleague, the subject and a colleague without need-to-know can still
learn: notifications, the subject's restricted view, and contact details."""

from __future__ import annotations

from django.test import Client

from tousu.cases.models import Notification
from tousu.conftest import World


def _routed(world: World, **overrides: object) -> str:
    number = world.api("clerk").register(**overrides).json()["number"]
    world.api("dispatcher").act(number, "accept")
    world.api("dispatcher").act(
        number, "assign", {"lead_department": "finance", "handler": "handler"}
    )
    return str(number)


def _desk(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def test_a_recused_handler_no_longer_sees_the_case_in_notifications(world: World) -> None:
    number = _routed(world)
    note = Notification.objects.get(user=world.users["handler"], case__number=number)
    handler = world.api("handler")
    assert number in [n["case"] for n in handler.get("/notifications").json()["results"]]
    assert handler.act(number, "recuse", {"reason": "被投诉人是我的亲属"}).status_code == 200
    listed = handler.get("/notifications").json()
    assert number not in [n["case"] for n in listed["results"]]
    assert listed["unread"] == 0
    assert handler.post(f"/notifications/{note.pk}/read").status_code == 404
    desk = _desk(world, "handler")
    inbox = desk.get("/desk/acme/inbox/")
    assert inbox.status_code == 200
    assert number not in inbox.content.decode()
    assert desk.post(f"/desk/acme/inbox/{note.pk}/read/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_a_notice_queued_before_a_recusal_is_not_sent_after_it(world: World) -> None:
    from django.core import mail

    from tousu.notify.delivery import deliver

    world.users["handler"].email = "handler@example.org"
    world.users["handler"].save()
    number = _routed(world)
    note = Notification.objects.filter(user=world.users["handler"], case__number=number).first()
    assert note is not None
    world.api("handler").act(number, "recuse", {"reason": "利害关系"})
    mail.outbox.clear()
    assert deliver([note.pk]) == 0
    assert mail.outbox == []


def _decided_report_about_handler2(world: World, findings: str) -> str:
    clerk, dispatcher, handler = world.api("clerk"), world.api("dispatcher"), world.api("handler")
    number = clerk.register(
        kind="report",
        category="misconduct",
        content="财务科张某收取好处费。",
        complainant={
            "name": "李举报", "phone": "13511112222", "email": "li@example.org",
            "address": "和平路8号", "id_number": "110101199001011234",
        },
        subject={"type": "staff", "name": "张某", "staff": "handler2"},
    ).json()["number"]  # fmt: skip
    dispatcher.act(number, "accept")
    dispatcher.act(number, "assign", {"lead_department": "finance", "handler": "handler"})
    r = handler.act(
        number, "resolve",
        {"findings": findings, "responsibility": "organisation", "valid": True},
    )  # fmt: skip
    assert r.status_code == 200, r.content
    return str(number)


def test_the_subject_does_not_read_the_reporters_name_in_the_findings(world: World) -> None:
    _decided_report_about_handler2(
        world,
        "查实 李举报 所述属实，电话13511112222、li@example.org、和平路8号、110101199001011234。",
    )
    views = world.api("handler2").get("/about-me").json()
    assert len(views) == 1
    text = str(views[0])
    for secret in ("李举报", "13511112222", "li@example.org", "和平路8号", "110101199001011234"):
        assert secret not in text
    assert views[0]["decision"]["findings"].startswith("查实 ■■■ 所述属实")
    # The same on the desk: the subject's own staff record
    page = _desk(world, "handler2").get("/desk/acme/people/handler2/").content.decode()
    assert "李举报" not in page and "13511112222" not in page


def test_a_subject_named_only_in_free_text_does_not_see_the_case(world: World) -> None:
    head = world.users["head"]
    head.last_name, head.first_name = "张", "建华"
    head.save()
    number = (
        world.api("clerk")
        .register(category="misconduct", subject={"type": "staff", "name": "财务科张建华"})
        .json()["number"]
    )
    world.api("dispatcher").act(number, "accept")
    world.api("dispatcher").act(number, "assign", {"lead_department": "finance"})
    assert world.api("head").get(f"/cases/{number}").status_code == 404
    assert not Notification.objects.filter(user=head, case__number=number).exists()
    # Someone else in the same department still handles it
    assert world.api("handler").get(f"/cases/{number}").status_code == 200


def test_reading_a_case_logs_nothing_only_showing_it_does(world: World) -> None:
    from django.utils import timezone

    from tousu.cases.models import Case
    from tousu.privacy.models import IdentityAccess
    from tousu.web.caseview import case_json, show_case

    number = _routed(world)
    case = Case.objects.get(number=number)
    actor = world.actor("handler")
    data = case_json(case, actor, timezone.now())
    assert data["parties"][0]["masked"] is False  # the handler may see it...
    assert not IdentityAccess.objects.filter(user=world.users["handler"]).exists()
    show_case(case, actor, timezone.now(), surface="api")  # ...and is shown it: logged
    assert IdentityAccess.objects.filter(user=world.users["handler"], surface="api").count() == 1
    show_case(case, world.actor("dispatcher"), timezone.now())  # masked: nothing to log
    assert not IdentityAccess.objects.filter(user=world.users["dispatcher"]).exists()


def test_a_free_text_subject_is_linked_only_when_it_names_exactly_one_person(
    world: World,
) -> None:
    from tousu.cases.intake import named_staff

    for persona, (last, first) in {"head": ("张", "建华"), "handler2": ("李", "明")}.items():
        world.users[persona].last_name, world.users[persona].first_name = last, first
        world.users[persona].save()
    org = world.org.pk
    assert named_staff(org, "财务科张建华医生") == world.users["head"].pk
    assert named_staff(org, "handler") == world.users["handler"].pk  # exactly a username
    assert named_staff(org, "the handler was rude") is None  # a username inside prose is not
    assert named_staff(org, "张建华和李明") is None  # two people: nobody is guessed
    assert named_staff(org, "某医生") is None

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

"""The desk's frame: the organisation switcher, the language, queues and the inbox."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from tousu.cases.models import Notification
from tousu.conftest import World
from tousu.orgs.services import create_user


def test_staff_in_two_organisations_switch_between_them(world, desk):
    create_user("dispatcher", org=world.other, role="dispatcher")  # a second membership
    me = desk("dispatcher")
    r = me.client.get("/")
    assert r.status_code == 200
    page = r.content.decode()
    assert "/desk/acme/" in page and "/desk/other/" in page  # the choice
    page = me.get("queue/dispatch/").content.decode()
    assert 'id="org-switch"' in page and "另一单位" in page
    # Someone in one organisation goes straight to it, with no switcher
    r = desk("clerk").client.get("/")
    assert r.status_code == 302 and r["Location"] == "/desk/acme/"
    assert 'id="org-switch"' not in desk("clerk").get("queue/mine/").content.decode()


def test_the_desk_speaks_chinese_first_and_english_on_request(world, desk):
    me = desk("clerk")
    page = me.get("new/").content.decode()
    assert "电话快速登记" in page and 'lang="zh-Hans"' in page
    r = me.client.post("/i18n/setlang/", {"language": "en", "next": "/desk/acme/new/"})
    assert r.status_code == 302
    page = me.get("new/").content.decode()
    assert "Quick phone registration" in page and "电话快速登记" not in page
    assert 'lang="en"' in page


def test_queues_show_counts_and_put_the_nearest_deadline_first(world, desk):
    clerk = desk("clerk")
    first = clerk.register(received_at="2026-11-02T09:00").headers["Location"].split("/")[-2]
    second = clerk.register(received_at="2026-11-20T09:00").headers["Location"].split("/")[-2]
    page = desk("dispatcher").get("queue/dispatch/").content.decode()
    assert page.index(first) < page.index(second)  # received earlier: due earlier
    assert '待分办 <span class="count">2</span>' in page


def test_the_inbox_lists_my_notices_and_opening_one_marks_it_read(world, desk):
    number = desk("clerk").register().headers["Location"].split("/")[-2]
    dispatcher = desk("dispatcher")
    dispatcher.act(number, "accept")
    dispatcher.act(number, "assign", {"lead_department": "finance", "handler": "handler"})
    note = Notification.objects.get(user=world.users["handler"], kind="case_assigned")
    handler = desk("handler")
    page = handler.get("inbox/").content.decode()
    assert "新分配的案件" in page and number in page
    badge = handler.client.get("/desk/acme/inbox/", {"badge": "1"}, headers={"HX-Request": "true"})
    assert '<span class="badge"' in badge.content.decode()
    r = handler.post(f"inbox/{note.pk}/read/")
    assert r.status_code == 302 and number in r["Location"]
    note.refresh_from_db()
    assert note.read_at is not None
    # Someone else's notice cannot be opened or marked
    other = Notification.objects.create(
        user=world.users["head"], case=note.case, kind="case_moved", created_at=note.created_at
    )
    assert handler.post(f"inbox/{other.pk}/read/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_state_never_changes_on_get(world, desk):
    number = desk("clerk").register().headers["Location"].split("/")[-2]
    r = desk("dispatcher").get(f"cases/{number}/act/accept/")
    assert r.status_code == 405
    assert Client().get("/desk/acme/inbox/1/read/").status_code in (302, 405)


def test_pages_carry_a_content_security_policy_without_inline_script(world, desk):
    r = desk("clerk").get("new/")
    policy = r["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "<script>" not in r.content.decode()  # every script is a file


def test_the_box_forms_link_is_offered_to_intake_staff_only(world, desk):
    assert "/o/acme/box-forms/" in desk("clerk").get("queue/mine/").content.decode()
    assert "/o/acme/box-forms/" not in desk("handler").get("queue/mine/").content.decode()


def test_everyone_reaches_their_own_staff_record_from_the_top_bar(world, desk):
    me = desk("handler2")
    page = me.get("queue/mine/").content.decode()
    assert "/desk/acme/people/handler2/" in page
    assert me.get("people/handler2/").status_code == 200
    assert me.get("people/handler/").status_code == 404  # not someone else's


def test_the_case_page_offers_an_action_only_when_the_case_has_something_for_it(
    world: World, desk: Any
) -> None:
    """Approving a remedy needs a proposed one, recording it paid an approved one; a
    procedure step needs a started procedure; a form that can only be refused is not shown."""
    number = world.api("clerk").register().json()["number"]
    world.api("dispatcher").act(number, "accept")
    world.api("dispatcher").act(
        number, "assign", {"lead_department": "finance", "handler": "handler"}
    )

    def offered(persona: str) -> set[str]:
        page = desk(persona).get(f"cases/{number}/").content.decode()
        return set(re.findall(r'/act/([a-z_]+)/"', page))

    assert "approve_remedy" not in offered("leader")
    assert "record_remedy_paid" not in offered("handler")
    assert "record_procedure_step" not in offered("dispatcher")
    assert "cancel_subtask" not in offered("dispatcher")
    r = world.api("handler").act(
        number, "propose_remedy", {"kind": "refund", "amount": "120", "reason": "重复收费退款"}
    )
    assert r.status_code == 200, r.content
    assert "approve_remedy" in offered("leader")
    remedy = r.json()["timeline"][-1]["data"].get("remedy", 1)
    r = world.api("leader").act(number, "approve_remedy", {"remedy": remedy, "approved": True})
    assert r.status_code == 200, r.content
    assert "approve_remedy" not in offered("leader")
    assert "record_remedy_paid" in offered("handler")


def test_a_clock_counted_from_receipt_shows_since_when_and_is_overdue_at_once(
    world: World, desk: Any
) -> None:
    """A reply limit chosen at acceptance but counted from receipt: a letter received on
    Monday 1 June 2026 and accepted months later is overdue the moment it is accepted."""
    from tousu.policy.loader import preset_source
    from tousu.policy.services import activate_policy

    doc = preset_source("general").replace(
        'stage = "reply"\nstart = "accepted"',
        'stage = "reply"\nstart = "accepted"\ncounts_from = "received"',
        1,
    )
    assert doc != preset_source("general")
    activate_policy(world.org, doc)
    number = world.api("clerk").register(received_at="2026-06-01T10:00:00+08:00").json()["number"]
    r = world.api("dispatcher").act(number, "accept")
    assert r.status_code == 200, r.content
    reply = next(d for d in r.json()["deadlines"] if d["stage"] == "reply")
    # 15 working days from Monday 1 June: 2–5, 8–12, 15–18 June (19 June off), 22, 23 June.
    assert reply["counts_from"] == "received" and reply["overdue"] is True
    assert reply["due_at"].startswith("2026-06-23T17:30")
    assert reply["started_at"].startswith("2026-06-01T10:00")
    page = desk("dispatcher").get(f"cases/{number}/").content.decode()
    assert "自 2026-06-01 10:00 起算" in page
    assert "已超期" in page

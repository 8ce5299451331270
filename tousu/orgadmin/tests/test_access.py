"""Only the organisation's administrators: 403 for its other members, 404 outside, login else."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from tousu.clock.overrides import add_override
from tousu.conftest import World
from tousu.orgs.models import AuditEvent, Membership
from tousu.orgs.services import create_user


def _pages(world: World) -> list[str]:
    handler = world.users["handler"]
    return [
        "manage/",
        "manage/policy/",
        "manage/policy/edit/",
        "manage/policy/versions/",
        "manage/policy/versions/1/",
        "manage/departments/",
        "manage/departments/finance/",
        "manage/staff/",
        "manage/staff/new/",
        f"manage/staff/{handler.pk}/",
        "manage/holidays/",
    ]


def _posts(world: World) -> list[str]:
    handler = world.users["handler"]
    membership = Membership.objects.get(user=handler, org=world.org)
    row = add_override(
        org=world.org, day=date(2026, 3, 9), working=False, name="停工", source_notice="通知"
    )
    return [
        "manage/policy/edit/",
        "manage/departments/",
        "manage/departments/finance/rename/",
        "manage/departments/finance/move/",
        "manage/departments/finance/deactivate/",
        "manage/departments/finance/activate/",
        "manage/staff/new/",
        f"manage/staff/{handler.pk}/roles/",
        f"manage/staff/{handler.pk}/account/deactivate/",
        f"manage/staff/{handler.pk}/account/activate/",
        f"manage/roles/{membership.pk}/deactivate/",
        f"manage/roles/{membership.pk}/activate/",
        "manage/holidays/new/",
        f"manage/holidays/{row.pk}/withdraw/",
        "manage/language/",
    ]


def test_an_administrator_opens_every_page(world: World, desk) -> None:
    admin = desk("admin")
    for path in _pages(world):
        r = admin.get(path)
        assert r.status_code == 200, (path, r.content.decode()[:1500])


def test_the_top_bar_links_administrators_only(world: World, desk) -> None:
    assert "/desk/acme/manage/" in desk("admin").get("inbox/").content.decode()
    assert "/desk/acme/manage/" not in desk("dispatcher").get("inbox/").content.decode()


def test_the_top_bar_does_not_link_other_members(world: World, desk) -> None:
    assert "/desk/acme/manage/" not in desk("dispatcher").get("inbox/").content.decode()


@pytest.mark.parametrize("persona", ["dispatcher", "handler", "leader", "auditor"])
def test_other_members_get_403_on_every_page(world: World, desk, persona: str) -> None:
    member = desk(persona)
    for path in _pages(world):
        r = member.get(path)
        assert r.status_code == 403, path
        assert "仅本单位的管理员可以使用单位管理" in r.content.decode()


def test_other_members_get_403_on_every_post_and_nothing_changes(world: World, desk) -> None:
    dispatcher = desk("dispatcher")
    posts = _posts(world)
    before = AuditEvent.objects.count()
    for path in posts:
        r = dispatcher.post(path, {"name": "x", "code": "x", "source": "x", "role": "leader"})
        assert r.status_code == 403, path
    assert AuditEvent.objects.count() == before


def test_the_403_page_speaks_english_too(world: World, desk) -> None:
    dispatcher = desk("dispatcher")
    dispatcher.client.cookies["django_language"] = "en"
    r = dispatcher.get("manage/")
    assert r.status_code == 403
    assert "Only the organisation&#x27;s administrators" in r.content.decode()


def test_people_outside_the_organisation_get_404(world: World, desk) -> None:
    outsider = desk("outsider")
    for path in _pages(world):
        assert outsider.get(path).status_code == 404, path
    for path in _posts(world):
        assert outsider.post(path, {}).status_code == 404, path


def test_an_administrator_of_another_organisation_gets_404(world: World, desk) -> None:
    boss = create_user("boss", org=world.other, role="administrator")
    client = Client()
    client.force_login(boss)
    assert client.get("/desk/acme/manage/").status_code == 404
    assert client.get("/desk/other/manage/").status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(world: World) -> None:
    client = Client()
    for path in _pages(world):
        r = client.get(f"/desk/acme/{path}")
        assert r.status_code == 302, path
        assert "/login/" in r["Location"]
    r = client.post("/desk/acme/manage/departments/", {"code": "x", "name": "x"})
    assert r.status_code == 302 and "/login/" in r["Location"]

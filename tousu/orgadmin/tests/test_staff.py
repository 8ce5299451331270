"""Staff and roles: new staff, roles granted and removed, accounts switched off."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.test import Client

from tousu.conftest import World
from tousu.orgs.models import AuditEvent, Membership, StaffProfile
from tousu.orgs.services import create_user

GOOD = "Lantern-Harbour-2719"


def _new(desk, **values: str):
    data = {
        "username": "zhangsan", "name": "张三", "title": "财务处科员",
        "email": "zhangsan@example.org", "mobile": "13912345678",
        "password1": GOOD, "password2": GOOD,
        "role": "handler", "department": "finance",
    }  # fmt: skip
    data.update(values)
    return desk.post("manage/staff/new/", data)


def test_the_list_shows_members_with_roles_and_departments(world: World, desk) -> None:
    page = desk("admin").get("manage/staff/").content.decode()
    assert "handler2" in page and "客户服务部" in page and "承办人" in page
    assert "outsider" not in page


def test_create_a_staff_member_who_can_then_sign_in(world: World, desk) -> None:
    r = _new(desk("admin"))
    assert r.status_code == 302, r.content.decode()[:3000]
    user = get_user_model().objects.get(username="zhangsan")
    p = StaffProfile.objects.get(user=user)
    assert (p.name, p.title, p.email, p.mobile) == (
        "张三", "财务处科员", "zhangsan@example.org", "13912345678",
    )  # fmt: skip
    m = Membership.objects.get(user=user, org=world.org)
    assert m.role == "handler" and m.department is not None and m.department.code == "finance"
    assert AuditEvent.objects.filter(type="user.created", object_id=str(user.pk)).exists()
    assert AuditEvent.objects.filter(type="membership.granted", object_id=str(m.pk)).exists()
    client = Client()
    assert client.login(username="zhangsan", password=GOOD)
    assert client.get("/desk/acme/inbox/").status_code == 200
    assert "张三" in desk("admin").get(f"manage/staff/{user.pk}/").content.decode()


def test_a_weak_password_is_refused(world: World, desk) -> None:
    admin = desk("admin")
    r = _new(admin, password1="12345678", password2="12345678")
    assert r.status_code == 422
    page = r.content.decode()
    assert "password1_error" in page
    assert "这个密码太常见了" in page or "too common" in page
    r = _new(admin, password1="short", password2="short")
    assert r.status_code == 422
    r = _new(admin, password2=GOOD + "x")
    assert r.status_code == 422 and "两次输入的密码不一致" in r.content.decode()
    assert not get_user_model().objects.filter(username="zhangsan").exists()


def test_a_department_role_needs_a_department_and_a_username_is_unique(world: World, desk) -> None:
    admin = desk("admin")
    r = _new(admin, department="")
    assert r.status_code == 422 and "该角色必须属于一个部门" in r.content.decode()
    r = _new(admin, username="Handler")
    assert r.status_code == 422 and "该用户名已被使用" in r.content.decode()
    r = _new(admin, username="outsider")
    assert r.status_code == 422
    assert not Membership.objects.filter(user__username="outsider", org=world.org).exists()


def test_add_a_role(world: World, desk) -> None:
    handler2 = world.users["handler2"]
    r = desk("admin").post(
        f"manage/staff/{handler2.pk}/roles/", {"role": "department_head", "department": "service"}
    )
    assert r.status_code == 302
    assert Membership.objects.filter(
        user=handler2, org=world.org, role="department_head", department__code="service"
    ).exists()
    r = desk("admin").post(
        f"manage/staff/{handler2.pk}/roles/", {"role": "department_head", "department": "service"}
    )
    assert r.status_code == 422 and "此人已有该角色" in r.content.decode()


def test_a_person_of_another_organisation_is_not_shown_here(world: World, desk) -> None:
    outsider = world.users["outsider"]
    assert desk("admin").get(f"manage/staff/{outsider.pk}/").status_code == 404
    r = desk("admin").post(f"manage/staff/{outsider.pk}/roles/", {"role": "leader"})
    assert r.status_code == 404
    membership = Membership.objects.get(user=outsider)
    assert desk("admin").post(f"manage/roles/{membership.pk}/deactivate/").status_code == 404
    assert Membership.objects.get(pk=membership.pk).active


def test_a_removed_role_closes_the_desk_and_can_be_restored(world: World, desk) -> None:
    handler = desk("handler")
    assert handler.get("inbox/").status_code == 200
    membership = Membership.objects.get(user=world.users["handler"], org=world.org)
    r = desk("admin").post(f"manage/roles/{membership.pk}/deactivate/")
    assert r.status_code == 302
    membership.refresh_from_db()
    assert membership.active is False
    event = AuditEvent.objects.get(type="membership.changed", object_id=str(membership.pk))
    assert event.data["changed"] == {"active": False} and event.data["via"] == "desk"
    assert handler.get("inbox/").status_code == 404
    assert desk("admin").post(f"manage/roles/{membership.pk}/activate/").status_code == 302
    assert handler.get("inbox/").status_code == 200


def test_an_administrator_cannot_remove_their_own_last_administrator_role(
    world: World, desk
) -> None:
    create_user("supervisor", org=world.org, role="administrator")  # another administrator
    mine = Membership.objects.get(user=world.users["admin"], org=world.org, role="administrator")
    r = desk("admin").post(f"manage/roles/{mine.pk}/deactivate/")
    assert r.status_code == 409
    assert "不能撤销您自己的最后一个管理员角色" in r.content.decode()
    mine.refresh_from_db()
    assert mine.active
    # The other administrator may remove it.
    r = desk("supervisor").post(f"manage/roles/{mine.pk}/deactivate/")
    assert r.status_code == 302
    mine.refresh_from_db()
    assert not mine.active


def test_switch_an_account_off_only_when_this_is_its_only_organisation(world: World, desk) -> None:
    admin = desk("admin")
    handler = world.users["handler"]
    r = admin.post(f"manage/staff/{handler.pk}/account/deactivate/")
    assert r.status_code == 302
    handler.refresh_from_db()
    assert handler.is_active is False
    r = desk("handler").get("inbox/")
    assert r.status_code == 302 and "/login/" in r["Location"]
    assert admin.post(f"manage/staff/{handler.pk}/account/activate/").status_code == 302
    handler.refresh_from_db()
    assert handler.is_active

    head = world.users["head"]
    create_user("head", org=world.other, role="dispatcher")
    r = admin.post(f"manage/staff/{head.pk}/account/deactivate/")
    assert r.status_code == 409 and "other" in r.content.decode()
    head.refresh_from_db()
    assert head.is_active

    me = world.users["admin"]
    assert admin.post(f"manage/staff/{me.pk}/account/deactivate/").status_code == 422


def test_without_a_password_the_person_gets_a_one_time_link(world: World, desk) -> None:
    admin = desk("admin")
    r = _new(admin, password1="", password2="")
    assert r.status_code == 302, r.content.decode()[:3000]
    user = get_user_model().objects.get(username="zhangsan")
    assert not user.has_usable_password()
    r = admin.post(f"manage/staff/{user.pk}/password-link/")
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    found = re.search(r"http://[^<\s]+(/accounts/set-password/[^<\s]+/)", r.content.decode())
    assert found, r.content.decode()[:3000]
    event = AuditEvent.objects.get(type="password.link_issued", object_id=str(user.pk))
    assert event.actor_id == world.users["admin"].pk and event.org_id == world.org.pk
    browser = Client()
    form = browser.get(found.group(1))["Location"]
    r = browser.post(form, {"new_password1": GOOD, "new_password2": GOOD})
    assert r.status_code == 302
    assert Client().login(username="zhangsan", password=GOOD)


def test_edit_a_staff_members_name_and_contacts(world: World, desk) -> None:
    handler = world.users["handler"]
    admin = desk("admin")
    page = admin.get(f"manage/staff/{handler.pk}/").content.decode()
    assert 'name="name"' in page and 'name="mobile"' in page
    data = {
        "name": "周敏",
        "title": "财务处科员",
        "email": "zm@example.org",
        "mobile": "139-1234-5678",
    }
    r = admin.post(f"manage/staff/{handler.pk}/profile/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    p = StaffProfile.objects.get(user=handler)
    assert (p.name, p.title, p.email, p.mobile) == (
        "周敏", "财务处科员", "zm@example.org", "13912345678",
    )  # fmt: skip
    event = AuditEvent.objects.get(type="user.profile_changed", object_id=str(handler.pk))
    assert sorted(event.data["changed"]) == ["email", "mobile", "name", "title"]
    assert event.data["via"] == "desk" and "周敏" not in str(event.data)
    assert "周敏" in admin.get("manage/staff/").content.decode()
    # Bad input: a precise message, nothing written.
    r = admin.post(f"manage/staff/{handler.pk}/profile/", {**data, "mobile": "12", "name": "李四"})
    assert r.status_code == 422 and "手机号码格式不正确" in r.content.decode()
    r = admin.post(f"manage/staff/{handler.pk}/profile/", {**data, "name": ""})
    assert r.status_code == 422
    assert StaffProfile.objects.get(user=handler).name == "周敏"


def test_only_this_organisations_administrators_edit_staff(world: World, desk) -> None:
    handler = world.users["handler"]
    data = {"name": "冒名", "title": "", "email": "", "mobile": ""}
    for persona in ("handler", "supervisor", "leader"):
        assert desk(persona).post(f"manage/staff/{handler.pk}/profile/", data).status_code == 403
        r = desk(persona).post(f"manage/staff/{handler.pk}/password-link/")
        assert r.status_code == 403 and "set-password" not in r.content.decode()
    # Another organisation's administrator: the person is not theirs to see.
    create_user("otheradmin", org=world.other, role="administrator")
    other = Client()
    other.force_login(get_user_model().objects.get(username="otheradmin"))
    r = other.post(f"/desk/other/manage/staff/{handler.pk}/profile/", data)
    assert r.status_code == 404
    assert other.post(f"/desk/other/manage/staff/{handler.pk}/password-link/").status_code == 404
    assert not StaffProfile.objects.filter(user=handler, name="冒名").exists()
    assert not AuditEvent.objects.filter(type="password.link_issued").exists()


def test_a_person_working_elsewhere_too_keeps_their_name_and_password(world: World, desk) -> None:
    head = world.users["head"]
    create_user("head", org=world.other, role="dispatcher")
    admin = desk("admin")
    data = {"name": "孙国强", "title": "", "email": "", "mobile": ""}
    r = admin.post(f"manage/staff/{head.pk}/profile/", data)
    assert r.status_code == 409 and "other" in r.content.decode()
    assert admin.post(f"manage/staff/{head.pk}/password-link/").status_code == 409
    assert not StaffProfile.objects.filter(user=head, name="孙国强").exists()

"""The admin: organisations, departments and staff only; scoped; every change an event."""

from __future__ import annotations

from django.test import Client

from tousu.conftest import World
from tousu.orgs.models import AuditEvent, Membership


def _admin_client(world: World) -> Client:
    user = world.users["admin"]
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_granting_a_role_in_the_admin_writes_an_audit_event(world: World) -> None:
    client = _admin_client(world)
    handler2 = world.users["handler2"]
    finance = world.org.departments.get(code="finance")
    r = client.post(
        "/admin/orgs/membership/add/",
        {"user": handler2.pk, "org": world.org.pk, "role": "department_head",
         "department": finance.pk, "active": "on"},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    membership = Membership.objects.get(user=handler2, role="department_head")
    event = AuditEvent.objects.get(type="membership.created", object_id=str(membership.pk))
    assert event.actor == world.users["admin"]
    assert event.data["changed"]["role"] == "department_head"
    assert event.org == world.org


def test_deactivating_a_membership_is_an_event_and_nothing_is_deleted(world: World) -> None:
    client = _admin_client(world)
    membership = Membership.objects.get(user=world.users["handler"])
    r = client.post(
        f"/admin/orgs/membership/{membership.pk}/change/",
        {"user": membership.user_id, "org": world.org.pk, "role": "handler",
         "department": membership.department_id},
    )  # fmt: skip
    assert r.status_code == 302
    membership.refresh_from_db()
    assert membership.active is False
    assert AuditEvent.objects.filter(
        type="membership.changed", object_id=str(membership.pk)
    ).exists()
    r = client.post(f"/admin/orgs/membership/{membership.pk}/delete/", {"post": "yes"})
    assert r.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_an_organisation_administrator_sees_only_their_own_organisation(world: World) -> None:
    client = _admin_client(world)
    other_dept = world.other.departments.first()
    assert other_dept is not None
    assert client.get(f"/admin/orgs/department/{other_dept.pk}/change/").status_code == 302
    listing = client.get("/admin/orgs/membership/").content.decode()
    assert "outsider" not in listing
    assert "handler2" in listing


def test_staff_without_the_administrator_role_cannot_use_the_admin(world: World) -> None:
    user = world.users["supervisor"]
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    assert client.get("/admin/orgs/membership/").status_code == 403


def test_cases_are_not_in_the_admin(world: World) -> None:
    client = Client()
    superuser = world.users["admin"]
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    client.force_login(superuser)
    assert client.get("/admin/cases/case/").status_code == 404

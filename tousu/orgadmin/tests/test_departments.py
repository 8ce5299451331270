"""Departments: create, rename, move (never into a cycle), deactivate (never delete)."""

from __future__ import annotations

from tousu.conftest import World
from tousu.orgs.models import AuditEvent, Department, department_id


def _dept(world: World, code: str) -> Department:
    return Department.objects.get(org=world.org, code=code)


def _create(desk, **values: str):
    data = {"code": "audit_office", "name": "审计室", "name_en": "Audit office", "parent": "office"}
    data.update(values)
    return desk.post("manage/departments/", data)


def test_the_tree_lists_the_departments(world: World, desk) -> None:
    page = desk("admin").get("manage/departments/").content.decode()
    assert "财务部" in page and "<code>finance</code>" in page
    assert "部门从不删除" in page


def test_create_a_department_under_a_parent(world: World, desk) -> None:
    r = _create(desk("admin"))
    assert r.status_code == 302, r.content.decode()[:3000]
    dept = _dept(world, "audit_office")
    assert dept.parent == _dept(world, "office") and dept.name_en == "Audit office"
    event = AuditEvent.objects.get(type="department.created", object_id=str(dept.pk))
    assert event.actor == world.users["admin"] and event.data["via"] == "desk"
    page = desk("admin").get("manage/departments/").content.decode()
    assert 'class="depth-1"' in page and "审计室" in page


def test_a_duplicate_or_malformed_code_is_refused(world: World, desk) -> None:
    admin = desk("admin")
    r = _create(admin, code="finance")
    assert r.status_code == 422
    assert "本单位已有代码为 finance 的部门" in r.content.decode()
    r = _create(admin, code="Bad Code")
    assert r.status_code == 422
    assert "小写字母、数字和下划线" in r.content.decode()
    assert not Department.objects.filter(org=world.org, name="审计室").exists()


def test_a_parent_of_another_organisation_is_refused(world: World, desk) -> None:
    Department.objects.create(org=world.other, code="elsewhere", name="别处")
    r = _create(desk("admin"), parent="elsewhere")
    assert r.status_code == 422
    assert not Department.objects.filter(org=world.org, code="audit_office").exists()


def test_rename(world: World, desk) -> None:
    r = desk("admin").post(
        "manage/departments/finance/rename/", {"name": "计划财务部", "name_en": "Planning"}
    )
    assert r.status_code == 302
    finance = _dept(world, "finance")
    assert (finance.name, finance.name_en) == ("计划财务部", "Planning")
    event = AuditEvent.objects.get(type="department.changed", data__action="rename")
    assert event.data["before"]["name"] == "财务部"
    r = desk("admin").post("manage/departments/finance/rename/", {"name": "", "name_en": ""})
    assert r.status_code == 422
    assert _dept(world, "finance").name == "计划财务部"


def test_move_and_refuse_a_cycle(world: World, desk) -> None:
    admin = desk("admin")
    r = admin.post("manage/departments/finance/move/", {"parent": "office"})
    assert r.status_code == 302
    assert _dept(world, "finance").parent == _dept(world, "office")
    assert AuditEvent.objects.filter(type="department.changed", data__action="move").exists()

    r = admin.post("manage/departments/office/move/", {"parent": "finance"})
    assert r.status_code == 422
    assert "会形成循环" in r.content.decode()
    assert _dept(world, "office").parent is None
    r = admin.post("manage/departments/office/move/", {"parent": "office"})
    assert r.status_code == 422
    assert _dept(world, "office").parent is None

    r = admin.post("manage/departments/finance/move/", {"parent": ""})
    assert r.status_code == 302
    assert _dept(world, "finance").parent is None


def test_the_move_service_refuses_a_cycle_even_when_the_form_is_bypassed(world: World) -> None:
    from tousu.orgadmin.services import Refused
    from tousu.orgadmin.services.departments import move_department

    office, finance = _dept(world, "office"), _dept(world, "finance")
    move_department(finance, office, actor=world.users["admin"])
    try:
        move_department(office, finance, actor=world.users["admin"])
    except Refused as exc:
        assert exc.field == "parent"
    else:
        raise AssertionError("a cycle was accepted")
    assert _dept(world, "office").parent is None


def test_deactivate_and_reactivate_never_delete(world: World, desk) -> None:
    admin = desk("admin")
    assert _create(admin, parent="").status_code == 302
    assert department_id(world.org.pk, "audit_office") is not None
    r = admin.post("manage/departments/audit_office/deactivate/")
    assert r.status_code == 302
    dept = _dept(world, "audit_office")
    assert dept.active is False
    assert department_id(world.org.pk, "audit_office") is None
    r = admin.post("manage/departments/audit_office/activate/")
    assert r.status_code == 302
    assert _dept(world, "audit_office").active is True
    actions = list(
        AuditEvent.objects.filter(type="department.changed").values_list("data__action", flat=True)
    )
    assert actions == ["deactivate", "reactivate"]


def test_a_department_in_use_is_not_deactivated(world: World, desk) -> None:
    admin = desk("admin")
    r = admin.post("manage/departments/finance/deactivate/")  # the fees category's lead
    assert r.status_code == 409
    assert "categories[fees].lead" in r.content.decode()
    assert _dept(world, "finance").active
    assert _create(admin, code="child", parent="").status_code == 302
    assert _create(admin, code="grandchild", parent="child").status_code == 302
    r = admin.post("manage/departments/child/deactivate/")
    assert r.status_code == 409 and "grandchild" in r.content.decode()
    assert _dept(world, "child").active

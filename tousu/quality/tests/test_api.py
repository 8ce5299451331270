"""The API path of the quality actions, from the inside and from the outsider's side; the
health-products batch fields."""

from __future__ import annotations

from typing import Any

import pytest

from tousu.cases.models import Case, Event, Notification
from tousu.ops.tokens import create_token
from tousu.orgs.services import create_user
from tousu.policy.services import create_org
from tousu.quality.models import SubTask
from tousu.quality.tests.conftest import Plant

pytestmark = pytest.mark.django_db

FORM = {
    "order_no": "SO-2611-0042", "part_no": "PCB-8L-A33", "ship_qty": 2000,
    "ship_date": "2026-11-03", "defective_qty": 120, "return_qty": "undetermined",
    "customer_demand": "退货",
}  # fmt: skip


def _ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.content.decode()[:2000]
    return response.json()


def _state(number: str) -> tuple[Any, ...]:
    case = Case.objects.get(number=number, org__slug="pcb")
    return (
        case.last_seq, dict(case.fields), Event.objects.count(),
        list(SubTask.objects.values_list("state", "result")),
    )  # fmt: skip


def _registered(plant: Plant) -> str:
    body = _ok(
        plant.api("rep").register(
            category="quality", content="120片PCB-8L-A33分层起泡", fields=FORM,
            complainant={"name": "客户采购部", "phone": "13800000000"},
            subject={"type": "product", "name": "PCB-8L-A33"},
        )
    )  # fmt: skip
    number: str = body["number"]
    case = _ok(plant.api("rep").get(f"/cases/{number}"))
    assert case["fields"]["return_qty"] == "undetermined"
    _ok(plant.api("pm_officer").act(number, "accept"))
    _ok(plant.api("pm_officer").act(number, "assign", {"lead_department": "qa"}))
    return number


def test_the_actions_through_the_api(plant: Plant) -> None:
    number = _registered(plant)
    head = plant.api("qa_head")
    _ok(head.act(number, "assign_subtask", {"default": "manufacturing_report"}))
    _ok(head.act(number, "assign_subtask", {
        "department": "qa", "instruction": "检验确认", "due_in_working_days": 3,
    }))  # fmt: skip
    before = _state(number)

    # Malformed: a date that does not exist, a count that is not one; 422 in both languages.
    for body in (
        {"department": "qa", "instruction": "x", "due_date": "2026-13-40"},
        {"department": "qa", "instruction": "x", "due_in_working_days": "三"},
        {"department": "qa", "instruction": "x", "due_in_working_days": -1},
    ):
        r = head.act(number, "assign_subtask", body)
        assert r.status_code == 422, r.content
        assert r.json()["message"]["zh"] and r.json()["message"]["en"]
    r = plant.api("qa_engineer").act(number, "record_quality", {"fields": {"ship_date": "11/03"}})
    assert r.status_code == 422 and r.json()["code"] == "invalid_value"
    assert r.json()["details"][0]["field"] == "fields.ship_date"
    assert "交运日期" in r.json()["message"]["zh"] and "Ship date" in r.json()["message"]["en"]
    r = plant.api("qa_engineer").act(number, "record_quality", {"fields": {}})
    assert r.status_code == 422
    assert _state(number) == before

    # Another department not given a sub-task, another organisation: the case does not exist.
    outside: list[tuple[str, dict[str, Any]]] = [
        ("complete_subtask", {"subtask": 1, "result": "x"}),
        ("record_quality", {"fields": {"root_cause": "x"}}),
        (
            "assign_subtask",
            {"department": "gm_office", "instruction": "x", "due_in_working_days": 1},
        ),
    ]
    for name, org in (("gm_clerk", "pcb"), ("outsider", "pcb"), ("outsider", "elsewhere")):
        api = plant.api(name)
        api.org = org
        assert api.get(f"/cases/{number}").status_code == 404
        for action, body in outside:
            r = api.act(number, action, body)
            assert r.status_code == 404, (name, action, r.content)
    # The auditor sees the case but writes nothing.
    auditor = plant.api("auditor")
    assert auditor.get(f"/cases/{number}").status_code == 200
    inside: list[tuple[str, dict[str, Any]]] = [
        ("record_quality", {"fields": {"root_cause": "x"}}),
        ("assign_subtask", {"default": "sales_inform"}),
        ("complete_subtask", {"subtask": 1, "result": "x"}),
        ("cancel_subtask", {"subtask": 1, "reason": "x"}),
    ]
    for action, body in inside:
        r = auditor.act(number, action, body)
        assert r.status_code == 403, (action, r.content)
        assert r.json()["message"]["zh"] and r.json()["message"]["en"]
    # QA's engineer may not complete manufacturing's sub-task.
    r = plant.api("qa_engineer").act(number, "complete_subtask", {"subtask": 1, "result": "x"})
    assert r.status_code == 403 and r.json()["code"] == "not_your_subtask"
    assert _state(number) == before

    body = _ok(plant.api("mfg_engineer").act(number, "complete_subtask", {
        "subtask": 1, "result": "2号线夜班层压机温控故障",
    }))  # fmt: skip
    assert body["status"] == "in_progress"
    assert Notification.objects.filter(kind="subtask_completed", user__username="pcb_qa_head")
    body = _ok(plant.api("qa_engineer").act(number, "record_quality", {
        "fields": {"root_cause": "层压温度偏低", "return_qty": 120, "shift": "2号线夜班"},
    }))  # fmt: skip
    assert body["fields"]["root_cause"] == "层压温度偏低" and body["fields"]["return_qty"] == 120
    timeline = [e["type"] for e in body["timeline"]]
    assert timeline[-3:] == ["subtask_assigned", "subtask_completed", "quality_recorded"]
    _ok(head.act(number, "cancel_subtask", {"subtask": 2, "reason": "已并入8D报告"}))
    assert SubTask.objects.get(no=2).state == "cancelled"


def test_health_products_register_the_batch(db: None) -> None:
    from django.test import Client

    from tousu.conftest import Api

    org = create_org("health", "保健品公司", "health-products")
    clerk = create_user("hp_clerk", org=org, role="intake_clerk", department="sales_logistics")
    director = create_user("hp_director", org=org, role="supervisor")
    analyst = create_user("hp_quality", org=org, role="handler", department="quality")
    api = Api(Client(), create_token(clerk), org="health")
    batch = {
        "product_type": "鱼油软胶囊 1000mg×100粒", "batch_no": "HP20261002",
        "production_date": "2026-10-02", "arrival_date": "2026-11-10",
        "reaction": "服用后出现皮疹",
    }  # fmt: skip
    register = {
        "category": "adverse_reaction", "content": "服用鱼油软胶囊后出现皮疹",
        "complainant": {"name": "张女士", "phone": "13700000000"},
        "subject": {"type": "product", "name": "鱼油软胶囊"},
    }  # fmt: skip
    for bad in ({"production_date": "2026/10/02"}, {"batch_no": "x" * 41}):
        r = api.register(**register, fields={**batch, **bad})
        assert r.status_code == 422 and r.json()["details"][0]["field"].startswith("fields.")
        assert r.json()["message"]["zh"] and r.json()["message"]["en"]
    assert not Case.objects.filter(org=org).exists()
    number = _ok(api.register(**register, fields=batch))["number"]
    assert _ok(api.get(f"/cases/{number}"))["fields"] == batch

    director_api = Api(Client(), create_token(director), org="health")
    _ok(director_api.act(number, "assign_subtask", {"default": "batch_investigation"}))
    task = SubTask.objects.get(case__number=number, case__org=org)
    assert task.department.code == "quality" and task.due_rule["amount"] == 1
    quality_api = Api(Client(), create_token(analyst), org="health")
    body = _ok(quality_api.act(number, "record_quality", {
        "fields": {"same_batch_complaints": "undetermined", "root_cause": "个体过敏，待检"},
    }))  # fmt: skip
    assert body["fields"]["same_batch_complaints"] == "undetermined"
    _ok(quality_api.act(number, "complete_subtask", {"subtask": 1, "result": "留样检验合格"}))

"""Remedies and rewards end to end through the API and the desk, from the stories.

PCB: 120 boards returned within the sales manager's limit; 800 above it go to the next
approver. Market: advance compensation (先行赔付). Integrity: a named reporter's reward
handed over through the custodian, while the person reported, his department and the
investigators never learn who reported. Outsiders from every side.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tousu.cases.access import Actor, actor_for
from tousu.cases.models import Case, Event
from tousu.conftest import Api
from tousu.ops.tokens import create_token
from tousu.orgs.models import Department, Organisation
from tousu.orgs.services import create_user
from tousu.policy.services import create_org
from tousu.remedies.models import Remedy, Reward
from tousu.remedies.tests.test_remedies import _people, _register
from tousu.reports.tests import exporting

pytestmark = pytest.mark.django_db


def _user(actor: Actor) -> Any:
    return get_user_model().objects.get(pk=actor.user_id)


def _api(actor: Actor) -> Api:
    return Api(Client(), create_token(_user(actor)), actor.org.slug)


def _desk(actor: Actor) -> Client:
    client = Client()
    client.force_login(_user(actor))
    return client


def _state() -> tuple[Any, ...]:
    return (
        Event.objects.count(),
        list(Remedy.objects.order_by("pk").values_list("state", "decided_by_id", "paid_at")),
        list(Reward.objects.order_by("pk").values_list("state", "handed_over_by_id")),
    )


# --------------------------------------------------------------------------- PCB


def test_pcb_returns_within_and_above_the_sales_managers_limit(pcb: Any) -> None:
    case, people = pcb
    number = str(case.number)
    org = case.org
    people["auditor"] = actor_for(create_user("pcb_auditor", org=org, role="auditor"), "pcb")
    rep, manager = _api(people["rep"]), _api(people["sales_manager"])

    # 120 boards: within the sales manager's limit; proposed through the API ...
    r = rep.act(number, "propose_remedy", {
        "kind": "return", "quantity": 120, "unit": "片", "reason": "分层，退货120片",
    })  # fmt: skip
    assert r.status_code == 200, r.content
    page = _desk(people["rep"]).get(f"/desk/pcb/cases/{number}/").content.decode()
    assert 'id="remedies"' in page and "120 片" in page and "待业务经理核准" in page
    # ... approved by the sales manager from the case page.
    r = _desk(people["sales_manager"]).post(
        f"/desk/pcb/cases/{number}/act/approve_remedy/", {"remedy": 1, "approved": "true"}
    )
    assert r.status_code in (302, 303), r.content.decode()[:2000]
    assert Remedy.objects.get(case=case, no=1).state == "approved"

    # 800 boards: above the limit, the sales manager is refused and nothing changes.
    r = rep.act(number, "propose_remedy", {
        "kind": "return", "quantity": 800, "unit": "片", "reason": "整批退货",
    })  # fmt: skip
    assert r.status_code == 200, r.content
    before = _state()
    r = manager.act(number, "approve_remedy", {"remedy": 2})
    assert r.status_code == 403 and r.json()["code"] == "above_approval_limit"
    assert r.json()["details"]["next_title"] == "生产管理组组长（副总经理）"
    assert _state() == before
    rows = manager.get(f"/cases/{number}/remedies").json()
    assert [(m["no"], m["state"]) for m in rows] == [(1, "approved"), (2, "proposed")]
    assert rows[1]["awaiting"]["role"] == "supervisor"
    assert rows[1]["awaiting"]["zh"] == "生产管理组组长（副总经理）"
    assert rows[0]["chain"][1]["by"] == "pcb_sales_manager"
    page = _desk(people["sales_manager"]).get(f"/desk/pcb/cases/{number}/").content.decode()
    assert "待生产管理组组长（副总经理）核准" in page

    # The auditor reads, never approves; another organisation and another department see
    # nothing.
    assert _api(people["auditor"]).get(f"/cases/{number}/remedies").status_code == 200
    assert _api(people["auditor"]).act(number, "approve_remedy", {"remedy": 2}).status_code == 403
    r = _desk(people["auditor"]).post(f"/desk/pcb/cases/{number}/act/approve_remedy/",
                                      {"remedy": 2, "approved": "true"})  # fmt: skip
    assert r.status_code in (403, 404)
    assert _api(people["outsider"]).get(f"/cases/{number}/remedies").status_code == 404
    assert _api(people["outsider"]).act(number, "approve_remedy", {"remedy": 2}).status_code == 404
    assert _api(people["qa_engineer"]).get(f"/cases/{number}/remedies").status_code == 404
    assert _state() == before

    # The next approver approves it.
    assert (
        _api(people["supervisor"]).act(number, "approve_remedy", {"remedy": 2}).status_code == 200
    )
    assert Remedy.objects.get(case=case, no=2).state == "approved"

    # The ledger's measures column.
    html = _desk(people["supervisor"]).get("/desk/pcb/ledger/").content.decode()
    assert "退换货：120片（已批准）" in html and "退换货：800片（已批准）" in html


# --------------------------------------------------------------------------- market


def test_market_advance_compensation_through_the_api_and_the_desk(db: None) -> None:
    org = create_org("market", "农贸市场", "market")
    people = _people(
        org, {"officer": ("dispatcher", None), "office_head": ("supervisor", None),
              "head": ("leader", None)},
    )  # fmt: skip
    case = _register(
        people["officer"], kind="complaint", channel="phone", category="short_weight",
        content="购买猪肉2公斤，复秤少300克。", complainant={"name": "顾客", "phone": "13900000000"},
        subject={"type": "merchant", "name": "12号摊位"},
    )  # fmt: skip
    number = str(case.number)
    officer = _api(people["officer"])
    r = officer.act(number, "propose_remedy", {
        "kind": "advance_compensation", "amount": "18.60", "reason": "短秤差价先行赔付",
    })  # fmt: skip
    assert r.status_code == 200, r.content
    assert _api(people["office_head"]).act(number, "approve_remedy",
                                           {"remedy": 1}).status_code == 403  # fmt: skip
    r = _desk(people["head"]).post(f"/desk/market/cases/{number}/act/approve_remedy/",
                                   {"remedy": 1, "approved": "true"})  # fmt: skip
    assert r.status_code in (302, 303), r.content.decode()[:2000]
    r = officer.act(number, "record_remedy_paid", {
        "remedy": 1, "paid_at": timezone.now().isoformat(), "method": "cash",
    })  # fmt: skip
    assert r.status_code == 200, r.content
    rows = officer.get(f"/cases/{number}/remedies").json()
    assert rows[0]["kind"] == "advance_compensation" and rows[0]["amount"] == "18.60"
    assert rows[0]["state"] == "paid" and rows[0]["paid_method"] == "cash"
    page = _desk(people["officer"]).get(f"/desk/market/cases/{number}/").content.decode()
    assert "先行赔付" in page and "18.60" in page and "现金" in page

    response: Any = exporting.ledger(_desk(people["head"]), "market")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["台帐"]
    rows_x = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows_x[0][-1] == "处理措施与问责"
    assert rows_x[1][-1] == "先行赔付：18.60元（已兑现）"


# --------------------------------------------------------------------------- integrity


def test_integrity_reward_through_the_custodian_keeps_the_reporter_sealed(
    integrity: tuple[Organisation, dict[str, Actor]],
) -> None:
    org, people = integrity
    buyer = create_user("integrity_buyer", org=org, role="handler", department="functional_depts")
    dept_head = create_user("integrity_fhead", org=org, role="department_head",
                            department="functional_depts")  # fmt: skip
    people["buyer"] = actor_for(buyer, org.slug)
    people["fhead"] = actor_for(dept_head, org.slug)
    case = _register(
        people["clerk"], kind="report", channel="letter", category="complaint_scope",
        content="采购员收受供应商回扣。", complainant={"name": "李梅", "phone": "13700000000"},
        subject={"type": "staff", "staff": "integrity_buyer", "name": "采购员"},
    )  # fmt: skip
    team = Department.objects.get(org=org, code="investigation_team")
    Case.objects.filter(pk=case.pk).update(status="resolved", lead_department=team)
    number = str(case.number)

    r = _api(people["head"]).act(number, "propose_reward", {"amount": "2000", "reason": "举报属实"})
    assert r.status_code == 200, r.content
    r = _desk(people["gm"]).post(f"/desk/integrity/cases/{number}/act/approve_reward/",
                                 {"reward": 1, "approved": "true"})  # fmt: skip
    assert r.status_code in (302, 303), r.content.decode()[:2000]
    # Only the custodian hands it over: the investigator and the inspector are refused.
    before = _state()
    assert _api(people["investigator"]).act(number, "hand_over_reward",
                                            {"reward": 1}).status_code == 403  # fmt: skip
    assert _api(people["inspector"]).act(number, "hand_over_reward",
                                         {"reward": 1}).status_code == 403  # fmt: skip
    assert _state() == before
    r = _api(people["gm"]).act(number, "hand_over_reward", {"reward": 1, "method": "bank_transfer"})
    assert r.status_code == 200, r.content
    assert Reward.objects.get(case=case).via_custodian

    # The investigators see that it was handed over through the custodian, never to whom.
    investigator = _desk(people["investigator"])
    page = investigator.get(f"/desk/integrity/cases/{number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "实名举报人，经身份保管人发放" in html and "已发放" in html
    assert "李梅" not in html and "13700000000" not in html
    rows = _api(people["investigator"]).get(f"/cases/{number}/rewards")
    assert rows.status_code == 200 and rows.json()[0]["state"] == "handed_over"
    assert "李梅" not in rows.content.decode() and "13700000000" not in rows.content.decode()
    ledger = investigator.get("/desk/integrity/ledger/").content.decode()
    assert "举报奖励：2000.00元（已发放，经身份保管人）" in ledger and "李梅" not in ledger

    # The person reported and his department: nothing of the case, its reward or reporter.
    for who in ("buyer", "fhead"):
        assert _api(people[who]).get(f"/cases/{number}/rewards").status_code == 404, who
        assert _api(people[who]).get(f"/cases/{number}").status_code == 404, who
        assert _desk(people[who]).get(f"/desk/integrity/cases/{number}/").status_code == 404, who
        mine = _api(people[who]).get("/about-me").content.decode()
        assert "李梅" not in mine and "13700000000" not in mine
    # No event carries the reporter.
    assert not any("李梅" in str(e.data) for e in Event.objects.filter(case=case))

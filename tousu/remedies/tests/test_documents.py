"""The printed remedy approval form (赔付/退换货审批单) and reward decision (举报奖励决定书).

PCB: 800 boards above the sales manager's limit, approved by the next approver and handed
over; an undetermined quantity waiting for the general manager. Market: 先行赔付.
Integrity: a named and an anonymous reporter's reward, whose decision never names the
reporter nor prints the receipt. Outsiders from every side answer 404.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from tousu.cases.access import Actor, actor_for
from tousu.cases.models import Case
from tousu.orgs.models import Department, Organisation
from tousu.orgs.services import create_user, set_profile
from tousu.policy.services import create_org
from tousu.privacy.models import IdentityAccess
from tousu.remedies.models import Remedy, Reward
from tousu.remedies.tests.test_remedies import _act, _people, _register, _report
from tousu.reporter import receipts

pytestmark = pytest.mark.django_db


def _desk(actor: Actor) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(pk=actor.user_id))
    return client


def _text(response: Any) -> str:
    assert response.status_code == 200, response.content.decode(errors="replace")[:2000]
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store, private"
    reader = PdfReader(io.BytesIO(response.content))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _approval(org: str, number: str, remedy: Remedy) -> str:
    return f"/desk/{org}/cases/{number}/remedies/{remedy.pk}/approval.pdf"


def _decision(org: str, number: str, reward: Reward) -> str:
    return f"/desk/{org}/cases/{number}/remedies/rewards/{reward.pk}/decision.pdf"


def _named(actor: Actor, name: str) -> str:
    """Give the person a name: documents print it, never the login."""
    user = get_user_model().objects.get(pk=actor.user_id)
    set_profile(user, org=actor.org, name=name)
    return name


# --------------------------------------------------------------------------- PCB


def test_the_pcb_return_above_the_sales_limit_prints_its_approval_chain(pcb: Any) -> None:
    case, people = pcb
    people["auditor"] = actor_for(create_user("pcb_auditor", org=case.org, role="auditor"), "pcb")
    number = str(case.number)
    _act("propose_remedy", case, people["rep"], {
        "kind": "return", "quantity": 800, "unit": "片", "amount": "36000",
        "reason": "整批分层，退货800片",
    })  # fmt: skip
    _act("propose_remedy", case, people["rep"], {
        "kind": "return", "quantity_undetermined": True, "unit": "片",
        "reason": "客户加工中，其余数量未确定",
    })  # fmt: skip
    approver = _named(people["supervisor"], "周振华")
    rep = _named(people["rep"], "郑晓")
    _act("approve_remedy", case, people["supervisor"], {"remedy": 1, "note": "同意整批退货"})
    paid_at = timezone.now() - timedelta(hours=1)
    _act("record_remedy_paid", case, people["rep"], {
        "remedy": 1, "paid_at": paid_at.isoformat(), "method": "goods",
    })  # fmt: skip
    big, open_ = Remedy.objects.get(case=case, no=1), Remedy.objects.get(case=case, no=2)

    # The sales rep handles the complaint: the customer's name is on the form.
    before = IdentityAccess.objects.filter(case=case, surface="document").count()
    text = _text(_desk(people["rep"]).get(_approval("pcb", number, big)))
    assert "赔付/退换货审批单" in text and "线路板公司" in text and number in text
    assert "客户采购" in text and "（身份信息依规保密）" not in text
    assert IdentityAccess.objects.filter(case=case, surface="document").count() == before + 1
    assert "退换货" in text and "800片" in text and "人民币36000.00元" in text
    assert "整批分层，退货800片" in text and "同意整批退货" in text
    # The chain: the sales manager's limit exceeded, the team head approved, the GM not needed.
    chain = text[text.index("审批（核决权限）") :]
    assert (
        chain.index("业务经理") < chain.index("生产管理组组长（副总经理）") < chain.index("总经理")
    )
    assert "金额20000.00元以内、数量500片以内" in chain and "超出本级核决权限" in chain
    assert f"核准{approver}" in chain and "无需审批" in chain
    assert "pcb_supervisor" not in text
    # Handed over: when, how and by whom; the signature lines.
    assert (
        "实物" in text
        and rep in text
        and "pcb_rep" not in text
        and f"{paid_at.astimezone(ZoneInfo(case.org.time_zone)).day}日" in text
    )
    assert "生产管理组组长（副总经理）（审批签名）" in text and "签收" in text
    assert "待核准" not in text

    # The auditor reads the form without the customer; the open quantity waits for the GM.
    text = _text(_desk(people["auditor"]).get(_approval("pcb", number, open_)))
    assert "客户采购" not in text and "13800000000" not in text
    assert "（身份信息依规保密）" in text
    assert "客户加工中未确定" in text and "待核准" in text
    assert "数量5000片以内" in text and "总经理" in text and "不限" in text

    # The case page links the form.
    page = _desk(people["rep"]).get(f"/desk/pcb/cases/{number}/").content.decode()
    assert _approval("pcb", number, big) in page and _approval("pcb", number, open_) in page

    # Another department, another organisation (at its own desk and at this one), and a
    # remedy of another case through this case's URL: not found, like a missing one.
    other = _register(
        people["rep"], kind="complaint", channel="phone", category="quality",
        content="另一订单的板子翘曲。", complainant={"name": "另一客户", "phone": "13811111111"},
        subject={"type": "product", "name": "PCB-4L-B07"},
    )  # fmt: skip
    _act("propose_remedy", other, people["rep"], {
        "kind": "credit", "amount": "500", "reason": "折让",
    })  # fmt: skip
    foreign = Remedy.objects.get(case=other)
    assert _desk(people["rep"]).get(_approval("pcb", number, foreign)).status_code == 404
    assert _desk(people["rep"]).get(_approval("pcb", str(other.number), big)).status_code == 404
    missing = Remedy.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    assert _desk(people["rep"]).get(
        f"/desk/pcb/cases/{number}/remedies/{missing + 1}/approval.pdf"
    ).status_code == 404  # fmt: skip
    assert _desk(people["qa_engineer"]).get(_approval("pcb", number, big)).status_code == 404
    outsider = _desk(people["outsider"])
    assert outsider.get(_approval("elsewhere", number, big)).status_code == 404
    assert outsider.get(_approval("pcb", number, big)).status_code in (403, 404)


# --------------------------------------------------------------------------- market


def test_the_markets_advance_compensation_form(db: None) -> None:
    org = create_org("market", "农贸市场", "market")
    people = _people(org, {"officer": ("dispatcher", None), "head": ("leader", None)})
    case = _register(
        people["officer"], kind="complaint", channel="phone", category="short_weight",
        content="购买猪肉2公斤，复秤少300克。", complainant={"name": "顾客王某", "phone": "13900000000"},
        subject={"type": "merchant", "name": "12号摊位"},
    )  # fmt: skip
    _act("propose_remedy", case, people["officer"], {
        "kind": "advance_compensation", "amount": "18.60", "reason": "短秤差价先行赔付",
    })  # fmt: skip
    remedy = Remedy.objects.get(case=case)
    text = _text(_desk(people["officer"]).get(_approval("market", str(case.number), remedy)))
    assert "农贸市场" in text and "先行赔付" in text and "人民币18.60元" in text
    assert "顾客王某" in text and "短秤差价先行赔付" in text
    assert "市场开办者负责人" in text and "待核准" in text and "尚未兑现" in text


def test_the_approval_form_is_the_organisations_record_in_its_language(db: None) -> None:
    org = create_org("market", "农贸市场", "market")
    people = _people(org, {"officer": ("dispatcher", None), "head": ("leader", None)})
    case = _register(
        people["officer"], kind="complaint", channel="phone", category="short_weight",
        content="购买猪肉2公斤，复秤少300克。", complainant={"name": "顾客王某", "phone": "13900000000"},
        subject={"type": "merchant", "name": "12号摊位"},
    )  # fmt: skip
    _act("propose_remedy", case, people["officer"], {
        "kind": "advance_compensation", "amount": "18.60", "reason": "短秤差价先行赔付",
    })  # fmt: skip
    remedy = Remedy.objects.get(case=case)
    url = _approval("market", str(case.number), remedy)
    # The complainant's language does not matter for an internal record ...
    Case.objects.filter(pk=case.pk).update(reporter_language="en")
    text = _text(_desk(people["officer"]).get(url))
    assert "赔付/退换货审批单" in text and "人民币18.60元" in text and "Approval" not in text
    # ... the organisation's does.
    Organisation.objects.filter(pk=org.pk).update(language="en")
    text = _text(_desk(people["officer"]).get(url))
    for expected in ("Compensation/ReturnApprovalForm", "RMB18.60", "Awaitingapproval",
                     "(notyetsettled)", "短秤差价先行赔付", "顾客王某"):  # fmt: skip
        assert expected in text, expected
    assert "审批单" not in text and "人民币" not in text and "待核准" not in text


# --------------------------------------------------------------------------- integrity


def _outsiders(org: Organisation, people: dict[str, Actor]) -> None:
    """The person reported, his department head, an auditor and another organisation."""
    buyer = create_user("integrity_buyer", org=org, role="handler", department="functional_depts")
    fhead = create_user("integrity_fhead", org=org, role="department_head",
                        department="functional_depts")  # fmt: skip
    people["buyer"] = actor_for(buyer, org.slug)
    people["fhead"] = actor_for(fhead, org.slug)
    people["auditor"] = actor_for(create_user("integrity_auditor", org=org, role="auditor"),
                                  org.slug)  # fmt: skip
    other = create_org("elsewhere", "另一单位")
    people["outsider"] = actor_for(
        create_user("elsewhere_leader", org=other, role="leader"), "elsewhere"
    )


def test_a_named_reporters_reward_decision_never_names_the_reporter(integrity: Any) -> None:
    org, people = integrity
    _outsiders(org, people)
    case = _register(
        people["clerk"], kind="report", channel="letter", category="complaint_scope",
        content="采购员收受供应商回扣。", complainant={"name": "李梅", "phone": "13700000000"},
        subject={"type": "staff", "staff": "integrity_buyer", "name": "采购员"},
    )  # fmt: skip
    team = Department.objects.get(org=org, code="investigation_team")
    Case.objects.filter(pk=case.pk).update(status="resolved", lead_department=team)
    case.refresh_from_db()
    number = str(case.number)
    _act(
        "propose_reward",
        case,
        people["head"],
        {"amount": "2000", "reason": "举报属实，李梅提供账目"},
    )
    reward = Reward.objects.get(case=case)
    url = _decision("integrity", number, reward)
    # Not yet approved: nothing to print.
    assert _desk(people["head"]).get(url).status_code == 404
    gm = _named(people["gm"], "林国强")
    _act("approve_reward", case, people["gm"], {"reward": 1})
    _act("hand_over_reward", case, people["gm"], {"reward": 1, "method": "bank_transfer"})

    text = _text(_desk(people["gm"]).get(url))
    assert "举报奖励决定书" in text and "诚信举报单位" in text and number in text
    assert "举报属实" in text and "人民币2000.00元" in text
    assert gm in text and "integrity_gm" not in text and "经举报人身份保管人发放" in text
    assert "银行转账" in text and "领取人" in text and "身份保管人签名" in text
    assert "李梅" not in text and "13700000000" not in text

    # The investigators see the case but take no part in rewards; the auditor reads the
    # ledger; the person reported and his head do not see the case; another organisation.
    for who in ("investigator", "auditor", "buyer", "fhead"):
        assert _desk(people[who]).get(url).status_code == 404, who
    assert _desk(people["outsider"]).get(_decision("elsewhere", number, reward)).status_code == 404
    assert _desk(people["outsider"]).get(url).status_code in (403, 404)
    # A reward id through another case's URL.
    other = _report(people, anonymous=True)
    assert _desk(people["gm"]).get(_decision("integrity", str(other.number), reward)).status_code \
        == 404  # fmt: skip

    # The case page links the decision only for those who may open it.
    assert url in _desk(people["gm"]).get(f"/desk/integrity/cases/{number}/").content.decode()
    page = _desk(people["investigator"]).get(f"/desk/integrity/cases/{number}/")
    assert page.status_code == 200 and "decision.pdf" not in page.content.decode()


def test_an_anonymous_reporters_reward_decision_never_prints_the_receipt(integrity: Any) -> None:
    org, people = integrity
    case = _report(people, anonymous=True)
    digits = receipts.issue(case, channel="box")
    _act("propose_reward", case, people["head"], {"amount": "500", "reason": "举报属实"})
    gm = _named(people["gm"], "林国强")
    _act("approve_reward", case, people["gm"], {"reward": 1})
    reward = Reward.objects.get(case=case)
    url = _decision("integrity", str(case.number), reward)

    text = _text(_desk(people["head"]).get(url))
    assert "人民币500.00元" in text and "凭查询回执领取" in text
    assert "经举报人身份保管人发放" not in text
    assert digits not in text and receipts.grouped(digits).replace(" ", "") not in text
    assert gm in text and "integrity_gm" not in text
    # Not yet handed over: the hand-over section waits for the signatures.
    assert "领取时间" in text and "银行转账" not in text and "现金" not in text

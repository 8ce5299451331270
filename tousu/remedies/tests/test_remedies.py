"""Remedies with approval limits (核决权限) and rewards for reports, from the stories."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tousu.cases import inputs, intake
from tousu.cases.access import Actor, actor_for
from tousu.cases.actions import ACTION_FUNCTIONS
from tousu.cases.errors import TousuError
from tousu.cases.models import Case, CaseRecord, Event, Party
from tousu.orgs.models import Department, Organisation
from tousu.orgs.services import create_user
from tousu.policy.services import create_org
from tousu.remedies.models import Remedy, Reward
from tousu.reporter import receipts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_stale_caches_after(_fresh_process_caches: None) -> Iterator[None]:
    """The organisations built here are rolled back; on SQLite their ids come back in the
    next module's module-scoped set-up, which must not meet the policies cached here."""
    yield
    from tousu.clock.overrides import clear_cache
    from tousu.orgs import models as org_models
    from tousu.policy import models as policy_models

    org_models._DEPARTMENT_IDS.clear()
    policy_models._LOADED.clear()
    clear_cache()


def _people(org: Organisation, people: dict[str, tuple[str, str | None]]) -> dict[str, Actor]:
    actors = {}
    for name, (role, dept) in people.items():
        user = create_user(f"{org.slug}_{name}", org=org, role=role, department=dept)
        actors[name] = actor_for(user, org.slug)
    return actors


def _act(action: str, case: Case, actor: Actor, body: dict[str, Any]) -> Case:
    fn, schema = ACTION_FUNCTIONS[action]
    return fn(case.pk, actor=actor, data=schema.model_validate(body))


def _snapshot(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.status, case.last_seq, Event.objects.count(), CaseRecord.objects.count(),
        list(Remedy.objects.values_list("state", "decided_by_id", "paid_at")),
        list(Reward.objects.values_list("state", "handed_over_by_id", "receipt_shown")),
    )  # fmt: skip


def _refused(action: str, case: Case, actor: Actor, body: dict[str, Any], code: str) -> TousuError:
    before = _snapshot(case)
    with pytest.raises(TousuError) as refused:
        _act(action, case, actor, body)
    assert refused.value.code == code, refused.value.as_json()
    assert _snapshot(case) == before
    return refused.value


def _register(actor: Actor, **data: Any) -> Case:
    return intake.register(actor, inputs.RegisterIn.model_validate(data))


# --------------------------------------------------------------------------- PCB return


@pytest.fixture
def pcb() -> tuple[Case, dict[str, Actor]]:
    org = create_org("pcb", "线路板公司", "pcb-quality")
    create_org("elsewhere", "另一单位")
    people = _people(
        org,
        {
            "rep": ("intake_clerk", "sales"),
            "sales_manager": ("department_head", "sales"),
            "qa_engineer": ("handler", "qa"),
            "supervisor": ("supervisor", None),
            "gm": ("leader", None),
        },
    )
    other = Organisation.objects.get(slug="elsewhere")
    people["outsider"] = actor_for(
        create_user("elsewhere_dispatcher", org=other, role="dispatcher"), "elsewhere"
    )
    case = _register(
        people["rep"], kind="complaint", channel="phone", category="quality",
        content="订单SO-2611-0042的120片PCB-8L-A33分层。",
        complainant={"name": "客户采购", "phone": "13800000000"},
        subject={"type": "product", "name": "PCB-8L-A33"},
    )  # fmt: skip
    sales = Department.objects.get(org=org, code="sales")
    Case.objects.filter(pk=case.pk).update(lead_department=sales)
    case.refresh_from_db()
    return case, people


def test_a_return_within_the_sales_limit_is_approved_by_the_sales_manager(pcb: Any) -> None:
    case, people = pcb
    _act("propose_remedy", case, people["rep"], {
        "kind": "return", "quantity": 120, "unit": "片", "reason": "分层，退货120片",
    })  # fmt: skip
    remedy = Remedy.objects.get(case=case)
    assert (remedy.no, remedy.awaiting_role, remedy.state) == (1, "department_head", "proposed")

    _act("approve_remedy", case, people["sales_manager"], {"remedy": 1})

    remedy.refresh_from_db()
    assert remedy.state == "approved"
    event = Event.objects.filter(case=case).order_by("-seq").first()
    assert event is not None and event.type == "remedy_decided"
    assert event.data["quantity"] == 120 and event.data["approved"] is True


def test_a_return_above_the_sales_limit_goes_to_the_next_approver(pcb: Any) -> None:
    case, people = pcb
    _act("propose_remedy", case, people["rep"], {
        "kind": "return", "quantity": 800, "unit": "片", "amount": "36000", "reason": "整批退货",
    })  # fmt: skip
    remedy = Remedy.objects.get(case=case)
    assert remedy.awaiting_role == "supervisor"
    proposed = Event.objects.filter(case=case).order_by("-seq").first()
    assert proposed is not None and proposed.type == "remedy_proposed"
    assert proposed.data["amount"] == "36000.00" and proposed.data["awaiting_role"] == "supervisor"

    refusal = _refused(
        "approve_remedy", case, people["sales_manager"], {"remedy": 1}, "above_approval_limit"
    )
    assert refusal.status == 403
    assert refusal.zh == "超出您的核决权限，须由生产管理组组长（副总经理）核准"
    assert "approval limit" in refusal.en and "production management team" in refusal.en
    assert refusal.details["next_role"] == "supervisor"
    # Not a remedy approver at all; not in this organisation.
    _refused("approve_remedy", case, people["qa_engineer"], {"remedy": 1}, "action_forbidden")
    _refused("approve_remedy", case, people["outsider"], {"remedy": 1}, "not_found")
    # The proposer cannot approve their own proposal even with the power to.
    _refused("record_remedy_paid", case, people["rep"], {
        "remedy": 1, "paid_at": timezone.now().isoformat(), "method": "goods",
    }, "remedy_not_approved")  # fmt: skip

    _act("approve_remedy", case, people["supervisor"], {"remedy": 1, "note": "同意退货"})
    remedy.refresh_from_db()
    assert remedy.state == "approved"
    _refused("approve_remedy", case, people["gm"], {"remedy": 1}, "remedy_decided")

    paid_at = timezone.now() - timedelta(hours=2)
    _act("record_remedy_paid", case, people["rep"], {
        "remedy": 1, "paid_at": paid_at.isoformat(), "method": "goods",
    })  # fmt: skip
    remedy.refresh_from_db()
    assert (remedy.state, remedy.paid_method, remedy.paid_at) == ("paid", "goods", paid_at)


def test_an_undetermined_quantity_waits_for_an_approver_without_a_quantity_limit(
    pcb: Any,
) -> None:
    case, people = pcb
    _act("propose_remedy", case, people["rep"], {
        "kind": "return", "quantity_undetermined": True, "unit": "片",
        "reason": "客户加工中，其余数量未确定",
    })  # fmt: skip
    assert Remedy.objects.get(case=case).awaiting_role == "leader"
    _refused("approve_remedy", case, people["supervisor"], {"remedy": 1}, "above_approval_limit")
    _act("approve_remedy", case, people["gm"], {"remedy": 1})
    assert Remedy.objects.get(case=case).state == "approved"


# --------------------------------------------------------------------------- market


def test_the_markets_advance_compensation(db: None) -> None:
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
    _act("propose_remedy", case, people["officer"], {
        "kind": "advance_compensation", "amount": "18.60", "reason": "短秤差价先行赔付",
    })  # fmt: skip
    remedy = Remedy.objects.get(case=case)
    assert (remedy.amount, remedy.awaiting_role) == (Decimal("18.60"), "leader")
    refusal = _refused(
        "approve_remedy", case, people["office_head"], {"remedy": 1}, "action_forbidden"
    )
    assert refusal.status == 403
    _act("approve_remedy", case, people["head"], {"remedy": 1})
    _act("record_remedy_paid", case, people["officer"], {
        "remedy": 1, "paid_at": timezone.now().isoformat(), "method": "cash",
    })  # fmt: skip
    types = list(Event.objects.filter(case=case).order_by("seq").values_list("type", flat=True))
    assert types[-3:] == ["remedy_proposed", "remedy_decided", "remedy_paid"]
    assert Remedy.objects.get(case=case).state == "paid"


# --------------------------------------------------------------------------- rewards


@pytest.fixture
def integrity() -> tuple[Organisation, dict[str, Actor]]:
    org = create_org("integrity", "诚信举报单位", "integrity")
    people = _people(
        org, {"clerk": ("intake_clerk", "enterprise_mgmt"), "inspector": ("dispatcher", None),
              "head": ("supervisor", None), "gm": ("leader", None),
              "investigator": ("handler", "investigation_team")},
    )  # fmt: skip
    return org, people


def _report(people: dict[str, Actor], *, anonymous: bool) -> Case:
    complainant: dict[str, Any] = (
        {"anonymous": True} if anonymous else {"name": "李梅", "phone": "13700000000"}
    )
    case = _register(
        people["clerk"], kind="report", channel="letter", category="complaint_scope",
        content="采购员收受供应商回扣。", complainant=complainant,
        subject={"type": "staff", "name": "采购员"},
    )  # fmt: skip
    if anonymous:
        # A box form's unsigned report (the integrity policy asks for names; some come
        # without one).
        Party.objects.filter(case=case).update(anonymous=True)
    Case.objects.filter(pk=case.pk).update(status="resolved")
    case.refresh_from_db()
    return case


def _reward_approved(case: Case, people: dict[str, Actor]) -> None:
    _act("propose_reward", case, people["head"], {"amount": "2000", "reason": "举报属实"})
    _refused("approve_reward", case, people["head"], {"reward": 1}, "action_forbidden")
    _act("approve_reward", case, people["gm"], {"reward": 1})
    assert Reward.objects.get(case=case).state == "approved"


def test_an_anonymous_reporters_reward_is_claimed_with_the_receipt(integrity: Any) -> None:
    org, people = integrity
    case = _report(people, anonymous=True)
    other = _report(people, anonymous=True)
    digits = receipts.issue(case, channel="box")
    others = receipts.issue(other, channel="box")
    _reward_approved(case, people)

    for wrong in ("", "1234 5678 9012 3456 7890", receipts.grouped(others)):
        _refused(
            "hand_over_reward", case, people["head"], {"reward": 1, "receipt": wrong},
            "invalid_value",
        )  # fmt: skip

    _act("hand_over_reward", case, people["head"], {
        "reward": 1, "receipt": receipts.grouped(digits), "method": "cash",
    })  # fmt: skip
    reward = Reward.objects.get(case=case)
    assert (reward.state, reward.receipt_shown, reward.via_custodian) == (
        "handed_over", True, False,
    )  # fmt: skip
    event = Event.objects.filter(case=case).order_by("-seq").first()
    assert event is not None and event.type == "reward_handed_over"
    assert digits not in str(event.data) and event.data["receipt_shown"] is True


def test_a_named_reporters_reward_is_handed_over_only_by_the_custodian(integrity: Any) -> None:
    org, people = integrity
    case = _report(people, anonymous=False)
    _reward_approved(case, people)

    _refused("hand_over_reward", case, people["head"], {"reward": 1}, "custodian_only")
    _refused("hand_over_reward", case, people["inspector"], {"reward": 1}, "custodian_only")
    _refused("hand_over_reward", case, people["investigator"], {"reward": 1}, "action_forbidden")

    _act("hand_over_reward", case, people["gm"], {"reward": 1, "method": "bank_transfer"})
    reward = Reward.objects.get(case=case)
    assert (reward.state, reward.via_custodian) == ("handed_over", True)
    event = Event.objects.filter(case=case).order_by("-seq").first()
    assert event is not None and "李梅" not in str(event.data)
    _refused("hand_over_reward", case, people["gm"], {"reward": 1}, "reward_not_approved")


def test_a_complaint_or_a_policy_without_rewards_takes_no_reward(integrity: Any) -> None:
    org, people = integrity
    case = _register(
        people["clerk"], kind="complaint", channel="letter", category="wage_deduction",
        content="工资被无故扣发。", complainant={"name": "张三", "phone": "13600000000"},
        subject={"type": "department", "name": "车间"},
    )  # fmt: skip
    Case.objects.filter(pk=case.pk).update(status="resolved")
    _refused("propose_reward", case, people["head"], {"amount": "100", "reason": "x"},
             "invalid_value")  # fmt: skip

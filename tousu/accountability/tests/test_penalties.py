"""Penalties, appeals and counting rules, from the stories; and who may see the record.

scenic-area (TOU): the ticket clerk's second complaint this year → the 100-yuan fine is
approved by the area head and the "second complaint → suspension" rule proposes a
suspension to the area head. enterprise (ENT): the GM's office penalises the logistics
clerk, who appeals to the general manager; the appeal is recorded on the case.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tousu.accountability import records
from tousu.accountability.models import Appeal, Penalty
from tousu.cases import inputs, intake
from tousu.cases.access import Actor, actor_for
from tousu.cases.actions import ACTION_FUNCTIONS
from tousu.cases.errors import TousuError
from tousu.cases.models import Case, Event, Notification
from tousu.orgs.models import Membership, Organisation
from tousu.orgs.services import create_user
from tousu.policy.schema import Policy
from tousu.policy.services import create_org

pytestmark = pytest.mark.django_db

REPORTER = "李秀英"
PHONE = "13812345678"


class Org:
    def __init__(self, slug: str, preset: str, people: dict[str, tuple[str, str | None]]):
        self.org: Organisation = create_org(slug, slug, preset)
        self.users: dict[str, User] = {
            name: create_user(f"{slug}_{name}", org=self.org, role=role, department=dept)
            for name, (role, dept) in people.items()
        }

    def policy(self) -> Policy:
        assert self.org.active_policy is not None
        return self.org.active_policy.policy

    def actor(self, name: str) -> Actor:
        return actor_for(self.users[name], self.org.slug)

    def uid(self, name: str) -> int:
        return int(self.users[name].pk)

    def complaint(self, about: str, when: datetime, status: str = "resolved") -> Case:
        channel = "visit" if "visit" in self.policy().channels else "phone"
        data: dict[str, Any] = {
            "kind": "complaint", "channel": channel, "received_at": when.isoformat(),
            "content": "售票员对游客说脏话。",
            "complainant": {"name": REPORTER, "phone": PHONE},
            "subject": {"type": "staff", "staff": self.users[about].get_username(),
                        "name": "售票员"},
        }  # fmt: skip
        case = intake.register(self.actor("clerk"), inputs.RegisterIn.model_validate(data))
        # Handled by the subject's department (its head reaches the case).
        dept = Membership.objects.filter(user=self.users[about]).values("department_id")[:1]
        Case.objects.filter(pk=case.pk).update(status=status, lead_department_id=dept)
        case.refresh_from_db()
        return case

    def act(
        self, who: str, action: str, case: Case, now: datetime | None = None, **body: Any
    ) -> Any:
        fn, schema = ACTION_FUNCTIONS[action]
        return fn(case.pk, actor=self.actor(who), data=schema.model_validate(body), now=now)


def _scenic() -> Org:
    return Org(
        "scenic",
        "scenic-area",
        {
            "clerk": ("intake_clerk", "office"),
            "ticket": ("handler", "reception"),
            "duty": ("supervisor", None),
            "head": ("leader", None),
            "reception_head": ("department_head", "reception"),
            "other": ("handler", "security"),
        },
    )


def _fine_approved(o: Org, case: Case, now: datetime) -> Penalty:
    o.act("duty", "propose_penalty", case, now, staff="scenic_ticket", kind="fine",
          reason="对游客说脏话，按第7条罚款")  # fmt: skip
    penalty = Penalty.objects.get(case=case, kind="fine")
    assert penalty.amount == Decimal("100")  # the policy's amount
    o.act("head", "decide_penalty", case, now, penalty=penalty.pk, approved=True)
    penalty.refresh_from_db()
    return penalty


def test_scenic_second_complaint_within_a_year_proposes_suspension_to_the_area_head() -> None:
    o = _scenic()
    now = timezone.now()
    first = o.complaint("ticket", now - timedelta(days=200))
    _fine_approved(o, first, now - timedelta(days=199))
    assert not Penalty.objects.filter(kind="suspension").exists()

    second = o.complaint("ticket", now - timedelta(days=1))
    fine = _fine_approved(o, second, now)
    assert fine.status == Penalty.Status.APPROVED and fine.in_force

    follow = Penalty.objects.get(kind="suspension")
    assert follow.status == Penalty.Status.PROPOSED
    assert follow.staff_id == o.uid("ticket") and follow.triggered_by_id == fine.pk
    assert "两次" in follow.rule_zh
    # The area head (leader) is told; the event records the rule.
    assert Notification.objects.filter(
        user_id=o.uid("head"), kind="penalty_rule_triggered"
    ).exists()
    event = Event.objects.filter(case=second, type="penalty_decided").latest("seq")
    assert event.data["counting"][0]["kind"] == "suspension"
    assert event.data["counting"][0]["count"] == 2
    # The clerk was told of each decision about them (the notice names the case only).
    assert Notification.objects.filter(user_id=o.uid("ticket"), kind="penalty_decided").count() == 2

    # Another approval in the same window does not propose a second suspension.
    o.act("duty", "propose_penalty", second, now, staff="scenic_ticket", kind="warning",
          reason="当面警告")  # fmt: skip
    warning = Penalty.objects.get(kind="warning")
    o.act("head", "decide_penalty", second, now, penalty=warning.pk, approved=True)
    assert Penalty.objects.filter(kind="suspension").count() == 1

    # The area head decides the proposed suspension like any other.
    o.act("head", "decide_penalty", second, now, penalty=follow.pk, approved=True)
    follow.refresh_from_db()
    assert follow.status == Penalty.Status.APPROVED


def test_a_complaint_outside_the_window_does_not_count() -> None:
    o = _scenic()
    now = timezone.now()
    old = o.complaint("ticket", now - timedelta(days=500))
    _fine_approved(o, old, now - timedelta(days=400))
    _fine_approved(o, o.complaint("ticket", now), now)
    assert not Penalty.objects.filter(kind="suspension").exists()


def test_only_the_policys_roles_propose_and_approve_and_refusals_change_nothing() -> None:
    o = _scenic()
    case = o.complaint("ticket", timezone.now())
    body = {"staff": "scenic_ticket", "kind": "fine", "reason": "说脏话"}
    before = Event.objects.filter(case=case).count()
    for who in ("clerk", "head", "other"):  # intake clerk, the leader (approver), a handler
        with pytest.raises(TousuError) as refused:
            o.act(who, "propose_penalty", case, None, **body)
        assert refused.value.status in (403, 404)
    # A penalty the policy does not list, and a case not yet decided, are refused.
    with pytest.raises(TousuError) as refused:
        o.act("duty", "propose_penalty", case, None, **{**body, "kind": "criticism"})
    assert refused.value.code == "invalid_value"
    open_case = o.complaint("ticket", timezone.now(), status="in_progress")
    with pytest.raises(TousuError) as refused:
        o.act("duty", "propose_penalty", open_case, None, **body)
    assert refused.value.code == "transition_forbidden"
    assert Event.objects.filter(case=case).count() == before
    assert not Penalty.objects.exists()

    o.act("reception_head", "propose_penalty", case, None, **body)
    penalty = Penalty.objects.get()
    for who in ("duty", "reception_head", "ticket"):
        with pytest.raises(TousuError):
            o.act(who, "decide_penalty", case, penalty=penalty.pk, approved=True)
    penalty.refresh_from_db()
    assert penalty.status == Penalty.Status.PROPOSED
    assert Notification.objects.filter(user_id=o.uid("head"), kind="penalty_proposed").exists()
    # The subject is not told of a mere proposal.
    assert not Notification.objects.filter(user_id=o.uid("ticket")).exists()


def _enterprise() -> Org:
    return Org(
        "ent",
        "enterprise",
        {
            "clerk": ("intake_clerk", "sales"),
            "logistics": ("handler", "logistics"),
            "colleague": ("handler", "logistics"),
            "office": ("supervisor", None),
            "gm": ("leader", None),
        },
    )


def test_enterprise_penalty_appealed_to_the_general_manager() -> None:
    o = _enterprise()
    case = o.complaint("clerk", timezone.now(), status="closed")
    o.act("office", "propose_penalty", case, staff="ent_logistics", kind="fine",
          amount="200", reason="未按客户期限发货")  # fmt: skip
    penalty = Penalty.objects.get()
    o.act("gm", "decide_penalty", case, penalty=penalty.pk, approved=True)

    # Nobody but the penalised person may appeal: refused, nothing changes.
    for who in ("colleague", "office"):
        with pytest.raises(TousuError) as refused:
            o.act(who, "appeal_penalty", case, penalty=penalty.pk, reason="不服")
        assert refused.value.code == "action_forbidden"
    assert not Appeal.objects.exists()

    records.appeal_from_record(o.actor("logistics"), penalty.pk, "延误系生产原因")
    appeal = Appeal.objects.get()
    assert appeal.to_role == "leader" and appeal.status == Appeal.Status.PENDING
    penalty.refresh_from_db()
    assert penalty.in_force  # the decision stands meanwhile (policy)
    assert Notification.objects.filter(user_id=o.uid("gm"), kind="penalty_appealed").exists()
    with pytest.raises(TousuError) as refused:
        records.appeal_from_record(o.actor("logistics"), penalty.pk, "再次申诉")
    assert refused.value.code == "already_appealed"

    # Only the general manager decides it.
    with pytest.raises(TousuError):
        o.act("office", "decide_appeal", case, penalty=penalty.pk, upheld=False)
    o.act("gm", "decide_appeal", case, penalty=penalty.pk, upheld=False, note="责任在生产部")
    penalty.refresh_from_db()
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.REVOKED
    assert penalty.status == Penalty.Status.REVOKED and not penalty.in_force
    types = list(Event.objects.filter(case=case).values_list("type", flat=True))
    assert types[-4:] == ["penalty_proposed", "penalty_decided", "penalty_appealed",
                          "appeal_decided"]  # fmt: skip
    assert Notification.objects.filter(user_id=o.uid("logistics"), kind="appeal_decided").exists()


def test_tobacco_appeal_window_and_the_decision_standing() -> None:
    o = Org("tob", "tobacco", {"clerk": ("intake_clerk", None), "officer": ("handler", "inspection_brigade"),
                               "sup": ("supervisor", None), "lead": ("leader", None)})  # fmt: skip
    case = o.complaint("officer", timezone.now() - timedelta(days=60), status="closed")
    decided = timezone.now() - timedelta(days=40)
    o.act("sup", "propose_penalty", case, decided, staff="tob_officer", kind="warning",
          reason="态度粗暴")  # fmt: skip
    penalty = Penalty.objects.get()
    o.act("lead", "decide_penalty", case, decided, penalty=penalty.pk, approved=True)
    with pytest.raises(TousuError) as refused:
        records.appeal_from_record(o.actor("officer"), penalty.pk, "申请复核")
    assert refused.value.code == "appeal_window_passed"
    assert not Appeal.objects.exists()


# --------------------------------------------------------------------------- the record page


def _client(o: Org, name: str) -> Client:
    client = Client()
    client.force_login(o.users[name])
    return client


def test_the_penalised_person_sees_their_decision_and_never_the_reporter() -> None:
    o = _scenic()
    case = o.complaint("ticket", timezone.now())
    _fine_approved(o, case, timezone.now())
    o.act("duty", "propose_penalty", case, staff="scenic_ticket", kind="warning",
          reason="尚未决定的意见")  # fmt: skip

    page = _client(o, "ticket").get("/desk/scenic/people/scenic_ticket/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "对游客说脏话，按第7条罚款" in text and "100" in text
    assert "售票员对游客说脏话" in text  # the allegation, through the subject's view
    assert REPORTER not in text and PHONE not in text
    assert "尚未决定的意见" not in text  # proposals are not shown to the person
    # The case itself stays hidden from them.
    assert _client(o, "ticket").get(f"/desk/scenic/cases/{case.number}/").status_code == 404


def test_the_staff_record_is_for_the_policys_roles_and_the_person_only() -> None:
    o = _scenic()
    case = o.complaint("ticket", timezone.now())
    _fine_approved(o, case, timezone.now())
    path = "/desk/scenic/people/scenic_ticket/"
    for name in ("duty", "head"):  # view_staff_record: supervisor, leader
        page = _client(o, name).get(path)
        assert page.status_code == 200, name
        assert str(case.number) in page.content.decode()
    for name in ("clerk", "other", "reception_head"):
        assert _client(o, name).get(path).status_code == 404, name
    # Another organisation's staff: nothing there exists for them.
    stranger = Org("elsewhere", "general", {"clerk": ("leader", None)})
    assert _client(stranger, "clerk").get(path).status_code == 404
    assert (
        _client(stranger, "clerk").get("/desk/elsewhere/people/scenic_ticket/").status_code == 404
    )
    # Someone else cannot appeal through another person's record.
    penalty = Penalty.objects.get()
    r = _client(o, "other").post(f"{path}appeal/{penalty.pk}/", {"reason": "不服"})
    assert r.status_code == 404
    assert not Appeal.objects.exists()


def test_the_person_appeals_from_their_own_record_page() -> None:
    o = _scenic()
    case = o.complaint("ticket", timezone.now())
    penalty = _fine_approved(o, case, timezone.now())
    client = _client(o, "ticket")
    path = "/desk/scenic/people/scenic_ticket/"
    assert client.post(f"{path}appeal/{penalty.pk}/", {"reason": ""}).status_code == 422
    r = client.post(f"{path}appeal/{penalty.pk}/", {"reason": "当时游客先辱骂"})
    assert r.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.appellant_id == o.uid("ticket")
    assert "当时游客先辱骂" in client.get(path).content.decode()

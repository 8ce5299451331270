"""The transition table is closed: every action refuses every state it does not start from.

For each action of :data:`tousu.cases.lifecycle.TABLE` (register aside) and each
status outside that action's sources, a case is put in that status and the
action is taken by someone who may otherwise take it. The answer must be
``transition_forbidden`` (409), the case must keep its status and no event may
be written. A control set takes every allowed (action, source) pair through the
same set-up, so the refusals above cannot come from a broken set-up.

The organisation, staff and one case per status are built once for the module
inside a transaction that is rolled back at the end; each test runs in a
savepoint inside it (pytest-django's ``db``), so tests stay independent and fast.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tousu.cases import access, actions, inputs, intake
from tousu.cases.access import Actor, actor_for, reporter_actor
from tousu.cases.errors import TousuError
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case, CaseRecord, Event, Status
from tousu.cases.registry import ACTION_FUNCTIONS
from tousu.conftest import World
from tousu.evidence import release
from tousu.evidence import services as evidence
from tousu.evidence.tests.samples import PDF as SAMPLE_PDF
from tousu.orgs.models import Department, Organisation
from tousu.orgs.services import create_user
from tousu.policy.services import create_org
from tousu.reporter.actions import REPORTER_FUNCTIONS


class _Bodies(dict[str, dict[str, Any]]):
    """A plugged-in feature's action not listed below: the example its input schema gives."""

    def __missing__(self, action: str) -> dict[str, Any]:
        extra: Any = ACTION_FUNCTIONS[action][1].model_config.get("json_schema_extra")
        assert isinstance(extra, dict) and extra.get("examples"), f"{action}: no example body"
        return dict(extra["examples"][0])


# A minimal valid input for every action (JSON bodies: the same ones serve the API).
BODIES: dict[str, dict[str, Any]] = _Bodies(
    {
        "amend": {"demands": "退还多收费用并书面道歉"},
        "classify": {"category": "fees", "note": "按收费问题处理"},
        "resolve_on_the_spot": {"findings": "当面核实并解释清楚"},
        "accept": {"note": "予以受理"},
        "reject": {"reason_code": "before_court", "complainant_told": True, "told_via": "phone"},
        "refer": {"authority": "区市场监督管理局", "complainant_told": True},
        "assign": {"lead_department": "service"},
        "transfer": {"department": "service", "reason": "属服务态度问题"},
        "receive": {},
        "return": {"reason": "不属本部门职责"},
        "record": {"kind": "note", "body": "电话联系投诉人"},
        "pause": {"reason_code": "testing", "note": "送检"},
        "resume": {},
        "request_extension": {"stage": "reply", "amount": 1, "reason": "需鉴定"},
        "approve_extension": {"note": "同意"},
        "escalate": {"to_role": "leader", "reason": "涉及多名患者"},
        "notify_authority": {"authority": "区卫生健康委"},
        "split": {"parts": [{"kind": "report", "category": "quality", "content": "销售过期牛奶"}]},
        "merge": {"into": "<merge target>"},  # filled in with a real open case's number
        "resolve": {"findings": "系统重复计费，已退费", "responsibility": "organisation"},
        "reply": {"channel": "letter", "body": "书面答复"},
        "follow_up": {"reached": True, "satisfaction": "satisfied"},
        "close": {"note": "结案"},
        "reopen": {"reason": "投诉人对处理结果有异议"},
        "withdraw": {"reason": "投诉人撤回"},
        "request_review": {"reason": "对处理意见不服，申请复查"},
        "recuse": {"reason": "与被投诉人系亲属关系"},
        "hold": {"reason": "涉诉，法院调取材料"},
        "redact": {"phrases": ["王建国"]},
        "release_hold": {"reason": "诉讼已结束"},
        "request_recusal": {"user": "tr_handler", "reason": "投诉人申请承办人回避"},
        "decide_recusal": {"user": "tr_handler", "approved": True},
        "request_reveal": {"reason": "需核实举报人所述细节"},
        "approve_reveal": {"requested_by": "tr_dispatcher", "approved": True},
        # A file, not a JSON body: taken through tousu.evidence.services.attach.
        "attach": {"name": "来信原件.pdf", "content": SAMPLE_PDF},
        "message_reporter": {"body": "请补充消费凭证的照片"},
        "issue_receipt": {"channel": "letter"},
        # Taken through tousu.evidence.release.decide, on a file the case does not hold
        # (refused as not found once the state allows it).
        "release_file": {"sha256": "0" * 64, "reason": "核对来信原件"},
        # No pre-printed receipt matches: refused as an invalid value once the state allows it.
        "bind_receipt": {"receipt": "1234 5678 9012 3456 7890"},
        # Penalties: no penalty 999999 on the case, refused as an invalid value once the state
        # allows it.
        "propose_penalty": {"staff": "tr_handler", "kind": "warning", "reason": "服务态度差"},
        "decide_penalty": {"penalty": 999999, "approved": True},
        "appeal_penalty": {"penalty": 999999, "reason": "事实不清"},
        "decide_appeal": {"penalty": 999999, "upheld": True},
        "record_notice_delivered": {"penalty": 999999, "delivered_at": "2026-01-05T10:00:00+08:00"},
        # Remedies and rewards (tousu.remedies): no remedy or reward no. 1 on the bench cases, and
        # the general policy has no rewards, so these are refused as invalid values once the
        # state allows them; a proposal of a remedy goes through.
        "propose_remedy": {"kind": "refund", "amount": "120.00", "reason": "重复收费，退还"},
        "approve_remedy": {"remedy": 1, "approved": True},
        "record_remedy_paid": {
            "remedy": 1,
            "paid_at": "2026-01-05T10:00:00+08:00",
            "method": "cash",
        },
        "propose_reward": {"amount": "500.00", "reason": "举报属实"},
        "approve_reward": {"reward": 1, "approved": True},
        "hand_over_reward": {"reward": 1, "receipt": "1234 5678 9012 3456 7890"},
        # Quality (tousu.quality): the general policy defines no fields and the bench cases have
        # no sub-task 99999, so these are refused as invalid values once the state allows them;
        # a sub-task to another department goes through.
        "record_quality": {"fields": {"root_cause": "层压温度异常"}},
        "assign_subtask": {
            "department": "service",
            "instruction": "协助核查",
            "due_in_working_days": 2,
        },
        "complete_subtask": {"subtask": 99999, "result": "已核查"},
        "cancel_subtask": {"subtask": 99999, "reason": "不再需要"},
        # Procedures (tousu.procedures): the general policy names none, so these are refused as
        # invalid values once the state allows them.
        "start_procedure": {"procedure": "medical_dispute"},
        "record_procedure_step": {"procedure": "medical_dispute", "step": "report", "body": "报告"},
    }
)

# The reporter's own actions on the portal (tousu.reporter.actions), by the reporter
# actor bound to the case; the evidence one takes a file.
REPORTER_BODIES: dict[str, dict[str, Any]] = {
    "reporter_message": {"body": "收费单据已经找到"},
    "reporter_evidence": {"name": "收据.pdf", "content": b"%PDF-1.4\n%%EOF\n"},
    "rate": {"satisfaction": "satisfied"},
    "disagree": {"reason": "退费金额不对"},
    "confirm_record": {},
    "correct_record": {"correction": "收费是三次，不是两次"},
}

# Who takes each action: a role the table allows, reaching the case whatever its state.
# Cases sit with Finance (lead and pending department), so the Finance handler is in
# scope for the department-scoped actions; the approver comes from the policy.
ACTORS: dict[str, str] = {
    "receive": "handler",
    "return": "handler",
    "resolve": "handler",
    "approve_extension": "supervisor",
    "decide_recusal": "supervisor",
    "hold": "supervisor",
    "release_hold": "supervisor",
    "approve_reveal": "leader",  # the general policy's custodian
    "release_file": "leader",
    "propose_penalty": "supervisor",
    "decide_penalty": "leader",
    "decide_appeal": "leader",
    "record_notice_delivered": "leader",  # the general policy's penalty approver
    "approve_remedy": "leader",  # the general policy's compensation approver
    "approve_reward": "leader",
    "complete_subtask": "handler",  # a member of the sub-task's department
}
DEFAULT_ACTOR = "dispatcher"


def actor_of(action: str) -> str:
    """Who takes the action: listed above, else the dispatcher, else (a plugged-in feature's
    action) the first persona whose role the table allows."""
    if action in ACTORS:
        return ACTORS[action]
    roles = TABLE[action].roles
    if "dispatcher" in roles or not roles:
        return DEFAULT_ACTOR
    return next(p for p in ("supervisor", "leader", "handler", "clerk") if _ROLE[p] in roles)


_ROLE = {
    "supervisor": "supervisor",
    "leader": "leader",
    "handler": "handler",
    "clerk": "intake_clerk",
}

STATUSES = [s.value for s in Status]
ACTIONS = [a for a in TABLE if a != "register" and not TABLE[a].system and not TABLE[a].reporter]
REPORTER_ACTIONS = [a for a in TABLE if TABLE[a].reporter]
FORBIDDEN = [(a, s) for a in ACTIONS for s in STATUSES if s not in TABLE[a].sources]
ALLOWED = [(a, s) for a in ACTIONS for s in STATUSES if s in TABLE[a].sources]
# Actions on a file: they have their own function, not a JSON action.
FILE_ACTIONS = {"attach", "release_file"}


@dataclass
class Bench:
    org: Organisation
    actors: dict[str, Actor]
    cases: dict[str, int]  # status -> case pk
    merge_target: str

    def body(self, action: str) -> dict[str, Any]:
        body = dict(BODIES[action])
        if action == "merge":
            body["into"] = self.merge_target
        return body


def _register(actor: Actor, **overrides: Any) -> Case:
    data: dict[str, Any] = {
        "kind": "complaint",
        "channel": "phone",
        "category": "fees",
        "content": "CT检查被重复收费两次，要求退还多收的费用。",
        "complainant": {"name": "王建国", "phone": "13912345678"},
        "subject": {"type": "department", "name": "门诊收费处"},
    }
    data.update(overrides)
    return intake.register(actor, inputs.RegisterIn.model_validate(data))


@pytest.fixture(scope="module")
def bench(django_db_setup: None, django_db_blocker: Any) -> Iterator[Bench]:
    """One organisation, its staff and one case per status, rolled back after the module."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # Own slug and usernames: tests here that use `world` build "acme" beside it.
            org = create_org("transitions", "状态机测试单位")
            people = {
                "clerk": ("intake_clerk", "office"),
                "dispatcher": ("dispatcher", None),
                "handler": ("handler", "finance"),
                "supervisor": ("supervisor", None),
                "leader": ("leader", None),
            }
            actors = {}
            for name, (role, dept) in people.items():
                user = create_user(f"tr_{name}", org=org, role=role, department=dept)
                actors[name] = actor_for(user, org.slug)
            finance = Department.objects.get(org=org, code="finance")
            cases = {}
            for status in STATUSES:
                case = _register(actors["clerk"])
                Case.objects.filter(pk=case.pk).update(
                    status=status, lead_department=finance, pending_department=finance
                )
                cases[status] = case.pk
            target = _register(actors["clerk"], content="另一件在办案件，作合并目标")
            assert target.number is not None
            yield Bench(org, actors, cases, target.number)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Files attached here go to a temporary directory."""
    settings.TOUSU_FILES_DIR = tmp_path / "files"


def _take(bench: Bench, action: str, status: str) -> tuple[Case, Actor]:
    actor = bench.actors[actor_of(action)]
    case = Case.objects.select_related("policy_version").get(pk=bench.cases[status])
    assert case.status == status
    # The actor may take this action on this case: only the state can refuse it.
    assert access.permitted(actor, case, TABLE[action], case.policy_version.policy)
    if action == "release_file":
        body = bench.body(action)
        release.decide(case.pk, actor=actor, release=False, **body)
        return case, actor
    if action in FILE_ACTIONS:
        body = bench.body(action)
        upload = SimpleUploadedFile(body["name"], body["content"])
        evidence.attach(case.pk, actor=actor, upload=upload)
        return case, actor
    fn, schema = actions.ACTION_FUNCTIONS[action]
    fn(case.pk, actor=actor, data=schema.model_validate(bench.body(action)))
    return case, actor


def _counts() -> tuple[int, int, int]:
    return Event.objects.count(), Case.objects.count(), CaseRecord.objects.count()


def test_the_action_functions_are_exactly_the_table_and_every_one_has_a_test_input() -> None:
    assert set(actions.ACTION_FUNCTIONS) == set(ACTIONS) - FILE_ACTIONS
    assert set(actions.SYSTEM_FUNCTIONS) == {a for a in TABLE if TABLE[a].system}
    assert all(BODIES[a] is not None for a in ACTIONS)
    assert set(ACTORS) <= set(ACTIONS)
    assert set(REPORTER_BODIES) == set(REPORTER_ACTIONS)
    assert set(REPORTER_FUNCTIONS) == set(REPORTER_ACTIONS) - {"reporter_evidence"}
    assert not set(REPORTER_ACTIONS) & set(actions.ACTION_FUNCTIONS)
    assert all(not TABLE[a].roles for a in REPORTER_ACTIONS)
    # Every pair is covered by exactly one of the two sets below.
    assert len(FORBIDDEN) + len(ALLOWED) == len(ACTIONS) * len(STATUSES)
    assert FORBIDDEN  # the table does forbid something


@pytest.mark.parametrize(
    ("action", "status"), FORBIDDEN, ids=[f"{a}-from-{s}" for a, s in FORBIDDEN]
)
def test_an_action_from_a_state_outside_its_sources_is_refused_and_changes_nothing(
    bench: Bench, db: None, action: str, status: str
) -> None:
    case_before = Case.objects.get(pk=bench.cases[status])
    events_before = Event.objects.filter(case_id=case_before.pk).count()
    counts_before = _counts()

    with pytest.raises(TousuError) as refused:
        _take(bench, action, status)

    assert refused.value.code == "transition_forbidden", refused.value.as_json()
    assert refused.value.status == 409
    assert refused.value.details == {"action": action, "status": status}
    after = Case.objects.get(pk=case_before.pk)
    assert after.status == status
    assert (after.last_seq, after.last_hash) == (case_before.last_seq, case_before.last_hash)
    assert after.updated_at == case_before.updated_at
    assert Event.objects.filter(case_id=case_before.pk).count() == events_before
    assert _counts() == counts_before


@pytest.mark.parametrize(("action", "status"), ALLOWED, ids=[f"{a}-from-{s}" for a, s in ALLOWED])
def test_the_same_set_up_lets_an_action_start_from_each_of_its_sources(
    bench: Bench, db: None, action: str, status: str
) -> None:
    """Control: the actor and inputs above are good; only the state refuses them."""
    events_before = Event.objects.filter(case_id=bench.cases[status]).count()
    try:
        case, _ = _take(bench, action, status)
    except TousuError as exc:
        # Some actions have preconditions of their own (a pending extension request, a
        # running deadline, complete fields); the state must not be what refuses them.
        assert exc.code != "transition_forbidden", exc.as_json()
        # (The general policy has no review procedure: petitions presets do.)
        assert exc.code in {
            "no_extension_request",
            "invalid_value",
            "missing_fields",
            "no_review_in_policy",
            "not_held",
            "identity_visible",  # request_reveal on a complaint by one who already sees it
        }, (  # fmt: skip
            exc.as_json()
        )
        return
    after = Case.objects.get(pk=case.pk)
    if TABLE[action].target is not None:
        assert after.status == TABLE[action].target
    events = list(Event.objects.filter(case_id=case.pk).order_by("seq"))
    assert len(events) == events_before + 1
    assert events[-1].from_status == status
    assert events[-1].to_status == after.status


REPORTER_FORBIDDEN = [
    (a, s) for a in REPORTER_ACTIONS for s in STATUSES if s not in TABLE[a].sources
]
REPORTER_ALLOWED = [(a, s) for a in REPORTER_ACTIONS for s in STATUSES if s in TABLE[a].sources]


def _take_as_reporter(bench: Bench, action: str, status: str) -> Case:
    case = Case.objects.select_related("policy_version").get(pk=bench.cases[status])
    holder = reporter_actor(bench.org, case_id=case.pk)
    assert access.permitted(holder, case, TABLE[action], case.policy_version.policy)
    body = REPORTER_BODIES[action]
    if action == "reporter_evidence":
        evidence.store_from_reporter(case.pk, actor=holder, name=body["name"], data=body["content"])
        return case
    fn, schema = REPORTER_FUNCTIONS[action]
    fn(case.pk, actor=holder, data=schema.model_validate(body))
    return case


@pytest.mark.parametrize(
    ("action", "status"), REPORTER_FORBIDDEN, ids=[f"{a}-from-{s}" for a, s in REPORTER_FORBIDDEN]
)
def test_a_reporter_action_outside_its_sources_is_refused_and_changes_nothing(
    bench: Bench, db: None, action: str, status: str
) -> None:
    case_before = Case.objects.get(pk=bench.cases[status])
    counts_before = _counts()
    with pytest.raises(TousuError) as refused:
        _take_as_reporter(bench, action, status)
    assert refused.value.code == "transition_forbidden", refused.value.as_json()
    after = Case.objects.get(pk=case_before.pk)
    assert (after.status, after.last_seq) == (status, case_before.last_seq)
    assert _counts() == counts_before


@pytest.mark.parametrize(
    ("action", "status"), REPORTER_ALLOWED, ids=[f"{a}-from-{s}" for a, s in REPORTER_ALLOWED]
)
def test_a_reporter_action_starts_from_each_of_its_sources(
    bench: Bench, db: None, action: str, status: str
) -> None:
    events_before = Event.objects.filter(case_id=bench.cases[status]).count()
    try:
        _take_as_reporter(bench, action, status)
    except TousuError as exc:
        # The staff-registered bench cases came by phone; the general policy has no
        # review procedure and a dissatisfied answer re-verifies.
        assert exc.code != "transition_forbidden", exc.as_json()
        raise
    assert Event.objects.filter(case_id=bench.cases[status]).count() == events_before + 1


def test_a_forbidden_transition_through_the_api_answers_409_in_both_languages(
    world: World,
) -> None:
    dispatcher = world.api("dispatcher")
    number = world.api("clerk").register().json()["number"]
    events_before = Event.objects.filter(case__org=world.org, case__number=number).count()

    r = dispatcher.act(number, "close", {"note": "直接结案"})

    assert r.status_code == 409, r.content
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["code"] == "transition_forbidden"
    assert body["details"] == {"action": "close", "status": "registered"}
    assert "不允许" in body["message"]["zh"] and "close" in body["message"]["zh"]
    assert body["message"]["en"] == "Action 'close' is not allowed while the case is registered"
    # Chinese is sent as UTF-8, not \\u escapes
    assert "不允许".encode() in r.content
    case = Case.objects.get(org=world.org, number=number)
    assert case.status == "registered"
    assert Event.objects.filter(case=case).count() == events_before


def test_a_closed_case_refuses_every_action_but_reopen_through_the_api(world: World) -> None:
    dispatcher = world.api("dispatcher")
    number = world.api("clerk").register(channel="visit").json()["number"]
    assert (
        dispatcher.act(number, "resolve_on_the_spot", {"findings": "当场解决"}).status_code == 200
    )
    assert dispatcher.act(number, "close").status_code == 200
    events_before = Event.objects.filter(case__org=world.org, case__number=number).count()
    for action in ("accept", "record", "withdraw", "follow_up", "close", "escalate"):
        r = dispatcher.act(number, action, BODIES[action])
        assert r.status_code == 409, (action, r.content)
        assert r.json()["code"] == "transition_forbidden"
    assert Case.objects.get(org=world.org, number=number).status == "closed"
    assert Event.objects.filter(case__org=world.org, case__number=number).count() == events_before


NOT_FOUND = {"code": "not_found", "message": {"zh": "未找到该对象", "en": "Not found"}}


@pytest.mark.parametrize(
    "name", ["approve", "register", "delete", "Close", "close_case", "x" * 300]
)
def test_an_action_not_in_the_table_does_not_exist(world: World, name: str) -> None:
    dispatcher = world.api("dispatcher")
    number = world.api("clerk").register().json()["number"]
    events_before = Event.objects.filter(case__org=world.org, case__number=number).count()

    r = dispatcher.act(number, name, {"reason": "试试看"})

    assert r.status_code == 404, r.content
    assert r["Content-Type"].startswith("application/json")
    assert json.loads(r.content) == NOT_FOUND
    assert Case.objects.get(org=world.org, number=number).status == "registered"
    assert Event.objects.filter(case__org=world.org, case__number=number).count() == events_before


def test_an_unknown_path_answers_404_json_even_without_a_token(world: World) -> None:
    number = world.api("clerk").register().json()["number"]
    for path in (
        f"/api/v1/orgs/acme/cases/{number}/actions/approve",
        f"/api/v1/orgs/acme/cases/{number}/actions",
        "/api/v1/orgs/acme/nothing-here",
        "/api/v1/nothing-here",
    ):
        for r in (
            world.api("dispatcher").client.post(path),
            world.api("dispatcher").client.get(path),
        ):
            assert r.status_code == 404, (path, r.status_code, r.content)
            assert json.loads(r.content) == NOT_FOUND

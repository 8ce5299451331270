"""Every action form of every preset renders and goes through.

For each preset shipped, one organisation with a staff member in every role and one case
in every status. For each action the desk offers (the transition table's staff actions
on the case page), in every state it is offered in, its form is built for someone who may
take it (every field named by a word, not a code) and rendered once; in the first state it is filled in as a person would —
a choice from what the form offers, text in the required boxes, the details the chosen
type shows — posted back through the desk's parsing and the action's own validation, and
the action's event must be written. What an action needs on the case first (a proposed
penalty to decide, a started procedure to record a step of) is done first, the same way.

Cases are put in their status directly, as in the transition-table test; each action runs
in a savepoint rolled back after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone
from pydantic import ValidationError

from tousu.accountability.models import Penalty
from tousu.cases import inputs, intake
from tousu.cases.access import Actor, actor_for, identity_visible, permitted
from tousu.cases.errors import TousuError
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case, Event, Status
from tousu.cases.registry import ACTION_FUNCTIONS
from tousu.desk import relevance
from tousu.orgs.models import Department
from tousu.orgs.services import create_user
from tousu.policy.loader import preset_names
from tousu.policy.schema import Policy
from tousu.policy.services import create_org
from tousu.reporter import receipts
from tousu.web import forms, posted

ROLES = ("intake_clerk", "dispatcher", "handler", "department_head", "supervisor", "leader",
         "auditor", "administrator")  # fmt: skip
STATUSES = [s.value for s in Status]
# What the desk offers on the case page: the staff's actions (appeals are filed from the
# person's own record; a test-only feature's action is its own test's business).
DESK_ACTIONS = [
    a
    for a, (fn, _schema) in ACTION_FUNCTIONS.items()
    if TABLE[a].scope != "penalised" and not fn.__module__.startswith("tousu.tests")
]
# What must be on the case before an action has anything to act on.
FIRST: dict[str, tuple[str, ...]] = {
    "decide_penalty": ("propose_penalty",),
    "record_notice_delivered": ("propose_penalty", "decide_penalty"),
    "decide_appeal": ("propose_penalty", "decide_penalty", "appeal_penalty"),
    "approve_extension": ("request_extension",),
    "approve_remedy": ("propose_remedy",),
    "record_remedy_paid": ("propose_remedy", "approve_remedy"),
    "approve_reward": ("propose_reward",),
    "hand_over_reward": ("propose_reward", "approve_reward"),
    "complete_subtask": ("assign_subtask",),
    "cancel_subtask": ("assign_subtask",),
    "record_procedure_step": ("start_procedure",),
    "release_hold": ("hold",),
    "decide_recusal": ("request_recusal",),
    "approve_reveal": ("request_reveal",),
}


@dataclass
class Bench:
    preset: str
    policy: Policy
    actors: dict[str, Actor]
    case: int  # put in each status in turn, inside a savepoint
    other: str  # an open case to merge into

    def usernames(self, role: str) -> str:
        return self.actors[role].username


def _register(actor: Actor, policy: Policy, **extra: Any) -> Case:
    """A case with every detail a policy may require before acceptance."""
    fields: dict[str, Any] = {}
    for spec in policy.fields:
        if spec.group != "intake":
            continue
        fields[spec.code] = {
            "integer": 1, "decimal": "1", "boolean": True, "date": "2026-01-05",
            "choice": spec.choices[0] if spec.choices else "x",
        }.get(spec.type, "测试")  # fmt: skip
    category = policy.categories[0].code if policy.categories else ""
    data: dict[str, Any] = {
        "kind": "complaint" if "complaint" in policy.kinds else policy.kinds[0],
        "channel": "phone" if "phone" in policy.channels else policy.channels[0],
        "category": category,
        "content": "CT检查被重复收费两次，要求退还多收的费用。",
        "demands": "退还重复收取的费用",
        "complainant": {
            "name": "王建国", "phone": "13912345678", "email": "wang@example.cn",
            "address": "某市某路1号", "employer": "某公司", "id_number": "110101199001011234",
        },
        "subject": {"type": "department", "name": "门诊收费处", "address": "一楼",
                    "reference": "SF-1", "url": "https://example.cn/x"},
        "fields": fields,
        **extra,
    }  # fmt: skip
    return intake.register(actor, inputs.RegisterIn.model_validate(data))


def _bench(preset: str) -> Bench:
    """The preset's organisation: staff in every role and one case in every status."""
    slug = f"f-{preset}"
    org = create_org(slug, preset, preset)
    assert org.active_policy is not None
    policy = org.active_policy.policy
    department = Department.objects.filter(org=org).order_by("code").first()
    assert department is not None
    actors = {}
    for role in ROLES:
        dept = department.code if role in {"handler", "department_head", "intake_clerk"} else None
        user = create_user(f"{slug}-{role}", org=org, role=role, department=dept)
        actors[role] = actor_for(user, slug)
    # A second handler to be penalised, recused and appealing (never the one handling).
    user = create_user(f"{slug}-staff", org=org, role="handler", department=department.code)
    actors["staff"] = actor_for(user, slug)
    registrar = actors["intake_clerk"]
    case = _register(registrar, policy)
    Case.objects.filter(pk=case.pk).update(
        lead_department=department, pending_department=department,
        handler_id=actors["handler"].user_id,
    )  # fmt: skip
    other = _register(registrar, policy, content="另一件在办案件，作合并目标")
    return Bench(preset, policy, actors, case.pk, str(other.number))


def _who(bench: Bench, action: str, case: Case) -> Actor | None:
    for role in (*ROLES, "staff"):
        actor = bench.actors[role]
        if not permitted(actor, case, TABLE[action], bench.policy, not_excluded=True):
            continue
        if action == "request_reveal" and identity_visible(actor, case):
            continue  # the desk offers it only to those who do not see who it is
        return actor
    return None


def _first(choices: list[tuple[str, str]]) -> str:
    return next((v for v, _ in choices if v != ""), "")


def _filled(bench: Bench, form: forms.ActionForm, case: Case) -> QueryDict:
    """The form as a person fills it: the required boxes, a choice from each required list,
    and every detail the chosen type shows."""
    now = timezone.localtime(timezone.now() - timedelta(hours=1), ZoneInfo(case.org.time_zone))
    data = QueryDict(mutable=True)
    given = _given(bench, form.action, case)
    for f in form.fields:
        if f.name in given:
            data[f.name] = given[f.name]
            continue
        if f.when and data.get(f.when, "") not in f.when_values:
            continue
        if f.widget in {"select", "yesno"}:
            chosen = f.value if f.value not in ("", None) else ""
            if not chosen and (f.required or f.when or f.widget == "yesno"):
                chosen = _first(f.choices)
            if chosen:
                data[f.name] = str(chosen)
        elif not (f.required or f.when):
            continue
        elif f.widget == "checkbox":
            data[f.name] = "on"
        elif f.widget == "tristate":
            data[f.name] = "true"
        elif f.widget == "number":
            data[f.name] = "2"
        elif f.widget == "datetime":
            data[f.name] = now.strftime("%Y-%m-%dT%H:%M")
        elif f.widget == "date":
            data[f.name] = (timezone.localdate() + timedelta(days=30)).isoformat()
        elif f.widget == "multiselect":
            data.setlist(f.name, [_first(f.choices)])
        elif f.widget == "lines":
            data[f.name] = "张三\n李四"
        else:
            data[f.name] = "已核实，情况属实" if f.widget == "textarea" else "测试"
    return data


def _given(bench: Bench, action: str, case: Case) -> dict[str, str]:
    """Values a person would know that no generic rule can guess."""
    staff = bench.usernames("staff")
    if action == "propose_penalty":
        return {"staff": staff, "amount": "100"}
    if action == "request_recusal":
        return {"user": staff}
    if action == "record_quality":
        spec = next(f for f in bench.policy.fields if f.group == "investigation")
        value = {"integer": "1", "decimal": "1", "boolean": "true", "date": "2026-01-05",
                 "choice": spec.choices[0] if spec.choices else "x"}.get(spec.type, "层压温度异常")  # fmt: skip
        return {f"fields.{spec.code}": value}
    if action == "refer":
        return {"authority": "区市场监督管理局"}
    if action == "amend":
        return {"demands": "退还多收的费用并书面道歉"}
    if action == "merge":
        return {"into": bench.other}
    if action == "bind_receipt":
        return {
            "receipt": receipts.pre_issue(
                case.org, 1, by_user_id=bench.actors["supervisor"].user_id
            )[0]
        }
    if action == "assign_subtask":
        # To the department handling the case, whose handler then completes it.
        return {"department": case.lead_department.code if case.lead_department else "",
                "instruction": "协助核查", "due_in_working_days": "2"}  # fmt: skip
    if action == "propose_remedy":
        return {"amount": "100", "quantity": "2", "unit": "件"}
    if action == "propose_reward":
        return {"amount": "500"}
    if action == "record_procedure_step":
        started = case.procedure_runs.values_list("code", flat=True).first()
        procedure = next(p for p in bench.policy.procedures if p.code == started)
        return {"procedure": procedure.code, "step": procedure.steps[0].code, "body": "已办理"}
    if action == "request_extension":
        stage = case.deadlines.filter(state="open").values_list("stage", flat=True).first()
        return {"stage": stage or "", "amount": "1"}
    return {}


def _take(bench: Bench, action: str, case: Case, actor: Actor) -> None:
    """Fill and post one action's form as ``actor``; the action's event must be written."""
    fn, schema = ACTION_FUNCTIONS[action]
    case = Case.objects.select_related("org").get(pk=case.pk)
    options = forms.Options.for_case(case, bench.policy, actor)
    form = forms.build_form(action, schema, case, options)
    data = _filled(bench, form, case)
    document = posted.parse(form, data, ZoneInfo(case.org.time_zone), options)
    last = Event.objects.filter(case=case).order_by("-seq").values_list("seq", flat=True)[0]
    try:
        fn(case.pk, actor=actor, data=schema.model_validate(document))
    except (TousuError, ValidationError) as exc:
        raise AssertionError(
            f"{bench.preset} {action} from {case.status}: {document!r}: {exc}"
        ) from exc
    written = set(Event.objects.filter(case=case, seq__gt=last).values_list("type", flat=True))
    assert TABLE[action].event in written, (bench.preset, action, written)


def _prepare(bench: Bench, action: str, case: Case) -> bool:
    """What the action needs on the case first; False when this state cannot have it."""
    for needed in FIRST.get(action, ()):
        if needed == "appeal_penalty":
            penalty = Penalty.objects.filter(case=case).latest("pk")
            fn, schema = ACTION_FUNCTIONS[needed]
            fn(case.pk, actor=bench.actors["staff"],
               data=schema.model_validate({"penalty": penalty.pk, "reason": "事实不清"}))  # fmt: skip
            continue
        case.refresh_from_db()
        if case.status not in TABLE[needed].sources:
            return False
        actor = _who(bench, needed, case)
        if actor is None or not relevance.relevant(needed, case, bench.policy):
            return False
        _take(bench, needed, case, actor)
    return True


def _offered(bench: Bench, action: str, case: Case) -> Actor | None:
    """Who is offered the action's form on this case now (as the case page decides)."""
    if case.status not in TABLE[action].sources:
        return None
    actor = _who(bench, action, case)
    if actor is None or not relevance.relevant(action, case, bench.policy):
        return None
    if action == "request_reveal" and identity_visible(actor, case):
        return None
    return actor


def _words(form: forms.ActionForm) -> None:
    """Every field named by a word, its choices each once."""
    for f in form.fields:
        assert f.label and f.label != f.name, (form.action, f.name)
        offered = [v for v, _ in f.choices]
        assert len(offered) == len(set(offered)), (form.action, f.name, offered)


def _render(form: forms.ActionForm, case: Case) -> str:
    html = render_to_string(
        "desk/_action_form.html",
        {"f": form, "org": case.org, "case": {"number": case.number}, "open_form": ""},
    )
    for f in form.fields:
        assert f'name="{f.name}"' in html, (form.action, f.name)
    assert form.help in html
    _words(form)
    return html


@pytest.mark.one_database  # forms and their parsing: nothing a database changes
@pytest.mark.parametrize("preset", preset_names())
def test_every_action_form_renders_and_goes_through(db: None, preset: str) -> None:
    bench = _bench(preset)
    options: dict[int, forms.Options] = {}
    taken: list[str] = []
    for action in DESK_ACTIONS:
        schema = ACTION_FUNCTIONS[action][1]
        submitted = rendered = False
        for status in STATUSES:
            if status not in TABLE[action].sources:
                continue
            sid = transaction.savepoint()
            try:
                Case.objects.filter(pk=bench.case).update(status=status)
                case = Case.objects.select_related("org").get(pk=bench.case)
                # Once, in the first state that can have what the action needs: filled in
                # and posted. In the other states: rendered with what the case has.
                fresh = not submitted and _prepare(bench, action, case)
                case.refresh_from_db()
                actor = _offered(bench, action, case)
                if actor is None:
                    continue
                if fresh:
                    here = forms.Options.for_case(case, bench.policy, actor)
                else:
                    # What the policy and the organisation offer does not change with the
                    # state: the options of the first state serve the others.
                    here = options.get(actor.user_id) or forms.Options.for_case(
                        case, bench.policy, actor
                    )
                    here.case = case
                    options[actor.user_id] = here
                form = forms.build_form(action, schema, case, here)
                if fresh or not rendered:
                    _render(form, case)
                    rendered = True
                else:
                    _words(form)
                if fresh:
                    _take(bench, action, case, actor)
                    submitted = True
            finally:
                transaction.savepoint_rollback(sid)
        if submitted:
            taken.append(action)
    # What every preset offers: the handling itself goes through on every one.
    core = {"accept", "assign", "resolve", "reply", "follow_up", "close", "record",
            "hold", "redact", "propose_penalty", "message_reporter", "issue_receipt"}  # fmt: skip
    assert core <= set(taken), sorted(core - set(taken))

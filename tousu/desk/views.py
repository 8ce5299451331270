"""Desk pages: the landing, queues, the case page and its actions (registration:
registration.py; the inbox: inbox.py; bulk work and saved filters: bulk.py, saved.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError as PydanticError

from tousu.cases.access import (
    REPORTER_USERNAME,
    get_case,
    identity_visible,
    permitted,
)
from tousu.cases.details import detail_label
from tousu.cases.errors import TousuError, not_found
from tousu.cases.lifecycle import EVENT_TYPES, TABLE
from tousu.cases.models import Case, Kind
from tousu.cases.redaction import IDENTITY_IN_TEXT, identity_masker
from tousu.cases.registry import ACTION_FUNCTIONS
from tousu.desk import queues, relevance, saved, snippets
from tousu.evidence.services import EVENT_LABELS
from tousu.i18n import localized
from tousu.orgs.models import Department
from tousu.orgs.people import display_name
from tousu.policy.models import policy_for
from tousu.reporter.actions import pseudonym
from tousu.reporter.models import Message, Receipt
from tousu.web import bulk, forms, labels, posted
from tousu.web.caseview import show_case
from tousu.web.pages import DeskRequest, desk_view, error_page, orgs_of, page

PAGE_SIZE = 50


@require_GET
def root(request: HttpRequest) -> HttpResponse:
    """The desk of the staff member's organisation (or a choice when they have several)."""
    if not request.user.is_authenticated:
        return redirect("desk:accounts:login")
    orgs = orgs_of(int(request.user.pk))
    if len(orgs) == 1:
        return redirect("desk:home", org=orgs[0].slug)
    return page(request, "desk/choose_org.html", {"orgs": orgs})


@require_GET
@desk_view
def home(request: DeskRequest, org: str) -> HttpResponse:
    """Where each role lands after signing in: its own queue (see queues.landing)."""
    code = queues.landing(request.desk.actor, request.desk.policy)
    if code is None:  # an administrator without a case role: the administration
        return redirect("desk:orgadmin:home", org=org)
    return redirect("desk:queue", org=org, code=code)


@require_GET
@desk_view
def queue(request: DeskRequest, org: str, code: str) -> HttpResponse:
    desk = request.desk
    actor = desk.actor
    shown = queues.available(actor, desk.policy)
    if code not in {q.code for q in shown}:
        raise not_found()
    now = timezone.now()
    waiting = queues.approvals(actor) if any(q.code == "approvals" for q in shown) else {}
    counts = queues.counts(actor, now, shown, waiting)
    context: dict[str, Any] = {
        "queues": shown,
        "current": queues.BY_CODE[code],
        "counts": counts,
        "now": now,
        "values": request.GET,
        "query": _query(request),
        **queue_options(desk),
        **bulk_options(desk),
        **saved.panel_context(request, f"queue:{code}", _query(request)),
    }
    try:
        narrowed = queues.narrowing(request.GET, desk.policy, desk.org.pk)
    except queues.NarrowingError as exc:
        context.update(
            errors=[str(m) for m in exc.errors.values()],
            page=None,
            rows=[],
        )
        return page(request, "desk/queue.html", context, status=400)
    cases = queues.queue_cases(code, actor, now, narrowed, waiting)
    # The tab's count is the queue's length: the paginator need not count again (a count
    # around the sorted query would compute every row's next deadline). A narrowed queue
    # is counted on its own.
    total = cases.count() if narrowed.active else counts[code]
    rows = queues.Counted(cases, total)
    paginator: Paginator[Case] = Paginator(rows, PAGE_SIZE)  # type: ignore[arg-type]
    current = paginator.get_page(request.GET.get("page"))
    context.update(
        page=current,
        narrowed=narrowed,
        rows=[_row(c, now, desk.policy, waiting) for c in current.object_list],
    )
    template = "desk/_queue_table.html" if request.headers.get("HX-Request") else "desk/queue.html"
    return page(request, template, context)


# The queues the top bar names with their counts, for the people who have them.
TOP_BAR_QUEUES = ("close", "approvals")


@require_GET
@desk_view
def queue_counts(request: DeskRequest, org: str) -> HttpResponse:
    """The top bar's links to what waits on the person's decision (待结案, 待审批), with
    counts: a fragment loaded by every desk page."""
    desk = request.desk
    shown = [q for q in queues.available(desk.actor, desk.policy) if q.code in TOP_BAR_QUEUES]
    waiting = queues.approvals(desk.actor) if any(q.code == "approvals" for q in shown) else {}
    counts = queues.counts(desk.actor, timezone.now(), shown, waiting) if shown else {}
    return render(
        request,
        "desk/_queue_counts.html",
        {"org": desk.org, "links": [(q, counts[q.code]) for q in shown]},
    )


def _query(request: HttpRequest) -> str:
    """The page's filters as a query string (without the page number), for saving."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def queue_options(desk: Any) -> dict[str, Any]:
    """The choices of a queue's filters."""
    return {
        "kind_options": [(k, labels.kind(k)) for k in Kind.values],
        "category_options": [
            (c.code, _category(desk.policy, c.code)) for c in desk.policy.categories
        ],
        "channel_options": [(c, labels.channel(c)) for c in desk.policy.channels],
        "department_options": [
            (d.code, _department(d))
            for d in Department.objects.filter(org=desk.org, active=True).order_by("code")
        ],
    }


def bulk_options(desk: Any) -> dict[str, Any]:
    """Which bulk actions this person may offer, and whom a case can be assigned to."""
    return bulk.options(desk.actor, desk.policy)


def _row(
    case: Case, now: datetime, policy: Any, waiting: dict[int, list[str]] | None = None
) -> dict[str, Any]:
    due = case.next_due_at
    return {
        "number": case.number,
        "kind": labels.kind(case.kind),
        "channel": labels.channel(case.channel),
        "category": _category(policy, case.category),
        "status": labels.status(case.status),
        "received_at": case.received_at,
        "department": _department(case.lead_department),
        "next_due": due,
        "overdue": bool(due and due < now),
        "waiting": "、".join((waiting or {}).get(case.pk, [])),
    }


# -- the case page and its actions --------------------------------------------------------


def available_actions(request: DeskRequest, case: Case) -> list[forms.ActionForm]:
    """The actions this viewer may take on this case now, each as its form."""
    desk = request.desk
    policy = policy_for(case.policy_version_id)[1]
    options: forms.Options | None = None
    result = []
    # get_case() only returns cases the viewer is not excluded from (recused, subject).
    for name, (_fn, schema) in ACTION_FUNCTIONS.items():
        transition = TABLE[name]
        if transition.sources and case.status not in transition.sources:
            continue
        if transition.scope == "penalised":
            continue  # appeals are filed from the person's own record (tousu.accountability)
        if not permitted(desk.actor, case, transition, policy, not_excluded=True):
            continue
        if name == "request_reveal" and identity_visible(desk.actor, case):
            continue  # they already see who brought the case
        if not relevance.relevant(name, case, policy):
            continue  # nothing on the case to act on (no proposed remedy, no open sub-task)
        options = options or forms.Options.for_case(case, policy, desk.actor)
        result.append(_form(desk.actor, name, schema, case, options))
    return result


def _form(
    actor: Any, name: str, schema: Any, case: Case, options: forms.Options
) -> forms.ActionForm:
    form = forms.build_form(name, schema, case, options)
    snippets.add_canned(form, case, options, actor)
    return form


def _case_page(
    request: DeskRequest, case: Case, *, failed: forms.ActionForm | None = None, status: int = 200
) -> HttpResponse:
    desk = request.desk
    now = timezone.now()
    data = show_case(case, desk.actor, now, surface="desk")
    forms_ = available_actions(request, case)
    if failed is not None:
        forms_ = [failed if f.action == failed.action else f for f in forms_]
    open_form = failed.action if failed else request.GET.get("action", "")
    context = {
        "case": data,
        "case_obj": case,
        "kind": labels.kind(case.kind),
        "channel": labels.channel(case.channel),
        "category": _category(desk.policy, case.category),
        "complexity": labels.choice(case.complexity),
        "deadlines": [{**d, "stage_label": labels.deadline_stage(d)} for d in data["deadlines"]],
        "timeline": [
            {
                **e,
                "label": _event_label(e["type"]),
                "status_label": labels.status(e["to_status"]) if e["to_status"] else "",
            }
            for e in reversed(data["timeline"])
        ],
        "lead_department": _department(case.lead_department),
        "pending_department": _department(case.pending_department),
        "proposed_department": _department(case.proposed_department),
        "forms": forms_,
        # The page leads with the actions that move the case on; the rest wait under 更多
        # (opened when one of them is asked for or came back with an error).
        "lead_forms": [f for f in forms_ if f.primary],
        "more_forms": [f for f in forms_ if not f.primary],
        "more_open": any(f.action == open_form and not f.primary for f in forms_),
        "open_form": open_form,
        "missing": [detail_label(desk.policy, code) for code in case.missing_fields or []],
        "may_keep_snippets": snippets.may_manage(desk.actor),
        "now": now,
        **_reporter_channel(request, case),
    }
    return page(request, "desk/case.html", context, status=status)


def _reporter_channel(request: DeskRequest, case: Case) -> dict[str, Any]:
    """Messages with the reporter (masked like the content for viewers who may not see
    who brought the case), named by a pseudonym unless the viewer may see the identity."""
    rows = list(
        Message.objects.filter(case=case)
        .select_related("author__staff_profile")
        .order_by("created_at")
    )
    for m in rows:
        m.case = case  # its sealed body opens with the case's key
    has_reporter = bool(rows) or case.channel == "web" or Receipt.objects.filter(case=case).exists()
    if not has_reporter:
        return {"reporter_messages": [], "reporter_name": ""}
    visible = identity_visible(request.desk.actor, case)
    mask = (lambda text: text) if visible else identity_masker(case)
    party = case.parties.filter(superseded_at__isnull=True).order_by("pk").first()
    if visible and party is not None and party.name and not party.anonymous:
        name = party.name
    else:
        name = pseudonym(case)
    return {
        "reporter_name": name,
        "reporter_username": REPORTER_USERNAME,
        "reporter_messages": [
            {
                "incoming": m.direction == "in",
                "who": name if m.direction == "in" else display_name(m.author),
                "body": m.body if m.author_id == request.desk.actor.user_id else mask(m.body),
                "at": m.created_at,
            }
            for m in rows
        ],
    }


def _department(department: Any) -> str:
    if department is None:
        return ""
    return str(localized(department.name, department.name_en))


def _category(policy: Any, code: str) -> str:
    for c in policy.categories:
        if c.code == code:
            return localized(c.name_zh, c.name_en)
    return code


def _event_label(event_type: str) -> str:
    transition = TABLE.get(event_type)
    if transition is not None:
        return transition.label
    for action, name in EVENT_TYPES.items():
        if name == event_type and action in TABLE:
            return TABLE[action].label
    if event_type in EVENT_LABELS:
        return str(EVENT_LABELS[event_type])
    return event_type


@require_GET
@desk_view
def case_page(request: DeskRequest, org: str, number: str) -> HttpResponse:
    return _case_page(request, get_case(request.desk.actor, number))


@require_POST
@desk_view
def act(request: DeskRequest, org: str, number: str, action: str) -> HttpResponse:
    """Take one action on a case from its small form; errors come back on the page."""
    desk = request.desk
    case = get_case(desk.actor, number)
    if action not in ACTION_FUNCTIONS:
        raise not_found()
    fn, schema = ACTION_FUNCTIONS[action]
    policy = policy_for(case.policy_version_id)[1]
    if not permitted(desk.actor, case, TABLE[action], policy):
        raise TousuError(
            "action_forbidden",
            gettext_lazy("您无权对该案件执行“{action}”操作"),
            status=403,
            params={"action": TABLE[action].name},
        )
    options = forms.Options.for_case(case, policy, desk.actor)
    form = _form(desk.actor, action, schema, case, options)
    document = posted.parse(form, request.POST, desk.tz, options)
    try:
        data = schema.model_validate(document)
        done = fn(case.pk, actor=desk.actor, data=data)
    except PydanticError as exc:
        posted.attach_errors(form, exc)
        return _case_page(request, get_case(desk.actor, number), failed=form, status=422)
    except TousuError as exc:
        if exc.status == 404:
            return error_page(request, exc)
        posted.attach_refusal(form, exc)
        return _case_page(request, get_case(desk.actor, number), failed=form, status=exc.status)
    messages.success(request, gettext("已完成：{action}").format(action=TABLE[action].label))
    if getattr(done, "identity_in_text", False):
        messages.warning(request, str(IDENTITY_IN_TEXT))
    return HttpResponseRedirect(reverse("desk:case", kwargs={"org": org, "number": number}))

"""Desk pages: queues, quick registration, the case page and its actions, the inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError as PydanticError

from tousu.api.present import show_case
from tousu.cases import actions, inputs, intake
from tousu.cases.access import (
    PERSONAL_NOTICES,
    get_case,
    identity_visible,
    visible_cases,
    visible_notifications,
)
from tousu.cases.errors import TousuError, not_found
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import OPEN_STATUSES, Case, Subject
from tousu.cases.redaction import IDENTITY_IN_TEXT
from tousu.cases.steps import permitted
from tousu.desk import forms, labels, queues, relevance
from tousu.desk.i18n import t
from tousu.desk.web import DeskRequest, desk_view, error_page, orgs_of, page
from tousu.privacy.crypto import blind_index

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
    code = "mine" if request.desk.actor.department_ids else "dispatch"
    return queue(request, org=org, code=code)


@require_GET
@desk_view
def queue(request: DeskRequest, org: str, code: str) -> HttpResponse:
    if code not in queues.BY_CODE:
        raise not_found()
    actor = request.desk.actor
    now = timezone.now()
    counts = queues.counts(actor, now)
    # The tab's count is the queue's length: the paginator need not count again (a count
    # around the sorted query would compute every row's next deadline).
    rows = queues.Counted(queues.queue_cases(code, actor, now), counts[code])
    paginator: Paginator[Case] = Paginator(rows, PAGE_SIZE)  # type: ignore[arg-type]
    current = paginator.get_page(request.GET.get("page"))
    context = {
        "queues": queues.QUEUES,
        "current": queues.BY_CODE[code],
        "counts": counts,
        "page": current,
        "rows": [_row(c, now, request.desk.policy) for c in current.object_list],
        "now": now,
    }
    template = "desk/_queue_table.html" if request.headers.get("HX-Request") else "desk/queue.html"
    return page(request, template, context)


def _row(case: Case, now: datetime, policy: Any) -> dict[str, Any]:
    due = getattr(case, "next_due", None)
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
    }


# -- registration -------------------------------------------------------------------------

COMPLAINANT_FIELDS = ("name", "phone", "email", "address", "employer", "id_number")
SUBJECT_FIELDS = ("name", "address", "url", "reference", "staff")


@require_http_methods(["GET", "POST"])
@desk_view
def register(request: DeskRequest, org: str) -> HttpResponse:
    desk = request.desk
    if not desk.roles & TABLE["register"].roles:
        raise TousuError(
            "action_forbidden", "您无权登记案件", "You may not register cases", status=403
        )
    channel = request.GET.get("channel", "phone")
    if channel not in inputs.Channel.__args__:  # type: ignore[attr-defined]
        channel = "phone"
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"kind": "complaint", "channel": channel}
    if request.method == "POST":
        from tousu.evidence import services as evidence

        values = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        document = _registration(values, desk.tz)
        if any(k.startswith("f_") for k in values):
            # The policy's fields in their types (a quantity, 客户加工中未确定, a yes/no).
            document["fields"] = forms.registration_fields(desk.policy, values)
        # Scanned originals: every refusal is shown with the other errors; the files are
        # stored in the registration's transaction, so all of it happens or none of it.
        uploads = request.FILES.getlist("attachments")
        refused = evidence.refusals(uploads)
        if refused:
            errors["attachments"] = " ".join(t(e.zh, e.en) for e in refused)
        stored: list[evidence.Stored] = []
        try:
            data = inputs.RegisterIn.model_validate(document)
            spot = None
            if values.get("on_the_spot"):
                spot = inputs.ResolveOnTheSpotIn.model_validate(
                    {
                        "findings": values.get("spot_findings", ""),
                        "satisfied": {"true": True, "false": False}.get(
                            values.get("spot_satisfied", "")
                        ),
                    }
                )
            if not refused:
                with evidence.discard_on_error(), transaction.atomic():
                    case = intake.register(desk.actor, data)
                    # Scanned originals of what the person brought: they may show who it is.
                    stored = [
                        evidence.store(case.pk, actor=desk.actor, upload=u, identifying=True)
                        for u in uploads
                    ]
                    if spot is not None:
                        case = actions.resolve_on_the_spot(case.pk, actor=desk.actor, data=spot)
        except PydanticError as exc:
            errors.update(_field_errors(exc))
        except TousuError as exc:
            errors["attachments" if exc.code.startswith("file_") else "form"] = t(exc.zh, exc.en)
        if not errors:
            messages.success(request, t(f"已登记：{case.number}", f"Registered: {case.number}"))
            done, same = evidence.outcome(stored)
            if done:
                messages.success(request, t(*done))
            if same:
                messages.info(request, t(*same))
            return redirect("desk:case", org=org, number=case.number)
    context = {
        "values": values,
        "errors": errors,
        "kinds": [(k, labels.kind(k)) for k in desk.policy.kinds],
        "channels": [(c, labels.channel(c)) for c in desk.policy.channels],
        "categories": [
            (c.code, t(c.name_zh, c.name_en or c.name_zh), " ".join(c.examples))
            for c in desk.policy.categories
        ],
        "complexities": [("", "—")]
        + [(c, labels.choice(c)) for c in ("general", "complex", "major")],
        "policy_fields": [
            f
            for f in desk.policy.fields
            if (not f.kinds or values.get("kind", "complaint") in f.kinds) and f.group == "intake"
        ],
        "subject_types": [
            (s, labels.choice(s))
            for s in ("staff", "department", "merchant", "product", "content", "other")
        ],
        "letter": channel in {"letter", "visit", "fax", "box"},
        "now_local": timezone.localtime(timezone.now(), desk.tz).strftime("%Y-%m-%dT%H:%M"),
    }
    return page(request, "desk/register.html", context, status=422 if errors else 200)


def _registration(values: dict[str, Any], tz: Any) -> dict[str, Any]:
    """The posted registration form as a RegisterIn document."""
    anonymous = values.get("anonymous") == "on"
    complainant: dict[str, Any] = {"anonymous": anonymous}
    if not anonymous:
        for name in COMPLAINANT_FIELDS:
            if values.get(f"c_{name}"):
                complainant[name] = values[f"c_{name}"]
        complainant["consent_share_identity"] = values.get("c_consent") == "on"
    document: dict[str, Any] = {
        "kind": values.get("kind", ""),
        "channel": values.get("channel", ""),
        "content": values.get("content", ""),
        "demands": values.get("demands", ""),
        "complainant": complainant,
    }
    for name in ("category", "complexity"):
        if values.get(name):
            document[name] = values[name]
    if values.get("received_at"):
        try:
            document["received_at"] = datetime.fromisoformat(values["received_at"]).replace(
                tzinfo=tz
            )
        except ValueError:
            document["received_at"] = values["received_at"]
    subject = {n: values[f"s_{n}"] for n in SUBJECT_FIELDS if values.get(f"s_{n}")}
    if subject:
        subject["type"] = values.get("s_type") or "other"
        document["subject"] = subject
    fields = {k[2:]: v for k, v in values.items() if k.startswith("f_") and v != ""}
    if fields:
        document["fields"] = fields
    return document


def _field_errors(exc: PydanticError) -> dict[str, str]:
    errors: dict[str, str] = {}
    prefixes = {"complainant": "c_", "subject": "s_", "fields": "f_"}
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        if not loc:
            key = "form"
        elif loc[0] in prefixes and len(loc) > 1:
            key = prefixes[loc[0]] + loc[1]
        else:
            key = loc[0]
        errors[key] = forms._message(err)
    return errors


@require_GET
@desk_view
def lookup(request: DeskRequest, org: str) -> HttpResponse:
    """htmx hint while registering: open cases with the same phone number or subject."""
    actor = request.desk.actor
    phone = request.GET.get("c_phone", "").strip()[:50]
    subject = request.GET.get("s_name", "").strip()[:200]
    found: list[Case] = []
    open_cases = visible_cases(actor).filter(status__in=OPEN_STATUSES)
    if phone:
        index = blind_index("phone", phone)
        if index:
            by_phone = open_cases.filter(
                parties__phone_index=index, parties__superseded_at__isnull=True
            ).distinct()[:10]
            # Listed by number only. A complaint is found whoever may see its identity (the
            # clerk typed the number in front of them); a sealed report only by those who
            # may see its reporter, or the match would tie the report to the caller.
            found += [c for c in by_phone if c.kind != "report" or identity_visible(actor, c)]
    if len(subject) >= 2:
        by_subject = open_cases.filter(
            pk__in=Subject.objects.filter(name=subject, superseded_at__isnull=True).values(
                "case_id"
            )
        ).order_by("-received_at")[:10]
        found += [c for c in by_subject if c not in found]
    return page(request, "desk/_lookup.html", {"found": found})


# -- the case page and its actions --------------------------------------------------------


def available_actions(request: DeskRequest, case: Case) -> list[forms.ActionForm]:
    """The actions this viewer may take on this case now, each as its form."""
    desk = request.desk
    from tousu.policy.models import policy_for

    policy = policy_for(case.policy_version_id)[1]
    options: forms.Options | None = None
    result = []
    # get_case() only returns cases the viewer is not excluded from (recused, subject).
    for name, (_fn, schema) in actions.ACTION_FUNCTIONS.items():
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
        result.append(forms.build_form(name, schema, case, options))
    return result


def _case_page(
    request: DeskRequest, case: Case, *, failed: forms.ActionForm | None = None, status: int = 200
) -> HttpResponse:
    desk = request.desk
    now = timezone.now()
    data = show_case(case, desk.actor, now, surface="desk")
    forms_ = available_actions(request, case)
    if failed is not None:
        forms_ = [failed if f.action == failed.action else f for f in forms_]
    context = {
        "case": data,
        "case_obj": case,
        "kind": labels.kind(case.kind),
        "channel": labels.channel(case.channel),
        "category": _category(desk.policy, case.category),
        "complexity": labels.choice(case.complexity),
        "deadlines": [{**d, "stage_label": labels.stage(d["stage"])} for d in data["deadlines"]],
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
        "open_form": failed.action if failed else request.GET.get("action", ""),
        "now": now,
        **_reporter_channel(request, case),
    }
    return page(request, "desk/case.html", context, status=status)


def _reporter_channel(request: DeskRequest, case: Case) -> dict[str, Any]:
    """Messages with the reporter (masked like the content for viewers who may not see
    who brought the case), named by a pseudonym unless the viewer may see the identity."""
    from tousu.cases.access import REPORTER_USERNAME
    from tousu.cases.redaction import identity_masker
    from tousu.cases.reporter_actions import pseudonym
    from tousu.reporter.models import Message, Receipt

    rows = list(Message.objects.filter(case=case).select_related("author").order_by("created_at"))
    has_reporter = bool(rows) or case.channel == "web" or Receipt.objects.filter(case=case).exists()
    if not has_reporter:
        return {"reporter_messages": [], "reporter_name": ""}
    visible = identity_visible(request.desk.actor, case)
    mask = (lambda text: text) if visible else identity_masker(case)
    party = case.parties.filter(superseded_at__isnull=True).order_by("pk").first()
    if visible and party is not None and party.name and not party.anonymous:
        name = party.name
    else:
        name = t(*pseudonym(case))
    return {
        "reporter_name": name,
        "reporter_username": REPORTER_USERNAME,
        "reporter_messages": [
            {
                "incoming": m.direction == "in",
                "who": name
                if m.direction == "in"
                else (m.author.get_username() if m.author else ""),
                "body": m.body if m.author_id == request.desk.actor.user_id else mask(m.body),
                "at": m.created_at,
            }
            for m in rows
        ],
    }


def _department(department: Any) -> str:
    if department is None:
        return ""
    return str(t(department.name, department.name_en or department.name))


def _category(policy: Any, code: str) -> str:
    for c in policy.categories:
        if c.code == code:
            return t(c.name_zh, c.name_en or c.name_zh)
    return code


def _event_label(event_type: str) -> str:
    transition = TABLE.get(event_type)
    if transition is not None:
        return t(transition.zh, transition.en)
    from tousu.cases.steps import EVENT_TYPES
    from tousu.evidence.services import EVENT_LABELS

    for action, name in EVENT_TYPES.items():
        if name == event_type and action in TABLE:
            return t(TABLE[action].zh, TABLE[action].en)
    if event_type in EVENT_LABELS:
        return t(*EVENT_LABELS[event_type])
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
    if action not in actions.ACTION_FUNCTIONS:
        raise not_found()
    fn, schema = actions.ACTION_FUNCTIONS[action]
    from tousu.policy.models import policy_for

    policy = policy_for(case.policy_version_id)[1]
    if not permitted(desk.actor, case, TABLE[action], policy):
        raise TousuError(
            "action_forbidden",
            f"您无权对该案件执行“{TABLE[action].zh}”操作",
            f"You may not take '{TABLE[action].en}' on this case",
            status=403,
        )
    options = forms.Options.for_case(case, policy, desk.actor)
    form = forms.build_form(action, schema, case, options)
    document = forms.parse(form, request.POST, desk.tz, options)
    try:
        data = schema.model_validate(document)
        done = fn(case.pk, actor=desk.actor, data=data)
    except PydanticError as exc:
        forms.attach_errors(form, exc)
        return _case_page(request, get_case(desk.actor, number), failed=form, status=422)
    except TousuError as exc:
        if exc.status == 404:
            return error_page(request, exc)
        form.error = t(exc.zh, exc.en)
        return _case_page(request, get_case(desk.actor, number), failed=form, status=exc.status)
    digits = getattr(done, "issued_receipt", None)
    if digits:
        # Shown on this answer only: never in a redirect, a flash message or the session.
        from tousu.reporter.receipts import grouped

        response = page(
            request, "desk/receipt_issued.html",
            {"number": number, "receipt": grouped(digits), "channel": labels.channel(data.channel)},  # type: ignore[attr-defined]
        )  # fmt: skip
        response["Cache-Control"] = "no-store"
        return response
    messages.success(request, t(f"已完成：{TABLE[action].zh}", f"Done: {TABLE[action].en}"))
    if getattr(done, "identity_in_text", False):
        messages.warning(request, t(*IDENTITY_IN_TEXT))
    return HttpResponseRedirect(reverse("desk:case", kwargs={"org": org, "number": number}))


# -- notifications ------------------------------------------------------------------------


@require_GET
@desk_view
def inbox(request: DeskRequest, org: str) -> HttpResponse:
    actor = request.desk.actor
    mine = visible_notifications(actor)
    unread = mine.filter(read_at__isnull=True).count()
    if request.headers.get("HX-Request") and request.GET.get("badge"):
        # The top bar's badge, on every page: one count, no list, no page frame.
        return render(request, "desk/_badge.html", {"unread": unread})
    rows = mine.select_related("case").order_by("-created_at", "-pk")[:200]
    context = {
        "notes": [
            {
                "id": n.pk,
                "kind": _notice_label(n.kind),
                "case": n.case.number,
                "at": n.created_at,
                "read": n.read_at is not None,
            }
            for n in rows
        ],
        "unread": unread,
    }
    return page(request, "desk/inbox.html", context)


def _notice_label(kind: str) -> str:
    from tousu.notify.delivery import SUBJECTS

    if kind in SUBJECTS:
        return t(*SUBJECTS[kind])
    return _event_label(kind)


@require_POST
@desk_view
def inbox_read(request: DeskRequest, org: str, note_id: int) -> HttpResponse:
    actor = request.desk.actor
    note = visible_notifications(actor).select_related("case").filter(pk=note_id).first()
    if note is None:
        raise not_found()
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    if note.kind in PERSONAL_NOTICES:
        # A decision about the reader (a penalty, an appeal): their own record holds it and
        # its written notice; the case itself may be hidden from them.
        return redirect("desk:people:record", org=org, username=actor.username)
    return redirect("desk:case", org=org, number=note.case.number)

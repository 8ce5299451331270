"""The reporter's pages: come back with the receipt, follow the case (submitting: submission.py).

No account: a receipt opens one case. After a right receipt the session (server side)
holds only that case's id for this organisation, for :data:`BINDING_TTL` from the last
page, under a rotated session key; the receipt itself is never kept — not in a URL, a
cookie or the session — and is shown once, on the page answering the submission.
Nothing here stores the client's address or user agent (the rate limits key an HMAC of
the address, :mod:`tousu.portal.abuse`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError as PydanticError

from tousu.cases.access import reporter_actor, visible_cases
from tousu.cases.errors import TousuError
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case, Deadline, Event
from tousu.cases.redaction import redactor
from tousu.clock.overrides import calendar_for
from tousu.evidence import services as evidence
from tousu.i18n import Text, localized
from tousu.orgs.models import Organisation
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy
from tousu.portal import abuse
from tousu.reporter import receipts
from tousu.reporter.actions import ORAL_CHANNELS, REPORTER_FUNCTIONS
from tousu.reporter.models import Message
from tousu.web import labels
from tousu.web.caseview import deadline_json

BINDING_TTL = timedelta(minutes=30)
MAX_FILES = 10


def org_for(slug: str) -> tuple[Organisation, Policy]:
    """The organisation named in the URL and its active policy (404 without one)."""
    org = Organisation.objects.filter(slug=slug).first()
    if org is None or org.active_policy_id is None:
        raise Http404
    return org, policy_for(org.active_policy_id)[1]


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def private_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A page of the reporter's own: never stored by a cache."""
    return _no_store(render(request, template, context, status=status))


# -- coming back with the receipt ------------------------------------------------------------


def _session_key(org: Organisation) -> str:
    return f"portal_case:{org.pk}"


def _bound_case(request: HttpRequest, org: Organisation) -> Case | None:
    """The case this session's receipt opened, while the binding lasts (it slides)."""
    binding = request.session.get(_session_key(org))
    if not isinstance(binding, dict):
        return None
    now = timezone.now().timestamp()
    until = binding.get("until")
    if not isinstance(until, int | float) or until < now:
        request.session.pop(_session_key(org), None)
        return None
    case_id = binding.get("case")
    if not isinstance(case_id, int):
        return None
    # Through the fetch-and-authorise helper, as the reporter the receipt made of them.
    case = visible_cases(reporter_actor(org, case_id=case_id)).select_related("org").first()
    if case is None:
        return None
    binding["until"] = now + BINDING_TTL.total_seconds()
    request.session[_session_key(org)] = binding
    return case


@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest, org: str) -> HttpResponse:
    organisation, _policy = org_for(org)
    error = ""
    status = 200
    wait: int | None = None
    if request.method == "POST":
        text = request.POST.get("receipt", "")
        try:
            if abuse.challenge_needed(request, "receipt") and not abuse.challenge_passed(request):
                raise TousuError(
                    "challenge_failed", gettext_lazy("请先正确回答验证问题"),
                    status=422,
                )  # fmt: skip
            abuse.guard(request, "receipt", text)
            case = receipts.find(organisation, text)
            if case is None:
                abuse.record_failure(request, "receipt", text)
                raise TousuError(
                    "receipt_not_found",
                    gettext_lazy("回执号不正确，或没有对应的案件。请核对后重新输入。"),
                    status=404,
                )
        except TousuError as exc:
            error, status = exc.text, exc.status
            wait = abuse.retry_after(exc)
        else:
            abuse.record_success(request, "receipt", text)
            request.session.cycle_key()
            request.session[_session_key(organisation)] = {
                "case": case.pk,
                "until": timezone.now().timestamp() + BINDING_TTL.total_seconds(),
            }
            return HttpResponseRedirect(reverse("portal:reporter:case", kwargs={"org": org}))
    elif _bound_case(request, organisation) is not None:
        return HttpResponseRedirect(reverse("portal:reporter:case", kwargs={"org": org}))
    context = {
        "org": organisation,
        "error": error,
        "challenge": abuse.challenge(request)
        if abuse.challenge_needed(request, "receipt")
        else None,
    }
    response = private_page(request, "portal/follow.html", context, status)
    if wait is not None:
        response["Retry-After"] = str(wait)
    return response


@require_POST
def leave(request: HttpRequest, org: str) -> HttpResponse:
    organisation, _policy = org_for(org)
    request.session.pop(_session_key(organisation), None)
    request.session.cycle_key()
    return HttpResponseRedirect(reverse("portal:follow", kwargs={"org": org}))


# -- the reporter's case page ----------------------------------------------------------------

PLAIN_STATUS: dict[str, Text] = {
    "registered": gettext_lazy("已收到，正在审查是否受理"),
    "accepted": gettext_lazy("已受理，即将交由部门办理"),
    "transferring": gettext_lazy("正在办理"),
    "in_progress": gettext_lazy("正在办理"),
    "paused": gettext_lazy("正在办理（计时暂停，如检测、鉴定期间）"),
    "resolved": gettext_lazy("已办理完毕，正在准备答复"),
    "replied": gettext_lazy("已答复"),
    "followed_up": gettext_lazy("已答复并回访"),
    "closed": gettext_lazy("已结案"),
    "rejected": gettext_lazy("不予受理"),
    "referred": gettext_lazy("已转送有权处理的机关"),
    "withdrawn": gettext_lazy("已撤回"),
    "merged": gettext_lazy("已与相同事项合并办理"),
}


@dataclass
class Forms:
    message: bool
    evidence: bool
    rate: bool
    disagree: bool
    confirm: bool


def _forms(case: Case, policy: Policy) -> Forms:
    def may(action: str) -> bool:
        return case.status in TABLE[action].sources

    oral = case.channel in ORAL_CHANNELS
    return Forms(
        message=may("reporter_message"),
        evidence=may("reporter_evidence"),
        rate=may("rate"),
        disagree=may("disagree"),
        confirm=oral and may("confirm_record"),
    )


def _case_context(case: Case, policy: Policy) -> dict[str, Any]:
    tz = ZoneInfo(case.org.time_zone)
    now = timezone.now()
    hide: Callable[[str], str] = redactor(case)
    events = list(Event.objects.filter(case=case).select_related("record").order_by("seq"))
    rejection = next((e for e in reversed(events) if e.type == "rejected"), None)
    reason = policy.reason(rejection.reason_code) if rejection is not None else None
    reply = next(
        (e for e in reversed(events) if e.type in ("replied", "resolved_on_the_spot") and e.record),
        None,
    )
    calendar = calendar_for(case.org_id)
    running = case.deadlines.filter(
        state__in=[Deadline.State.OPEN, Deadline.State.PAUSED]
    ).order_by("due_at")
    deadlines = [
        {**deadline_json(d, now, tz, calendar), "stage_label": labels.stage(d.stage)}
        for d in running
    ]
    messages = list(Message.objects.filter(case=case).order_by("created_at", "pk"))
    # Sealed texts open with the case's key: the case they belong to is this one.
    for m in messages:
        m.case = case
    for e in events:
        if e.record is not None:
            e.record.case = case
    corrections = [e for e in events if e.type == "record_corrected" and e.record]
    confirmed = any(e.type == "record_confirmed" for e in events)

    window = policy.follow_up.disagreement_window_days
    return {
        "case": case,
        "kind": labels.kind(case.kind),
        "status_text": str(PLAIN_STATUS.get(case.status, case.status)),
        "reason": localized(reason.zh, reason.en) if reason else "",
        "reply": hide(reply.record.body) if reply and reply.record else "",
        "reply_at": reply.at if reply else None,
        "deadlines": deadlines,
        "messages": [
            {"incoming": m.direction == "in", "body": hide(m.body), "at": m.created_at}
            for m in messages
        ],
        "forms": _forms(case, policy),
        "oral": case.channel in ORAL_CHANNELS,
        "content": case.content,
        "confirmed": confirmed,
        "corrections": [{"body": e.record.body, "at": e.at} for e in corrections if e.record],
        "satisfaction": labels.choice(case.satisfaction) if case.satisfaction else "",
        "window": window,
        "review": policy.reviews.levels > 0,
        "tz": tz,
        "accept": evidence.ACCEPT,
    }


def _case_page(
    request: HttpRequest,
    org: Organisation,
    case: Case,
    policy: Policy,
    *,
    error: str = "",
    failed: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {"org": org, "error": error, "failed": failed, **_case_context(case, policy)}
    done = request.GET.get("done", "")
    context["done"] = str(DONE[done]) if done in DONE else ""
    return private_page(request, "portal/case.html", context, status)


DONE: dict[str, Text] = {
    "reporter_message": gettext_lazy("留言已发送"),
    "reporter_evidence": gettext_lazy("材料已提交"),
    "rate": gettext_lazy("感谢您的评价"),
    "disagree": gettext_lazy("您的异议已提交"),
    "confirm_record": gettext_lazy("您已确认记录"),
    "correct_record": gettext_lazy("您的更正已记录"),
}


@require_GET
def case_page(request: HttpRequest, org: str) -> HttpResponse:
    organisation, _policy = org_for(org)
    case = _bound_case(request, organisation)
    if case is None:
        return HttpResponseRedirect(reverse("portal:follow", kwargs={"org": org}))
    return _case_page(request, organisation, case, policy_for(case.policy_version_id)[1])


FORM_FIELDS: dict[str, tuple[str, ...]] = {
    "reporter_message": ("body",),
    "rate": ("satisfaction", "comment"),
    "disagree": ("reason",),
    "confirm_record": (),
    "correct_record": ("correction",),
}


@require_POST
def act(request: HttpRequest, org: str, action: str) -> HttpResponse:
    """One of the reporter's actions on the bound case; errors come back on the page."""
    organisation, _policy = org_for(org)
    case = _bound_case(request, organisation)
    if case is None:
        return HttpResponseRedirect(reverse("portal:follow", kwargs={"org": org}))
    if action not in FORM_FIELDS and action != "reporter_evidence":
        raise Http404
    holder = reporter_actor(organisation, case_id=case.pk)
    policy = policy_for(case.policy_version_id)[1]
    try:
        if action == "reporter_evidence":
            _add_evidence(request, case, holder)
        else:
            fn, schema = REPORTER_FUNCTIONS[action]
            document = {f: request.POST.get(f, "") for f in FORM_FIELDS[action]}
            if action == "rate" and not document["comment"]:
                document.pop("comment")
            try:
                data = schema.model_validate(document)
            except PydanticError:
                raise TousuError(
                    "invalid_value", gettext_lazy("请填写有效内容"), status=422
                ) from None
            fn(case.pk, actor=holder, data=data)
    except TousuError as exc:
        case.refresh_from_db()
        return _case_page(
            request, organisation, case, policy, error=exc.text, failed=action,
            status=exc.status if exc.status != 404 else 409,
        )  # fmt: skip
    url = reverse("portal:reporter:case", kwargs={"org": org})
    return HttpResponseRedirect(f"{url}?done={action}")


def _add_evidence(request: HttpRequest, case: Case, holder: Any) -> None:
    uploads = [u for u in request.FILES.getlist("attachments") if u.size]
    if not uploads:
        raise evidence.no_file()
    if len(uploads) > MAX_FILES:
        raise TousuError(
            "too_many_files", gettext_lazy("最多上传 {MAX_FILES} 个文件"),
            status=422, params={"MAX_FILES": MAX_FILES}
        )  # fmt: skip
    cleaned = [(u.name or "", evidence.pipeline().clean(u)[0]) for u in uploads]
    with evidence.discard_on_error(), transaction.atomic():
        for name, content in cleaned:
            evidence.store_from_reporter(case.pk, actor=holder, name=name, data=content)

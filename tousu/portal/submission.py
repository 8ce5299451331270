"""The reporter's submission: a case registered from the public form (named or anonymous),
its files cleaned and stored, and the receipt shown once, on the page answering it.

No account and no stored address or user agent: the rate limits and the challenge are in
:mod:`tousu.portal.abuse`, the pages' helpers in :mod:`tousu.portal.reporter`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_http_methods
from pydantic import ValidationError as PydanticError

from tousu.cases import inputs
from tousu.cases.access import reporter_actor
from tousu.cases.errors import TousuError
from tousu.cases.intake import missing_details, register
from tousu.evidence import sanitize
from tousu.evidence import services as evidence
from tousu.i18n import localized
from tousu.orgs.models import Organisation
from tousu.policy.schema import Policy
from tousu.portal import abuse
from tousu.portal.reporter import MAX_FILES, org_for, private_page
from tousu.reporter import receipts
from tousu.reporter.models import ReporterNotice
from tousu.web import labels

# Details the form asks for, by the path the policy's required rules use.
FORM_DETAILS = {
    "complainant.name": "name",
    "complainant.phone": "phone",
    "complainant.email": "email",
    "complainant.contact": "phone",
    "subject": "subject_name",
    "subject.name": "subject_name",
    "subject.address": "subject_address",
    "demands": "demands",
    "category": "category",
}


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, org: str) -> HttpResponse:
    organisation, policy = org_for(org)
    values: dict[str, str] = {"kind": policy.kinds[0] if policy.kinds else "complaint"}
    errors: dict[str, str] = {}
    status = 200
    wait: int | None = None
    if request.method == "POST":
        values = {
            k: str(request.POST.get(k, "")) for k in request.POST if k != "csrfmiddlewaretoken"
        }
        try:
            return _submitted(request, organisation, policy, values, errors)
        except TousuError as exc:
            errors["form"] = exc.text
            status = exc.status
            wait = abuse.retry_after(exc)
    response = _submit_form(request, organisation, policy, values, errors, status)
    if wait is not None:
        response["Retry-After"] = str(wait)
    return response


def _submit_form(
    request: HttpRequest,
    org: Organisation,
    policy: Policy,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> HttpResponse:
    context = {
        "org": org,
        "values": values,
        "errors": errors,
        "kinds": [(k, labels.kind(k)) for k in policy.kinds],
        "categories": [(c.code, localized(c.name_zh, c.name_en)) for c in policy.open_categories],
        "anonymous_allowed": policy.anonymous_allowed,
        "challenge": abuse.challenge(request)
        if abuse.challenge_needed(request, "submit")
        else None,
        "accept": evidence.ACCEPT,
        "max_files": MAX_FILES,
    }
    return private_page(request, "portal/submit.html", context, status)


def _document(values: dict[str, str], anonymous: bool) -> dict[str, Any]:
    complainant: dict[str, Any] = {"anonymous": anonymous}
    if not anonymous:
        for name in ("name", "phone", "email"):
            if values.get(name, "").strip():
                complainant[name] = values[name].strip()
    document: dict[str, Any] = {
        "kind": values.get("kind", ""),
        "channel": "web",
        "content": values.get("content", ""),
        "demands": values.get("demands", ""),
        "category": values.get("category", ""),
        "complainant": complainant,
    }
    subject = {
        key: values[f"subject_{key}"].strip()
        for key in ("name", "address")
        if values.get(f"subject_{key}", "").strip()
    }
    if subject:
        document["subject"] = {"type": "other", **subject}
    return document


def _submitted(
    request: HttpRequest,
    org: Organisation,
    policy: Policy,
    values: dict[str, str],
    errors: dict[str, str],
) -> HttpResponse:
    """Register the case (and its files) and show the receipt once; or fill ``errors``."""
    if abuse.challenge_needed(request, "submit") and not abuse.challenge_passed(request):
        errors[abuse.CHALLENGE_FIELD] = gettext("答案不正确，请重新作答")
    anonymous = values.get("anonymous") == "on" and policy.anonymous_allowed
    if values.get("anonymous") == "on" and not policy.anonymous_allowed:
        errors["anonymous"] = gettext("本单位不受理匿名投诉举报")
    data: inputs.RegisterIn | None = None
    try:
        data = inputs.RegisterIn.model_validate(_document(values, anonymous))
    except PydanticError as exc:
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ())]
            if len(loc) > 1 and loc[0] == "complainant":
                key = loc[1]
            elif len(loc) > 1 and loc[0] == "subject":
                key = f"subject_{loc[1]}"
            else:
                key = loc[0] if loc else "form"
            errors[key] = gettext("请填写有效内容")
    if data is not None:
        if data.kind not in policy.kinds:
            errors["kind"] = gettext("请选择类型")
        missing = missing_details(
            policy, kind=data.kind, channel="web", category=data.category,
            demands=data.demands, fields={}, complainant=data.complainant, subject=data.subject,
        )  # fmt: skip
        for path in missing:
            field = FORM_DETAILS.get(path)
            if field is not None and not (field == "name" and anonymous):
                errors.setdefault(field, gettext("此项为必填"))
    uploads = [u for u in request.FILES.getlist("attachments") if u.size]
    cleaned: list[tuple[str, bytes]] = []
    refusals: list[str] = []
    if len(uploads) > MAX_FILES:
        refusals.append(gettext("最多上传 {MAX_FILES} 个文件").format(MAX_FILES=MAX_FILES))
    else:
        for upload in uploads:
            try:
                cleaned.append((upload.name or "", sanitize.clean(upload)[0]))
            except TousuError as exc:
                refusals.append(exc.text)
    if refusals:
        errors["attachments"] = " ".join(refusals)
    notify = [] if anonymous else [c for c in ("email", "sms") if values.get(f"notify_{c}") == "on"]
    if "email" in notify and not values.get("email"):
        errors["notify"] = gettext("请填写电子邮箱以接收通知")
    if "sms" in notify and not values.get("phone"):
        errors["notify"] = gettext("请填写电话以接收短信通知")
    if errors or data is None:
        errors.setdefault("form", gettext("请检查标出的内容"))
        return _submit_form(request, org, policy, values, errors, 422)
    abuse.guard(request, "submit")  # counts this submission; 429 when over the rate
    with evidence.discard_on_error(), transaction.atomic():
        case = register(reporter_actor(org), data, reporter_language=get_language() or "")
        holder = reporter_actor(org, case_id=case.pk)
        for name, content in cleaned:
            evidence.store_from_reporter(case.pk, actor=holder, name=name, data=content)
        digits = receipts.issue(case, channel="web")
        for channel in notify:
            ReporterNotice.objects.create(case=case, channel=channel)
    context = {
        "org": org,
        "number": case.number,
        "receipt": receipts.grouped(digits),
        "anonymous": anonymous,
        "files": len(cleaned),
    }
    return private_page(request, "portal/receipt.html", context)

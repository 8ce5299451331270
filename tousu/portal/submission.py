"""The reporter's submission: a case registered from the public form (named or anonymous),
its files cleaned and stored, and the receipt shown once.

Post/redirect/get, filed once: the form carries a key made when it is rendered
(:mod:`tousu.cases.idempotency`, scoped to the organisation and the browser session). The
POST registers the case with that key and answers with a redirect to ``new/<key>/``, whose
first view shows the receipt; the digits wait for it sealed under the case's key, and that
view wipes them. Reloading that page, pressing the button twice, or sending the form again
registers nothing more: it says the case was already filed and points to 凭回执查询. The same
form sent again with other content is refused (a new form files a new case).

No account and no stored address or user agent: the rate limits and the challenge are in
:mod:`tousu.portal.abuse`, the pages' helpers in :mod:`tousu.portal.reporter`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import get_language, gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from pydantic import ValidationError as PydanticError

from tousu.cases import idempotency, inputs
from tousu.cases.access import reporter_actor
from tousu.cases.errors import TousuError
from tousu.cases.intake import missing_details, register
from tousu.cases.models import IdempotencyKey
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


PURPOSE = "portal_submit"
# Not part of what a submission asks for (its fingerprint).
NOT_ASKED = {"csrfmiddlewaretoken", idempotency.FORM_FIELD, abuse.CHALLENGE_FIELD}


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, org: str) -> HttpResponse:
    organisation, policy = org_for(org)
    values: dict[str, str] = {"kind": policy.kinds[0] if policy.kinds else "complaint"}
    errors: dict[str, str] = {}
    status = 200
    wait: int | None = None
    key = ""
    if request.method == "POST":
        values = {
            k: str(request.POST.get(k, ""))
            for k in request.POST
            if k not in {"csrfmiddlewaretoken", idempotency.FORM_FIELD}
        }
        # A form without its key (a page from before keys existed): filed once all the same.
        key = str(request.POST.get(idempotency.FORM_FIELD, "")) or idempotency.new_key()
        try:
            return _submitted(request, organisation, policy, values, errors, key)
        except TousuError as exc:
            errors["form"] = exc.text
            status = exc.status
            wait = abuse.retry_after(exc)
            if exc.code.startswith("idempotency_key_"):
                key = ""  # the form comes back with a new key: sending it files a new case
    response = _submit_form(request, organisation, policy, values, errors, status, key)
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
    key: str = "",
) -> HttpResponse:
    idempotency.session_scope(request.session)  # the session the key is scoped to
    context = {
        "org": org,
        "values": values,
        "errors": errors,
        # Made when the form is rendered; kept while the form comes back with errors.
        "idempotency_field": idempotency.FORM_FIELD,
        "idempotency_key": key or idempotency.new_key(),
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


def _asked(values: dict[str, str], uploads: list[UploadedFile]) -> dict[str, Any]:
    """What the submission asks for: the fields and the files as sent (by their digest)."""
    files = []
    for upload in uploads:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        files.append([upload.name or "", digest.hexdigest()])
    fields = {k: v for k, v in values.items() if k not in NOT_ASKED}
    return {"fields": fields, "files": files}


def _filed_url(org: Organisation, key: str) -> str:
    return reverse("portal:submitted", kwargs={"org": org.slug, "key": key})


def _submitted(
    request: HttpRequest,
    org: Organisation,
    policy: Policy,
    values: dict[str, str],
    errors: dict[str, str],
    key: str,
) -> HttpResponse:
    """Register the case (and its files) once for the form's key and redirect to the page
    showing its receipt; or fill ``errors``."""
    idempotency.checked_form_key(key)
    scope = idempotency.session_scope(request.session)
    uploads = [u for u in request.FILES.getlist("attachments") if u.size]
    asked = _asked(values, uploads)
    # Sent again (a double click, a reload, the back button): before the challenge and the
    # rate count, which the first sending used.
    try:
        if idempotency.replay(org, scope, key, purpose=PURPOSE, request=asked) is not None:
            return HttpResponseRedirect(_filed_url(org, key), status=303)
    except TousuError as exc:
        raise TousuError(
            "idempotency_key_reused",
            gettext_lazy(
                "这份表单已经提交过，内容与本次不同。若要反映另一件事，请核对下面的内容后再提交一次。"
            ),
            status=exc.status,
        ) from None
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
                key_ = loc[1]
            elif len(loc) > 1 and loc[0] == "subject":
                key_ = f"subject_{loc[1]}"
            else:
                key_ = loc[0] if loc else "form"
            errors[key_] = gettext("请填写有效内容")
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
    cleaned: list[tuple[str, bytes]] = []
    refusals: list[str] = []
    if len(uploads) > MAX_FILES:
        refusals.append(gettext("最多上传 {MAX_FILES} 个文件").format(MAX_FILES=MAX_FILES))
    else:
        for upload in uploads:
            try:
                cleaned.append((upload.name or "", evidence.pipeline().clean(upload)[0]))
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
        return _submit_form(request, org, policy, values, errors, 422, key)
    abuse.guard(request, "submit")  # counts this submission; 429 when over the rate
    registered = data

    def work() -> idempotency.Done:
        case = register(reporter_actor(org), registered, reporter_language=get_language() or "")
        holder = reporter_actor(org, case_id=case.pk)
        for name, content in cleaned:
            evidence.store_from_reporter(case.pk, actor=holder, name=name, data=content)
        digits = receipts.issue(case, channel="web")
        for channel in notify:
            ReporterNotice.objects.create(case=case, channel=channel)
        answer = {"number": case.number, "anonymous": anonymous, "files": len(cleaned)}
        return idempotency.Done(case, 303, answer, shown_once=digits)

    with evidence.discard_on_error():
        idempotency.run(org, scope, key, purpose=PURPOSE, request=asked, work=work)
    return HttpResponseRedirect(_filed_url(org, key), status=303)


@require_GET
def submitted(request: HttpRequest, org: str, key: str) -> HttpResponse:
    """The answer to a submission: its receipt the first time (and only then), afterwards
    that the case was already filed. Only in the session that submitted it."""
    organisation, _policy = org_for(org)
    scope = idempotency.session_scope(request.session)
    row = idempotency.find(organisation, scope, key, purpose=PURPOSE)
    if row is None:
        raise Http404
    digits = idempotency.take_shown_once(row)
    context = _answer(organisation, row)
    if not digits:
        return private_page(request, "portal/already_filed.html", context)
    context["receipt"] = receipts.grouped(digits)
    return private_page(request, "portal/receipt.html", context)


def _answer(org: Organisation, row: IdempotencyKey) -> dict[str, Any]:
    answer = row.answer
    return {
        "org": org,
        "number": answer.get("number", ""),
        "anonymous": bool(answer.get("anonymous")),
        "files": int(answer.get("files") or 0),
    }

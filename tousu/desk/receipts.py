"""发放查询回执 from the desk, issued once per form: post/redirect/get.

The action's form carries a key made when the case page is rendered
(``desk/_filed_once.html``; :mod:`tousu.cases.idempotency`, scoped to the organisation and
the staff member's session). The POST issues the receipt with that key and redirects to
``receipt/<key>/``, whose first view shows the digits (read out or printed for the person);
they wait for it sealed under the case's key, and that view wipes them. Reloading that page,
a double click or the form sent again issues nothing more: the page says the receipt was
issued and shown once.
"""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError as PydanticError

from tousu.cases import idempotency
from tousu.cases.access import get_case, permitted
from tousu.cases.errors import TousuError, not_found
from tousu.cases.lifecycle import TABLE
from tousu.cases.registry import ACTION_FUNCTIONS
from tousu.policy.models import policy_for
from tousu.reporter.receipts import grouped
from tousu.web import forms, labels, posted
from tousu.web.pages import DeskRequest, desk_view, page

ACTION = "issue_receipt"


@require_POST
@desk_view
def issue(request: DeskRequest, org: str, number: str) -> HttpResponse:
    desk = request.desk
    case = get_case(desk.actor, number)
    fn, schema = ACTION_FUNCTIONS[ACTION]
    policy = policy_for(case.policy_version_id)[1]
    if not permitted(desk.actor, case, TABLE[ACTION], policy):
        raise TousuError(
            "action_forbidden",
            gettext_lazy("您无权对该案件执行“{action}”操作"),
            status=403,
            params={"action": TABLE[ACTION].name},
        )
    options = forms.Options.for_case(case, policy, desk.actor)
    form = forms.build_form(ACTION, schema, case, options)
    try:
        data = schema.model_validate(posted.parse(form, request.POST, desk.tz, options))
    except PydanticError:
        raise TousuError(
            "invalid_value", gettext_lazy("请选择回执的发放方式"), status=422
        ) from None
    # A form from a page rendered before keys existed: issued once all the same.
    key = str(request.POST.get(idempotency.FORM_FIELD, "")) or idempotency.new_key()
    idempotency.checked_form_key(key)
    channel = str(getattr(data, "channel", ""))

    def work() -> idempotency.Done:
        done = fn(case.pk, actor=desk.actor, data=data)
        answer = {"number": number, "channel": channel}
        return idempotency.Done(done, 303, answer, shown_once=done.issued_receipt)  # type: ignore[attr-defined]

    try:
        idempotency.run(
            desk.org, idempotency.session_scope(request.session), key, purpose=ACTION,
            request={"case": number, "channel": channel}, work=work,
        )  # fmt: skip
    except TousuError as exc:
        if exc.code != "idempotency_key_reused":
            raise
        raise TousuError(
            "idempotency_key_reused",
            gettext_lazy(
                "这份表单已经提交过（发放方式不同）。如要再次发放，请回到案件页面重新打开表单。"
            ),
            status=exc.status,
        ) from None
    url = reverse("desk:issued_receipt", kwargs={"org": org, "number": number, "key": key})
    return HttpResponseRedirect(url, status=303)


@require_GET
@desk_view
def issued(request: DeskRequest, org: str, number: str, key: str) -> HttpResponse:
    """The receipt the first time (and only then); afterwards, that it was issued."""
    desk = request.desk
    case = get_case(desk.actor, number)
    scope = idempotency.session_scope(request.session)
    row = idempotency.find(desk.org, scope, key, purpose=ACTION)
    if row is None or row.case_id != case.pk:
        raise not_found()
    digits = idempotency.take_shown_once(row)
    context = {"number": number, "channel": labels.channel(str(row.answer.get("channel", "")))}
    if digits:
        context["receipt"] = grouped(digits)
        template = "desk/receipt_issued.html"
    else:
        template = "desk/receipt_already_issued.html"
    response = page(request, template, context)
    response["Cache-Control"] = "no-store"
    return response

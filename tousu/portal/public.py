"""The organisation's public pages: the notice the regulations require, the privacy
notice, and printable report-box forms with pre-issued receipts.

Everything shown comes from the organisation's active policy, so the notice never
promises what the desk does not enforce. An unknown organisation, or one without an
active policy, is a 404 like any other missing page. The public pages read nothing
about the visitor and store nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, override, pgettext, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from tousu.cases.errors import TousuError, not_found
from tousu.conf import local_only
from tousu.documents.render import render_pdf
from tousu.i18n import Text, both, english, localized
from tousu.orgs.models import Organisation
from tousu.orgs.services import audit
from tousu.policy.models import policy_for
from tousu.policy.schema import DeadlineRule, Policy
from tousu.policy.words import note, rule_in_words
from tousu.reporter import receipts
from tousu.web import labels
from tousu.web.pages import DeskRequest, desk_view, error_page, page

# Channels a member of the public can use (the others are internal routes).
NOT_PUBLIC_CHANNELS = frozenset({"referral", "other", "on_the_spot"})
# Channels nobody can use without a number or address to send to: shown only with one.
NEEDS_CONTACT = frozenset({"phone", "sms", "fax", "email", "letter"})
BOX_FORM_ROLES = frozenset({"intake_clerk", "dispatcher", "supervisor", "administrator"})
BOX_FORMS_MAX = 200

KIND_WORDS: dict[str, Text] = {
    "complaint": gettext_lazy("投诉"),
    "report": gettext_lazy("举报"),
    "consultation": gettext_lazy("咨询"),
    "suggestion": gettext_lazy("建议"),
}

UNITS: dict[str, Text] = {
    "working_days": gettext_lazy("个工作日"),
    "calendar_days": pgettext_lazy("units", "日"),
    "weeks": pgettext_lazy("units", "周"),
    "months": pgettext_lazy("units", "个月"),
}


@dataclass(frozen=True)
class Public:
    org: Organisation
    policy: Policy


def public_for(slug: str) -> Public:
    """The organisation and its active policy, or 404."""
    org = Organisation.objects.filter(slug=slug).first()
    if org is None or org.active_policy_id is None:
        raise Http404
    _version, policy = policy_for(org.active_policy_id)
    return Public(org=org, policy=policy)


# -- the public notice -----------------------------------------------------------------------


def _channels(policy: Policy) -> list[dict[str, Any]]:
    notice = policy.public_notice
    rows: list[dict[str, Any]] = []
    for code in policy.channels:
        if code in NOT_PUBLIC_CHANNELS:
            continue
        details: list[str] = []
        if code == "phone" and notice.phones:
            details.append("、".join(notice.phones) if not english() else ", ".join(notice.phones))
        elif code == "email" and notice.emails:
            details.append(", ".join(notice.emails))
        elif code in ("letter", "visit") and notice.address:
            where = notice.address + (
                gettext("（邮编 {postcode}）").format(postcode=notice.postcode)
                if notice.postcode
                else ""
            )
            details.append(where)
        elif code == "box" and notice.boxes:
            details.append("；".join(notice.boxes) if not english() else "; ".join(notice.boxes))
        elif code == "web" and notice.web:
            details.append(notice.web)
        if code in ("phone", "visit") and notice.hours_zh:
            details.append(gettext("时间：") + notice.hours_zh)
        if code in NEEDS_CONTACT and not details:
            continue
        rows.append({"code": code, "label": labels.channel(code), "details": details})
    return rows


def _deadline(rule: DeadlineRule) -> dict[str, Any]:
    """A rule on the public notice: its words made from its numbers, the clause's wording beside."""
    return {
        "text": sentence(rule),
        "note": note(rule),
        "stage": labels.stage(rule.stage),
        "target": not rule.hard,
        "kinds": [labels.kind(k) for k in rule.kinds],
    }


def sentence(rule: DeadlineRule) -> str:
    """ "答复：自受理起 15 个工作日" in the request's language."""
    return gettext("{stage}：{words}").format(
        stage=labels.stage(rule.stage), words=rule_in_words(rule)
    )


def _extension(policy: Policy) -> str:
    ext = policy.extension
    if ext.max_amount <= 0:
        return ""
    return gettext(
        "情况复杂的，经批准可以延长，延长不超过 {amount}{unit}，并告知您延长的理由。"
    ).format(amount=ext.max_amount, unit=UNITS.get(ext.unit, pgettext_lazy("public", "日")))


def _disagree(policy: Policy) -> list[str]:
    rules = policy.follow_up
    days = rules.disagreement_window_days
    lines: list[str] = []
    if rules.dissatisfied == "reverify":
        lines.append(
            gettext("对答复不满意的，可以在答复后 {days} 日内说明理由，申请重新核查。").format(
                days=days
            )
            if days
            else gettext("对答复不满意的，可以说明理由，申请重新核查。")
        )
    elif rules.dissatisfied == "appeal":
        lines.append(
            gettext("对答复不满意的，可以在答复后 {days} 日内向本单位负责人申诉。").format(
                days=days
            )
            if days
            else gettext("对答复不满意的，可以向本单位负责人申诉。")
        )
    else:
        lines.append(
            gettext("对答复不满意的，请告诉我们理由，您的意见将记入案卷并在改进工作时考虑。")
        )
    reviews = policy.reviews
    if reviews.levels:
        lines.append(
            (
                gettext(
                    "对处理意见不服的，可以自收到之日起 {days} 日内请求上一级复查；"
                    "对复查意见不服的，可以请求复核。"
                )
                if reviews.levels > 1
                else gettext("对处理意见不服的，可以自收到之日起 {days} 日内请求上一级复查。")
            ).format(days=reviews.request_window_days)
        )
    lines.append(gettext("您也可以随时通过上述渠道或凭回执在线留言，提出意见。"))
    return lines


def _categories(policy: Policy) -> list[str]:
    return [localized(c.name_zh, c.name_en) for c in policy.open_categories if not c.parent]


def _hours(policy: Policy) -> str:
    hours = policy.working_hours
    text = gettext("工作时间：工作日 {start:%H:%M}—{end:%H:%M}").format(
        start=hours.start, end=hours.end
    )
    if policy.duty.reception_24h:
        text += gettext("；另有24小时值班受理。")
    elif policy.duty.after_hours == "next_working_day":
        text += gettext("；工作时间以外收到的，从下一个工作日起计算期限。")
    return text


def notice_context(public: Public) -> dict[str, Any]:
    policy = public.policy
    deadlines = [_deadline(rule) for rule in policy.deadlines if rule.unit != "none"]
    return {
        "org": public.org,
        "policy_name": localized(policy.identity.name_zh, policy.identity.name_en),
        "kinds": [labels.kind(k) for k in policy.kinds],
        "categories": _categories(policy),
        "channels": _channels(policy),
        "hours": _hours(policy),
        "deadlines": deadlines,
        "working_days_used": any(r.unit == "working_days" for r in policy.deadlines),
        "extension": _extension(policy),
        "promises": list(policy.public_notice.promises_zh),
        "anonymous_allowed": policy.anonymous_allowed,
        "disagree": _disagree(policy),
        "receipt_text": gettext(
            "无论实名还是匿名，提交后都会得到案件编号和一个 {DIGITS} 位数字的回执号码。凭回执号码（不需要账号、不需要留下姓名），您可以在本网站："
        ).format(DIGITS=receipts.DIGITS),
    }


@require_safe
def home(request: HttpRequest, org: str) -> HttpResponse:
    public = public_for(org)
    return render(request, "portal/public_home.html", notice_context(public))


# -- the privacy notice ----------------------------------------------------------------------


def privacy_context(public: Public) -> dict[str, Any]:
    policy = public.policy
    notice = policy.public_notice
    contacts: list[str] = []
    if notice.phones:
        contacts.append(gettext("电话：") + ", ".join(notice.phones))
    if notice.emails:
        contacts.append(gettext("电子邮件：") + ", ".join(notice.emails))
    if notice.address:
        contacts.append(gettext("地址：") + notice.address)
    return {
        "org": public.org,
        "retention_years": policy.retention.years,
        "custodians": [labels.role(r) for r in policy.permissions.custodian],
        "anonymous_allowed": policy.anonymous_allowed,
        "contacts": contacts,
    }


@require_safe
def privacy(request: HttpRequest, org: str) -> HttpResponse:
    public = public_for(org)
    return render(request, "portal/public_privacy.html", privacy_context(public))


# -- report-box forms ------------------------------------------------------------------------


def box_forms_pdf(org: Organisation, count: int, *, by_user_id: int, follow_url: str) -> bytes:
    """``count`` printable report-box forms, one per page, each with a fresh receipt."""
    if not 1 <= count <= BOX_FORMS_MAX:
        raise TousuError(
            "invalid_value",
            gettext_lazy("份数须为 1 至 {BOX_FORMS_MAX}"),
            status=422,
            params={"BOX_FORMS_MAX": BOX_FORMS_MAX},
        )
    if org.active_policy_id is None:
        raise TousuError("no_policy", gettext_lazy("本单位尚未启用制度"), status=409)
    _version, policy = policy_for(org.active_policy_id)
    with transaction.atomic():  # a failed rendering leaves no unprinted receipts behind
        digits = receipts.pre_issue(org, count, by_user_id=by_user_id)
        return render_pdf(_box_forms_html(org, policy, digits, follow_url))


def _box_forms_html(org: Organisation, policy: Policy, digits: list[str], follow_url: str) -> str:
    return render_to_string(
        "portal/public_box_form_pdf.html",
        {
            "org": org,
            "anonymous_allowed": policy.anonymous_allowed,
            # The form is bilingual: each kind in Chinese and in English.
            "kinds": [both(KIND_WORDS[k]) if k in KIND_WORDS else (k, k) for k in policy.kinds],
            "forms": [receipts.grouped(d) for d in digits],
            "follow_url": follow_url,
            "deadlines": _box_deadlines(policy),
        },
    )


def _box_deadlines(policy: Policy) -> list[str]:
    """The limits printed on a box form (in Chinese, as the form is), from the numbers."""
    with override("zh-hans"):
        return [sentence(r) for r in policy.deadlines if r.hard and r.unit != "none"]


def _count(raw: str) -> int | None:
    try:
        value = int(raw.strip())
    except (TypeError, ValueError):
        return None
    return value if 1 <= value <= BOX_FORMS_MAX else None


@require_http_methods(["GET", "POST"])
@desk_view
def box_forms(request: DeskRequest, org: str) -> HttpResponse:
    """Staff: print report-box forms. GET shows the form; POST issues receipts (a change of
    state, so never on GET) and returns the PDF."""
    desk = request.desk
    if not desk.roles & BOX_FORM_ROLES:
        return error_page(request, not_found())
    error = ""
    count_text = "20"
    if request.method == "POST":
        count_text = str(request.POST.get("count", ""))
        count = _count(count_text)
        if count is None:
            error = pgettext("message", "份数须为 1 至 {BOX_FORMS_MAX}").format(
                BOX_FORMS_MAX=BOX_FORMS_MAX
            )
        else:
            follow_url = printed_follow_url(request, org)
            pdf = box_forms_pdf(
                desk.org, count, by_user_id=desk.actor.user_id, follow_url=follow_url
            )
            audit(
                "portal.box_forms_printed", desk.org, org=desk.org, actor=request.user, count=count
            )
            stamp = timezone.localtime(timezone.now()).strftime("%Y%m%d-%H%M")
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = (
                f'attachment; filename="box-forms-{desk.org.slug}-{stamp}.pdf"'
            )
            response["Cache-Control"] = "no-store"
            return response
    printed = printed_follow_url(request, org)
    context = {
        "count": count_text,
        "error": error,
        "maximum": BOX_FORMS_MAX,
        "printed_url": printed,
        # For the one printing (on the page, never on the paper).
        "address_unset": not settings.TOUSU_BASE_URL_SET,
        "address_local": local_only(printed),
    }
    return page(request, "portal/public_box_forms.html", context, status=422 if error else 200)


def printed_follow_url(request: HttpRequest, org: str) -> str:
    """The address printed on report-box forms for following a case: the configured public
    address (``TOUSU_BASE_URL``), else the one the staff member is using."""
    path = reverse("portal:follow", kwargs={"org": org})
    if settings.TOUSU_BASE_URL_SET:
        return settings.TOUSU_BASE_URL.rstrip("/") + path
    return request.build_absolute_uri(path)

"""Work on many cases at once, from a queue or the ledger: still one action per case.

A bulk action takes the selected case numbers and runs, for each case on its own, the same
action function the case page and the API call (its own transaction, its own permission
check, its own event). Nothing is shared between the cases: one refusal leaves the others
done. Each refusal is listed with the case number and the reason; a case the actor may not
see is refused as "not found", exactly like a case that does not exist, so a bulk post
learns nothing about cases outside the actor's reach.

Both surfaces that list cases (the desk's queues and the ledger) post here through their
own views; the selection's export is the ledger's own .xlsx export, filtered to the numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from pydantic import ValidationError as PydanticError

from tousu.cases.access import Actor, roles_for, visible_cases, visible_notifications
from tousu.cases.errors import TousuError
from tousu.cases.inputs import AssignIn, CloseIn
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case, Status
from tousu.cases.registry import ACTION_FUNCTIONS
from tousu.i18n import Text, localized
from tousu.orgs.models import Department, Membership
from tousu.orgs.people import display_name, profile
from tousu.orgs.roles import Role
from tousu.policy.models import PolicyVersion, policy_for
from tousu.web import labels

# The most cases one bulk action takes (two pages of a queue or the ledger).
MAX_CASES = 200
# What a case number looks like (anything else is refused before a query is made).
NUMBER = re.compile(r"^[^\s\x00-\x1f\x7f/\\?#&|]{1,40}$")

OPERATIONS: dict[str, Text] = {
    "close": pgettext_lazy("bulk", "结案"),
    "assign": pgettext_lazy("bulk", "分办"),
    "read": gettext_lazy("标记通知已读"),
    "export": gettext_lazy("导出所选"),
}


@dataclass
class Outcome:
    """What a bulk action did: the cases done, and each refusal with its reason."""

    operation: str
    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(OPERATIONS[self.operation])


def selection(values: Iterable[str]) -> list[str]:
    """The selected case numbers, in the order given, each once; refused when empty, too
    many or not a case number (400, nothing is done)."""
    numbers = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    if not numbers:
        raise TousuError("bulk_empty", gettext_lazy("请先勾选案件"), status=400)
    if len(numbers) > MAX_CASES:
        raise TousuError(
            "bulk_too_many",
            gettext_lazy("一次最多处理 {max} 件案件，已选 {count} 件"),
            status=400,
            details={"max": MAX_CASES, "count": len(numbers)},
            params={"max": MAX_CASES, "count": len(numbers)},
        )
    bad = [n for n in numbers if not NUMBER.match(n)]
    if bad:
        raise TousuError(
            "bulk_bad_number",
            gettext_lazy("不是案件编号：{shown}"),
            status=400,
            params={"shown": bad[0][:40]},
        )
    return numbers


def operation(value: str) -> str:
    if value not in OPERATIONS:
        raise TousuError(
            "bulk_unknown",
            gettext_lazy("未知的批量操作：{shown}"),
            status=400,
            params={"shown": value[:40]},
        )
    return value


# -- ready to close ---------------------------------------------------------------------


def follow_up_optional_versions(org_id: int) -> list[int]:
    """The organisation's policy versions under which a replied case may close without a
    follow-up (``follow_up.required`` false)."""
    ids = PolicyVersion.objects.filter(org_id=org_id).values_list("pk", flat=True)
    return [pk for pk in ids if not policy_for(pk)[1].follow_up.required]


def ready_to_close(org_id: int) -> Q:
    """Cases that wait only for 结案: followed up, or replied where the case's policy does
    not require a follow-up."""
    return Q(status=Status.FOLLOWED_UP) | Q(
        status=Status.REPLIED, policy_version_id__in=follow_up_optional_versions(org_id)
    )


def not_ready_reason(case: Case) -> str | None:
    """Why the case cannot be closed now (in the viewer's language), or None when it can."""
    if case.status == Status.FOLLOWED_UP:
        return None
    if case.status == Status.REPLIED:
        if not policy_for(case.policy_version_id)[1].follow_up.required:
            return None
        return gettext("尚未回访，制度规定回访后方可结案")
    return gettext("案件状态为“{status}”，尚不能结案").format(status=labels.status(case.status))


# -- running one action per case ------------------------------------------------------------


def _refusal(exc: TousuError, action: str) -> str:
    if exc.code == "not_found":
        return gettext("未找到该案件")
    if exc.code == "action_forbidden":
        return gettext("您无权对该案件执行“{action}”操作").format(action=TABLE[action].label)
    if exc.code == "transition_forbidden":
        status = (exc.details or {}).get("status", "")
        return gettext("案件当前状态（{status}）不允许执行“{action}”操作").format(
            status=labels.status(status), action=TABLE[action].label
        )
    return exc.text


def _validation_text(exc: PydanticError) -> str:
    errors = exc.errors()
    where = ".".join(str(p) for p in errors[0]["loc"]) if errors else ""
    return gettext("填写有误：{field}").format(field=where or "—")


def _each(
    actor: Actor, numbers: Sequence[str], outcome: Outcome, action: str, data: Any,
    check: Any = None,
) -> Outcome:  # fmt: skip
    """Run ``action`` once per visible case; a case the actor may not see is "not found"."""
    fn, _schema = ACTION_FUNCTIONS[action]
    found = {c.number: c for c in visible_cases(actor).filter(number__in=numbers)}
    for number in numbers:
        case = found.get(number)
        if case is None:
            outcome.refused.append((number, gettext("未找到该案件")))
            continue
        reason = check(case) if check else None
        if reason:
            outcome.refused.append((number, reason))
            continue
        try:
            fn(case.pk, actor=actor, data=data)
        except TousuError as exc:
            outcome.refused.append((number, _refusal(exc, action)))
            continue
        outcome.done.append(number)
    return outcome


def close(actor: Actor, numbers: Sequence[str], note: str = "") -> Outcome:
    """结案 for each selected case that is ready (see :func:`ready_to_close`)."""
    try:
        data = CloseIn(note=note)
    except PydanticError as exc:
        raise _invalid(exc) from None
    return _each(actor, numbers, Outcome("close"), "close", data, check=not_ready_reason)


def assign(actor: Actor, numbers: Sequence[str], department: str, handler: str) -> Outcome:
    """分办 each selected case to one department and handler (the dispatcher's 分办)."""
    try:
        data = AssignIn(lead_department=department, handler=handler or None)
    except PydanticError as exc:
        raise _invalid(exc) from None
    return _each(actor, numbers, Outcome("assign"), "assign", data)


def _invalid(exc: PydanticError) -> TousuError:
    return TousuError(
        "invalid_request",
        gettext_lazy("请求内容有误：{text}"),
        status=422,
        params={"text": _validation_text(exc)},
    )


def mark_read(actor: Actor, numbers: Sequence[str], now: datetime | None = None) -> Outcome:
    """Mark the actor's own unread notices about the selected cases read."""
    outcome = Outcome("read")
    now = now or timezone.now()
    visible = set(visible_cases(actor).filter(number__in=numbers).values_list("number", flat=True))
    unread = visible_notifications(actor).filter(read_at__isnull=True, case__number__in=visible)
    with_notes = set(unread.values_list("case__number", flat=True))
    unread.update(read_at=now)
    for number in numbers:
        if number not in visible:
            outcome.refused.append((number, gettext("未找到该案件")))
        elif number not in with_notes:
            outcome.refused.append((number, gettext("该案件没有您的未读通知")))
        else:
            outcome.done.append(number)
    return outcome


def run(actor: Actor, post: Mapping[str, Any], numbers: Sequence[str]) -> Outcome:
    """The bulk action a form posted (``operation``), on the selected numbers."""
    op = operation(str(post.get("operation") or ""))
    if op == "close":
        return close(actor, numbers, str(post.get("note") or ""))
    if op == "assign":
        department, handler = split_assignee(str(post.get("assignee") or ""))
        return assign(actor, numbers, department, handler)
    if op == "read":
        return mark_read(actor, numbers)
    raise TousuError("bulk_unknown", gettext_lazy("未知的批量操作：{shown}"), status=400,
                     params={"shown": op})  # fmt: skip


def message(outcome: Outcome) -> str:
    """One line for the page: how many were done, how many refused."""
    return gettext("{action}：完成 {done} 件，未能办理 {refused} 件").format(
        action=outcome.label, done=len(outcome.done), refused=len(outcome.refused)
    )


# -- what a page offers ------------------------------------------------------------------


def options(actor: Actor, policy: Any) -> dict[str, Any]:
    """The bulk actions this person may offer on a list of cases, and whom to assign to.

    Only an offer: each case is still checked by its action when the form is posted.
    """
    may_assign = bool(actor.roles & roles_for(TABLE["assign"], policy))
    return {
        "may_close": bool(actor.roles & roles_for(TABLE["close"], policy)),
        "may_assign": may_assign,
        "assignees": assignees(actor.org.pk) if may_assign else [],
    }


def assignees(org_id: int) -> list[dict[str, Any]]:
    """The departments and their handlers, as one choice each: ``department|username``
    (the department alone: ``department|``)."""
    departments = Department.objects.filter(org_id=org_id, active=True).order_by("code")
    members = (
        Membership.objects.filter(
            org_id=org_id,
            active=True,
            department__isnull=False,
            role__in=[Role.HANDLER, Role.DEPARTMENT_HEAD],
        )  # fmt: skip
        .select_related("user", "user__staff_profile")
        .order_by("department_id", "user__username")
    )
    people: dict[int, list[tuple[str, str]]] = {}
    for m in members:
        if not m.user.is_active:
            continue
        # The name; a colleague with none yet is told apart by the login.
        named = profile(m.user)
        name = display_name(m.user)
        if not (named and named.name.strip()):
            name = f"{name}（{m.user.get_username()}）"
        people.setdefault(m.department_id or 0, []).append((m.user.get_username(), name))
    return [
        {
            "code": d.code,
            "name": localized(d.name, d.name_en),
            "people": list(dict.fromkeys(people.get(d.pk, []))),
        }
        for d in departments
    ]


def split_assignee(value: str) -> tuple[str, str]:
    """``department|username`` → (department, username)."""
    department, _, handler = value.partition("|")
    return department.strip(), handler.strip()


def back_query(raw: str) -> str:
    """The list's filters to return to (parsed and re-encoded: never a URL of its own)."""
    params = QueryDict(raw[:4000], mutable=True)
    for key in ("csrfmiddlewaretoken", "operation", "cases", "assignee", "note", "back"):
        params.pop(key, None)
    return params.urlencode()


def tell(request: HttpRequest, outcome: Outcome) -> None:
    """The outcome on the page the list returns to: a count, then each refusal."""
    level = messages.SUCCESS if not outcome.refused else messages.WARNING
    messages.add_message(request, level, message(outcome), extra_tags="bulk")
    for number, reason in outcome.refused:
        messages.add_message(
            request, messages.ERROR, gettext("{number}：{reason}").format(
                number=number, reason=reason
            ), extra_tags="refusal",
        )  # fmt: skip

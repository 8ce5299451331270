"""The case lifecycle: one closed transition table, assembled at start-up.

Every action a case can undergo is a row here with the states it may start from, the state
it leads to, the roles that may take it and the event it writes. The core's own rows are
below; each feature adds its rows from its ``AppConfig.ready()`` with :func:`add`
(accountability, remedies, procedures, quality...). Once every app is ready the table is
closed: an action not in it does not exist, and a state not in an action's sources refuses it
with ``transition_forbidden`` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy, pgettext_lazy

from tousu.cases.models import OPEN_STATUSES, Status
from tousu.i18n import Named, Text
from tousu.orgs.roles import Role
from tousu.policy.schema import Policy

S = Status
R = Role

# The roles a policy names for an action (a regulation says who decides, who closes).
PolicyRoles = Callable[[Policy], Iterable[str]]


@dataclass(frozen=True)
class Transition(Named):
    action: str
    sources: frozenset[str]
    # None: the state does not change, or the action computes it (documented there).
    target: str | None
    roles: frozenset[str]
    # The action's name: a msgid (Simplified Chinese) marked for translation.
    name: Text
    # "pending_department": only members of the department a transfer waits on.
    scope: str = "case"
    # Deadline stages the action fulfils.
    meets: frozenset[str] = frozenset()
    # Taken only by the job worker (the system actor), never by staff or the API.
    system: bool = False
    # Taken by the reporter through the portal, on the case their receipt opened.
    reporter: bool = False
    # The type of the event the action writes.
    event: str = ""
    # The policy chooses among ``roles`` (None: the table's roles as they are).
    policy_roles: PolicyRoles | None = None
    # A named reporter who asked for notices hears of it (by e-mail or SMS, no content).
    tells_reporter: bool = False


def transition(
    action: str,
    sources: Set[str],
    target: str | None,
    roles: Set[str],
    name: Text,
    *,
    event: str,
    scope: str = "case",
    meets: Set[str] | None = None,
    system: bool = False,
    reporter: bool = False,
    policy_roles: PolicyRoles | None = None,
    tells_reporter: bool = False,
) -> Transition:
    """A row of the table, as a feature declares it (its event type is required)."""
    return Transition(
        action,
        frozenset(sources),
        target,
        frozenset(roles),
        name,
        scope,
        frozenset(meets or ()),
        system,
        reporter,
        event,
        policy_roles,
        tells_reporter,
    )


def _t(
    action: str,
    sources: Set[str],
    target: str | None,
    roles: Set[str],
    name: Text,
    **options: Any,
) -> Transition:
    """A core row: its event type, policy roles and reporter news from the tables above."""
    return transition(
        action, sources, target, roles, name,
        event=CORE_EVENTS[action],
        policy_roles=CORE_POLICY_ROLES.get(action),
        tells_reporter=action in CORE_REPORTER_NEWS,
        **options,
    )  # fmt: skip


_table: dict[str, Transition] = {}
# The table, read-only; filled by the core below and by the features until start-up ends.
TABLE: Mapping[str, Transition] = MappingProxyType(_table)


def add(*transitions: Transition) -> None:
    """Add a feature's rows (from its ``AppConfig.ready()``); refused once every app is ready,
    and for an action or event type already taken."""
    if apps.ready:
        raise ImproperlyConfigured("The transition table is closed once every app is ready")
    _add(transitions)


def _add(transitions: Iterable[Transition]) -> None:
    events = {t.event for t in _table.values()}
    for t in transitions:
        if t.action in _table:
            raise ImproperlyConfigured(f"Action {t.action!r} is already in the transition table")
        if not t.event or t.event in events:
            raise ImproperlyConfigured(f"Action {t.action!r} needs an event type of its own")
        events.add(t.event)
        _table[t.action] = t


class _EventTypes(Mapping[str, str]):
    """Action → the type of the event it writes, read from the table."""

    def __getitem__(self, action: str) -> str:
        return _table[action].event

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(_table)

    def __len__(self) -> int:
        return len(_table)


EVENT_TYPES: Mapping[str, str] = _EventTypes()

# The core's event types, the roles its policy chooses and what its reporters hear of.
CORE_EVENTS = {
    "register": "registered", "amend": "amended", "classify": "classified",
    "resolve_on_the_spot": "resolved_on_the_spot", "accept": "accepted", "reject": "rejected",
    "refer": "referred", "assign": "assigned", "transfer": "transferred", "receive": "received",
    "return": "returned", "record": "recorded", "pause": "paused", "resume": "resumed",
    "request_extension": "extension_requested", "approve_extension": "extension_decided",
    "escalate": "escalated", "notify_authority": "authority_notified", "split": "split",
    "merge": "merged", "resolve": "resolved", "reply": "replied", "follow_up": "followed_up",
    "close": "closed", "reopen": "reopened", "withdraw": "withdrawn",
    "request_review": "review_requested", "recuse": "recused",
    "request_recusal": "recusal_requested", "decide_recusal": "recusal_decided",
    "request_reveal": "identity_requested", "approve_reveal": "identity_decided",
    "mark_overdue": "deadline_overdue", "remind": "reminded",
    "recompute_deadlines": "deadlines_recomputed", "shred": "personal_data_destroyed",
    "restart_clocks": "clocks_restarted",
    "hold": "legal_hold_placed", "release_hold": "legal_hold_released",
    "redact": "redactions_marked", "attach": "file_attached",
}  # fmt: skip
CORE_POLICY_ROLES: dict[str, PolicyRoles] = {
    "accept": lambda p: p.permissions.decide_acceptance,
    "reject": lambda p: p.permissions.decide_acceptance,
    "refer": lambda p: p.permissions.decide_acceptance,
    "close": lambda p: p.permissions.close,
    "decide_recusal": lambda p: p.recusal.approver_roles,
    "approve_reveal": lambda p: p.permissions.custodian,
    "approve_extension": lambda p: p.extension.approver_roles,
}
CORE_REPORTER_NEWS = frozenset({"accept", "reject", "refer", "reply", "close"})

BEFORE_HANDLING = {S.REGISTERED, S.ACCEPTED}
HANDLING = {S.IN_PROGRESS}
ACTIVE = {S.REGISTERED, S.ACCEPTED, S.TRANSFERRING, S.IN_PROGRESS, S.PAUSED}
STAFF = {R.INTAKE_CLERK, R.DISPATCHER, R.HANDLER, R.DEPARTMENT_HEAD, R.SUPERVISOR, R.LEADER}
DECIDERS = {R.DISPATCHER, R.SUPERVISOR, R.LEADER}
HANDLERS = {R.HANDLER, R.DEPARTMENT_HEAD}
# Penalties and appeals come once a case is decided.


_add(
    [
        _t("register", set(), S.REGISTERED, STAFF, gettext_lazy("登记")),
        _t(
            "amend",
            ACTIVE,
            None,
            {R.INTAKE_CLERK} | DECIDERS | HANDLERS,
            gettext_lazy("补充材料"),
        ),
        _t(
            "classify",
            ACTIVE,
            None,
            {R.INTAKE_CLERK, R.DEPARTMENT_HEAD} | DECIDERS,
            gettext_lazy("分类定性"),
        ),
        _t(
            "resolve_on_the_spot",
            {S.REGISTERED},
            S.REPLIED,
            STAFF - {R.LEADER},
            gettext_lazy("当场解决"),
            meets={
                "acknowledgement",
                "acceptance",
                "routing",
                "notification",
                "investigation_start",
                "first_response",
                "verification",
                "mediation",
                "resolution",
                "reply",
            },
        ),
        # Who decides is the policy's (decide_acceptance); a front desk that accepts written
        # complaints itself (律所 行政总台) is the intake clerk.
        _t(
            "accept",
            {S.REGISTERED},
            S.ACCEPTED,
            DECIDERS | {R.INTAKE_CLERK},
            pgettext_lazy("action", "受理"),
            meets={"acknowledgement", "acceptance"},
        ),
        _t(
            "reject",
            {S.REGISTERED},
            S.REJECTED,
            DECIDERS | {R.INTAKE_CLERK},
            pgettext_lazy("action", "不予受理"),
            meets={"acknowledgement", "acceptance", "notification"},
        ),
        _t(
            "refer",
            BEFORE_HANDLING | HANDLING,
            S.REFERRED,
            DECIDERS,
            gettext_lazy("转送"),
            meets={"acknowledgement", "acceptance", "routing", "notification"},
        ),
        _t(
            "assign",
            {S.ACCEPTED, S.IN_PROGRESS},
            S.IN_PROGRESS,
            {R.DISPATCHER, R.SUPERVISOR, R.DEPARTMENT_HEAD},
            pgettext_lazy("action", "分办"),
            meets={"routing"},
        ),
        _t(
            "transfer",
            HANDLING,
            S.TRANSFERRING,
            HANDLERS | {R.DISPATCHER, R.SUPERVISOR},
            pgettext_lazy("action", "转办"),
        ),
        _t(
            "receive",
            {S.TRANSFERRING},
            S.IN_PROGRESS,
            HANDLERS,
            pgettext_lazy("action", "签收"),
            scope="pending_department",
            meets={"investigation_start"},
        ),
        # From a transfer: back to the sending department. From handling: back to dispatch.
        _t(
            "return",
            {S.TRANSFERRING, S.IN_PROGRESS},
            None,
            HANDLERS,
            gettext_lazy("退回"),
            scope="return",
        ),
        # Also on a case not accepted: the refusal notice (告知) is recorded after the decision.
        _t(
            "record",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.REJECTED},
            None,
            STAFF,
            gettext_lazy("记录"),
        ),
        # A scanned original or an evidence file (tousu.evidence), from intake to the follow-up,
        # by staff who may see and work the case. A case that reached a final state takes late
        # evidence only once reopened (later also through the reporter's own route).
        _t(
            "attach",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            STAFF,
            pgettext_lazy("action", "上传附件"),
        ),
        _t(
            "pause",
            BEFORE_HANDLING | HANDLING,
            S.PAUSED,
            HANDLERS | DECIDERS,
            gettext_lazy("中止计时"),
        ),
        _t("resume", {S.PAUSED}, None, HANDLERS | DECIDERS, gettext_lazy("恢复计时")),
        _t(
            "request_extension",
            ACTIVE,
            None,
            HANDLERS | {R.DISPATCHER},
            gettext_lazy("申请延期"),
        ),
        # The approver roles come from the policy (extension.approver_roles).
        _t(
            "approve_extension",
            ACTIVE,
            None,
            {R.SUPERVISOR, R.LEADER, R.DEPARTMENT_HEAD, R.DISPATCHER},
            gettext_lazy("批准延期"),
        ),
        _t("escalate", ACTIVE | {S.RESOLVED}, None, STAFF, gettext_lazy("上报")),
        _t(
            "notify_authority",
            ACTIVE | {S.RESOLVED, S.REPLIED},
            None,
            HANDLERS | DECIDERS,
            pgettext_lazy("action", "报告主管部门"),
        ),
        _t(
            "split",
            BEFORE_HANDLING | HANDLING,
            None,
            {R.INTAKE_CLERK} | DECIDERS,
            gettext_lazy("拆分"),
        ),
        _t(
            "merge",
            BEFORE_HANDLING | HANDLING | {S.PAUSED},
            S.MERGED,
            DECIDERS,
            gettext_lazy("合并"),
        ),
        _t(
            "resolve",
            HANDLING,
            S.RESOLVED,
            HANDLERS,
            pgettext_lazy("action", "办结"),
            meets={
                "investigation_start",
                "first_response",
                "verification",
                "mediation",
                "resolution",
            },
        ),
        _t(
            "reply",
            {S.RESOLVED},
            S.REPLIED,
            HANDLERS | DECIDERS,
            gettext_lazy("答复"),
            meets={"first_response", "reply", "notification"},
        ),
        _t(
            "follow_up",
            {S.REPLIED, S.FOLLOWED_UP},
            S.FOLLOWED_UP,
            STAFF - {R.LEADER},
            pgettext_lazy("action", "回访"),
            meets={"follow_up"},
        ),
        _t(
            "close",
            {S.REPLIED, S.FOLLOWED_UP},
            S.CLOSED,
            {R.DISPATCHER, R.SUPERVISOR, R.DEPARTMENT_HEAD},
            pgettext_lazy("action", "结案"),
        ),
        # Back to handling when a department handled it, otherwise back to a decision.
        _t(
            "reopen",
            {S.REPLIED, S.FOLLOWED_UP, S.CLOSED, S.REJECTED},
            None,
            {R.INTAKE_CLERK} | DECIDERS,
            gettext_lazy("重新核实"),
        ),
        # 回避: declared by the person, or ordered by the policy's approver (recusal rules).
        _t("recuse", ACTIVE | {S.RESOLVED}, None, STAFF, gettext_lazy("回避")),
        _t(
            "request_recusal",
            ACTIVE,
            None,
            {R.INTAKE_CLERK} | DECIDERS | HANDLERS,
            gettext_lazy("当事人申请回避"),
        ),
        _t(
            "decide_recusal",
            ACTIVE,
            None,
            {R.SUPERVISOR, R.LEADER, R.DEPARTMENT_HEAD},
            gettext_lazy("决定回避"),
        ),
        # Opening a masked identity with a reason: a report's waits for a custodian's
        # approval; a complaint's opens at once (break-glass, listed to auditors).
        _t(
            "request_reveal",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            None,
            STAFF,
            gettext_lazy("查看身份（须说明理由）"),
        ),
        _t(
            "approve_reveal",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            None,
            {R.DISPATCHER, R.SUPERVISOR, R.LEADER, R.DEPARTMENT_HEAD},
            gettext_lazy("审批查看身份"),
        ),
        # Petitions: the next level up reviews the handling opinion (复查), then once more (复核).
        _t(
            "request_review",
            {S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            S.IN_PROGRESS,
            {R.INTAKE_CLERK} | DECIDERS,
            gettext_lazy("申请复查（复核）"),
        ),
        _t("withdraw", set(OPEN_STATUSES), S.WITHDRAWN, STAFF - {R.LEADER}, gettext_lazy("撤回")),
        # Mark words to hide in restricted views and exports (names, places that identify).
        _t("redact", set(S), None, HANDLERS | DECIDERS, gettext_lazy("标注遮蔽")),
        # 诉讼保全: a legal hold keeps a case's personal data past its retention.
        _t("hold", set(S), None, {R.SUPERVISOR, R.LEADER}, gettext_lazy("法律保全")),
        _t(
            "release_hold",
            set(S),
            None,
            {R.SUPERVISOR, R.LEADER},
            gettext_lazy("解除保全"),
        ),
        # The job worker's actions: a deadline passed, a deadline is near.
        _t(
            "mark_overdue",
            OPEN_STATUSES,
            None,
            set(),
            pgettext_lazy("action", "逾期督办"),
            system=True,
        ),
        _t("remind", OPEN_STATUSES, None, set(), gettext_lazy("到期提醒"), system=True),
        _t(
            "restart_clocks",
            OPEN_STATUSES,
            None,
            set(),
            gettext_lazy("重新计时"),
            system=True,
        ),
        _t(
            "shred",
            set(S) - OPEN_STATUSES,
            None,
            set(),
            gettext_lazy("销毁个人信息"),
            system=True,
        ),
        _t(
            "recompute_deadlines",
            OPEN_STATUSES,
            None,
            set(),
            gettext_lazy("重算期限"),
            system=True,
        ),
    ]
)

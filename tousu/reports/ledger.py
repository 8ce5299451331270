"""The ledger (台帐): the numbered register of every case, as the regulations keep it.

One tuple, :data:`COLUMNS`, says what the ledger holds and in which order (the order of
the registration forms and ledgers in the seed regulations: who, when, how, about whom,
what, then how it was decided, handled, answered and followed up). The page and the
.xlsx export both read it.

Every query starts from :func:`tousu.cases.access.visible_cases`: the ledger never lists
a case its viewer may not open. Rows are built for a batch of cases at a time with a
fixed number of queries, whatever the batch size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import Case as CaseWhen
from django.db.models import (
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import OrderBy
from django.utils import timezone

from tousu.cases.access import (
    TELLING_STATUSES,
    Actor,
    IdentityFacts,
    sees_identity,
    visible_cases,
)
from tousu.cases.models import (
    Assignment,
    Case,
    CaseRecord,
    Deadline,
    Event,
    IdentityReveal,
    Kind,
    Party,
    Recusal,
    Status,
    Subject,
)
from tousu.cases.redaction import REDACTED
from tousu.orgs.models import Department
from tousu.orgs.roles import DEPARTMENT_ROLES, ORG_WIDE_ROLES, Role
from tousu.policy.models import policy_for
from tousu.policy.schema import CHANNELS, Policy
from tousu.privacy.models import IdentityAccess
from tousu.reports.extras import lines_for
from tousu.web import labels
from tousu.web.i18n import english, t


class Column(NamedTuple):
    code: str
    zh: str
    en: str
    width: int  # in the .xlsx, in characters

    @property
    def label(self) -> str:
        return t(self.zh, self.en)


COLUMNS: tuple[Column, ...] = (
    Column("number", "编号", "Number", 18),
    Column("received", "收到时间", "Received", 17),
    Column("channel", "渠道", "Channel", 9),
    Column("kind", "类型", "Kind", 7),
    Column("complainant", "投诉人", "Complainant", 12),
    Column("subject", "被投诉对象", "Subject", 18),
    Column("summary", "内容摘要", "Summary", 48),
    Column("category", "类别", "Category", 14),
    Column("decision", "受理情况", "Acceptance", 26),
    Column("department", "承办部门", "Lead department", 16),
    Column("handler", "承办人", "Handler", 10),
    Column("deadline", "办理时限", "Deadline", 17),
    Column("resolved", "办结时间", "Resolved", 17),
    Column("replied", "答复时间与方式", "Replied (how)", 24),
    Column("outcome", "处理结果", "Outcome", 20),
    Column("satisfaction", "回访与满意度", "Follow-up and satisfaction", 24),
    Column("overdue", "是否超期", "Overdue", 9),
    Column("status", "状态", "Status", 12),
)
COLUMN_CODES = tuple(c.code for c in COLUMNS)
# After the regulation's columns: what other apps add (penalties, remedies, rewards, special
# procedures, quality sub-tasks), one line each (tousu.reports.extras).
MEASURES = Column("measures", "处理措施与问责", "Measures and accountability", 44)
EXPORT_COLUMNS: tuple[Column, ...] = (*COLUMNS, MEASURES)

PAGE_SIZE = 50
SUMMARY_LENGTH = 60
PROTECTED = ("（已保护）", "(protected)")
ANONYMOUS = ("匿名", "anonymous")

# Sorting: whitelisted keys only (the page's column headers offer exactly these).
SORTS: dict[str, tuple[str, str]] = {
    "number": ("编号", "Number"),
    "received": ("收到时间", "Received"),
    "status": ("状态", "Status"),
    "department": ("承办部门", "Lead department"),
    "deadline": ("办理时限", "Deadline"),
}
DEFAULT_SORT = ("received", True)

SATISFACTIONS = ("satisfied", "basically_satisfied", "dissatisfied", "none")
VALIDITY: dict[str, tuple[str, str]] = {
    "valid": ("属实", "Founded"),
    "invalid": ("不属实", "Unfounded"),
}

# The deadline the ledger shows as 办理时限: the case's governing hard limit, the later
# stages first (a review's limit over the reply's, the reply's over the acceptance's).
DEADLINE_STAGES = (
    "second_review",
    "review",
    "reply",
    "resolution",
    "mediation",
    "first_response",
    "verification",
    "investigation_start",
    "notification",
    "routing",
    "acceptance",
    "acknowledgement",
)


# -- filters ----------------------------------------------------------------------------


class FilterErrors(Exception):
    """One or more filter values could not be read: {field: (zh, en)}."""

    def __init__(self, errors: dict[str, tuple[str, str]]) -> None:
        super().__init__("; ".join(en for _zh, en in errors.values()))
        self.errors = errors

    def messages(self) -> dict[str, str]:
        return {name: t(zh, en) for name, (zh, en) in self.errors.items()}


@dataclass(frozen=True)
class Filters:
    received_from: date | None = None
    received_to: date | None = None
    statuses: tuple[str, ...] = ()
    category: str = ""
    department: str = ""
    channel: str = ""
    kind: str = ""
    overdue: bool | None = None
    satisfaction: str = ""
    sort: str = DEFAULT_SORT[0]
    descending: bool = DEFAULT_SORT[1]

    def as_params(self) -> dict[str, Any]:
        """The filters as plain values (for the audit record and the export's notes)."""
        params: dict[str, Any] = {
            "received_from": self.received_from.isoformat() if self.received_from else "",
            "received_to": self.received_to.isoformat() if self.received_to else "",
            "status": list(self.statuses),
            "category": self.category,
            "department": self.department,
            "channel": self.channel,
            "kind": self.kind,
            "overdue": "" if self.overdue is None else ("yes" if self.overdue else "no"),
            "satisfaction": self.satisfaction,
            "sort": self.sort,
            "dir": "desc" if self.descending else "asc",
        }
        return {k: v for k, v in params.items() if v not in ("", [])}


def _date(raw: str, name: str, errors: dict[str, tuple[str, str]]) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or not 1990 <= value.year <= 2199:
        shown = raw[:40]
        errors[name] = (
            f"日期无效：“{shown}”，请按 YYYY-MM-DD 填写（1990–2199 年）",
            f"Not a valid date: '{shown}'; use YYYY-MM-DD (years 1990–2199)",
        )
        return None
    return value


def parse_filters(
    params: Mapping[str, Any], policy: Policy, department_codes: Iterable[str]
) -> Filters:
    """Read and check the ledger's GET parameters; :class:`FilterErrors` names each bad one.

    ``params`` is a QueryDict (``getlist`` is used for the statuses when present).
    """
    errors: dict[str, tuple[str, str]] = {}

    def one(name: str) -> str:
        return str(params.get(name) or "").strip()

    received_from = _date(one("received_from"), "received_from", errors)
    received_to = _date(one("received_to"), "received_to", errors)
    if received_from and received_to and received_from > received_to:
        errors["received_to"] = (
            "截止日期早于起始日期",
            "The end date is before the start date",
        )

    getlist = getattr(params, "getlist", None)
    raw_statuses = getlist("status") if getlist else [params.get("status") or ""]
    statuses: list[str] = []
    for raw in raw_statuses:
        statuses += [s.strip() for s in str(raw).split(",") if s.strip()]
    unknown = sorted(set(statuses) - set(Status.values))
    if unknown:
        shown = "、".join(s[:30] for s in unknown[:5])
        errors["status"] = (f"未知状态：{shown}", f"Unknown status: {shown.replace('、', ', ')}")

    def choice(name: str, allowed: Iterable[str], zh: str, en: str) -> str:
        value = one(name)
        if value and value not in set(allowed):
            shown = value[:40]
            errors[name] = (f"未知{zh}：{shown}", f"Unknown {en}: {shown}")
            return ""
        return value

    category = choice("category", (c.code for c in policy.categories), "类别", "category")
    department = choice("department", department_codes, "部门", "department")
    channel = choice("channel", (*CHANNELS, "on_the_spot"), "渠道", "channel")
    kind = choice("kind", Kind.values, "类型", "kind")
    satisfaction = choice("satisfaction", SATISFACTIONS, "满意度", "satisfaction")

    overdue_raw = one("overdue").lower()
    overdue: bool | None = None
    if overdue_raw in ("yes", "true", "1"):
        overdue = True
    elif overdue_raw in ("no", "false", "0"):
        overdue = False
    elif overdue_raw:
        errors["overdue"] = (
            "“是否超期”只能为 yes（超期）或 no（未超期）",
            "'Overdue' must be yes or no",
        )

    sort = one("sort") or DEFAULT_SORT[0]
    if sort not in SORTS:
        errors["sort"] = (
            f"不能按“{sort[:30]}”排序",
            f"Cannot sort by '{sort[:30]}'",
        )
        sort = DEFAULT_SORT[0]
    direction = one("dir").lower()
    if direction not in ("", "asc", "desc"):
        errors["dir"] = ("排序方向只能为 asc 或 desc", "Sort direction must be asc or desc")
    descending = (direction or ("desc" if sort == "received" else "asc")) == "desc"

    if errors:
        raise FilterErrors(errors)
    return Filters(
        received_from=received_from,
        received_to=received_to,
        statuses=tuple(dict.fromkeys(statuses)),
        category=category,
        department=department,
        channel=channel,
        kind=kind,
        overdue=overdue,
        satisfaction=satisfaction,
        sort=sort,
        descending=descending,
    )


# -- queries ----------------------------------------------------------------------------


def late_deadlines(now: datetime) -> QuerySet[Deadline]:
    """Hard deadlines that were missed: marked overdue by the sweep, met after they were
    due, or still running past them."""
    late = (
        Q(overdue_at__isnull=False)
        | Q(state=Deadline.State.MET, met_at__gt=F("due_at"))
        | Q(state=Deadline.State.OPEN, due_at__lt=now)
    )
    return Deadline.objects.filter(late, hard=True)


def overdue_condition(now: datetime) -> Exists:
    """Whether any hard deadline of the case was missed (for one page of rows)."""
    return Exists(late_deadlines(now).filter(case_id=OuterRef("pk")))


def deadline_due() -> Subquery:
    """The due time of the case's governing hard deadline (see :data:`DEADLINE_STAGES`)."""
    rank = CaseWhen(
        *[When(stage=stage, then=Value(i)) for i, stage in enumerate(DEADLINE_STAGES)],
        output_field=IntegerField(),
    )
    due = (
        Deadline.objects.filter(case_id=OuterRef("pk"), hard=True, stage__in=DEADLINE_STAGES)
        .exclude(state=Deadline.State.CANCELLED)
        .annotate(rank=rank)
        .order_by("rank", "-started_at", "-pk")
        .values("due_at")[:1]
    )
    return Subquery(due, output_field=DateTimeField())


def day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def filtered(actor: Actor, filters: Filters, now: datetime) -> QuerySet[Case]:
    """The cases the viewer may see that match the filters (unordered)."""
    tz = ZoneInfo(actor.org.time_zone)
    qs = visible_cases(actor)
    if filters.received_from:
        qs = qs.filter(received_at__gte=day_start(filters.received_from, tz))
    if filters.received_to:
        qs = qs.filter(received_at__lt=day_start(filters.received_to + timedelta(days=1), tz))
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.department:
        qs = qs.filter(lead_department__code=filters.department)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.satisfaction:
        qs = qs.filter(satisfaction="" if filters.satisfaction == "none" else filters.satisfaction)
    if filters.overdue is not None:
        # The late cases found once (uncorrelated IN), not probed case by case.
        late = Q(pk__in=late_deadlines(now).values("case_id"))
        qs = qs.filter(late) if filters.overdue else qs.exclude(late)
    return qs


def ordered(qs: QuerySet[Case], filters: Filters) -> QuerySet[Case]:
    desc = filters.descending
    keys: list[OrderBy] = []
    if filters.sort == "number":
        keys.append(F("number").desc() if desc else F("number").asc())
    elif filters.sort == "received":
        keys.append(F("received_at").desc() if desc else F("received_at").asc())
    elif filters.sort == "status":
        position = CaseWhen(
            *[When(status=s, then=Value(i)) for i, s in enumerate(Status.values)],
            default=Value(len(Status.values)),
            output_field=IntegerField(),
        )
        qs = qs.annotate(ledger_status_order=position)
        f = F("ledger_status_order")
        keys.append(f.desc() if desc else f.asc())
    elif filters.sort == "department":
        # By code: the same order on every database and in either language.
        f = F("lead_department__code")
        keys.append(f.desc(nulls_last=True) if desc else f.asc(nulls_last=True))
    elif filters.sort == "deadline":
        qs = qs.annotate(ledger_due=deadline_due())
        f = F("ledger_due")
        keys.append(f.desc(nulls_last=True) if desc else f.asc(nulls_last=True))
    keys.append(F("pk").desc() if desc else F("pk").asc())
    return qs.order_by(*keys)


def ledger_ids(actor: Actor, filters: Filters, now: datetime) -> QuerySet[Case, int]:
    """The matching cases' ids, in the requested order (paginate or iterate this)."""
    return ordered(filtered(actor, filters, now), filters).values_list("pk", flat=True)


# -- identity ---------------------------------------------------------------------------


def identity_visibility(actor: Actor, cases: Sequence[Case]) -> dict[int, bool]:
    """:func:`tousu.cases.access.identity_visible` for many cases at once (at most seven
    queries): whether this viewer may see who brought each case."""
    result = {c.pk: False for c in cases}
    roles = actor.roles - {Role.AUDITOR, Role.ADMINISTRATOR}
    if not roles or not cases:
        return result
    org_wide = bool(roles & ORG_WIDE_ROLES)
    by_department = bool(roles & DEPARTMENT_ROLES)
    depts = actor.department_ids
    ids = [c.pk for c in cases]
    assigned: set[int] = set()
    if by_department and depts and not org_wide:
        assigned = set(
            Assignment.objects.filter(
                case_id__in=ids, department_id__in=depts, active=True
            ).values_list("case_id", flat=True)
        )
    reached: set[int] = set()
    for c in cases:
        if c.org_id != actor.org.pk:
            continue
        if (
            org_wide
            or actor.user_id in (c.first_contact_owner_id, c.registered_by_id)
            or (
                by_department
                and ({c.lead_department_id, c.pending_department_id} & depts or c.pk in assigned)
            )
        ):
            reached.add(c.pk)
    if not reached:
        return result
    own_departments = [m.department_id for m in actor.memberships if m.department_id is not None]
    excluded = set(
        Recusal.objects.filter(
            case_id__in=reached, user_id=actor.user_id, state=Recusal.State.ACTIVE
        ).values_list("case_id", flat=True)
    ) | set(
        Subject.objects.filter(case_id__in=reached, superseded_at__isnull=True)
        .filter(Q(staff_id=actor.user_id) | Q(excluded_department_id__in=own_departments))
        .values_list("case_id", flat=True)
    )
    candidates = [c.pk for c in cases if c.pk in reached - excluded]
    opened = set(
        IdentityReveal.objects.filter(
            case_id__in=candidates,
            requested_by_id=actor.user_id,
            state=IdentityReveal.State.APPROVED,
        ).values_list("case_id", flat=True)
    )
    handled = set(
        Assignment.objects.filter(
            case_id__in=candidates, handler_id=actor.user_id, active=True
        ).values_list("case_id", flat=True)
    )
    notice_open = set(
        Deadline.objects.filter(
            case_id__in=candidates, case__status__in=TELLING_STATUSES, stage="notification",
            state=Deadline.State.OPEN,
        ).values_list("case_id", flat=True)
    )  # fmt: skip
    for c in cases:
        if c.pk in reached and c.pk not in excluded:
            facts = IdentityFacts(
                opened=c.pk in opened, assigned=c.pk in handled, notice_open=c.pk in notice_open
            )
            result[c.pk] = sees_identity(actor, c, policy_for(c.policy_version_id)[1], facts)
    return result


def _masker(values: Iterable[str]) -> Callable[[str], str]:
    """Hide these values in a text, longer first (as tousu.cases.safeguards.redactor)."""
    ordered_values = sorted({v for v in values if v}, key=len, reverse=True)

    def hide(text: str) -> str:
        for value in ordered_values:
            text = text.replace(value, REDACTED)
        return text

    return hide


# -- rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """A moment with words after it: "2026-01-05 10:00 电话"."""

    at: datetime
    note: str = ""


Cell = str | datetime | Stamp | None


@dataclass
class Row:
    case_id: int
    number: str
    overdue: bool
    # Whether a complainant's or reporter's name is shown in this row.
    identity_shown: bool
    values: dict[str, Cell] = field(default_factory=dict)
    # Lines other apps add (tousu.reports.extras), filled by with_extras.
    extras: list[str] = field(default_factory=list)

    def cells(self) -> list[Cell]:
        return [self.values.get(code) for code in COLUMN_CODES]


def with_extras(actor: Actor, rows: list[Row]) -> list[Row]:
    """Fill each row's extra lines with one call for all of them (a page, an export batch)."""
    found = lines_for([r.case_id for r in rows], actor)
    for row in rows:
        row.extras = found.get(row.case_id, [])
    return rows


def display(value: Cell, tz: ZoneInfo) -> str:
    """A cell as the page shows it (times in the organisation's zone)."""
    if value is None:
        return ""
    if isinstance(value, Stamp):
        when = timezone.localtime(value.at, tz).strftime("%Y-%m-%d %H:%M")
        return f"{when} {value.note}".strip()
    if isinstance(value, datetime):
        return timezone.localtime(value, tz).strftime("%Y-%m-%d %H:%M")
    return value


@dataclass
class _History:
    """What the case's events say the ledger needs (the current round of handling)."""

    decision: tuple[str, datetime, str, dict[str, Any]] | None = None
    resolved: datetime | None = None
    replied: Stamp | None = None
    reply_channel: str = ""
    followed: tuple[datetime, bool] | None = None


DECISION_EVENTS = ("accepted", "rejected", "referred", "resolved_on_the_spot")
HISTORY_EVENTS = (*DECISION_EVENTS, "resolved", "replied", "followed_up", "reopened")


def _histories(ids: Sequence[int]) -> dict[int, _History]:
    histories: dict[int, _History] = defaultdict(_History)
    events = (
        Event.objects.filter(case_id__in=ids, type__in=HISTORY_EVENTS)
        .order_by("case_id", "seq")
        .values_list("case_id", "type", "at", "reason_code", "data")
    )
    for case_id, type_, at, reason_code, data in events:
        h = histories[case_id]
        if type_ == "reopened":  # re-verification: the earlier answer no longer stands
            h.resolved = h.replied = h.followed = None
            h.reply_channel = ""
            continue
        if type_ in DECISION_EVENTS:
            h.decision = (type_, at, reason_code, data or {})
        if type_ in ("resolved", "resolved_on_the_spot"):
            h.resolved = at
        if type_ == "resolved_on_the_spot":
            h.replied = Stamp(at)
            h.reply_channel = str((data or {}).get("reply_channel") or "on_the_spot")
        elif type_ == "replied":
            delivered = _moment((data or {}).get("delivered_at")) or at
            h.replied = Stamp(delivered)
            h.reply_channel = str((data or {}).get("channel") or "")
        elif type_ == "followed_up":
            h.followed = (at, bool((data or {}).get("reached")))
    return histories


def _moment(raw: Any) -> datetime | None:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


class _Words:
    """The words of one batch of rows: the language is read once and each label is worked
    out once per code (a ledger export asks for the same few labels a million times)."""

    def __init__(self) -> None:
        self.english = english()
        self._labels: dict[tuple[Callable[[str], str], str], str] = {}

    def t(self, zh: str, en: str) -> str:
        return en if self.english else zh

    def label(self, fn: Callable[[str], str], code: str) -> str:
        key = (fn, code)
        found = self._labels.get(key)
        if found is None:
            found = self._labels[key] = fn(code)
        return found


def _category(w: _Words, policy: Policy, code: str) -> str:
    found = policy.category(code) if code else None
    return w.t(found.name_zh, found.name_en or found.name_zh) if found else code


def _decision(w: _Words, h: _History, case: Case, policy: Policy, tz: ZoneInfo) -> str:
    if h.decision is None:
        return w.t("待决定", "Pending") if case.status == Status.REGISTERED else ""
    type_, at, reason_code, data = h.decision
    day = timezone.localtime(at, tz).strftime("%Y-%m-%d")
    if type_ == "accepted":
        return f"{w.t('受理', 'Accepted')} {day}"
    if type_ == "resolved_on_the_spot":
        return f"{w.t('当场办结', 'Resolved on the spot')} {day}"
    if type_ == "rejected":
        reason = policy.reason(reason_code)
        words = w.t(reason.zh, reason.en) if reason else reason_code
        return f"{w.t('不予受理：', 'Not accepted: ')}{words}"
    where = str(data.get("authority") or data.get("target_org") or "")
    return f"{w.t('转送：', 'Referred: ')}{where}".rstrip("：: ")


def _outcome(w: _Words, case: Case) -> str:
    parts = []
    if case.responsibility:
        parts.append(w.label(labels.choice, case.responsibility))
    if case.validity in VALIDITY:
        parts.append(w.t(*VALIDITY[case.validity]))
    return w.t("；", "; ").join(parts)


def _satisfaction(w: _Words, h: _History, case: Case) -> Cell:
    words = w.label(labels.choice, case.satisfaction) if case.satisfaction else ""
    if h.followed is not None:
        at, reached = h.followed
        if not reached and not words:
            words = w.t("未联系上", "Not reached")
        return Stamp(at, words)
    return words or None


def _person(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


# What a row reads (loading less is most of a large export's time).
CASE_FIELDS = (
    "org_id", "number", "policy_version_id", "kind", "channel", "category", "status",
    "received_at", "registered_by_id", "first_contact_owner_id", "lead_department_id",
    "pending_department_id", "handler_id", "content", "sealed_key", "validity",
    "responsibility", "satisfaction", "reply_channel",
    "lead_department__name", "lead_department__name_en",
    "handler__username", "handler__first_name", "handler__last_name",
)  # fmt: skip
# A complainant's own details, hidden from the summary for those who may not see them.
IDENTITY_FIELDS = ("name", "phone", "email", "address", "employer", "id_number")


def build_rows(actor: Actor, ids: Sequence[int], now: datetime) -> list[Row]:
    """The ledger rows of these cases, in the order of ``ids``, in a fixed number of
    queries (cases, identity checks, parties, redactions, subjects, events)."""
    if not ids:
        return []
    tz = ZoneInfo(actor.org.time_zone)
    w = _Words()
    cases = {
        c.pk: c
        for c in Case.objects.filter(pk__in=ids)
        .select_related("lead_department", "handler")
        .only(*CASE_FIELDS)
        .annotate(ledger_due=deadline_due(), ledger_overdue=overdue_condition(now))
    }
    ordered_cases = [cases[i] for i in ids if i in cases]
    visible = identity_visibility(actor, ordered_cases)

    parties: dict[int, list[Party]] = defaultdict(list)
    for p in (
        Party.objects.filter(case_id__in=list(cases))
        .exclude(role=Party.Role.AGENT)
        .only("case_id", "anonymous", "superseded_at", *IDENTITY_FIELDS)
    ):
        p.case = cases[p.case_id]  # the case's key opens the party's sealed fields
        parties[p.case_id].append(p)
    hidden = [i for i in cases if not visible.get(i)]
    phrases: dict[int, list[str]] = defaultdict(list)
    for record in CaseRecord.objects.filter(case_id__in=hidden, kind="redaction"):
        record.case = cases[record.case_id]
        phrases[record.case_id] += [str(p) for p in record.data.get("phrases", [])]
    subjects: dict[int, list[str]] = defaultdict(list)
    for case_id, type_, name in (
        Subject.objects.filter(case_id__in=list(cases), superseded_at__isnull=True)
        .order_by("pk")
        .values_list("case_id", "type", "name")
    ):
        subjects[case_id].append(name or w.label(labels.choice, type_))
    histories = _histories(list(cases))
    policies = {v: policy_for(v)[1] for v in {c.policy_version_id for c in ordered_cases}}

    rows = []
    for case in ordered_cases:
        shown = bool(visible.get(case.pk))
        current = [p for p in parties[case.pk] if p.superseded_at is None]
        named = [p for p in current if not p.anonymous and p.name]
        if not current or not named:
            complainant = w.t(*ANONYMOUS) if current else ""
        elif shown:
            complainant = "、".join(p.name for p in named)
        else:
            complainant = w.t(*PROTECTED)
        text = case.content
        if not shown:
            own = [
                value
                for p in parties[case.pk]
                for value in (getattr(p, f) for f in IDENTITY_FIELDS)
                if len(value) >= 2
            ]
            text = _masker([*own, *phrases[case.pk]])(text)
        text = " ".join(text.split())
        summary = text[:SUMMARY_LENGTH] + ("…" if len(text) > SUMMARY_LENGTH else "")
        h = histories[case.pk]
        policy = policies[case.policy_version_id]
        replied = (
            Stamp(h.replied.at, w.label(labels.channel, h.reply_channel or case.reply_channel))
            if h.replied
            else None
        )
        dept = case.lead_department
        overdue = bool(getattr(case, "ledger_overdue", False))
        rows.append(
            Row(
                case_id=case.pk,
                number=str(case.number),
                overdue=overdue,
                identity_shown=shown and bool(named),
                values={
                    "number": str(case.number),
                    "received": case.received_at,
                    "channel": w.label(labels.channel, case.channel),
                    "kind": w.label(labels.kind, case.kind),
                    "complainant": complainant,
                    "subject": "、".join(subjects[case.pk]),
                    "summary": summary,
                    "category": _category(w, policy, case.category),
                    "decision": _decision(w, h, case, policy, tz),
                    "department": w.t(dept.name, dept.name_en or dept.name) if dept else "",
                    "handler": _person(case.handler),
                    "deadline": getattr(case, "ledger_due", None),
                    "resolved": h.resolved,
                    "replied": replied,
                    "outcome": _outcome(w, case),
                    "satisfaction": _satisfaction(w, h, case),
                    "overdue": w.t("是", "Yes") if overdue else w.t("否", "No"),
                    "status": w.label(labels.status, case.status),
                },
            )
        )
    return rows


def log_identity(actor: Actor, rows: Iterable[Row], surface: str) -> int:
    """Record every row whose complainant was named to this viewer (one batch insert)."""
    accesses = [
        IdentityAccess(case_id=r.case_id, user_id=actor.user_id, surface=surface)
        for r in rows
        if r.identity_shown
    ]
    IdentityAccess.objects.bulk_create(accesses, batch_size=1000)
    return len(accesses)


def departments(actor: Actor) -> list[Department]:
    return list(Department.objects.filter(org_id=actor.org.pk).order_by("code"))

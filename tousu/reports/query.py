"""The ledger's filters and queries.

The page's GET parameters are read and checked here (:func:`parse_filters` names each bad
one), and every query starts from :func:`tousu.cases.access.visible_cases`: the ledger never
lists a case its viewer may not open. The page, the export and the dossier page through
:func:`ledger_ids`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
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
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from tousu.cases.access import Actor, visible_cases
from tousu.cases.deadlines import GOVERNING_STAGES
from tousu.cases.models import Case, Deadline, Kind, Status
from tousu.i18n import ENGLISH, Text, render_in
from tousu.orgs.models import Department
from tousu.policy.schema import CHANNELS, Policy
from tousu.web.bulk import MAX_CASES, NUMBER
from tousu.web.keyset import Key

# Sorting: whitelisted keys only (the page's column headers offer exactly these).
SORTS: dict[str, Text] = {
    "number": gettext_lazy("编号"),
    "received": gettext_lazy("收到时间"),
    "status": gettext_lazy("状态"),
    "department": gettext_lazy("承办部门"),
    "deadline": pgettext_lazy("sorts", "办理时限"),
}
DEFAULT_SORT = ("received", True)

SATISFACTIONS = ("satisfied", "basically_satisfied", "dissatisfied", "none")

# A selection of cases by number (see Filters.numbers): at most this many, each a case number.
MAX_NUMBERS = MAX_CASES

# The deadline the ledger shows as 办理时限 (kept on the case: Case.governing_due_at).
DEADLINE_STAGES = GOVERNING_STAGES


# -- filters ----------------------------------------------------------------------------


class FilterErrors(Exception):
    """One or more filter values could not be read: {field: (zh, en)}."""

    def __init__(self, errors: dict[str, Text]) -> None:
        super().__init__("; ".join(render_in(ENGLISH, e) for e in errors.values()))
        self.errors = errors

    def messages(self) -> dict[str, str]:
        return {name: str(message) for name, message in self.errors.items()}

    def text(self) -> Text:
        """All the messages as one (lazy: in the language it is read in)."""
        return _joined(tuple(self.errors.values()))


def _join(messages: tuple[Text, ...]) -> str:
    return gettext("；").join(str(m) for m in messages)


_joined = lazy(_join, str)


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
    # Chosen cases (a selection exported from a queue or the ledger): only these numbers.
    numbers: tuple[str, ...] = ()

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
            "number": list(self.numbers),
        }
        return {k: v for k, v in params.items() if v not in ("", [])}


def _date(raw: str, name: str, errors: dict[str, Text]) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or not 1990 <= value.year <= 2199:
        shown = raw[:40]
        errors[name] = format_lazy(
            gettext_lazy("日期无效：“{shown}”，请按 YYYY-MM-DD 填写（1990–2199 年）"),
            shown=shown,
        )
        return None
    return value


def parse_filters(
    params: Mapping[str, Any], policy: Policy, department_codes: Iterable[str]
) -> Filters:
    """Read and check the ledger's GET parameters; :class:`FilterErrors` names each bad one.

    ``params`` is a QueryDict (``getlist`` is used for the statuses when present).
    """
    errors: dict[str, Text] = {}

    def one(name: str) -> str:
        return str(params.get(name) or "").strip()

    received_from = _date(one("received_from"), "received_from", errors)
    received_to = _date(one("received_to"), "received_to", errors)
    if received_from and received_to and received_from > received_to:
        errors["received_to"] = pgettext_lazy("query", "截止日期早于起始日期")

    getlist = getattr(params, "getlist", None)
    raw_statuses = getlist("status") if getlist else [params.get("status") or ""]
    statuses: list[str] = []
    for raw in raw_statuses:
        statuses += [s.strip() for s in str(raw).split(",") if s.strip()]
    unknown = sorted(set(statuses) - set(Status.values))
    if unknown:
        shown = "、".join(s[:30] for s in unknown[:5])
        errors["status"] = format_lazy(gettext_lazy("未知状态：{shown}"), shown=shown)

    def choice(name: str, allowed: Iterable[str], what: Text) -> str:
        value = one(name)
        if value and value not in set(allowed):
            errors[name] = format_lazy(
                gettext_lazy("未知{what}：{shown}"), what=what, shown=value[:40]
            )
            return ""
        return value

    category = choice(
        "category", (c.code for c in policy.categories), pgettext_lazy("filter", "类别")
    )
    department = choice("department", department_codes, pgettext_lazy("filter", "部门"))
    channel = choice("channel", (*CHANNELS, "on_the_spot"), pgettext_lazy("filter", "渠道"))
    kind = choice("kind", Kind.values, pgettext_lazy("filter", "类型"))
    satisfaction = choice("satisfaction", SATISFACTIONS, pgettext_lazy("filter", "满意度"))

    overdue_raw = one("overdue").lower()
    overdue: bool | None = None
    if overdue_raw in ("yes", "true", "1"):
        overdue = True
    elif overdue_raw in ("no", "false", "0"):
        overdue = False
    elif overdue_raw:
        errors["overdue"] = gettext_lazy("“是否超期”只能为 yes（超期）或 no（未超期）")

    raw_numbers = getlist("number") if getlist else [params.get("number") or ""]
    numbers = list(dict.fromkeys(str(n).strip() for n in raw_numbers if str(n).strip()))
    if len(numbers) > MAX_NUMBERS:
        errors["number"] = format_lazy(gettext_lazy("一次最多选择 {max} 件案件"), max=MAX_NUMBERS)
    elif any(not NUMBER.match(n) for n in numbers):
        shown = next(n for n in numbers if not NUMBER.match(n))[:40]
        errors["number"] = format_lazy(gettext_lazy("不是案件编号：{shown}"), shown=shown)

    sort = one("sort") or DEFAULT_SORT[0]
    if sort not in SORTS:
        errors["sort"] = format_lazy(gettext_lazy("不能按“{sort}”排序"), sort=sort[:30])
        sort = DEFAULT_SORT[0]
    direction = one("dir").lower()
    if direction not in ("", "asc", "desc"):
        errors["dir"] = gettext_lazy("排序方向只能为 asc 或 desc")
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
        numbers=tuple(numbers),
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
    if filters.numbers:
        qs = qs.filter(number__in=filters.numbers)
    if filters.overdue is not None:
        late = overdue_now(now)
        qs = qs.filter(late) if filters.overdue else qs.exclude(late)
    return qs


def overdue_now(now: datetime) -> Q:
    """Cases that missed a hard deadline, from the clock summary on the case row (the same
    cases as :func:`late_deadlines`: a missed limit is recorded; a running one is past)."""
    return Q(missed_deadline=True) | Q(next_hard_due_at__lt=now)


def sort_key(filters: Filters) -> Key:
    """The ledger's sort as a page key (then the case id, in the same direction)."""
    desc = filters.descending
    if filters.sort == "number":
        return Key("number", desc)
    if filters.sort == "status":
        return Key("ledger_status_order", desc)
    if filters.sort == "department":
        # By code: the same order on every database and in either language.
        return Key("lead_department__code", desc, nullable=True)
    if filters.sort == "deadline":
        return Key("governing_due_at", desc, nullable=True, datetime=True)
    return Key("received_at", desc, datetime=True)


def sortable(qs: QuerySet[Case], filters: Filters) -> QuerySet[Case]:
    """``qs`` with what its sort key reads (the status's place in the lifecycle)."""
    if filters.sort == "status":
        position = CaseWhen(
            *[When(status=s, then=Value(i)) for i, s in enumerate(Status.values)],
            default=Value(len(Status.values)),
            output_field=IntegerField(),
        )
        return qs.annotate(ledger_status_order=position)
    return qs


def ordered(qs: QuerySet[Case], filters: Filters) -> QuerySet[Case]:
    return sortable(qs, filters).order_by(*sort_key(filters).order())


def ledger_ids(actor: Actor, filters: Filters, now: datetime) -> QuerySet[Case, int]:
    """The matching cases' ids, in the requested order (paginate or iterate this)."""
    return ordered(filtered(actor, filters, now), filters).values_list("pk", flat=True)


def departments(actor: Actor) -> list[Department]:
    return list(Department.objects.filter(org_id=actor.org.pk).order_by("code"))

"""The ledger (台帐): the numbered register of every case, as the regulations keep it.

One tuple, :data:`COLUMNS`, says what the ledger holds and in which order (the order of
the registration forms and ledgers in the regulations, ``tousu/policy/sources``: who,
when, how, about whom, what, then how it was decided, handled, answered and followed
up). The page and the .xlsx export both read it.

Every query starts from :func:`tousu.cases.access.visible_cases` (:mod:`tousu.reports.query`:
the filters and the order): the ledger never lists a case its viewer may not open. Rows are
built here for a batch of cases at a time with a fixed number of queries, whatever the batch
size; whose identity a row may name is worked out for the batch (:mod:`tousu.reports.identity`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from tousu.cases.access import Actor, identity_visibility
from tousu.cases.models import Case, CaseRecord, Event, Party, Status, Subject
from tousu.cases.redaction import masker
from tousu.i18n import Named, Text, english
from tousu.orgs.people import display_name
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy
from tousu.privacy.models import IdentityAccess
from tousu.reports.extras import lines_for
from tousu.web import labels


@dataclass(frozen=True)
class Column(Named):
    code: str
    name: Text
    width: int  # in the .xlsx, in characters


COLUMNS: tuple[Column, ...] = (
    Column("number", gettext_lazy("编号"), 18),
    Column("received", gettext_lazy("收到时间"), 17),
    Column("channel", gettext_lazy("渠道"), 9),
    Column("kind", gettext_lazy("类型"), 7),
    Column("complainant", gettext_lazy("投诉人"), 12),
    Column("subject", pgettext_lazy("column", "被投诉对象"), 18),
    Column("summary", gettext_lazy("内容摘要"), 48),
    Column("category", gettext_lazy("类别"), 14),
    Column("decision", gettext_lazy("受理情况"), 26),
    Column("department", gettext_lazy("承办部门"), 16),
    Column("handler", gettext_lazy("承办人"), 10),
    Column("deadline", pgettext_lazy("column", "办理时限"), 17),
    Column("resolved", gettext_lazy("办结时间"), 17),
    Column("replied", gettext_lazy("答复时间与方式"), 24),
    Column("outcome", gettext_lazy("处理结果"), 20),
    Column("satisfaction", gettext_lazy("回访与满意度"), 24),
    Column("overdue", gettext_lazy("是否超期"), 9),
    Column("status", gettext_lazy("状态"), 12),
)
COLUMN_CODES = tuple(c.code for c in COLUMNS)
# After the regulation's columns: what other apps add (penalties, remedies, rewards, special
# procedures, quality sub-tasks), one line each (tousu.reports.extras).
MEASURES = Column("measures", gettext_lazy("处理措施与问责"), 44)
EXPORT_COLUMNS: tuple[Column, ...] = (*COLUMNS, MEASURES)

PAGE_SIZE = 50
SUMMARY_LENGTH = 60
PROTECTED = gettext_lazy("（已保护）")
ANONYMOUS = pgettext_lazy("anonymous", "匿名")
NO_NAME = gettext_lazy("未留姓名")


PENDING = pgettext_lazy("decision", "待决定")
ACCEPTED = pgettext_lazy("decision", "受理")
ON_THE_SPOT = pgettext_lazy("decision", "当场办结")
NOT_ACCEPTED = pgettext_lazy("decision", "不予受理：")
REFERRED = pgettext_lazy("decision", "转送：")
NOT_REACHED = gettext_lazy("未联系上")
YES = pgettext_lazy("overdue", "是")
NO = pgettext_lazy("overdue", "否")
SEPARATOR = gettext_lazy("；")

VALIDITY: dict[str, Text] = {
    "valid": gettext_lazy("属实"),
    "invalid": gettext_lazy("不属实"),
}


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
        self._words: dict[int, str] = {}

    def word(self, message: Text) -> str:
        """A msgid in the batch's language, looked up once per batch."""
        found = self._words.get(id(message))
        if found is None:
            found = self._words[id(message)] = str(message)
        return found

    def data(self, zh: str, en: str | None) -> str:
        """A policy's or a record's own zh/en text (Chinese when no English)."""
        return (en or zh) if self.english else zh

    def label(self, fn: Callable[[str], str], code: str) -> str:
        key = (fn, code)
        found = self._labels.get(key)
        if found is None:
            found = self._labels[key] = fn(code)
        return found


def _category(w: _Words, policy: Policy, code: str) -> str:
    found = policy.category(code) if code else None
    return w.data(found.name_zh, found.name_en) if found else code


def _decision(w: _Words, h: _History, case: Case, policy: Policy, tz: ZoneInfo) -> str:
    if h.decision is None:
        return w.word(PENDING) if case.status == Status.REGISTERED else ""
    type_, at, reason_code, data = h.decision
    day = timezone.localtime(at, tz).strftime("%Y-%m-%d")
    if type_ == "accepted":
        return f"{w.word(ACCEPTED)} {day}"
    if type_ == "resolved_on_the_spot":
        return f"{w.word(ON_THE_SPOT)} {day}"
    if type_ == "rejected":
        reason = policy.reason(reason_code)
        words = w.data(reason.zh, reason.en) if reason else reason_code
        return f"{w.word(NOT_ACCEPTED)}{words}"
    where = str(data.get("authority") or data.get("target_org") or "")
    return f"{w.word(REFERRED)}{where}".rstrip("：: ")


def _outcome(w: _Words, case: Case) -> str:
    parts = []
    if case.responsibility:
        parts.append(w.label(labels.choice, case.responsibility))
    if case.validity in VALIDITY:
        parts.append(w.word(VALIDITY[case.validity]))
    return w.word(SEPARATOR).join(parts)


def _satisfaction(w: _Words, h: _History, case: Case) -> Cell:
    words = w.label(labels.choice, case.satisfaction) if case.satisfaction else ""
    if h.followed is not None:
        at, reached = h.followed
        if not reached and not words:
            words = w.word(NOT_REACHED)
        return Stamp(at, words)
    return words or None


def _person(user: Any) -> str:
    return display_name(user)


# What a row reads (loading less is most of a large export's time).
CASE_FIELDS = (
    "org_id", "number", "policy_version_id", "kind", "channel", "category", "status",
    "received_at", "registered_by_id", "first_contact_owner_id", "lead_department_id",
    "pending_department_id", "handler_id", "content", "sealed_key", "validity",
    "responsibility", "satisfaction", "reply_channel",
    "governing_due_at", "next_hard_due_at", "missed_deadline",
    "lead_department__name", "lead_department__name_en",
    "handler__username", "handler__staff_profile__name", "handler__staff_profile__title",
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
        .select_related("lead_department", "handler", "handler__staff_profile")
        .only(*CASE_FIELDS)
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
        # A named person who gave no name (a caller who left a number) is not anonymous.
        named = [p for p in current if not p.anonymous]
        if not current or not named:
            complainant = w.word(ANONYMOUS) if current else ""
        elif shown:
            complainant = "、".join(p.name or w.word(NO_NAME) for p in named)
        else:
            complainant = w.word(PROTECTED)
        text = case.content
        if not shown:
            own = [
                value
                for p in parties[case.pk]
                for value in (getattr(p, f) for f in IDENTITY_FIELDS)
                if len(value) >= 2
            ]
            text = masker([*own, *phrases[case.pk]])(text)
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
        overdue = case.missed_deadline or (
            case.next_hard_due_at is not None and case.next_hard_due_at < now
        )
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
                    "department": w.data(dept.name, dept.name_en) if dept else "",
                    "handler": _person(case.handler),
                    "deadline": case.governing_due_at,
                    "resolved": h.resolved,
                    "replied": replied,
                    "outcome": _outcome(w, case),
                    "satisfaction": _satisfaction(w, h, case),
                    "overdue": w.word(YES) if overdue else w.word(NO),
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

"""The yearly dossier (案宗): one year's cases, counted and listed in order, for filing.

A case belongs to the year it was received in, in the organisation's time zone. Like
the ledger, the dossier holds only the cases its viewer may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.db.models.functions import ExtractMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from tousu.cases.access import Actor, visible_cases
from tousu.cases.models import Status
from tousu.i18n import localized
from tousu.policy.schema import Policy
from tousu.web import labels

FIRST_YEAR = 1990
LAST_YEAR = 2199
MONTHS = (
    gettext_lazy("1月"),
    gettext_lazy("2月"),
    gettext_lazy("3月"),
    gettext_lazy("4月"),
    gettext_lazy("5月"),
    gettext_lazy("6月"),
    gettext_lazy("7月"),
    gettext_lazy("8月"),
    gettext_lazy("9月"),
    gettext_lazy("10月"),
    gettext_lazy("11月"),
    gettext_lazy("12月"),
)


@dataclass(frozen=True)
class Total:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class Dossier:
    year: int
    total: int
    by_status: list[Total]
    by_category: list[Total]
    by_channel: list[Total]
    by_month: list[Total]
    cases: list[dict[str, Any]]


def year_bounds(year: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def _counts(qs: Any, field: str) -> dict[Any, int]:
    return {row[field]: row["n"] for row in qs.values(field).annotate(n=Count("pk")).order_by()}


def build(actor: Actor, year: int, policy: Policy) -> Dossier:
    tz = ZoneInfo(actor.org.time_zone)
    start, end = year_bounds(year, tz)
    qs = visible_cases(actor).filter(received_at__gte=start, received_at__lt=end)

    statuses = _counts(qs, "status")
    by_status = [Total(s, labels.status(s), statuses[s]) for s in Status.values if statuses.get(s)]

    categories = _counts(qs, "category")
    names = {c.code: localized(c.name_zh, c.name_en) for c in policy.categories}
    known = [c.code for c in policy.categories]
    order = known + sorted(k for k in categories if k not in names)
    by_category = [
        Total(code, names.get(code) or code or gettext("未分类"), categories[code])
        for code in order
        if categories.get(code)
    ]

    channels = _counts(qs, "channel")
    by_channel = [
        Total(code, labels.channel(code), n)
        for code, n in sorted(channels.items(), key=lambda kv: (-kv[1], kv[0]))
    ]

    months = _counts(qs.annotate(month=ExtractMonth("received_at", tzinfo=tz)), "month")
    by_month = [Total(str(m), str(MONTHS[m - 1]), months.get(m, 0)) for m in range(1, 13)]

    rows = qs.order_by("received_at", "pk").values_list(
        "number", "received_at", "kind", "channel", "category", "status",
        "lead_department__name", "lead_department__name_en",
    )  # fmt: skip
    # A year can hold tens of thousands of cases: each word and link is worked out once.
    words: dict[tuple[str, str], str] = {}

    def say(table: str, code: str) -> str:
        found = words.get((table, code))
        if found is None:
            fn = {"kind": labels.kind, "channel": labels.channel, "status": labels.status}[table]
            found = words[(table, code)] = fn(code)
        return found

    link = reverse("desk:case", kwargs={"org": actor.org.slug, "number": "NUMBER"})
    cases = [
        {
            "seq": i,
            "number": number,
            "url": link.replace("NUMBER", quote(str(number), safe="")),
            "received": timezone.localtime(received_at, tz).strftime("%Y-%m-%d %H:%M"),
            "kind": say("kind", kind),
            "channel": say("channel", channel),
            "category": names.get(category) or category,
            "status": say("status", status),
            "department": localized(department, department_en) if department else "",
        }
        for i, (number, received_at, kind, channel, category, status, department, department_en)
        in enumerate(rows, start=1)
    ]  # fmt: skip
    return Dossier(
        year=year,
        total=len(cases),
        by_status=by_status,
        by_category=by_category,
        by_channel=by_channel,
        by_month=by_month,
        cases=cases,
    )

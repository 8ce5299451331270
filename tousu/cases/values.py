"""The typed values every action's input is made of, and the base of the inputs.

Bounds are generous but finite: every text has a maximum length, every list a
maximum size, so no request can make a case unbounded. Moments and dates no organisation
could mean are refused; NUL never reaches a text column. Features build their inputs
from these (their own ``inputs`` modules), the core its own in :mod:`tousu.cases.inputs`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from tousu.cases.errors import invalid

Kind = Literal["complaint", "report", "consultation", "suggestion"]
Channel = Literal[
    "phone", "letter", "fax", "email", "web", "visit", "sms", "touchscreen",
    "evaluation_form", "box", "opinion_book", "referral", "other",
]  # fmt: skip
Complexity = Literal["on_the_spot", "general", "complex", "major"]
Code = Field(pattern=r"^[a-z0-9_]{1,40}$")
Text = Field(default="", max_length=20000)
ShortText = Field(default="", max_length=200)
Reason = Field(min_length=1, max_length=5000)


# Moments after this are typing errors, not plans (and beyond what reports can show).
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
# Real time zones lie within ±14 hours; PostgreSQL refuses offsets beyond ±15:59.
MAX_OFFSET = timedelta(hours=14)
# A moment this far ahead of the server clock is clock skew, not the future.
CLOCK_SKEW = timedelta(minutes=2)
# How far ahead a deadline the customer sets may lie.
DEADLINE_HORIZON = timedelta(days=10 * 366)


def records_floor() -> datetime:
    """The organisation's records floor (TOUSU_RECORDS_FLOOR): nothing it records, imports
    or reports happened before it. Midnight UTC of that day."""
    floor: date = settings.TOUSU_RECORDS_FLOOR
    return datetime.combine(floor, time.min, tzinfo=UTC)


def _floor_text() -> str:
    return records_floor().date().isoformat()


def sane_moment(value: datetime, field: str) -> datetime:
    """Refuse moments no organisation could mean (and databases could not store)."""
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise invalid(field, gettext_lazy("时区偏移超出范围（±14:00）"))
    try:
        in_range = records_floor() <= value.astimezone(UTC) <= LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        floor = _floor_text()
        raise invalid(
            field,
            gettext_lazy("日期超出可受理范围（{floor} 至 2199 年）"),
            {"floor": floor},
        )
    return value


# RFC 3339 date-time with its offset, as the OpenAPI schema says (format: date-time): no bare
# dates, no naive times, no numbers of seconds since 1970.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")


def _moment(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        text = value.strip()
        if not _RFC3339.fullmatch(text):
            raise ValueError(
                "须为带时区的日期时间，例如 2026-11-28T09:40:00+08:00 / "
                "must be a date-time with its UTC offset, e.g. 2026-11-28T09:40:00+08:00"
            )
        try:
            moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("日期或时间不存在 / no such date or time") from None
    else:
        return value  # refused by the datetime validator, with its type error
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError(
            "须带时区偏移，例如 2026-11-28T09:40:00+08:00 / "
            "must include a UTC offset, e.g. 2026-11-28T09:40:00+08:00"
        )
    if abs(offset) > MAX_OFFSET:
        raise ValueError("时区偏移超出范围（±14:00） / UTC offset out of range (±14:00)")
    if moment.astimezone(UTC) < records_floor():
        floor = _floor_text()
        raise ValueError(f"不能早于记录起始日 {floor} / cannot be before the records floor {floor}")
    return moment


def _not_ahead(limit: timedelta, zh: str, en: str) -> Any:
    def check(value: datetime) -> datetime:
        if value.astimezone(UTC) > min(timezone.now() + limit, LATEST):
            raise ValueError(f"{zh} / {en}")
        return value

    return check


def not_after_now(value: datetime, now: datetime, field: str) -> datetime:
    """Refuse a moment that has not happened yet (beyond the clock skew), as of ``now``."""
    if value > now + CLOCK_SKEW:
        raise invalid(field, gettext_lazy("时间不能晚于当前时间"))
    return value


# Something that happened (received, notified, delivered, paid): a date-time with its offset,
# not before the records floor; the action refuses one after its own now (not_after_now).
PastMoment = Annotated[datetime, BeforeValidator(_moment)]
# A date someone asks for (the customer's deadline): ahead, but not beyond the horizon.
DeadlineMoment = Annotated[
    datetime,
    BeforeValidator(_moment),
    AfterValidator(
        _not_ahead(DEADLINE_HORIZON, "不能晚于十年之后", "cannot be more than ten years ahead")
    ),
]


def _day(value: Any) -> Any:
    if isinstance(value, datetime):
        return value  # refused by the date validator (a moment is not a day)
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError("须为日期，例如 2026-11-28 / must be a date, e.g. 2026-11-28")
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("日期不存在 / no such date") from None
    else:
        return value
    floor = records_floor().date()
    if not floor <= day < LATEST.date():
        raise ValueError(
            f"日期超出可受理范围（{floor} 至 2199 年） / date out of range ({floor} to 2199)"
        )
    return day


# A calendar day (YYYY-MM-DD) between the records floor and 2199.
Day = Annotated[date, BeforeValidator(_day)]


def _decimal(value: Any) -> Any:
    """A JSON number or a numeric string as a Decimal; never a boolean."""
    if isinstance(value, bool):
        raise ValueError("须为数字 / must be a number")
    if isinstance(value, int | float | str):
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError("须为数字 / must be a number") from None
    return value


Amount = Annotated[Decimal, BeforeValidator(_decimal)]


def impossible_text(value: str) -> bool:
    """NUL, or a lone surrogate: text no database column can hold."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _no_nul(value: Any, path: str = "") -> None:
    if isinstance(value, str):
        if impossible_text(value):
            raise ValueError(
                "含有无法保存的字符（NUL 或孤立代理项） / "
                f"NUL characters or lone surrogates are not allowed{' in ' + path if path else ''}"
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key, path)
            _no_nul(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for item in value:
            _no_nul(item, path)


class In(BaseModel):
    """An action's input. Over HTTP it is validated strictly (a boolean is true or false,
    a number is a number: see tousu.api.parsing); forms convert their strings first."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        # Text columns cannot hold NUL (PostgreSQL refuses it); no complainant types one.
        _no_nul(value)
        return value

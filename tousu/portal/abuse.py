"""Abuse resistance for the public portal: rate limits and a simple challenge.

Every counter is a :class:`tousu.accounts.models.Throttle` row whose key is an HMAC
(:func:`tousu.accounts.keys.digest`, label ``portal-throttle``) of the scope and the
client address (IPv6 counted by its /64, see :func:`tousu.accounts.throttle.client_address`)
or of a receipt's digits — never the address or the digits themselves. Rows nobody
touched for a day are removed by :func:`tousu.accounts.throttle.purge`, which staff
sign-ins and every :data:`PURGE_ONE_IN`-th :func:`guard` call run.

Scopes:

``submit``
    Submissions per address, :data:`SUBMIT_LIMIT` in :data:`WINDOW` (a sliding window
    estimated from two fixed ones). Call :func:`guard` once per submission, after the
    form is valid and right before the case is created: the call itself counts the
    submission. :func:`challenge_needed` is true from the :data:`CHALLENGE_AFTER`-th
    submission of the window on.

``receipt``
    Wrong receipts. :func:`guard` only checks (call it before looking the receipt up);
    :func:`record_failure` counts a wrong one against the address and against the
    digits tried; :func:`record_success` clears the digits' counter. The first
    :data:`RECEIPT_FREE_PER_ADDRESS` failures of an address (and
    :data:`RECEIPT_FREE_PER_RECEIPT` of one receipt) cost nothing; each further one
    doubles the wait (1 s, 2 s, 4 s … up to 15 minutes), and a burst of parallel
    requests gets one try per wait, not one each.

The challenge is an addition in Chinese numerals; its answer stays in the session
(server side) and is good for one check.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from tousu.accounts import clock, keys, throttle
from tousu.accounts.models import Throttle
from tousu.cases.errors import TousuError
from tousu.i18n import both, either
from tousu.security import crypto

SCOPES = ("submit", "receipt")
WINDOW = timedelta(minutes=10)
SUBMIT_LIMIT = 5
CHALLENGE_AFTER = 3
RECEIPT_FREE_PER_ADDRESS = 10
RECEIPT_FREE_PER_RECEIPT = 5
PURGE_ONE_IN = 50  # guard calls that also remove counters left alone for a day

SESSION_KEY = "portal_challenge"
CHALLENGE_FIELD = "challenge_answer"
CHALLENGE_TTL = timedelta(minutes=30)

_ZH_NUMBERS = ("零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十")
_EN_NUMBERS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
)  # fmt: skip


def _check_scope(scope: str) -> None:
    if scope not in SCOPES:
        raise ValueError(f"unknown abuse scope: {scope!r}")


def _digest(value: str) -> str:
    return keys.digest("portal-throttle", value)


def address(request: HttpRequest) -> str:
    """The client address as counted (never stored): IPv4, or the IPv6 /64."""
    return throttle.client_address(request)


def _receipt_digits(receipt: str) -> str:
    text = unicodedata.normalize("NFKC", receipt or "")
    return "".join(ch for ch in text if ch.isascii() and ch.isdigit())


def _address_counter(request: HttpRequest, scope: str) -> throttle.Counter:
    return throttle.Counter(
        _digest(f"{scope}:address:{address(request)}"), RECEIPT_FREE_PER_ADDRESS
    )


def _receipt_counter(scope: str, receipt: str) -> throttle.Counter:
    return throttle.Counter(
        _digest(f"{scope}:receipt:{_receipt_digits(receipt)}"), RECEIPT_FREE_PER_RECEIPT
    )


def _receipt_counters(
    request: HttpRequest, scope: str, receipt: str | None
) -> list[throttle.Counter]:
    counters = [_address_counter(request, scope)]
    if receipt is not None and _receipt_digits(receipt):
        counters.append(_receipt_counter(scope, receipt))
    return counters


# -- sliding-window counting (submissions) ---------------------------------------------------


def _window_index(now: datetime) -> int:
    return int(now.timestamp() // WINDOW.total_seconds())


def _window_key(request: HttpRequest, scope: str, index: int) -> str:
    return _digest(f"{scope}:window:{index}:{address(request)}")


def _count(key: str) -> int:
    row = Throttle.objects.filter(key=key).only("failures").first()
    return row.failures if row is not None else 0


def _estimate(request: HttpRequest, scope: str, now: datetime) -> float:
    """Submissions in the last :data:`WINDOW`: the current fixed window plus the
    previous one weighted by how much of it still overlaps."""
    index = _window_index(now)
    elapsed = now.timestamp() / WINDOW.total_seconds() - index
    current = _count(_window_key(request, scope, index))
    previous = _count(_window_key(request, scope, index - 1))
    return current + previous * (1.0 - elapsed)


def _bump(key: str, now: datetime) -> None:
    updated = Throttle.objects.filter(key=key).update(failures=F("failures") + 1, updated_at=now)
    if updated:
        return
    try:
        with transaction.atomic():
            Throttle.objects.create(key=key, failures=1, updated_at=now)
    except IntegrityError:
        Throttle.objects.filter(key=key).update(failures=F("failures") + 1, updated_at=now)


def _submit_wait(now: datetime) -> int:
    index = _window_index(now)
    end = (index + 1) * WINDOW.total_seconds()
    return max(1, math.ceil(end - now.timestamp()))


# -- the error -------------------------------------------------------------------------------


def _wait_words(seconds: int) -> tuple[str, str]:
    if seconds < 60:
        return f"{seconds} 秒", f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} 分钟", f"{minutes} minute{'s' if minutes != 1 else ''}"


def rate_limited(seconds: int) -> TousuError:
    zh, en = _wait_words(seconds)
    return TousuError(
        "rate_limited",
        gettext_lazy("尝试过于频繁，请 {wait}后再试"),
        status=429,
        details={"retry_after": seconds},
        params={"wait": either(zh, en)},
    )


# -- the API ---------------------------------------------------------------------------------


def guard(request: HttpRequest, scope: str, receipt: str | None = None) -> None:
    """Refuse (:class:`TousuError` ``rate_limited``, 429) when the client is over the
    scope's rate; for ``submit`` the call also counts this submission."""
    _check_scope(scope)
    if crypto.randbelow(PURGE_ONE_IN) == 0:
        throttle.purge()
    now = clock.now()
    if scope == "submit":
        if _estimate(request, scope, now) >= SUBMIT_LIMIT:
            raise rate_limited(_submit_wait(now))
        _bump(_window_key(request, scope, _window_index(now)), now)
        return
    wait = throttle.gate(_receipt_counters(request, scope, receipt))
    if wait:
        raise rate_limited(wait)


def record_failure(request: HttpRequest, scope: str, receipt: str | None = None) -> int:
    """Count a wrong try (``receipt`` scope); the wait now imposed in seconds (0: none).

    For ``submit`` there is nothing to add (:func:`guard` counted the submission)."""
    _check_scope(scope)
    if scope != "receipt":
        return 0
    return throttle.fail(_receipt_counters(request, scope, receipt))


def record_success(request: HttpRequest, scope: str, receipt: str | None = None) -> None:
    """A right receipt clears its own counter (the address keeps its count, so that
    owning one receipt does not buy more guesses at others)."""
    _check_scope(scope)
    if scope == "receipt" and receipt is not None and _receipt_digits(receipt):
        throttle.reset([_receipt_counter(scope, receipt)])


def retry_after(error: TousuError) -> int | None:
    """Seconds for a ``Retry-After`` header, from a ``rate_limited`` error."""
    if error.code != "rate_limited" or not isinstance(error.details, dict):
        return None
    value = error.details.get("retry_after")
    return int(value) if isinstance(value, int) else None


# -- the challenge ---------------------------------------------------------------------------


def challenge_needed(request: HttpRequest, scope: str) -> bool:
    """Whether this address is in a burst and should answer a challenge first."""
    _check_scope(scope)
    now = clock.now()
    if scope == "submit":
        return _estimate(request, scope, now) >= CHALLENGE_AFTER
    return throttle.failures(_address_counter(request, scope)) >= RECEIPT_FREE_PER_ADDRESS // 2


def challenge(request: HttpRequest) -> dict[str, Any]:
    """A fresh question for the page; the answer is kept in the session only.

    Returns ``question`` (in the page's language), ``question_zh``, ``question_en`` and
    ``field`` (the POST field to answer in).
    """
    a = 1 + crypto.randbelow(9)
    b = 1 + crypto.randbelow(10 - a) if a < 10 else 0
    request.session[SESSION_KEY] = {
        "answer": str(a + b),
        "issued": clock.now().timestamp(),
    }
    question = format_lazy(
        gettext_lazy("{a}加{b}等于几？（请填写阿拉伯数字）"),
        a=either(_ZH_NUMBERS[a], _EN_NUMBERS[a]),
        b=either(_ZH_NUMBERS[b], _EN_NUMBERS[b]),
    )
    zh, en = both(question)
    return {
        "question": question,
        "question_zh": zh,
        "question_en": en,
        "field": CHALLENGE_FIELD,
    }


def _answer_text(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if text in _ZH_NUMBERS:
        return str(_ZH_NUMBERS.index(text))
    return text


def challenge_passed(request: HttpRequest) -> bool:
    """Whether the POST answers the question last shown; the question is used up either way."""
    stored = request.session.pop(SESSION_KEY, None)
    if not isinstance(stored, dict):
        return False
    issued = stored.get("issued")
    if not isinstance(issued, int | float):
        return False
    if clock.now().timestamp() - issued > CHALLENGE_TTL.total_seconds():
        return False
    expected = str(stored.get("answer", ""))
    given = _answer_text(str(request.POST.get(CHALLENGE_FIELD, "")))
    return bool(expected) and crypto.same(given, expected)

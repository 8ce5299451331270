"""Portal rate limits and the burst challenge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from tousu.accounts import clock
from tousu.accounts.models import Throttle
from tousu.cases.errors import TousuError
from tousu.portal import abuse

RECEIPT = "1234 5678 9012 3456 7890"


def _request(addr: str = "203.0.113.7", post: dict[str, str] | None = None):
    factory = RequestFactory()
    request = factory.post("/o/acme/new/", post or {}) if post is not None else factory.get("/")
    request.META["REMOTE_ADDR"] = addr
    request.session = SessionStore()
    return request


@pytest.fixture
def now(monkeypatch):
    moment = {"t": clock.now()}
    monkeypatch.setattr(clock, "now", lambda: moment["t"])
    return moment


def _submit_until_refused(addr: str) -> tuple[int, TousuError]:
    allowed = 0
    while True:
        try:
            abuse.guard(_request(addr), "submit")
        except TousuError as exc:
            return allowed, exc
        allowed += 1
        assert allowed < 50


@pytest.mark.django_db
def test_submissions_are_counted_per_address_and_refused_with_a_wait(now):
    allowed, error = _submit_until_refused("203.0.113.7")
    assert allowed == abuse.SUBMIT_LIMIT
    assert error.code == "rate_limited" and error.status == 429
    assert "后再试" in error.zh and "try again in" in error.en
    wait = abuse.retry_after(error)
    assert wait is not None and 0 < wait <= 600
    abuse.guard(_request("198.51.100.1"), "submit")  # another address is not affected
    now["t"] += timedelta(minutes=25)
    abuse.guard(_request("203.0.113.7"), "submit")  # the window has passed


@pytest.mark.django_db
def test_an_ipv6_client_counts_as_its_64(now):
    for i in range(abuse.SUBMIT_LIMIT):
        abuse.guard(_request(f"2001:db8:1:2::{i + 1}"), "submit")
    with pytest.raises(TousuError):
        abuse.guard(_request("2001:db8:1:2:ffff::9"), "submit")
    abuse.guard(_request("2001:db8:1:3::1"), "submit")


@pytest.mark.django_db
def test_stored_keys_are_not_the_address_nor_the_receipt(now):
    addr = "203.0.113.77"
    abuse.guard(_request(addr), "submit")
    abuse.record_failure(_request(addr), "receipt", receipt=RECEIPT)
    rows = list(Throttle.objects.all())
    assert len(rows) == 3
    digits = RECEIPT.replace(" ", "")
    for row in rows:
        assert len(row.key) == 64 and int(row.key, 16) >= 0
        assert row.key not in (addr, digits)
        stored = str(row.__dict__)
        assert addr not in stored and digits not in stored and "203.0.113" not in stored


@pytest.mark.django_db
def test_receipt_guessing_gets_growing_waits(now):
    addr = "203.0.113.8"
    for i in range(abuse.RECEIPT_FREE_PER_ADDRESS):
        abuse.guard(_request(addr), "receipt", receipt=f"{i:020d}")
        assert abuse.record_failure(_request(addr), "receipt", receipt=f"{i:020d}") == 0
    waits = []
    for i in range(4):
        guess = f"{100 + i:020d}"
        abuse.guard(_request(addr), "receipt", receipt=guess)
        waits.append(abuse.record_failure(_request(addr), "receipt", receipt=guess))
        with pytest.raises(TousuError) as refused:
            abuse.guard(_request(addr), "receipt", receipt=f"{200 + i:020d}")
        assert refused.value.status == 429
        now["t"] += timedelta(seconds=waits[-1])
    assert waits == [1, 2, 4, 8]
    abuse.guard(_request("198.51.100.2"), "receipt", receipt="1" * 20)  # other addresses go on


@pytest.mark.django_db
def test_wrong_tries_against_one_receipt_are_limited_across_addresses(now):
    for i in range(abuse.RECEIPT_FREE_PER_RECEIPT + 1):
        request = _request(f"198.51.100.{i + 10}")
        abuse.guard(request, "receipt", receipt=RECEIPT)
        abuse.record_failure(request, "receipt", receipt=RECEIPT)
    with pytest.raises(TousuError) as refused:
        abuse.guard(_request("198.51.100.99"), "receipt", receipt=RECEIPT.replace(" ", "-"))
    assert refused.value.code == "rate_limited"
    abuse.guard(_request("198.51.100.99"), "receipt", receipt="9" * 20)  # another receipt
    now["t"] += timedelta(minutes=20)
    abuse.record_success(_request("198.51.100.99"), "receipt", receipt=RECEIPT)
    abuse.guard(_request("198.51.100.99"), "receipt", receipt=RECEIPT)


@pytest.mark.django_db
def test_unknown_scope_is_a_programming_error():
    with pytest.raises(ValueError):
        abuse.guard(_request(), "login")


@pytest.mark.django_db
def test_challenge_appears_in_a_burst_and_is_single_use(now):
    addr = "203.0.113.9"
    assert not abuse.challenge_needed(_request(addr), "submit")
    for _ in range(abuse.CHALLENGE_AFTER):
        abuse.guard(_request(addr), "submit")
    assert abuse.challenge_needed(_request(addr), "submit")
    assert not abuse.challenge_needed(_request("198.51.100.3"), "submit")

    request = _request(addr)
    context = abuse.challenge(request)
    answer = request.session[abuse.SESSION_KEY]["answer"]
    assert "加" in context["question_zh"] and "plus" in context["question_en"]
    assert answer not in context["question_zh"] + context["question_en"]
    assert context["field"] == "challenge_answer"

    posted = _request(addr, {"challenge_answer": f" {answer} "})
    posted.session = request.session
    assert abuse.challenge_passed(posted)
    again = _request(addr, {"challenge_answer": answer})
    again.session = request.session
    assert not abuse.challenge_passed(again)  # used up


@pytest.mark.django_db
def test_a_wrong_or_stale_answer_fails_and_uses_the_question_up(now):
    request = _request()
    abuse.challenge(request)
    answer = request.session[abuse.SESSION_KEY]["answer"]
    wrong = _request(post={"challenge_answer": str(int(answer) + 1)})
    wrong.session = request.session
    assert not abuse.challenge_passed(wrong)
    assert abuse.SESSION_KEY not in request.session

    abuse.challenge(request)
    answer = request.session[abuse.SESSION_KEY]["answer"]
    now["t"] += timedelta(hours=1)
    late = _request(post={"challenge_answer": answer})
    late.session = request.session
    assert not abuse.challenge_passed(late)


@pytest.mark.django_db
def test_full_width_digits_are_accepted():
    request = _request()
    abuse.challenge(request)
    answer = request.session[abuse.SESSION_KEY]["answer"]
    full = "".join(chr(ord(c) + 0xFEE0) for c in answer)
    posted = _request(post={"challenge_answer": full})
    posted.session = request.session
    assert abuse.challenge_passed(posted)


def test_the_challenge_page_never_holds_the_answer():
    from django.template import engines

    request = _request()
    context = abuse.challenge(request)
    html = (
        engines["django"]
        .from_string("{{ c.question_zh }} {{ c.question_en }} <input name='{{ c.field }}'>")
        .render({"c": context})
    )
    answer = request.session[abuse.SESSION_KEY]["answer"]
    assert f">{answer}<" not in html and f"value='{answer}'" not in html
    assert answer not in "".join(ch for ch in html if ch.isdigit())


@pytest.mark.django_db
def test_no_table_holds_the_address_after_guarding(now):
    from django.apps import apps

    addr = "203.0.113.123"
    abuse.guard(_request(addr), "submit")
    abuse.record_failure(_request(addr), "receipt", receipt=RECEIPT)
    for model in apps.get_models():
        for row in model._default_manager.all().values():
            assert addr not in str(row), model

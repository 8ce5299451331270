"""Growing back-off: per username and per address, stored as HMACs, reset by success."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from tousu.accounts import throttle
from tousu.accounts.models import Throttle
from tousu.accounts.tests.conftest import client, sign_in


def _fail(times: int, username: str = "clerk", address: str = "203.0.113.7") -> list[int]:
    return [sign_in(client(address), username, "wrong").status_code for _ in range(times)]


def test_backoff_grows_and_refuses_even_the_right_password(staff, fake_clock, monkeypatch):
    checked = []
    from django.contrib.auth.backends import ModelBackend

    original = ModelBackend.authenticate

    def spy(self, request, username=None, password=None, **kwargs):
        checked.append(password)
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", spy)

    assert _fail(throttle.FREE_PER_USERNAME + 1) == [200] * (throttle.FREE_PER_USERNAME + 1)
    checked.clear()
    r = sign_in(client(), "clerk")  # the right password, but within the wait
    assert r.status_code == 429 and r["Retry-After"] == "1"
    page = r.content.decode()
    assert (
        "请在 <strong>1</strong> 秒后再试" in page
        and "try again in <strong>1</strong> second;" in page
    )
    assert checked == []  # the password was not even checked
    assert "_auth_user_id" not in r.client.session

    waits: list[int] = []
    for _ in range(4):
        fake_clock.advance(waits[-1] if waits else 1)
        assert sign_in(client(), "clerk", "wrong").status_code == 200
        waits.append(int(sign_in(client(), "clerk", "wrong")["Retry-After"]))
    assert waits == [2, 4, 8, 16]

    fake_clock.advance(15)
    assert sign_in(client(), "clerk").status_code == 429  # one second still to go
    fake_clock.advance(1)
    assert sign_in(client(), "clerk").status_code == 302  # not a lock-out
    assert Throttle.objects.count() == 0  # success resets
    assert _fail(1) == [200] and sign_in(client(), "clerk").status_code == 302


def test_wait_is_capped(staff, fake_clock):
    assert throttle.backoff(throttle.FREE_PER_USERNAME + 40, throttle.FREE_PER_USERNAME) == 900
    assert [throttle.backoff(n, 5) for n in range(4, 10)] == [0, 0, 1, 2, 4, 8]


def test_per_address_counter_covers_many_usernames(staff, fake_clock):
    for n in range(throttle.FREE_PER_ADDRESS + 1):
        assert sign_in(client(), f"guess{n}", "wrong").status_code == 200
    assert sign_in(client(), "clerk").status_code == 429
    assert sign_in(client("198.51.100.4"), "clerk").status_code == 302  # another address


def test_username_counter_covers_many_addresses(staff, fake_clock):
    for n in range(throttle.FREE_PER_USERNAME + 1):
        assert sign_in(client(f"198.51.100.{n + 1}"), "Clerk", "wrong").status_code == 200
    assert sign_in(client("192.0.2.1"), "clerk").status_code == 429  # case folded


def test_stored_keys_are_not_the_username_or_address(staff, fake_clock):
    sign_in(client("203.0.113.7"), "clerk", "wrong")
    sign_in(client("203.0.113.7"), "nobody", "wrong")
    keys = list(Throttle.objects.values_list("key", flat=True))
    assert len(keys) == 3  # clerk, nobody, the address
    for key in keys:
        assert len(key) == 64 and int(key, 16) >= 0
        assert "clerk" not in key and "nobody" not in key and "203.0.113" not in key
    rows = str(list(Throttle.objects.values()))
    assert "clerk" not in rows and "203.0.113.7" not in rows


def test_counters_expire(staff, fake_clock):
    _fail(throttle.FREE_PER_USERNAME + 3)
    assert sign_in(client(), "clerk").status_code == 429
    fake_clock.advance(throttle.EXPIRY.total_seconds() + 1)
    assert sign_in(client(), "clerk", "wrong").status_code == 200
    assert throttle.failures(throttle.for_username("clerk")) == 1
    fake_clock.advance(throttle.EXPIRY.total_seconds() + 1)
    assert throttle.purge() == 2 and Throttle.objects.count() == 0


def test_a_claimed_slot_makes_a_parallel_attempt_wait(staff, fake_clock):
    counters = [throttle.for_username("clerk")]
    for _ in range(throttle.FREE_PER_USERNAME):
        throttle.fail(counters)
    assert throttle.gate(counters) == 0  # this attempt goes ahead and claims the slot
    assert throttle.gate(counters) == 1  # one arriving meanwhile waits
    fake_clock.advance(1)
    assert throttle.gate(counters) == 0


@override_settings(TOUSU_TRUSTED_PROXY_HEADER="X-Forwarded-For")
def test_trusted_proxy_header_names_the_client(rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert throttle.client_address(request) == "203.0.113.9"


@pytest.mark.parametrize(
    ("remote", "seen"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
    ],
)
def test_address_without_proxy(rf, remote, seen):
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR="6.6.6.6")
    with override_settings(TOUSU_TRUSTED_PROXY_HEADER=""):
        assert throttle.client_address(request) == seen


def test_expiry_is_a_day():
    assert timedelta(hours=24) == throttle.EXPIRY

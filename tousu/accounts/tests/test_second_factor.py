"""TOTP: turning it on and off, two-step sign-in, replay, recovery codes."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.management import CommandError, call_command

from tousu.accounts import throttle, totp
from tousu.accounts.models import RecoveryCode, SecondFactor
from tousu.accounts.tests.conftest import (
    VERIFY,
    FakeClock,
    client,
    code_now,
    sign_in,
    turn_on,
)
from tousu.conftest import World
from tousu.orgs.models import AuditEvent


def _with_totp(
    staff: World, fake_clock: FakeClock, persona: str = "clerk"
) -> tuple[str, list[str]]:
    c = client()
    sign_in(c, persona)
    secret, codes = turn_on(c, fake_clock)
    c.post("/accounts/logout/")
    return secret, codes


def test_setup_shows_secret_uri_and_qr_and_needs_a_code(staff, fake_clock):
    c = client()
    sign_in(c, "clerk")
    assert c.get("/accounts/two-factor/setup/")["Location"] == "/accounts/"  # not started
    c.post("/accounts/two-factor/setup/", {"start": "1"})
    page = c.get("/accounts/two-factor/setup/")
    setup = page.context["setup"]
    html = page.content.decode()
    assert setup.secret in html and "otpauth://totp/Tousu:clerk?secret=" in html
    assert "<svg" in html and 'autocomplete="one-time-code"' in html
    assert not totp.enabled(staff.users["clerk"])  # not before the code
    r = c.post("/accounts/two-factor/setup/", {"code": "000000"})
    assert r.status_code == 200 and r.context["error"]
    assert not totp.enabled(staff.users["clerk"])
    r = c.post("/accounts/two-factor/setup/", {"code": code_now(setup.secret, fake_clock)})
    codes = r.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert totp.enabled(staff.users["clerk"])
    assert AuditEvent.objects.filter(type="second_factor.enabled").count() == 1


def test_secret_and_codes_are_not_stored_in_clear(staff, fake_clock):
    secret, codes = _with_totp(staff, fake_clock)
    row = SecondFactor.objects.get(user=staff.users["clerk"])
    assert secret not in row.sealed_secret and row.sealed_secret.startswith("a1:")
    stored = list(RecoveryCode.objects.values_list("digest", flat=True))
    for code in codes:
        assert code not in stored and code.replace("-", "") not in stored


def test_login_needs_the_code_then_signs_in(staff, fake_clock):
    secret, _ = _with_totp(staff, fake_clock)
    c = client()
    r = sign_in(c, "clerk")
    assert r.status_code == 302 and r["Location"] == VERIFY
    assert "_auth_user_id" not in c.session  # password alone is not a session
    assert c.get("/desk/acme/inbox/").status_code == 302
    r = c.post(VERIFY, {"code": "123456" if code_now(secret, fake_clock) != "123456" else "654321"})
    assert r.status_code == 200 and r.context["error"]
    assert "_auth_user_id" not in c.session
    r = c.post(VERIFY, {"code": code_now(secret, fake_clock)})
    assert r.status_code == 302 and r["Location"] == "/"
    assert c.get("/desk/acme/inbox/").status_code == 200
    assert AuditEvent.objects.filter(type="signin.succeeded", data__factor="totp").exists()


def test_code_page_without_a_password_step_goes_to_login(staff, fake_clock):
    r = client().get(VERIFY)
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"


def test_neighbouring_steps_accepted_older_ones_not(staff, fake_clock):
    secret, _ = _with_totp(staff, fake_clock)
    fake_clock.advance(3 * totp.STEP)  # well past the step spent on confirming
    c = client()
    sign_in(c, "clerk")
    assert c.post(VERIFY, {"code": code_now(secret, fake_clock, -2)}).status_code == 200
    assert c.post(VERIFY, {"code": code_now(secret, fake_clock, 2)}).status_code == 200
    assert c.post(VERIFY, {"code": code_now(secret, fake_clock, -1)}).status_code == 302


def test_a_used_code_cannot_be_replayed(staff, fake_clock):
    secret, _ = _with_totp(staff, fake_clock)
    code = code_now(secret, fake_clock)
    first = client()
    sign_in(first, "clerk")
    assert first.post(VERIFY, {"code": code}).status_code == 302
    second = client("198.51.100.1")
    sign_in(second, "clerk")
    r = second.post(VERIFY, {"code": code})
    assert r.status_code == 200 and "_auth_user_id" not in second.session
    # Nor an earlier step's code, once a later one was used.
    assert second.post(VERIFY, {"code": code_now(secret, fake_clock, -1)}).status_code == 200
    fake_clock.advance(totp.STEP)
    assert second.post(VERIFY, {"code": code_now(secret, fake_clock)}).status_code == 302


def test_a_recovery_code_works_once(staff, fake_clock):
    _, codes = _with_totp(staff, fake_clock)
    c = client()
    sign_in(c, "clerk")
    assert c.post(VERIFY, {"code": codes[0].upper()}).status_code == 302
    assert AuditEvent.objects.filter(type="signin.succeeded", data__factor="recovery").exists()
    c.post("/accounts/logout/")
    sign_in(c, "clerk")
    r = c.post(VERIFY, {"code": codes[0]})
    assert r.status_code == 200 and "_auth_user_id" not in c.session
    assert c.post(VERIFY, {"code": codes[1].replace("-", "")}).status_code == 302
    assert totp.recovery_codes_left(staff.users["clerk"]) == 8


def test_code_step_is_throttled(staff, fake_clock):
    secret, _ = _with_totp(staff, fake_clock)
    c = client()
    sign_in(c, "clerk")
    wrong = "000000" if code_now(secret, fake_clock) != "000000" else "111111"
    for _ in range(throttle.FREE_PER_SECOND_FACTOR + 1):
        assert c.post(VERIFY, {"code": wrong}).status_code == 200
    r = c.post(VERIFY, {"code": code_now(secret, fake_clock)})
    assert r.status_code == 429 and r["Retry-After"] == "1"
    fake_clock.advance(1)
    assert c.post(VERIFY, {"code": code_now(secret, fake_clock)}).status_code == 302
    # A correct password does not reset the code counter: only a full sign-in does.
    assert throttle.failures(throttle.for_second_factor(staff.users["clerk"].pk)) == 0


def test_password_step_expires(staff, fake_clock):
    secret, _ = _with_totp(staff, fake_clock)
    c = client()
    sign_in(c, "clerk")
    fake_clock.advance(301)
    r = c.post(VERIFY, {"code": code_now(secret, fake_clock)})
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"


def test_turning_off_needs_a_current_code(staff, fake_clock):
    secret, _ = _with_totp(staff, fake_clock)
    c = client()
    sign_in(c, "clerk")
    c.post(VERIFY, {"code": code_now(secret, fake_clock)})
    c.post("/accounts/two-factor/off/", {"code": code_now(secret, fake_clock)})  # spent
    assert totp.enabled(staff.users["clerk"])
    fake_clock.advance(totp.STEP)
    r = c.post("/accounts/two-factor/off/", {"code": code_now(secret, fake_clock)})
    assert r.status_code == 302
    assert not totp.enabled(staff.users["clerk"])
    assert not RecoveryCode.objects.filter(user=staff.users["clerk"]).exists()
    assert AuditEvent.objects.filter(type="second_factor.disabled").count() == 1
    c.post("/accounts/logout/")
    assert sign_in(client(), "clerk").status_code == 302  # password alone again


def test_new_recovery_codes_replace_the_old(staff, fake_clock):
    secret, old = _with_totp(staff, fake_clock)
    c = client()
    sign_in(c, "clerk")
    c.post(VERIFY, {"code": code_now(secret, fake_clock)})
    fake_clock.advance(totp.STEP)
    r = c.post("/accounts/two-factor/recovery-codes/", {"code": code_now(secret, fake_clock)})
    new = r.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    c.post("/accounts/logout/")
    sign_in(c, "clerk")
    assert c.post(VERIFY, {"code": old[0]}).status_code == 200
    assert c.post(VERIFY, {"code": new[0]}).status_code == 302


def test_the_secret_is_bound_to_its_user(staff, fake_clock, caplog):
    secret, _ = _with_totp(staff, fake_clock)
    fake_clock.advance(totp.STEP)
    row = SecondFactor.objects.get(user=staff.users["clerk"])
    SecondFactor.objects.create(
        user=staff.users["handler"],
        sealed_secret=row.sealed_secret,
        confirmed_at=fake_clock(),
        created_at=fake_clock(),
    )
    c = client()
    sign_in(c, "handler")
    with caplog.at_level(logging.ERROR, logger="tousu.accounts.totp"):
        r = c.post(VERIFY, {"code": code_now(secret, fake_clock)})
    assert r.status_code == 200 and "_auth_user_id" not in c.session
    assert "cannot be opened" in caplog.text


def test_an_administrator_can_turn_it_off(staff, fake_clock):
    _with_totp(staff, fake_clock)
    out = io.StringIO()
    call_command("user_totp_off", "clerk", stdout=out)
    assert "off" in out.getvalue()
    assert not totp.enabled(staff.users["clerk"])
    event = AuditEvent.objects.get(type="second_factor.disabled")
    assert event.actor_id is None and event.data == {"by": "command"}
    with pytest.raises(CommandError):
        call_command("user_totp_off", "nobody")


def test_a_code_typed_in_full_width_digits_is_refused_not_a_server_error(staff, fake_clock):
    """An input method that types １２３４５６ (or another script's digits) gets the
    ordinary "wrong code" answer; the comparison never fails on non-ASCII text."""
    secret, _ = _with_totp(staff, fake_clock)
    c = client()
    assert sign_in(c, "clerk")["Location"] == VERIFY
    wide = "".join(chr(ord(d) + 0xFEE0) for d in code_now(secret, fake_clock))
    for code in (wide, "١٢٣٤٥٦"):
        r = c.post(VERIFY, {"code": code})
        assert r.status_code == 200 and r.context["error"]
        assert "_auth_user_id" not in c.session

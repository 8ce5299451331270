"""Sign-in fixtures: a movable clock, staff with a password, a client per address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from django.test import Client

from tousu.accounts import clock, totp
from tousu.conftest import World

PASSWORD = "correct horse battery 9"
LOGIN = "/accounts/login/"
VERIFY = "/accounts/login/code/"


class FakeClock:
    def __init__(self) -> None:
        self.at = datetime(2026, 11, 28, 9, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(clock, "now", fake)
    return fake


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    """Hash strength is not under test here; argon2 would make each attempt slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(world: World) -> World:
    for user in world.users.values():
        user.set_password(PASSWORD)
        user.save()
    return world


def client(address: str = "203.0.113.7", **kwargs: Any) -> Client:
    return Client(REMOTE_ADDR=address, **kwargs)


def sign_in(c: Client, username: str, password: str = PASSWORD, **data: Any) -> Any:
    return c.post(LOGIN, {"username": username, "password": password, **data})


def code_now(secret: str, fake: FakeClock, offset_steps: int = 0) -> str:
    step = int(fake().timestamp()) // totp.STEP + offset_steps
    return str(pyotp.TOTP(secret).generate_otp(step))


def turn_on(c: Client, fake: FakeClock) -> tuple[str, list[str]]:
    """Second factor on through the account pages; (secret, recovery codes)."""
    assert c.post("/accounts/two-factor/setup/", {"start": "1"}).status_code == 302
    page = c.get("/accounts/two-factor/setup/")
    secret = page.context["setup"].secret
    done = c.post("/accounts/two-factor/setup/", {"code": code_now(secret, fake)})
    assert done.status_code == 200, done.content.decode()[:2000]
    codes = done.context["codes"]
    fake.advance(totp.STEP)  # the confirming code is spent for its step
    return secret, codes

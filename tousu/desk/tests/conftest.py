"""Desk fixtures: a logged-in browser-less client per persona."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tousu.conftest import World


class Desk:
    """The desk as one persona sees it (Django's test client, logged in)."""

    def __init__(self, world: World, persona: str, org: str = "acme") -> None:
        self.client = Client()
        self.client.force_login(world.users[persona])
        self.org = org

    def get(self, path: str = "", **params: Any) -> Any:
        return self.client.get(f"/desk/{self.org}/{path}", params)

    def post(self, path: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
        return self.client.post(f"/desk/{self.org}/{path}", data or {}, **extra)

    def register(self, **values: Any) -> Any:
        data = {
            "kind": "complaint",
            "channel": "phone",
            "category": "fees",
            "c_name": "王建国",
            "c_phone": "13912345678",
            "content": "CT检查被重复收费两次，要求退还多收的费用。",
            "demands": "退还重复收取的费用",
            "s_type": "department",
            "s_name": "门诊收费处",
        }
        data.update(values)
        return self.post("new/", data)

    def act(self, number: str, action: str, data: dict[str, Any] | None = None) -> Any:
        return self.post(f"cases/{number}/act/{action}/", data)


@pytest.fixture
def desk(world: World) -> Any:
    """desk("clerk") → that persona's desk client."""
    return lambda persona, org="acme": Desk(world, persona, org)

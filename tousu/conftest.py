"""Shared fixtures: an organisation with one persona per role, and an API client.

Personas (organisation ``acme``, general preset):
clerk (intake_clerk, office), dispatcher, handler (finance), head (department_head,
finance), handler2 (handler, service), supervisor, leader, auditor, admin
(administrator); ``outsider`` is a dispatcher of another organisation, ``other``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tousu.cases.access import Actor, actor_for
from tousu.clock.overrides import clear_cache as clear_calendars
from tousu.jobs.queue import huey
from tousu.ops.tokens import create_token
from tousu.orgs import models as org_models
from tousu.orgs.models import Organisation
from tousu.orgs.services import create_user
from tousu.policy import models as policy_models
from tousu.policy.services import create_org

PERSONAS: dict[str, tuple[str, str | None]] = {
    "clerk": ("intake_clerk", "office"),
    "dispatcher": ("dispatcher", None),
    "handler": ("handler", "finance"),
    "head": ("department_head", "finance"),
    "handler2": ("handler", "service"),
    "supervisor": ("supervisor", None),
    "leader": ("leader", None),
    "auditor": ("auditor", None),
    "admin": ("administrator", None),
}


def needs_postgres() -> None:
    """Skip outside CI when not on PostgreSQL; under CI=true, never skip: fail."""
    if connection.vendor != "postgresql":
        reason = "needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/test"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@dataclass
class Api:
    """Calls the REST API as one persona."""

    client: Client
    token: str
    org: str = "acme"

    def _h(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    def post(self, path: str, body: Any = None, *, raw: str | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(
            f"/api/v1/orgs/{self.org}{path}",
            data,
            content_type="application/json",
            headers=self._h(),
        )

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1/orgs/{self.org}{path}", params, headers=self._h())

    def register(self, **overrides: Any) -> Any:
        body = {
            "kind": "complaint",
            "channel": "phone",
            "category": "fees",
            "content": "CT检查被重复收费两次，要求退还多收的费用。",
            "demands": "退还重复收取的费用",
            "complainant": {"anonymous": False, "name": "王建国", "phone": "13912345678"},
            "subject": {"type": "department", "name": "门诊收费处"},
        }
        body.update(overrides)
        return self.post("/cases", body)

    def act(self, number: str, action: str, body: Any = None) -> Any:
        return self.post(f"/cases/{number}/actions/{action}", body or {})


class World:
    def __init__(self) -> None:
        self.org = create_org("acme", "示例医院")
        self.other = create_org("other", "另一单位")
        self.users = {
            name: create_user(name, org=self.org, role=role, department=dept)
            for name, (role, dept) in PERSONAS.items()
        }
        self.users["outsider"] = create_user("outsider", org=self.other, role="dispatcher")
        self._tokens: dict[str, str] = {}

    def api(self, persona: str) -> Api:
        if persona not in self._tokens:
            self._tokens[persona] = create_token(self.users[persona])
        return Api(Client(), self._tokens[persona])

    def actor(self, persona: str, org: Organisation | None = None) -> Actor:
        return actor_for(self.users[persona], (org or self.org).slug)


@pytest.fixture(autouse=True)
def _jobs_run_inline() -> Any:
    """Jobs enqueued by a test run at once, in memory (the worker tests use real Redis)."""
    huey.immediate = True
    yield
    huey.immediate = False


def needs_redis() -> str:
    """The Redis URL for tests; skip outside CI when Redis is not there, fail under CI=true."""
    import redis

    url = os.environ.get("TOUSU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        reason = f"needs Redis at {url}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> Any:
    """Ids are reused after a test's rollback on SQLite; per-process caches must not outlive
    it — cleared before each test and after it (module-level setups run between tests)."""

    def clear() -> None:
        org_models._DEPARTMENT_IDS.clear()
        policy_models._LOADED.clear()
        clear_calendars()

    clear()
    yield
    clear()


@pytest.fixture
def world(db: None) -> World:
    return World()


# -- the PostgreSQL run skips what never touches a database ------------------------------

DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help=(
            "Deselect the tests that use no database (they run in the SQLite run): "
            "`make test-postgres` passes it, so the second database's run repeats only "
            "what can differ between the databases."
        ),
    )


def uses_database(item: pytest.Item) -> bool:
    """Whether the PostgreSQL run should repeat this test: it uses a database, and is not
    marked ``one_database`` (it checks nothing a database could change)."""
    if item.get_closest_marker("one_database") is not None:
        return False
    return item.get_closest_marker("django_db") is not None or bool(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--database-tests-only"):
        return
    kept = [item for item in items if uses_database(item)]
    dropped = [item for item in items if not uses_database(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_report_header(config: pytest.Config) -> str | None:
    if config.getoption("--database-tests-only"):
        return "--database-tests-only: the tests that use no database run in the SQLite run only"
    return None

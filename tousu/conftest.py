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
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.test import Client, override_settings

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

    @classmethod
    def restored(cls) -> World:
        """The same world, its rows copied back from the snapshot taken once per session
        (:func:`_world_snapshot`): what ``World()`` writes, without writing it again."""
        _restore_world()
        world = cls.__new__(cls)
        world.org = Organisation.objects.get(slug="acme")
        world.other = Organisation.objects.get(slug="other")
        names = [*PERSONAS, "outsider"]
        users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
        world.users = {name: users[name] for name in names}
        world._tokens = {}
        return world

    def api(self, persona: str) -> Api:
        if persona not in self._tokens:
            self._tokens[persona] = create_token(self.users[persona])
        return Api(Client(), self._tokens[persona])

    def actor(self, persona: str, org: Organisation | None = None) -> Actor:
        return actor_for(self.users[persona], (org or self.org).slug)


@pytest.fixture(autouse=True, scope="session")
def _exports_elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Export files built by tests go to a temporary directory, never to var/."""
    with override_settings(TOUSU_EXPORTS_DIR=tmp_path_factory.mktemp("exports")):
        yield


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


# -- the world, built once per session and copied into each test ---------------------------

# (table, columns, rows) of every row ``World()`` writes, as the database stores them.
Snapshot = list[tuple[type[models.Model], list[str], list[tuple[Any, ...]]]]
_SNAPSHOT: Snapshot = []


def _world_snapshot() -> Snapshot:
    """Build the world once inside a transaction, read back the rows it wrote, roll back."""
    tables = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]
    before = {m: set(m._base_manager.values_list("pk", flat=True)) for m in tables}
    snapshot: Snapshot = []
    with transaction.atomic():
        World()
        for model in tables:
            new = sorted(set(model._base_manager.values_list("pk", flat=True)) - before[model])
            if not new:
                continue
            columns = [f.column for f in model._meta.local_concrete_fields]
            qn = connection.ops.quote_name
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {', '.join(map(qn, columns))} FROM {qn(model._meta.db_table)} "  # noqa: S608
                    f"WHERE {qn(model._meta.pk.column)} IN ({', '.join(['%s'] * len(new))})",
                    new,
                )
                snapshot.append((model, columns, list(cursor.fetchall())))
        transaction.set_rollback(True)
    return snapshot


def _reserve_world_ids(snapshot: Snapshot) -> None:
    """Ids handed out after the snapshot start above the world's, so rows made outside a
    test (a module's shared fixture) never take them. PostgreSQL's sequences already moved
    on (a rollback leaves them); SQLite's ``AUTOINCREMENT`` counters rolled back with it."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for model, columns, rows in snapshot:
            at = columns.index(model._meta.pk.column)
            top = max(int(row[at]) for row in rows)
            table = model._meta.db_table
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = %s WHERE name = %s AND seq < %s",
                [top, table, top],
            )
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT %s, %s "
                "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
                [table, top, table],
            )


def _restore_world() -> None:
    qn = connection.ops.quote_name
    # One transaction (a transactional test has none): the rows refer to each other both ways.
    with transaction.atomic(), connection.cursor() as cursor:
        for model, columns, rows in _SNAPSHOT:
            json_columns = {
                f.column
                for f in model._meta.local_concrete_fields
                if f.get_internal_type() == "JSONField"
            }
            if connection.vendor == "postgresql" and json_columns:
                from psycopg.types.json import Jsonb

                # Django reads jsonb as its text; a decoded value is wrapped back.
                at = [i for i, c in enumerate(columns) if c in json_columns]
                rows = [
                    tuple(
                        Jsonb(v) if i in at and isinstance(v, (dict, list)) else v
                        for i, v in enumerate(r)
                    )
                    for r in rows
                ]
            cursor.executemany(
                f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(map(qn, columns))}) "  # noqa: S608
                f"VALUES ({', '.join(['%s'] * len(columns))})",
                rows,
            )
        # Explicit ids leave PostgreSQL's sequences behind when they were reset meanwhile.
        for sql in connection.ops.sequence_reset_sql(no_style(), [m for m, _, _ in _SNAPSHOT]):
            cursor.execute(sql)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """The test database, plus the snapshot of the world taken in it (then rolled back)."""
    with django_db_blocker.unblock():
        _SNAPSHOT[:] = _world_snapshot()
        _reserve_world_ids(_SNAPSHOT)
        org_models._DEPARTMENT_IDS.clear()
        policy_models._LOADED.clear()
        clear_calendars()


@pytest.fixture
def world(db: None) -> World:
    return World.restored()


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

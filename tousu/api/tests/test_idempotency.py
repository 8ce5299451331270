"""Registering through the API with an ``Idempotency-Key``: once per key, the first answer
replayed, another body refused, keys scoped to the token and kept 24 hours."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone

from tousu.cases import idempotency
from tousu.cases.models import Case, Event, IdempotencyKey
from tousu.conftest import Api, World
from tousu.jobs.queue import run_sweep

BODY: dict[str, Any] = {
    "kind": "complaint",
    "channel": "phone",
    "category": "fees",
    "content": "CT检查被重复收费两次，要求退还多收的费用。",
    "demands": "退还重复收取的费用",
    "complainant": {"anonymous": False, "name": "王建国", "phone": "13912345678"},
    "subject": {"type": "department", "name": "门诊收费处"},
}


def _post(api: Api, key: str | None, body: dict[str, Any] | None = None) -> Any:
    headers = {"authorization": f"Bearer {api.token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return api.client.post(
        f"/api/v1/orgs/{api.org}/cases",
        json.dumps(body or BODY),
        content_type="application/json",
        headers=headers,
    )


def test_the_same_key_registers_once_and_replays_the_first_answer(world: World) -> None:
    api = world.api("clerk")
    first = _post(api, "order-7f3a")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    again = _post(api, "order-7f3a")
    assert again.status_code == 201, again.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Case.objects.filter(org=world.org).count() == 1
    assert Event.objects.filter(type="registered").count() == 1
    # Without a key, or with another one, each request registers.
    assert _post(api, None).status_code == 201
    assert _post(api, "order-7f3b").status_code == 201
    assert Case.objects.filter(org=world.org).count() == 3


def test_the_same_key_with_another_body_is_refused_and_registers_nothing(world: World) -> None:
    api = world.api("clerk")
    assert _post(api, "k-1").status_code == 201
    r = _post(api, "k-1", {**BODY, "content": "另一件事：停车场收费过高。"})
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == "idempotency_key_reused"
    assert "幂等键" in body["message"]["zh"] and "idempotency key" in body["message"]["en"]
    assert Case.objects.filter(org=world.org).count() == 1


def test_a_key_is_scoped_to_the_token(world: World) -> None:
    # Another caller who sends the same key files their own case and learns nothing of the first.
    a, b = world.api("clerk"), world.api("dispatcher")
    first = _post(a, "shared-key")
    second = _post(b, "shared-key")
    assert first.status_code == second.status_code == 201
    assert first.json()["number"] != second.json()["number"]
    assert "Idempotent-Replayed" not in second
    assert Case.objects.filter(org=world.org).count() == 2


@pytest.mark.parametrize("key", ["", "x" * 201, "空格 key", "tab\tkey"])
def test_an_invalid_key_is_refused_before_anything_is_written(world: World, key: str) -> None:
    r = _post(world.api("clerk"), key)
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "idempotency_key_invalid"
    assert not Case.objects.exists() and not IdempotencyKey.objects.exists()


def test_a_refused_registration_keeps_no_key(world: World) -> None:
    api = world.api("clerk")
    r = _post(api, "k-2", {**BODY, "kind": "nonsense"})
    assert r.status_code == 422
    assert not IdempotencyKey.objects.exists()
    assert _post(api, "k-2").status_code == 201  # the key is free for the corrected request


def test_keys_last_24_hours_and_the_worker_removes_them(world: World) -> None:
    api = world.api("clerk")
    assert _post(api, "old-key").status_code == 201
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    # Past its 24 hours the key is new again, even before the sweep.
    again = _post(api, "old-key")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Case.objects.filter(org=world.org).count() == 2
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert _post(api, "fresh").status_code == 201
    counts = run_sweep()
    assert counts["idempotency_keys_removed"] == 1
    assert IdempotencyKey.objects.count() == 1


def test_the_openapi_document_describes_the_header(world: World) -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    params = spec["paths"]["/api/v1/orgs/{org}/cases"]["post"]["parameters"]
    assert any(p["in"] == "header" and p["name"] == idempotency.HEADER for p in params)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_with_one_key_register_one_case() -> None:
    world = World()
    api = world.api("clerk")
    threads = 4
    barrier = threading.Barrier(threads)
    answers: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def send() -> None:
        try:
            client = Api(Client(), api.token)
            barrier.wait()
            r = _post(client, "same-moment")
            with lock:
                answers.append((r.status_code, r.json(), r.get("Idempotent-Replayed")))
        except BaseException as exc:  # noqa: BLE001 — reported by the main thread
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    pool = [threading.Thread(target=send) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert not errors, errors
    assert Case.objects.filter(org=world.org).count() == 1
    assert {status for status, _, _ in answers} == {201}
    assert len({body["number"] for _, body, _ in answers}) == 1
    assert sorted(replayed or "" for _, _, replayed in answers) == ["", "true", "true", "true"]

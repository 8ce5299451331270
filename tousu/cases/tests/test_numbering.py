"""Case numbers: per organisation, in the policy's format, unique and gap-free."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import close_old_connections, connection

from tousu.cases import inputs, intake
from tousu.cases.access import actor_for
from tousu.cases.errors import TousuError
from tousu.cases.numbering import format_number
from tousu.conftest import World, needs_postgres
from tousu.orgs.models import Organisation
from tousu.orgs.services import create_user
from tousu.policy.loader import preset_source
from tousu.policy.schema import Numbering
from tousu.policy.services import activate_policy, create_org

PAYLOAD = inputs.RegisterIn(
    kind="complaint",
    channel="phone",
    category="fees",
    content="重复收费",
    complainant=inputs.ComplainantIn(name="李四"),
    subject=inputs.SubjectIn(type="department", name="收费处"),
)


def _monthly(org: Organisation) -> None:
    source = preset_source("general").replace(
        'format = "TS-{yyyy}-{n:06d}"\nreset = "year"',
        'format = "{yy}{mm}{n:02d}"\nreset = "month"',
    )
    activate_policy(org, source)


def test_the_yymmnn_serial_restarts_each_month_and_widens_past_99(world: World) -> None:
    _monthly(world.org)
    actor = world.actor("clerk")
    numbers = [
        intake.register(actor, PAYLOAD, now=datetime(2026, 10, 31, 15, 0, tzinfo=UTC)).number
        for _ in range(101)
    ]
    assert numbers[0] == "261031"[:4] + "01"
    assert numbers[98] == "261099"
    assert numbers[99] == "2610100"  # widens rather than overflowing
    # 2026-10-31 16:30 UTC is already November in Shanghai: a new month, a new serial
    november = intake.register(actor, PAYLOAD, now=datetime(2026, 10, 31, 16, 30, tzinfo=UTC))
    assert november.number == "261101"


def test_numbers_are_per_organisation(world: World) -> None:
    mine = intake.register(world.actor("clerk"), PAYLOAD)
    create_user("clerk_other", org=world.other, role="intake_clerk")
    theirs = intake.register(
        actor_for(world.users["outsider"], "other"), PAYLOAD
    )  # a dispatcher may register too
    assert mine.number == theirs.number == f"TS-{datetime.now(UTC).year}-000001"


def test_a_failed_registration_gives_its_number_back(world: World) -> None:
    actor = world.actor("clerk")
    first = intake.register(actor, PAYLOAD)
    with pytest.raises(TousuError):
        intake.register(actor, PAYLOAD.model_copy(update={"category": "no_such_category"}))
    second = intake.register(actor, PAYLOAD)
    assert int(str(second.number)[-6:]) == int(str(first.number)[-6:]) + 1


def test_a_format_without_the_period_is_refused() -> None:
    with pytest.raises(ValueError, match="restarts monthly"):
        Numbering(format="{n:04d}", reset="month")
    assert format_number(Numbering(format="TS-{yyyy}-{n:06d}"), datetime(2026, 1, 5), 123) == (
        "TS-2026-000123"
    )


def _register_concurrently(
    org_slug: str, username_prefix: str, threads: int, each: int
) -> list[str]:
    org = Organisation.objects.get(slug=org_slug)
    users = [
        create_user(f"{username_prefix}{i}", org=org, role="intake_clerk") for i in range(threads)
    ]
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def work(user_index: int) -> None:
        try:
            actor = actor_for(users[user_index], org_slug)
            barrier.wait()
            for _ in range(each):
                case = intake.register(actor, PAYLOAD)
                with lock:
                    numbers.append(str(case.number))
        except BaseException as exc:  # noqa: BLE001 — reported by the main thread
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert not errors, errors
    return numbers


def _assert_gap_free(numbers: list[str], expected: int) -> None:
    assert len(numbers) == expected
    assert len(set(numbers)) == expected
    serials = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert serials == list(range(1, expected + 1))


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_gap_free_numbers() -> None:
    create_org("busy", "繁忙单位")
    numbers = _register_concurrently("busy", "desk", threads=4, each=10)
    _assert_gap_free(numbers, 40)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_200_concurrent_registrations_on_postgresql_get_200_gap_free_numbers() -> None:
    needs_postgres()
    create_org("hotline", "12345热线")
    numbers = _register_concurrently("hotline", "operator", threads=20, each=10)
    _assert_gap_free(numbers, 200)

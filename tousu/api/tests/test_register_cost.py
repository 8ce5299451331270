"""What one API registration costs the database, and that sealing it in one batch keeps
every row's history: the same seals, in the same order, as sealing row by row."""

from __future__ import annotations

from typing import Any

from tousu.audit.models import Seal
from tousu.audit.verify import verify
from tousu.cases.models import Case, Party
from tousu.conftest import World

# The bearer token's actor (1); the case, complainant, subject, deadlines and event
# inserts (5); their rows read back and sealed in one insert (4 + 1); the counter (1); the
# numbered case updated, read back and sealed (3); the savepoint of the transaction in
# which each test runs (2: in production, BEGIN and COMMIT are not queries).
REGISTRATION_QUERIES = 17


def test_one_api_registration_takes_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    api = world.api("clerk")
    assert api.register().status_code == 201  # the policy and calendar caches are warm now
    with django_assert_num_queries(REGISTRATION_QUERIES):
        r = api.register()
    assert r.status_code == 201, r.content
    assert Case.objects.filter(number=r.json()["number"]).exists()


def test_a_registration_is_sealed_row_by_row_in_the_order_it_was_written(world: World) -> None:
    r = world.api("clerk").register(
        complainant={
            "anonymous": False,
            "name": "王建国",
            "phone": "13912345678",
            "agent": {"name": "王小明", "relation": "儿子", "phone": "13800000000"},
        }
    )
    assert r.status_code == 201, r.content
    case = Case.objects.get(number=r.json()["number"])
    person, agent = Party.objects.filter(case=case).order_by("pk")
    event = case.events.get()
    subject = case.subjects.get()
    chain = list(
        Seal.objects.filter(scope=f"c:{case.pk}").order_by("seq").values_list("seq", "table", "row")
    )
    # The case as created, its parties, subject and event; then the case once numbered.
    assert chain == [
        (1, "cases.case", case.pk),
        (2, "cases.party", person.pk),
        (3, "cases.party", agent.pk),
        (4, "cases.subject", subject.pk),
        (5, "cases.event", event.pk),
        (6, "cases.case", case.pk),
    ]
    report = verify(world.org)
    assert report.ok, report.lines()


def test_a_failed_registration_leaves_no_seal_and_the_next_one_is_sealed(world: World) -> None:
    api = world.api("clerk")
    before = Seal.objects.count()
    # Refused inside the transaction: the case and its complainant were written already.
    refused = api.register(subject={"type": "staff", "name": "某人", "staff": "nobody"})
    assert refused.status_code == 422, refused.content
    assert Case.objects.count() == 0
    assert Seal.objects.count() == before
    r = api.register()
    assert r.status_code == 201, r.content
    case = Case.objects.get(number=r.json()["number"])
    assert Seal.objects.filter(scope=f"c:{case.pk}").count() == 5
    report = verify(world.org)
    assert report.ok, report.lines()

"""Events: append-only, hash-chained per case, and free of personal data."""

from __future__ import annotations

import json

import pytest

from tousu.audit.tests.tamper import tamper
from tousu.cases.events import verify_case
from tousu.cases.models import Case, CaseRecord, Event
from tousu.conftest import World


def _walked_case(world: World) -> Case:
    clerk, dispatcher = world.api("clerk"), world.api("dispatcher")
    number = clerk.register(
        complainant={"name": "赵秀兰", "phone": "13700001111", "address": "幸福路8号"}
    ).json()["number"]
    dispatcher.act(number, "accept", {"note": "赵秀兰来电，予以受理"})
    dispatcher.act(number, "assign", {"lead_department": "finance", "handler": "handler"})
    world.api("handler").act(
        number,
        "record",
        {
            "kind": "mediation",
            "body": "与赵秀兰面谈调解",
            "participants": ["赵秀兰", "收费处张主任"],
        },
    )
    return Case.objects.get(number=number)


def test_events_hold_no_personal_data(world: World) -> None:
    case = _walked_case(world)
    dumped = json.dumps(
        list(Event.objects.filter(case=case).values()), default=str, ensure_ascii=False
    )
    for secret in ("赵秀兰", "13700001111", "幸福路"):
        assert secret not in dumped
    # ... the free text is in the case's own records, which events point to
    mediation = Event.objects.get(case=case, type="recorded")
    assert mediation.record is not None
    assert mediation.record.data["participants"] == ["赵秀兰", "收费处张主任"]


def test_editing_an_event_row_breaks_the_chain_at_that_event(world: World) -> None:
    case = _walked_case(world)
    assert verify_case(case) == (True, None)
    table = Event._meta.db_table
    # On PostgreSQL a trigger refuses the edit; `tamper` then makes it with the trigger off.
    tamper(
        table,
        f"UPDATE {table} SET to_status = 'closed' WHERE case_id = %s AND seq = 2",  # noqa: S608
        [case.pk],
    )
    assert verify_case(case) == (False, 2)


def test_deleting_an_event_row_breaks_the_chain(world: World) -> None:
    case = _walked_case(world)
    last = Event.objects.filter(case=case).order_by("-seq").first()
    assert last is not None
    table = Event._meta.db_table
    tamper(table, f"DELETE FROM {table} WHERE id = %s", [last.pk])  # noqa: S608
    ok, _ = verify_case(case)
    assert ok is False


def test_events_and_records_refuse_to_be_changed_through_the_orm(world: World) -> None:
    case = _walked_case(world)
    event = Event.objects.filter(case=case).first()
    assert event is not None
    event.type = "something_else"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    record = CaseRecord.objects.filter(case=case).first()
    assert record is not None
    with pytest.raises(RuntimeError, match="append-only"):
        record.save()

"""What came of the case, on its page: the findings (valid, responsibility), the mediation
and the follow-up (回访) — and a follow-up that did not reach the complainant cannot carry
a satisfaction it never heard."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tousu.cases.actions import ACTION_FUNCTIONS
from tousu.cases.errors import TousuError
from tousu.cases.models import Case, Event
from tousu.conftest import World

pytestmark = pytest.mark.django_db


def _act(world: World, persona: str, case: Case, action: str, body: dict[str, Any]) -> None:
    fn, schema = ACTION_FUNCTIONS[action]
    fn(case.pk, actor=world.actor(persona), data=schema.model_validate(body))


def _replied(world: World, desk: Any) -> Case:
    response = desk("clerk").register()
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.latest("pk")
    _act(world, "dispatcher", case, "accept", {})
    _act(world, "dispatcher", case, "assign", {"lead_department": "finance", "handler": "handler"})
    _act(world, "handler", case, "record", {
        "kind": "mediation", "body": "与收费处当面调解，同意退还重复收取的费用。",
        "outcome": "agreement", "participants": ["收费处 李某"],
    })  # fmt: skip
    _act(world, "handler", case, "resolve", {
        "findings": "重复收费属实，已退费。", "responsibility": "organisation", "valid": True,
        "measures": "收费处整改",
    })  # fmt: skip
    _act(world, "handler", case, "reply", {"channel": "phone", "body": "多收的费用已退还。"})
    case.refresh_from_db()
    return case


def _outcomes(page: str) -> str:
    match = re.search(r'<section[^>]*id="outcomes".*?</section>', page, re.S)
    assert match is not None, "no outcomes section"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))


def _state(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return case.status, case.satisfaction, case.last_seq, Event.objects.filter(case=case).count()


def test_a_satisfaction_without_reaching_the_complainant_is_refused(
    world: World, desk: Any
) -> None:
    case = _replied(world, desk)
    before = _state(case)
    with pytest.raises(TousuError) as refused:
        _act(world, "clerk", case, "follow_up", {"reached": False, "satisfaction": "satisfied"})
    assert refused.value.status == 422
    assert refused.value.details[0]["field"] == "satisfaction"
    assert "未联系上投诉人" in refused.value.zh and "satisfaction" in refused.value.en.lower()
    assert _state(case) == before
    # The desk form: the box unticked, a satisfaction chosen — refused with the reason.
    response = desk("clerk").act(
        case.number, "follow_up", {"satisfaction": "satisfied", "channel": "phone"}
    )
    assert response.status_code == 422
    assert "未联系上投诉人" in response.content.decode()
    assert _state(case) == before


def test_the_page_shows_what_came_of_the_case(world: World, desk: Any) -> None:
    case = _replied(world, desk)
    # A first call does not reach the complainant; the page says so, without a satisfaction.
    _act(world, "clerk", case, "follow_up", {"reached": False, "note": "电话无人接听"})
    section = _outcomes(desk("supervisor").get(f"cases/{case.number}/").content.decode())
    assert "属实" in section and "本单位责任" in section and "收费处整改" in section
    assert "调解" in section and "达成协议" in section
    assert "未联系上" in section and "电话无人接听" in section
    assert "尚无满意度评价" in section
    # A second call reaches them: both attempts stay, the satisfaction is shown.
    _act(world, "clerk", case, "follow_up", {
        "reached": True, "satisfaction": "basically_satisfied", "channel": "phone",
    })  # fmt: skip
    section = _outcomes(desk("supervisor").get(f"cases/{case.number}/").content.decode())
    assert "已联系上" in section and "基本满意" in section and "未联系上" in section
    assert "尚无满意度评价" not in section
    # The read model the page is built from (the API answers the same).
    data = world.api("supervisor").get(f"/cases/{case.number}").json()
    outcomes = data["outcomes"]
    assert outcomes["findings"]["validity"] == "valid"
    assert outcomes["findings"]["responsibility"] == "organisation"
    assert outcomes["mediation"]["outcome"] == "agreement"
    assert [f["reached"] for f in outcomes["follow_ups"]] == [False, True]
    assert outcomes["follow_ups"][1]["satisfaction"] == "basically_satisfied"


def test_a_new_case_has_no_outcomes_section(world: World, desk: Any) -> None:
    response = desk("clerk").register()
    case = Case.objects.latest("pk")
    assert response.status_code == 302
    page = desk("clerk").get(f"cases/{case.number}/").content.decode()
    assert 'id="outcomes"' not in page

"""Receipts from the desk: issued for a phone, letter or visit case; bound from a box form."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.sessions.models import Session
from django.test import Client

from tousu.cases.models import Case, Event
from tousu.conftest import World
from tousu.reporter import receipts
from tousu.reporter.models import Receipt


def _desk(world: World, persona: str = "clerk") -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _phone_case(world: World, **overrides: Any) -> Case:
    r = world.api("clerk").register(**overrides)
    assert r.status_code == 201, r.content
    return Case.objects.get(org=world.org, number=r.json()["number"])


def test_the_desk_shows_an_issued_receipt_once_and_keeps_only_its_hash(world: World) -> None:
    case = _phone_case(world)
    desk = _desk(world)
    page = desk.get(f"/desk/acme/cases/{case.number}/").content.decode()
    assert 'id="act-issue_receipt"' in page
    r = desk.post(
        f"/desk/acme/cases/{case.number}/act/issue_receipt/", {"channel": "phone"}, follow=True
    )
    assert r.status_code == 200, r.content.decode()[:2000]
    assert r.redirect_chain[0][1] == 303
    assert r["Cache-Control"] == "no-store"
    found = re.search(r'id="receipt"><strong>([0-9 ]+)</strong>', r.content.decode())
    assert found
    digits = found.group(1).replace(" ", "")
    assert receipts.find(world.org, digits) == case
    receipt = Receipt.objects.get(case=case)
    assert receipt.channel == "phone" and receipt.issued_by_id == world.users["clerk"].pk
    event = Event.objects.filter(case=case, type="receipt_issued").get()
    assert digits not in str(event.data) and event.data == {"channel": "phone"}
    for cookie in desk.cookies.values():
        assert digits not in cookie.value
    assert all(digits not in str(s.get_decoded()) for s in Session.objects.all())
    # The case page afterwards does not show it again.
    assert digits not in desk.get(f"/desk/acme/cases/{case.number}/").content.decode()


def test_a_box_form_receipt_is_bound_to_the_case_registered_from_it(world: World) -> None:
    printed = receipts.pre_issue(world.org, 1, by_user_id=world.users["clerk"].pk)[0]
    assert receipts.find(world.org, printed) is None
    case = _phone_case(world, channel="box")
    clerk = world.api("clerk")
    r = clerk.act(case.number or "", "bind_receipt", {"receipt": receipts.grouped(printed)})
    assert r.status_code == 200, r.content
    assert receipts.find(world.org, printed) == case
    # Bound once: a second case cannot take it.
    other = _phone_case(world, channel="box")
    r = clerk.act(other.number or "", "bind_receipt", {"receipt": printed})
    assert r.status_code == 422
    assert Event.objects.filter(case=other, type="receipt_bound").count() == 0


def test_the_api_answer_to_issue_receipt_carries_the_digits_once(world):
    from tousu.reporter import receipts

    api = world.api("clerk")
    number = api.register().json()["number"]
    r = api.act(number, "issue_receipt", {"channel": "phone"})
    assert r.status_code == 200, r.content
    digits = r.json()["receipt"]
    found = receipts.find(world.org, digits)
    assert found is not None and found.number == number
    again = api.get(f"/cases/{number}").json()
    assert again.get("receipt") is None  # never again

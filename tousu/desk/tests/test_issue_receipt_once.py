"""发放查询回执 from the desk issues once per form: post/redirect/get, the receipt shown once,
a reload, double click or resent form issuing nothing more."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from tousu.cases.models import Case, Event
from tousu.conftest import World
from tousu.reporter import receipts
from tousu.reporter.models import Receipt


def _desk(world: World, persona: str = "clerk") -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _phone_case(world: World) -> Case:
    r = world.api("clerk").register()
    assert r.status_code == 201, r.content
    return Case.objects.get(org=world.org, number=r.json()["number"])


def _form(desk: Client, case: Case) -> dict[str, Any]:
    """The 发放查询回执 form as the case page renders it, with its key."""
    page = desk.get(f"/desk/acme/cases/{case.number}/").content.decode()
    form = re.search(r'<details id="act-issue_receipt".*?</form>', page, re.S)
    assert form, "the case page offers 发放查询回执"
    key = re.search(r'name="idempotency_key" value="([A-Za-z0-9_-]+)"', form.group())
    assert key, form.group()
    return {"channel": "phone", "idempotency_key": key.group(1)}


def _digits(page: Any) -> str:
    found = re.search(r'id="receipt"><strong>([0-9 ]+)</strong>', page.content.decode())
    assert found, page.content.decode()[:2000]
    return found.group(1).replace(" ", "")


def _act(case: Case) -> str:
    return f"/desk/acme/cases/{case.number}/act/issue_receipt/"


def test_issuing_redirects_and_the_receipt_is_shown_once(world: World) -> None:
    case = _phone_case(world)
    desk = _desk(world)
    form = _form(desk, case)
    r = desk.post(_act(case), form)
    assert r.status_code == 303
    answer = r["Location"]
    assert answer == f"/desk/acme/cases/{case.number}/receipt/{form['idempotency_key']}/"
    first = desk.get(answer)
    assert first.status_code == 200 and first["Cache-Control"] == "no-store"
    digits = _digits(first)
    assert receipts.find(world.org, digits) == case
    # F5: issued, not shown again, nothing new.
    again = desk.get(answer)
    assert again.status_code == 200 and again["Cache-Control"] == "no-store"
    text = again.content.decode()
    assert 'id="receipt"' not in text and digits not in text.replace(" ", "")
    assert "没有重复发放" in text
    assert Receipt.objects.filter(case=case).count() == 1
    assert Event.objects.filter(case=case, type="receipt_issued").count() == 1


def test_a_double_click_or_resent_form_issues_one_receipt(world: World) -> None:
    case = _phone_case(world)
    desk = _desk(world)
    form = _form(desk, case)
    first, second = desk.post(_act(case), form), desk.post(_act(case), form)
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert _digits(desk.get(second["Location"]))
    assert desk.post(_act(case), form).status_code == 303
    assert Receipt.objects.filter(case=case).count() == 1
    assert Event.objects.filter(case=case, type="receipt_issued").count() == 1
    # A new form (the page rendered again) issues a new receipt, as asked.
    r = desk.post(_act(case), _form(desk, case))
    assert _digits(desk.get(r["Location"]))
    assert Receipt.objects.filter(case=case).count() == 2


def test_the_same_form_with_another_channel_is_refused(world: World) -> None:
    case = _phone_case(world)
    desk = _desk(world)
    form = _form(desk, case)
    assert desk.post(_act(case), form).status_code == 303
    r = desk.post(_act(case), {**form, "channel": "letter"})
    assert r.status_code == 422
    assert "这份表单已经提交过" in r.content.decode()
    assert Receipt.objects.filter(case=case).count() == 1


def test_the_receipt_page_is_only_for_the_one_who_issued_it(world: World) -> None:
    case = _phone_case(world)
    clerk = _desk(world)
    answer = clerk.post(_act(case), _form(clerk, case))["Location"]
    # Another staff member who may see the case, and one of another organisation.
    assert _desk(world, "dispatcher").get(answer).status_code == 404
    assert _desk(world, "outsider").get(answer).status_code == 404
    # Another case's URL with this key shows nothing either.
    other = _phone_case(world)
    assert clerk.get(answer.replace(str(case.number), str(other.number))).status_code == 404
    assert _digits(clerk.get(answer))


def test_issuing_without_the_right_is_refused_before_anything_is_kept(world: World) -> None:
    case = _phone_case(world)
    auditor = _desk(world, "auditor")
    r = auditor.post(_act(case), {"channel": "phone", "idempotency_key": "a" * 22})
    assert r.status_code in (403, 404)
    assert not Receipt.objects.filter(case=case).exists()

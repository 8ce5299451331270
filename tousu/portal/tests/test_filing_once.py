"""A portal submission files once: post/redirect/get, and the form's key makes a reload, a
double click or the same form sent again register one case; the receipt is shown once."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.utils import timezone

from tousu.cases import idempotency
from tousu.cases.models import Case, IdempotencyKey
from tousu.conftest import World
from tousu.reporter import receipts
from tousu.reporter.models import Receipt

NEW = "/o/acme/new/"
FORM: dict[str, str] = {
    "kind": "report",
    "category": "",
    "content": "某超市在售过期酸奶，生产日期为去年。",
    "demands": "依法查处",
    "subject_name": "某超市",
    "anonymous": "on",
}


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.TOUSU_FILES_DIR = tmp_path / "files"


def _key_of(page: Any) -> str:
    found = re.search(r'name="idempotency_key" value="([A-Za-z0-9_-]+)"', page.content.decode())
    assert found, page.content.decode()[:2000]
    return found.group(1)


def _form(client: Client) -> dict[str, str]:
    """The form as a browser holds it: its fields and the key made when it was rendered."""
    return {**FORM, "idempotency_key": _key_of(client.get(NEW))}


def _receipt_of(page: Any) -> str:
    found = re.search(r'id="receipt">([0-9 ]+)<', page.content.decode())
    assert found, page.content.decode()[:2000]
    return found.group(1).replace(" ", "")


def _cases() -> int:
    return Case.objects.count()


def test_the_submission_redirects_and_its_page_shows_the_receipt_once(world: World) -> None:
    client = Client()
    form = _form(client)
    posted = client.post(NEW, form)
    assert posted.status_code == 303
    answer = posted["Location"]
    assert answer == f"{NEW}{form['idempotency_key']}/"
    first = client.get(answer)
    assert first.status_code == 200 and first["Cache-Control"] == "no-store"
    digits = _receipt_of(first)
    case = receipts.find(world.org, digits)
    assert case is not None and case.number
    assert case.number in first.content.decode()
    # F5 on the answer: the case was filed, the receipt is not shown again, nothing new.
    again = client.get(answer)
    assert again.status_code == 200 and again["Cache-Control"] == "no-store"
    text = again.content.decode()
    assert 'id="receipt"' not in text and digits not in text.replace(" ", "")
    assert "没有重复登记" in text and case.number in text
    assert 'href="/o/acme/follow/"' in text
    assert _cases() == 1 and Receipt.objects.count() == 1


def test_the_same_form_sent_again_files_nothing_more(world: World) -> None:
    client = Client()
    form = _form(client)
    assert client.post(NEW, form).status_code == 303
    digits = _receipt_of(client.get(f"{NEW}{form['idempotency_key']}/"))
    # The browser's "resend the form" after the answer, or the back button and submit.
    replay = client.post(NEW, form, follow=True)
    assert replay.status_code == 200 and replay.redirect_chain[-1][1] == 303
    assert "没有重复登记" in replay.content.decode()
    assert digits not in replay.content.decode().replace(" ", "")
    assert _cases() == 1


def test_a_double_click_files_once_and_the_page_shows_the_one_receipt(world: World) -> None:
    client = Client()
    form = _form(client)
    first, second = client.post(NEW, form), client.post(NEW, form)
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    # The browser follows the last answer: the receipt of the one case.
    digits = _receipt_of(client.get(second["Location"]))
    assert receipts.find(world.org, digits) == Case.objects.get()
    assert Receipt.objects.count() == 1


def test_the_same_form_with_other_content_is_refused_with_a_new_form(world: World) -> None:
    client = Client()
    form = _form(client)
    assert client.post(NEW, form).status_code == 303
    changed = {**form, "content": "另一件事：同一家超市的冷柜温度过高。"}
    r = client.post(NEW, changed)
    assert r.status_code == 422
    text = r.content.decode()
    assert "这份表单已经提交过" in text
    assert "冷柜温度过高" in text  # what they wrote is kept
    fresh = _key_of(r)
    assert fresh != form["idempotency_key"]
    assert _cases() == 1
    # Sent with its new key, it is a case of its own.
    assert client.post(NEW, {**changed, "idempotency_key": fresh}).status_code == 303
    assert _cases() == 2


def test_a_refused_submission_keeps_its_key_for_the_corrected_one(world: World) -> None:
    client = Client()
    form = _form(client)
    r = client.post(NEW, {**form, "content": ""})
    assert r.status_code == 422
    assert _key_of(r) == form["idempotency_key"]
    assert not IdempotencyKey.objects.exists()
    assert client.post(NEW, form).status_code == 303
    assert _cases() == 1


def test_the_answer_page_is_only_for_the_session_that_submitted(world: World) -> None:
    client = Client()
    form = _form(client)
    answer = client.post(NEW, form)["Location"]
    stranger = Client()
    stranger.get(NEW)
    assert stranger.get(answer).status_code == 404
    assert Client().get(answer).status_code == 404
    # Another organisation's portal does not know it either.
    assert client.get(answer.replace("/o/acme/", "/o/other/")).status_code == 404
    # The receipt is still there for the one who submitted.
    assert receipts.find(world.org, _receipt_of(client.get(answer))) is not None


def test_another_session_sending_the_same_key_files_its_own_case(world: World) -> None:
    client = Client()
    form = _form(client)
    assert client.post(NEW, form).status_code == 303
    other = Client()
    other.get(NEW)
    r = other.post(NEW, form)
    assert r.status_code == 303
    assert _receipt_of(other.get(r["Location"]))
    assert _cases() == 2


def _stored(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT shown_once FROM cases_idempotencykey WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_the_receipt_is_kept_nowhere_but_sealed_until_shown(world: World) -> None:
    client = Client()
    form = _form(client)
    posted = client.post(NEW, form)
    row = IdempotencyKey.objects.get()
    assert row.answer == {"number": Case.objects.get().number, "anonymous": True, "files": 0}
    stored = _stored(row.pk)
    assert stored.startswith("s1:")  # sealed under the case's key
    digits = _receipt_of(client.get(posted["Location"]))
    assert digits not in stored and digits not in posted["Location"]
    assert _stored(row.pk) == ""
    assert all(digits not in s.session_data + str(s.get_decoded()) for s in Session.objects.all())
    for cookie in client.cookies.values():
        assert digits not in cookie.value


def test_a_receipt_not_shown_in_time_is_wiped(world: World) -> None:
    client = Client()
    form = _form(client)
    answer = client.post(NEW, form)["Location"]
    late = timezone.now() - idempotency.SHOW_WITHIN - timedelta(minutes=1)
    IdempotencyKey.objects.update(created_at=late)
    page = client.get(answer)
    assert page.status_code == 200 and 'id="receipt"' not in page.content.decode()
    assert IdempotencyKey.objects.get().shown_once == ""


def test_a_tampered_key_is_refused_and_nothing_is_filed(world: World) -> None:
    client = Client()
    client.get(NEW)
    r = client.post(NEW, {**FORM, "idempotency_key": "../../x"})
    assert r.status_code == 422
    assert "幂等键" in r.content.decode()
    assert _key_of(r) != "../../x"
    assert _cases() == 0


def test_a_form_without_a_key_still_files_once_and_redirects(world: World) -> None:
    client = Client()
    r = client.post(NEW, FORM)
    assert r.status_code == 303
    assert _receipt_of(client.get(r["Location"]))
    assert _cases() == 1

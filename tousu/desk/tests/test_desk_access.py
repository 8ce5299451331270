"""The desk from the attacker's side: every page and every action form.

The same rules as the API hold on the desk, because the desk goes through the same
fetch-and-authorise helpers: another organisation, another department, the staff
member a case is about and a recused handler see no case at all (the same 404 as a
number that does not exist); an auditor reads but never writes; anonymous visitors
are sent to sign in; nothing changes on a refused request.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tousu.cases.actions import ACTION_FUNCTIONS
from tousu.cases.models import Case
from tousu.cases.tests import test_access
from tousu.cases.tests.test_access import AccessWorld, _snapshot, _with_finance
from tousu.cases.tests.test_transitions import BODIES
from tousu.desk.tests.conftest import Desk
from tousu.privacy.models import IdentityAccess

# The API matrix's world (built once per module, each test in a savepoint), by name.
_module_world = test_access._module_world
world = test_access.world

ACTIONS = sorted(ACTION_FUNCTIONS)
MISSING = "TS-2099-999999"


def _form(action: str) -> dict[str, Any]:
    """The action's test body as a posted form (lists repeat, booleans as the form sends them)."""
    data: dict[str, Any] = {}
    for key, value in BODIES[action].items():
        if isinstance(value, bool):
            data[key] = "true" if value else "false"
        elif isinstance(value, list):
            data[key] = "\n".join(str(v) for v in value)
        elif isinstance(value, dict | type(None)):
            continue
        else:
            data[key] = str(value)
    return data


def _pages(number: str) -> list[str]:
    return [
        "",
        "queue/mine/",
        "queue/overdue/",
        "new/",
        "lookup/?c_phone=13912345678",
        "inbox/",
        f"cases/{number}/",
    ]


def _without_tokens(content: bytes) -> str:
    """A page with its CSRF tokens blanked (they differ on every response)."""
    text = content.decode()
    text = re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": ""', text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', text)


def _not_found_page(desk: Desk) -> str:
    r = desk.get(f"cases/{MISSING}/")
    assert r.status_code == 404
    return _without_tokens(r.content)


# --------------------------------------------------------------------------- anonymous


def test_anonymous_visitors_are_sent_to_sign_in_from_every_page(world: AccessWorld) -> None:
    client = Client()
    for path in _pages(world.complaint):
        r = client.get(f"/desk/acme/{path}")
        assert r.status_code == 302, path
        assert "login" in r["Location"], path


@pytest.mark.parametrize("action", ["accept", "close", "reply", "request_reveal"])
def test_anonymous_posts_change_nothing(world: AccessWorld, action: str) -> None:
    before = _snapshot(world, world.complaint)
    r = Client().post(f"/desk/acme/cases/{world.complaint}/act/{action}/", _form(action))
    assert r.status_code == 302 and "login" in r["Location"]
    assert _snapshot(world, world.complaint) == before


# --------------------------------------------------------------------------- other organisation


def test_another_organisation_sees_no_page_of_acme(world: AccessWorld) -> None:
    outsider = Desk(world, "outsider")
    for path in _pages(world.complaint):
        r = outsider.get(path.split("?")[0])
        assert r.status_code == 404, path
    # In their own organisation acme's case number does not exist either
    own = Desk(world, "outsider", org="other")
    assert own.get(f"cases/{world.complaint}/").status_code == 404
    assert world.complaint not in own.get("queue/dispatch/").content.decode()


@pytest.mark.parametrize("action", ACTIONS)
def test_another_organisation_cannot_take_any_action(world: AccessWorld, action: str) -> None:
    before = _snapshot(world, world.complaint)
    for org in ("acme", "other"):
        r = Desk(world, "outsider", org=org).act(world.complaint, action, _form(action))
        assert r.status_code == 404, (org, r.content[:300])
    assert _snapshot(world, world.complaint) == before


def test_another_organisation_cannot_register_into_acme(world: AccessWorld) -> None:
    count = Case.objects.count()
    assert Desk(world, "outsider").register().status_code == 404
    assert Case.objects.count() == count


# --------------------------------------------------------------------------- other department


def test_another_department_gets_the_same_page_as_a_missing_case(world: AccessWorld) -> None:
    handler2 = Desk(world, "handler2")
    r = handler2.get(f"cases/{world.complaint}/")
    assert r.status_code == 404
    # Identical but for the requested path (the language switch returns to it)
    assert _without_tokens(r.content).replace(world.complaint, MISSING) == _not_found_page(handler2)
    for queue in ("mine", "department", "dispatch", "overdue", "due_soon", "follow_up"):
        assert world.complaint not in handler2.get(f"queue/{queue}/").content.decode()
    # The Finance handler has it in their queue and may open it
    handler = Desk(world, "handler")
    assert world.complaint in handler.get("queue/mine/").content.decode()
    assert handler.get(f"cases/{world.complaint}/").status_code == 200


@pytest.mark.parametrize("action", ACTIONS)
def test_another_department_cannot_take_any_action(world: AccessWorld, action: str) -> None:
    before = _snapshot(world, world.complaint)
    r = Desk(world, "handler2").act(world.complaint, action, _form(action))
    assert r.status_code == 404
    assert _snapshot(world, world.complaint) == before


def test_the_phone_hint_does_not_reveal_cases_of_another_department(world: AccessWorld) -> None:
    # The complaint's complainant called from 13912345678 (see the API test world)
    hint = Desk(world, "handler2").get("lookup/", c_phone="13912345678").content.decode()
    assert world.complaint not in hint
    # A dispatcher, who sees every complaint with its identity, gets the hint
    hint = Desk(world, "dispatcher").get("lookup/", c_phone="13912345678").content.decode()
    assert world.complaint in hint


# --------------------------------------------------------------------------- auditor


def test_the_auditor_reads_the_case_page_without_any_action(world: AccessWorld) -> None:
    r = Desk(world, "auditor").get(f"cases/{world.complaint}/")
    assert r.status_code == 200
    page = r.content.decode()
    assert world.complaint in page
    assert 'id="h-actions"' not in page
    assert "/act/" not in page


@pytest.mark.parametrize("action", ACTIONS)
def test_the_auditor_cannot_take_any_action(world: AccessWorld, action: str) -> None:
    before = _snapshot(world, world.complaint)
    r = Desk(world, "auditor").act(world.complaint, action, _form(action))
    assert r.status_code == 403, r.content[:300]
    assert "无权" in r.content.decode()
    assert _snapshot(world, world.complaint) == before


def test_the_auditor_cannot_register(world: AccessWorld) -> None:
    count = Case.objects.count()
    auditor = Desk(world, "auditor")
    assert auditor.get("new/").status_code == 403
    assert auditor.register().status_code == 403
    assert Case.objects.count() == count


# --------------------------------------------------------------------------- subject, recusal


def test_the_staff_member_complained_about_never_sees_the_case(world: AccessWorld) -> None:
    clerk = Desk(world, "clerk")
    r = clerk.register(s_type="staff", s_name="财务科张某", s_staff="handler", category="")
    assert r.status_code == 302, r.content.decode()[:2000]
    number = r["Location"].rstrip("/").rsplit("/", 1)[-1]
    dispatcher = Desk(world, "dispatcher")
    assert dispatcher.act(number, "accept").status_code == 302
    r = dispatcher.act(number, "assign", {"lead_department": "finance"})
    assert r.status_code == 302
    subject = Desk(world, "handler")
    assert subject.get(f"cases/{number}/").status_code == 404
    for queue in ("mine", "department"):
        assert number not in subject.get(f"queue/{queue}/").content.decode()
    before = _snapshot(world, number)
    assert subject.act(number, "receive", {}).status_code == 404
    assert _snapshot(world, number) == before


def test_a_recused_handler_loses_the_case(world: AccessWorld) -> None:
    number = _with_finance(world)
    handler = Desk(world, "handler")
    r = handler.act(number, "recuse", {"reason": "被投诉人是我的亲属"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert handler.get(f"cases/{number}/").status_code == 404
    assert number not in handler.get("queue/department/").content.decode()


# --------------------------------------------------------------------------- identity


def test_a_reporters_identity_is_not_on_the_case_page(world: AccessWorld) -> None:
    for persona in ("dispatcher", "handler", "supervisor", "auditor"):
        page = Desk(world, persona).get(f"cases/{world.report}/").content.decode()
        assert world.report in page
        assert "王建国" not in page and "13912345678" not in page, persona
        assert "身份信息已保护" in page


def test_each_view_of_a_complainants_identity_is_logged(world: AccessWorld) -> None:
    case = Case.objects.get(number=world.complaint)
    before = IdentityAccess.objects.filter(case=case, surface="desk").count()
    page = Desk(world, "handler").get(f"cases/{world.complaint}/").content.decode()
    assert "王建国" in page
    assert IdentityAccess.objects.filter(case=case, surface="desk").count() == before + 1


# --------------------------------------------------------------------------- forms


def test_posts_without_the_csrf_token_are_refused(world: AccessWorld) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["dispatcher"])
    before = _snapshot(world, world.complaint)
    r = client.post(f"/desk/acme/cases/{world.complaint}/act/escalate/", {"reason": "x"})
    assert r.status_code == 403
    assert _snapshot(world, world.complaint) == before


def test_a_forbidden_transition_is_explained_and_changes_nothing(world: AccessWorld) -> None:
    before = _snapshot(world, world.complaint)
    r = Desk(world, "supervisor").act(world.complaint, "close", {})
    assert r.status_code == 409, r.content[:500]
    assert _snapshot(world, world.complaint) == before


def test_an_invalid_form_is_shown_again_with_the_message(world: AccessWorld) -> None:
    number = world.complaint
    before = _snapshot(world, number)
    r = Desk(world, "handler").act(number, "resolve", {"findings": "", "responsibility": "nobody"})
    assert r.status_code == 422
    page = r.content.decode()
    assert "必填" in page and "请从列表中选择" in page
    assert 'id="act-resolve" open' in page
    assert _snapshot(world, number) == before


def test_registration_without_content_is_refused_and_nothing_is_created(world: AccessWorld) -> None:
    count = Case.objects.count()
    r = Desk(world, "clerk").register(content="", c_phone="12ab")
    assert r.status_code == 422
    page = r.content.decode()
    assert "必填" in page and "格式不正确" in page
    assert Case.objects.count() == count

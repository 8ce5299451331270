"""Who may see and do what, from the attacker's side, through the API.

A case's existence is need-to-know: missing and forbidden answer the same 404.
Permission is checked before the body is read, so a caller without the right
learns nothing from validation either. A reporter's identity is sealed from
everyone; a complainant's contact details reach only the staff handling the case.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.utils import timezone

from tousu.cases.actions import ACTION_FUNCTIONS
from tousu.cases.models import Case, Event
from tousu.cases.tests.test_transitions import BODIES
from tousu.conftest import Api, World
from tousu.ops.tokens import create_token
from tousu.orgs.models import ApiToken
from tousu.orgs.services import create_user

ACTIONS = sorted(ACTION_FUNCTIONS)
PHONE = "13912345678"
NAME = "王建国"
NOT_FOUND = {"code": "not_found", "message": {"zh": "未找到该对象", "en": "Not found"}}


class AccessWorld(World):
    """The personas, plus a complaint and a report sitting with Finance."""

    complaint: str
    report: str


@pytest.fixture(scope="module")
def _module_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[AccessWorld]:
    """Built once for the module in a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = AccessWorld()
            for persona in built.users:
                built.api(persona)  # tokens made here outlive each test's rollback
            built.complaint = _with_finance(built)
            built.report = _with_finance(built, kind="report")
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(_module_world: AccessWorld, db: None) -> AccessWorld:
    """conftest's `world`, not rebuilt: each test runs in a savepoint inside the module's."""
    mine = copy.copy(_module_world)
    mine.users = dict(_module_world.users)
    mine._tokens = dict(_module_world._tokens)
    return mine


def _body(action: str, into: str = "TS-2026-999999") -> dict[str, Any]:
    body = dict(BODIES[action])
    if action == "merge":
        body["into"] = into
    return body


def _snapshot(world: World, number: str) -> tuple[str, int, str, int, int]:
    case = Case.objects.get(org=world.org, number=number)
    return (
        case.status,
        case.last_seq,
        case.last_hash,
        Event.objects.count(),
        Case.objects.count(),
    )


def _with_finance(world: World, **register: Any) -> str:
    """A complaint accepted and assigned to Finance (handler: the Finance handler)."""
    dispatcher = world.api("dispatcher")
    r = world.api("clerk").register(**register)
    assert r.status_code == 201, r.content
    number: str = r.json()["number"]
    assert dispatcher.act(number, "accept").status_code == 200
    r = dispatcher.act(number, "assign", {"lead_department": "finance", "handler": "handler"})
    assert r.status_code == 200, r.content
    return number


def _numbers(api: Api, **params: Any) -> list[str]:
    r = api.get("/cases", **params)
    assert r.status_code == 200, r.content
    return [c["number"] for c in r.json()["results"]]


def _second_clerk(world: AccessWorld) -> Api:
    world.users["clerk2"] = create_user(
        "clerk2", org=world.org, role="intake_clerk", department="office"
    )
    return world.api("clerk2")


# --------------------------------------------------------------------------- other organisation


def test_another_organisations_staff_cannot_see_acme_cases(world: AccessWorld) -> None:
    number = world.complaint
    outsider = world.api("outsider")

    # Through acme's path: not a member, so nothing there exists for them
    r = outsider.get(f"/cases/{number}")
    assert r.status_code == 404
    assert r.json() == NOT_FOUND
    assert outsider.get("/cases").status_code == 404

    # Through their own organisation's path, acme's number is unknown; the list is empty
    outsider.org = "other"
    assert outsider.get(f"/cases/{number}").status_code == 404
    r = outsider.get("/cases")
    assert r.status_code == 200
    assert r.json()["count"] == 0
    assert r.json()["results"] == []


@pytest.mark.parametrize("action", ACTIONS)
def test_another_organisations_staff_get_404_for_every_action(
    world: AccessWorld, action: str
) -> None:
    number = world.complaint
    before = _snapshot(world, number)
    outsider = world.api("outsider")

    r = outsider.act(number, action, _body(action, into=number))
    assert r.status_code == 404, r.content
    assert r.json() == NOT_FOUND
    outsider.org = "other"
    r = outsider.act(number, action, _body(action, into=number))
    assert r.status_code == 404, r.content
    assert _snapshot(world, number) == before


def test_another_organisations_staff_cannot_register_into_acme(world: AccessWorld) -> None:
    count = Case.objects.count()
    r = world.api("outsider").register()
    assert r.status_code == 404
    assert r.json() == NOT_FOUND
    assert Case.objects.count() == count


# --------------------------------------------------------------------------- other department


def test_another_departments_handler_does_not_see_the_case(world: AccessWorld) -> None:
    number = world.complaint
    handler2 = world.api("handler2")
    r = handler2.get(f"/cases/{number}")
    assert r.status_code == 404
    assert r.json() == NOT_FOUND
    assert number not in _numbers(handler2)
    # The Finance handler does, and it is in their list
    assert world.api("handler").get(f"/cases/{number}").status_code == 200
    assert number in _numbers(world.api("handler"))


@pytest.mark.parametrize("action", ACTIONS)
def test_another_departments_handler_gets_404_for_every_action(
    world: AccessWorld, action: str
) -> None:
    number = world.complaint
    before = _snapshot(world, number)
    r = world.api("handler2").act(number, action, _body(action))
    assert r.status_code == 404, r.content
    assert r.json() == NOT_FOUND
    assert _snapshot(world, number) == before


# --------------------------------------------------------------------------- auditor, administrator


def test_the_auditor_can_read_a_case_and_the_list(world: AccessWorld) -> None:
    number = world.complaint
    auditor = world.api("auditor")
    r = auditor.get(f"/cases/{number}")
    assert r.status_code == 200
    assert r.json()["number"] == number
    assert number in _numbers(auditor)


@pytest.mark.parametrize("action", ACTIONS)
def test_the_auditor_may_not_take_any_action(world: AccessWorld, action: str) -> None:
    number = world.complaint
    before = _snapshot(world, number)
    r = world.api("auditor").act(number, action, _body(action))
    assert r.status_code == 403, r.content
    assert r.json()["code"] == "action_forbidden"
    assert r.json()["details"] == {"action": action}
    assert r.json()["message"]["zh"] and r.json()["message"]["en"]
    assert _snapshot(world, number) == before


def test_the_auditor_may_not_register(world: AccessWorld) -> None:
    count = Case.objects.count()
    r = world.api("auditor").register()
    assert r.status_code == 403
    assert r.json()["code"] == "action_forbidden"
    assert Case.objects.count() == count


def test_the_administrator_sees_no_cases_and_cannot_register(world: AccessWorld) -> None:
    number = world.complaint
    admin = world.api("admin")
    r = admin.get(f"/cases/{number}")
    assert r.status_code == 404
    assert r.json() == NOT_FOUND
    r = admin.get("/cases")
    assert r.status_code == 200
    assert r.json()["count"] == 0
    count = Case.objects.count()
    r = admin.register()
    assert r.status_code == 403
    assert r.json()["code"] == "action_forbidden"
    assert Case.objects.count() == count
    before = _snapshot(world, number)
    r = admin.act(number, "record", BODIES["record"])
    assert r.status_code == 404
    assert _snapshot(world, number) == before


# --------------------------------------------------------------------------- tokens


def _unauthenticated(r: Any) -> None:
    assert r.status_code == 401, r.content
    assert r["Content-Type"].startswith("application/json")
    assert r["WWW-Authenticate"] == "Bearer"
    body = json.loads(r.content)
    assert body["code"] == "unauthenticated"
    assert body["message"]["zh"] and body["message"]["en"]


def _calls(world: AccessWorld, number: str, headers: dict[str, str]) -> list[Any]:
    client = Client()
    base = "/api/v1/orgs/acme/cases"
    register = json.dumps({"kind": "complaint", "channel": "phone", "content": "x"})
    return [
        client.get(f"{base}/{number}", headers=headers),
        client.get(base, headers=headers),
        client.post(base, register, content_type="application/json", headers=headers),
        client.post(
            f"{base}/{number}/actions/record",
            json.dumps(BODIES["record"]),
            content_type="application/json",
            headers=headers,
        ),
    ]


def test_without_a_token_every_endpoint_answers_401(world: AccessWorld) -> None:
    number = world.complaint
    before = _snapshot(world, number)
    for r in _calls(world, number, {}):
        _unauthenticated(r)
    assert _snapshot(world, number) == before


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Bearer ",
        "Bearer not-a-token",
        "Bearer tsu_",
        "Bearer tsu_" + "A" * 43,
        "Bearer tsu_" + "A" * 500,
        "Basic ZGlzcGF0Y2hlcjpzZWNyZXQ=",
        "Token tsu_abc",
    ],
)
def test_a_malformed_or_unknown_token_answers_401(world: AccessWorld, authorization: str) -> None:
    number = world.complaint
    before = _snapshot(world, number)
    for r in _calls(world, number, {"authorization": authorization}):
        _unauthenticated(r)
    assert _snapshot(world, number) == before


def test_a_token_with_a_nul_is_refused_at_the_edge(world: AccessWorld) -> None:
    """A NUL in any header is refused before authentication (400), and changes nothing."""
    number = world.complaint
    before = _snapshot(world, number)
    for r in _calls(world, number, {"authorization": "Bearer tsu_abc\x00"}):
        assert r.status_code == 400, r.content
        assert r.json()["code"] == "invalid_characters"
    assert _snapshot(world, number) == before


def test_a_revoked_token_answers_401(world: AccessWorld) -> None:
    number = world.complaint
    dispatcher = world.api("dispatcher")
    assert dispatcher.get(f"/cases/{number}").status_code == 200
    ApiToken.objects.filter(user=world.users["dispatcher"]).update(revoked_at=timezone.now())
    before = _snapshot(world, number)
    for r in _calls(world, number, {"authorization": f"Bearer {dispatcher.token}"}):
        _unauthenticated(r)
    assert _snapshot(world, number) == before
    # A new token works again
    fresh = create_token(world.users["dispatcher"])
    assert Api(Client(), fresh).get(f"/cases/{number}").status_code == 200


def test_a_deactivated_users_token_answers_401(world: AccessWorld) -> None:
    number = world.complaint
    dispatcher = world.api("dispatcher")
    get_user_model().objects.filter(pk=world.users["dispatcher"].pk).update(is_active=False)
    for r in _calls(world, number, {"authorization": f"Bearer {dispatcher.token}"}):
        _unauthenticated(r)


# --------------------------------------------------------------------------- intake clerks


def test_an_intake_clerk_sees_only_the_cases_they_registered(world: AccessWorld) -> None:
    clerk, clerk2 = world.api("clerk"), _second_clerk(world)
    mine = clerk.register().json()["number"]
    theirs = clerk2.register(category="service_attitude").json()["number"]

    assert clerk.get(f"/cases/{mine}").status_code == 200
    r = clerk.get(f"/cases/{theirs}")
    assert r.status_code == 404
    assert r.json() == NOT_FOUND
    assert theirs not in _numbers(clerk)
    assert mine in _numbers(clerk)
    assert _numbers(clerk2) == [theirs]
    # Nor can they act on it (record is open to every staff role)
    before = _snapshot(world, theirs)
    assert clerk.act(theirs, "record", BODIES["record"]).status_code == 404
    assert _snapshot(world, theirs) == before


def test_the_first_contact_owner_keeps_access_after_the_case_moves(world: AccessWorld) -> None:
    clerk, dispatcher = world.api("clerk"), world.api("dispatcher")
    number = world.complaint
    # Dispatch moves it from Finance to customer service
    r = dispatcher.act(number, "assign", {"lead_department": "service"})
    assert r.status_code == 200, r.content
    assert r.json()["lead_department"] == "service"

    assert world.api("handler").get(f"/cases/{number}").status_code == 404
    assert world.api("handler2").get(f"/cases/{number}").status_code == 200
    r = clerk.get(f"/cases/{number}")
    assert r.status_code == 200
    assert r.json()["first_contact_owner"] == "clerk"
    assert number in _numbers(clerk)
    # A second clerk, who did not take the call, still sees nothing
    assert _second_clerk(world).get(f"/cases/{number}").status_code == 404


# --------------------------------------------------------------------------- permission first


INVALID_BODIES: list[Any] = [
    {"bogus": 1},
    {"reason": ""},
    {"kind": "nope", "body": 5, "lead_department": "UPPER CASE", "amount": -1},
    [1, 2, 3],
    "a string",
]


@pytest.mark.parametrize("action", ["accept", "transfer", "record", "withdraw", "merge"])
@pytest.mark.parametrize("body", INVALID_BODIES, ids=["extra", "empty", "types", "list", "string"])
def test_a_caller_who_may_not_act_learns_nothing_from_validation(
    world: AccessWorld, action: str, body: Any
) -> None:
    number = world.complaint
    before = _snapshot(world, number)
    missing = "TS-2026-999999"

    for persona, expected in (("handler2", 404), ("outsider", 404), ("admin", 404)):
        api = world.api(persona)
        r = api.act(number, action, body)
        assert r.status_code == expected, (persona, r.status_code, r.content)
        assert r.json() == NOT_FOUND
        # The same for a case that does not exist at all
        assert api.act(missing, action, body).content == r.content

    # The auditor sees the case but may not write: 403, before any validation
    r = world.api("auditor").act(number, action, body)
    assert r.status_code == 403, r.content
    assert r.json()["code"] == "action_forbidden"
    # An intake clerk may not accept or merge (deciders only): 403 too
    if action in ("accept", "merge"):
        r = world.api("clerk").act(number, action, body)
        assert r.status_code == 403, r.content
        assert r.json()["code"] == "action_forbidden"
    assert _snapshot(world, number) == before


@pytest.mark.parametrize("persona", ["handler2", "outsider", "admin", "auditor"])
def test_malformed_json_from_a_caller_who_may_not_act_is_not_parsed(
    world: AccessWorld, persona: str
) -> None:
    number = world.complaint
    before = _snapshot(world, number)
    r = world.api(persona).post(f"/cases/{number}/actions/record", raw='{"kind": "note", ')
    assert r.status_code == (403 if persona == "auditor" else 404), r.content
    assert r.json()["code"] != "malformed_json"
    assert _snapshot(world, number) == before


def test_a_permitted_caller_does_get_validation_errors(world: AccessWorld) -> None:
    """Control for the tests above: the same bodies are refused as invalid for someone allowed."""
    number = world.complaint
    r = world.api("handler").act(number, "record", {"bogus": 1})
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_request"


def test_a_missing_case_and_a_forbidden_case_give_byte_identical_404s(world: AccessWorld) -> None:
    number = world.complaint
    handler2 = world.api("handler2")
    missing = "TS-2026-999999"
    pairs = [
        (handler2.get(f"/cases/{number}"), handler2.get(f"/cases/{missing}")),
        (
            handler2.act(number, "record", BODIES["record"]),
            handler2.act(missing, "record", BODIES["record"]),
        ),
        # The list hides it the same way: a filter naming it finds nothing
        (handler2.get("/cases", status="in_progress"), handler2.get("/cases", category="nothing")),
    ]
    for forbidden, absent in pairs:
        assert forbidden.status_code == absent.status_code
        assert forbidden.content == absent.content
        assert forbidden["Content-Type"] == absent["Content-Type"]
    assert pairs[0][0].status_code == 404
    assert json.loads(pairs[0][0].content) == NOT_FOUND
    # And an organisation that does not exist answers the same
    ghost = Api(handler2.client, handler2.token, org="no-such-org")
    assert ghost.get(f"/cases/{number}").content == handler2.get(f"/cases/{missing}").content
    outsider = world.api("outsider")
    assert outsider.get(f"/cases/{number}").content == handler2.get(f"/cases/{missing}").content


# --------------------------------------------------------------------------- identities


def _party_keys(case_json: dict[str, Any]) -> set[str]:
    return set(case_json["parties"][0])


@pytest.mark.parametrize(
    "persona", ["clerk", "dispatcher", "handler", "head", "supervisor", "leader", "auditor"]
)
def test_a_reporters_identity_is_masked_for_everyone(world: AccessWorld, persona: str) -> None:
    number = _with_finance(
        world,
        kind="report",
        complainant={
            "anonymous": False,
            "name": NAME,
            "phone": PHONE,
            "email": "wang@example.cn",
            "id_number": "110101199003071234",
        },
    )
    r = world.api(persona).get(f"/cases/{number}")
    assert r.status_code == 200, r.content
    party = r.json()["parties"][0]
    assert party["role"] == "reporter"
    assert party["masked"] is True
    assert not _party_keys(r.json()) & {"name", "phone", "email", "address", "id_number"}
    text = r.content.decode()
    for secret in (NAME, PHONE, "wang@example.cn", "110101199003071234"):
        assert secret not in text, (persona, secret)


def test_a_complaints_handler_sees_the_complainants_phone(world: AccessWorld) -> None:
    number = world.complaint
    for persona in ("handler", "clerk"):  # the assigned handler, the first-contact owner
        r = world.api(persona).get(f"/cases/{number}")
        party = r.json()["parties"][0]
        assert party["role"] == "complainant"
        assert party["masked"] is False, persona
        assert party["phone"] == PHONE
        assert party["name"] == NAME
    # Need-to-know: their head and the dispatcher see the complaint, masked
    for persona in ("head", "dispatcher"):
        r = world.api(persona).get(f"/cases/{number}")
        assert r.json()["parties"][0]["masked"] is True, persona
        assert PHONE not in r.content.decode() and NAME not in r.content.decode()


def test_the_auditor_sees_a_complaint_masked(world: AccessWorld) -> None:
    number = world.complaint
    r = world.api("auditor").get(f"/cases/{number}")
    assert r.status_code == 200
    party = r.json()["parties"][0]
    assert party["masked"] is True
    assert not _party_keys(r.json()) & {"name", "phone", "email", "address", "id_number"}
    assert PHONE not in r.content.decode()
    assert NAME not in r.content.decode()


def test_an_action_answer_masks_a_reporter_too(world: AccessWorld) -> None:
    """The case JSON returned by an action is the same view as GET: no identity leaks there."""
    number = world.report
    r = world.api("handler").act(number, "record", BODIES["record"])
    assert r.status_code == 200, r.content
    assert r.json()["parties"][0]["masked"] is True
    assert PHONE not in r.content.decode()

"""A new feature action touches only its own app.

``tousu.tests.sample_feature`` (installed by the test settings) registers 抽查, a
supervisor's spot check, from its ``ready()`` the way accountability, remedies, procedures
and quality do. It appears in the transition table, the API (schema and endpoint) and the
desk (form and post), with nothing of it written anywhere else in the project.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from tousu.cases.lifecycle import EVENT_TYPES, TABLE
from tousu.cases.models import Case, Event
from tousu.cases.registry import ACTION_FUNCTIONS
from tousu.conftest import World

ROOT = Path(__file__).resolve().parents[1]  # the tousu package


def test_nothing_outside_the_feature_names_its_action() -> None:
    """The project's code (tests aside) knows nothing of the feature: it plugged itself in."""
    strangers = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*")
        if path.suffix in {".py", ".html", ".toml"}
        and "tests" not in path.relative_to(ROOT).parts  # tests name what they test
        and "spot_check" in path.read_text(encoding="utf-8")
    ]
    assert strangers == []


def test_the_action_is_in_the_transition_table_with_its_event() -> None:
    row = TABLE["spot_check"]
    assert (row.zh, row.en, row.roles) == ("抽查", "Spot check", frozenset({"supervisor"}))
    assert EVENT_TYPES["spot_check"] == "spot_checked"
    assert "spot_check" in ACTION_FUNCTIONS


def test_the_api_offers_it_and_runs_it_for_whom_the_table_allows(world: World) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operations = {
        op["operationId"]: path for path, item in schema["paths"].items() for op in item.values()
    }
    assert operations["spot_check"] == "/api/v1/orgs/{org}/cases/{number}/actions/spot_check"

    number = world.api("clerk").register().json()["number"]
    body = {"finding": "抽查：登记完整，答复及时", "rating": 4}
    assert world.api("dispatcher").act(number, "spot_check", body).status_code == 403
    refused = world.api("supervisor").act(number, "spot_check", {**body, "rating": 9})
    assert refused.status_code == 422
    done = world.api("supervisor").act(number, "spot_check", body)
    assert done.status_code == 200, done.content
    case = Case.objects.get(number=number)
    event = Event.objects.get(case=case, type="spot_checked")
    assert event.data["rating"] == 4


@pytest.fixture
def desk(world: World) -> Client:
    client = Client()
    client.force_login(world.users["supervisor"])
    return client


def test_the_desk_offers_its_form_and_takes_the_post(world: World, desk: Client) -> None:
    number = world.api("clerk").register().json()["number"]
    page = desk.get(f"/desk/acme/cases/{number}/").content.decode()
    assert f"/desk/acme/cases/{number}/act/spot_check/" in page
    assert "抽查" in page

    handler = Client()
    handler.force_login(world.users["dispatcher"])
    assert "act/spot_check/" not in handler.get(f"/desk/acme/cases/{number}/").content.decode()

    posted = desk.post(
        f"/desk/acme/cases/{number}/act/spot_check/",
        {"finding": "抽查：材料齐全", "rating": "5"},
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    assert Event.objects.filter(case__number=number, type="spot_checked").count() == 1

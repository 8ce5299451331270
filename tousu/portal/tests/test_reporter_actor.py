"""The reporter on the portal: one case, the reporter's own actions, nothing else."""

from __future__ import annotations

import pytest

from tousu.cases.access import get_case, permitted, reporter_actor, visible_cases
from tousu.cases.actions import ACTION_FUNCTIONS
from tousu.cases.errors import TousuError
from tousu.cases.inputs import RegisterIn
from tousu.cases.intake import register
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case
from tousu.cases.tests.test_transitions import BODIES
from tousu.policy.models import policy_for

WEB = {"kind": "report", "channel": "web", "content": "某商户销售过期食品。"}


def test_a_reporter_submits_through_the_web_only(world):
    anyone = reporter_actor(world.org)
    case = register(anyone, RegisterIn.model_validate(WEB))
    assert case.number and case.channel == "web"
    with pytest.raises(TousuError) as refused:
        register(anyone, RegisterIn.model_validate({**WEB, "channel": "phone"}))
    assert refused.value.code == "action_forbidden"


def test_a_reporter_sees_only_the_case_of_their_receipt(world):
    first = register(reporter_actor(world.org), RegisterIn.model_validate(WEB))
    second = register(reporter_actor(world.org), RegisterIn.model_validate(WEB))
    staff_case = Case.objects.get(number=world.api("clerk").register().json()["number"])
    holder = reporter_actor(world.org, case_id=first.pk)
    assert list(visible_cases(holder)) == [first]
    assert get_case(holder, str(first.number)) == first
    for other in (second, staff_case):
        with pytest.raises(TousuError):
            get_case(holder, str(other.number))
    assert list(visible_cases(reporter_actor(world.org))) == []  # no receipt: nothing
    # Another organisation's reporter bound to this case id sees nothing either
    assert list(visible_cases(reporter_actor(world.other, case_id=first.pk))) == []


@pytest.mark.parametrize("action", sorted(ACTION_FUNCTIONS))
def test_a_reporter_takes_no_staff_action(world, action):
    case = register(reporter_actor(world.org), RegisterIn.model_validate(WEB))
    holder = reporter_actor(world.org, case_id=case.pk)
    policy = policy_for(case.policy_version_id)[1]
    assert not permitted(holder, case, TABLE[action], policy)
    fn, schema = ACTION_FUNCTIONS[action]
    with pytest.raises(TousuError):
        fn(case.pk, actor=holder, data=schema.model_validate(BODIES[action]))

"""What waits on each role: 待结案, 待审批, and the queue each role lands on."""

from __future__ import annotations

import pytest

from tousu.cases.models import Status
from tousu.conftest import World
from tousu.policy.loader import preset_source
from tousu.policy.services import activate_policy

from .making import act, case_in

# Where each persona lands after signing in (the desk's home redirects there).
LANDINGS = {
    "clerk": "/desk/acme/queue/mine/",
    "dispatcher": "/desk/acme/queue/dispatch/",
    "handler": "/desk/acme/queue/mine/",
    "head": "/desk/acme/queue/department/",
    "supervisor": "/desk/acme/queue/close/",
    "leader": "/desk/acme/queue/approvals/",
    "auditor": "/desk/acme/queue/overdue/",
    "admin": "/desk/acme/manage/",
}


@pytest.mark.parametrize("persona", sorted(LANDINGS))
def test_each_role_lands_on_its_own_queue_after_signing_in(world, desk, persona):
    me = desk(persona)
    r = me.client.get("/desk/acme/")
    assert r.status_code == 302 and r["Location"] == LANDINGS[persona]
    assert me.client.get(r["Location"]).status_code == 200


def test_signing_in_leads_the_supervisor_to_the_cases_ready_to_close(world, desk):
    from django.test import Client

    user = world.users["supervisor"]
    user.set_password("tousu-queue-test-1")
    user.save()
    client = Client()
    r = client.post(
        "/accounts/login/",
        {"username": "supervisor", "password": "tousu-queue-test-1"},
        follow=True,
    )
    assert r.redirect_chain[-1][0] == "/desk/acme/queue/close/"
    assert "待结案" in r.content.decode()


def test_the_ready_to_close_queue_holds_replied_and_followed_up_cases_only(world, desk):
    replied = case_in(world, "replied")
    followed = case_in(world, "followed_up")
    handling = case_in(world, "in_progress")
    closed = case_in(world, "closed")
    page = desk("supervisor").get("queue/close/").content.decode()
    assert replied.number in page and followed.number in page
    assert handling.number not in page and closed.number not in page
    assert '待结案 <span class="count">2</span>' in page


def test_a_policy_that_requires_a_follow_up_keeps_replied_cases_out_of_ready_to_close(world, desk):
    activate_policy(world.org, preset_source("general") + "\n[follow_up]\nrequired = true\n")
    replied = case_in(world, "replied")
    followed = case_in(world, "followed_up")
    page = desk("supervisor").get("queue/close/").content.decode()
    assert followed.number in page and replied.number not in page


def test_ready_to_close_and_approvals_are_not_offered_to_roles_that_cannot_decide(world, desk):
    handler = desk("handler")
    assert handler.get("queue/close/").status_code == 404
    assert handler.get("queue/approvals/").status_code == 404
    page = handler.get("queue/mine/").content.decode()
    assert "待结案" not in page and "待审批" not in page
    # The auditor reads everything and decides nothing
    assert desk("auditor").get("queue/approvals/").status_code == 404


def test_approvals_list_what_waits_on_the_viewer_and_nothing_they_may_not_decide(world, desk):
    extension = case_in(world, "in_progress")
    act(world, extension, "handler", "request_extension", stage="reply", amount=2, reason="需鉴定")
    remedy = case_in(world, "in_progress")
    act(
        world,
        remedy,
        "handler",
        "propose_remedy",
        kind="refund",
        amount="120.00",
        reason="重复收费",
    )
    quiet = case_in(world, "in_progress")

    leader = desk("leader").get("queue/approvals/").content.decode()
    assert extension.number in leader and "延期申请" in leader
    assert remedy.number in leader and "赔付/退换货" in leader
    assert quiet.number not in leader
    assert '待审批 <span class="count">2</span>' in leader
    # The supervisor approves extensions under this policy, not remedies (the leader does)
    supervisor = desk("supervisor").get("queue/approvals/").content.decode()
    assert extension.number in supervisor and remedy.number not in supervisor
    # Once decided, the request leaves the queue
    act(world, extension, "leader", "approve_extension", approved=True)
    leader = desk("leader").get("queue/approvals/").content.decode()
    assert extension.number not in leader and remedy.number in leader


def test_a_reveal_request_waits_on_the_custodian_never_on_the_asker(world, desk):
    report = case_in(world, "in_progress", kind="report")
    act(world, report, "handler", "request_reveal", reason="需核实举报人所述细节")
    assert report.number in desk("leader").get("queue/approvals/").content.decode()
    dispatcher_asks = case_in(world, "in_progress", kind="report")
    act(world, dispatcher_asks, "dispatcher", "request_reveal", reason="核实")
    page = desk("dispatcher").get("queue/approvals/")
    # The dispatcher is no custodian here: no queue, or at least not their own request
    assert page.status_code == 404 or dispatcher_asks.number not in page.content.decode()


def test_the_top_bar_counts_what_waits_on_the_person(world, desk):
    case_in(world, "replied")
    bar = desk("supervisor").get("queues/counts/").content.decode()
    assert "/desk/acme/queue/close/" in bar and '<span class="count">1</span>' in bar
    assert desk("handler").get("queues/counts/").content.decode().strip() == ""


def test_a_queue_is_narrowed_by_kind_and_a_bad_filter_is_named(world, desk):
    complaint = case_in(world)
    report = case_in(world, kind="report")
    page = desk("dispatcher").get("queue/dispatch/", kind="report").content.decode()
    assert report.number in page and complaint.number not in page
    r = desk("dispatcher").get("queue/dispatch/", kind="gossip")
    assert r.status_code == 400 and "未知类型：gossip" in r.content.decode()


def test_a_case_the_viewer_may_not_see_is_in_none_of_their_queues(world: World, desk):
    case = case_in(world, "replied")
    assert case.status == Status.REPLIED
    for code in ("mine", "department", "dispatch", "due_soon", "overdue", "follow_up"):
        assert case.number not in desk("handler2").get(f"queue/{code}/").content.decode()

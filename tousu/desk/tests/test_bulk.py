"""Bulk work on queue and ledger rows: one action per case, refusals listed per case."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from tousu.cases.models import Case, Event, Notification, Status
from tousu.conftest import World
from tousu.reports.tests import exporting
from tousu.web.bulk import MAX_CASES

from .making import case_in


def _said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _close(desk, persona: str, numbers: list[str], where: str = "queue/close/bulk/"):
    return desk(persona).post(
        where,
        {"operation": "close", "cases": numbers, "note": "批量结案", "back": "kind=complaint"},
    )


def test_a_supervisor_closes_the_ready_cases_and_each_refusal_names_its_case(world, desk):
    ready = [str(case_in(world, "followed_up").number) for _ in range(3)]
    ready.append(str(case_in(world, "replied").number))
    handling = str(case_in(world, "in_progress").number)
    r = _close(desk, "supervisor", [*ready, handling])
    assert r.status_code == 302 and r["Location"] == "/desk/acme/queue/close/?kind=complaint"
    said = _said(r)
    assert "结案：完成 4 件，未能办理 1 件" in said
    assert f"{handling}：案件状态为“办理中”，尚不能结案" in said
    for number in ready:
        case = Case.objects.get(number=number)
        assert case.status == Status.CLOSED
        closing = Event.objects.get(case=case, type="closed")
        assert closing.actor_id == world.users["supervisor"].pk  # its own event, by its closer
    assert Case.objects.get(number=handling).status == Status.IN_PROGRESS
    assert not Event.objects.filter(case__number=handling, type="closed").exists()


def test_the_ledger_closes_a_selection_the_same_way(world, desk):
    ready = str(case_in(world, "followed_up").number)
    r = _close(desk, "supervisor", [ready], where="ledger/bulk/")
    assert r.status_code == 302 and r["Location"].startswith("/desk/acme/ledger/")
    assert Case.objects.get(number=ready).status == Status.CLOSED


def test_an_outsiders_bulk_close_is_refused_per_case_as_not_found(world, desk):
    """handler2 (another department) cannot see finance's cases: each is "not found", worded
    exactly like a number that does not exist, and nothing changes."""
    theirs = case_in(world, "followed_up").number
    r = desk("handler2").post(
        "ledger/bulk/", {"operation": "close", "cases": [theirs, "TS-2099-999999"]}
    )
    said = _said(r)
    assert "结案：完成 0 件，未能办理 2 件" in said
    assert f"{theirs}：未找到该案件" in said and "TS-2099-999999：未找到该案件" in said
    assert Case.objects.get(number=theirs).status == Status.FOLLOWED_UP
    # A member of another organisation reaches no queue of this one at all
    assert (
        desk("outsider")
        .post("queue/close/bulk/", {"operation": "close", "cases": [theirs]})
        .status_code
        == 404
    )
    assert Case.objects.get(number=theirs).status == Status.FOLLOWED_UP


def test_a_role_that_may_not_close_is_told_so_per_case(world, desk):
    ready = case_in(world, "followed_up").number
    said = _said(desk("clerk").post("ledger/bulk/", {"operation": "close", "cases": [ready]}))
    assert f"{ready}：您无权对该案件执行“结案”操作" in said
    assert Case.objects.get(number=ready).status == Status.FOLLOWED_UP


def test_a_dispatcher_assigns_a_selection_to_one_handler(world, desk):
    accepted = [case_in(world, "accepted").number for _ in range(2)]
    fresh = case_in(world).number  # registered, not yet accepted
    r = desk("dispatcher").post(
        "queue/dispatch/bulk/",
        {"operation": "assign", "assignee": "finance|handler", "cases": [*accepted, fresh]},
    )
    said = _said(r)
    assert "分办：完成 2 件，未能办理 1 件" in said
    assert any(s.startswith(f"{fresh}：案件当前状态（已登记）不允许") for s in said)
    for number in accepted:
        case = Case.objects.get(number=number)
        assert case.handler_id == world.users["handler"].pk
        assert Event.objects.filter(case=case, type="assigned").count() == 1
    assert Case.objects.get(number=fresh).handler_id is None


def test_a_handler_marks_the_notices_of_a_selection_read(world, desk):
    a, b = case_in(world, "in_progress"), case_in(world, "in_progress")
    mine = Notification.objects.filter(user=world.users["handler"], read_at__isnull=True)
    assert mine.filter(case__in=[a, b]).count() == 2
    quiet = case_in(world, "in_progress")
    Notification.objects.filter(case=quiet).update(read_at=quiet.updated_at)
    r = desk("handler").post(
        "queue/mine/bulk/", {"operation": "read", "cases": [a.number, b.number, quiet.number]}
    )
    said = _said(r)
    assert "标记通知已读：完成 2 件，未能办理 1 件" in said
    assert f"{quiet.number}：该案件没有您的未读通知" in said
    assert not mine.filter(case__in=[a, b]).exists()


def test_the_selection_is_exported_through_the_ledgers_export(world, desk):
    chosen = [case_in(world).number for _ in range(2)]
    left_out = case_in(world).number
    me = desk("supervisor")
    form = {"operation": "export", "cases": chosen}
    passed_on = me.client.post("/desk/acme/queue/dispatch/bulk/", form)
    # The queue hands the same form on to the ledger's export (307: the browser posts again).
    assert passed_on.status_code == 307 and passed_on["Location"] == "/desk/acme/ledger/export.xlsx"
    r, export = exporting.ask(me.client, passed_on["Location"], form)
    assert r.status_code == 302 and r["Location"].startswith("/desk/acme/ledger/exports/")
    assert export is not None and export.params["number"] == chosen
    sheet = exporting.workbook(exporting.download(me.client, "acme", export)).worksheets[0]
    cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
    assert set(chosen) <= cells and left_out not in cells


def test_an_exported_selection_never_holds_a_case_the_viewer_may_not_see(world, desk):
    theirs = case_in(world, "in_progress").number
    me = desk("handler2")
    book = exporting.ledger(me.client, number=[theirs])
    sheet = exporting.workbook(book).worksheets[0]
    cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
    assert theirs not in cells


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"operation": "close"}, "请先勾选案件"),
        ({"operation": "close", "cases": [f"TS-2026-{i:06d}" for i in range(MAX_CASES + 1)]},
         f"一次最多处理 {MAX_CASES} 件案件"),
        ({"operation": "close", "cases": ["a/b"]}, "不是案件编号：a/b"),
        ({"operation": "burn", "cases": ["TS-2026-000001"]}, "未知的批量操作：burn"),
        ({"operation": "assign", "cases": ["TS-2026-000001"], "assignee": ""}, "请求内容有误"),
    ],
)  # fmt: skip
def test_bad_bulk_input_is_refused_whole_with_its_reason(world: World, desk, data, message):
    case_in(world, "followed_up")
    r = desk("supervisor").post("queue/close/bulk/", data)
    assert 400 <= r.status_code < 500 and message in r.content.decode()
    assert not Case.objects.filter(status=Status.CLOSED).exists()


def test_bulk_actions_need_a_post(world, desk):
    assert desk("supervisor").get("queue/close/bulk/").status_code == 405
    assert desk("supervisor").get("ledger/bulk/").status_code == 405


def test_the_queue_and_the_ledger_offer_only_the_bulk_actions_the_role_has(world, desk):
    case_in(world, "followed_up")
    supervisor = desk("supervisor").get("queue/close/").content.decode()
    assert 'value="close"' in supervisor and 'name="cases"' in supervisor
    assert "data-select-all" in supervisor
    clerk = desk("clerk").get("ledger/").content.decode()
    assert 'value="close"' not in clerk and 'value="export"' in clerk
    dispatcher = desk("dispatcher").get("queue/dispatch/").content.decode()
    assert 'value="assign"' in dispatcher and 'value="finance|handler"' in dispatcher

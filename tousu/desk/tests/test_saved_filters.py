"""Saved filters on the ledger and the queues: per person, or shared with a department."""

from __future__ import annotations

from typing import Any

from tousu.desk.models import SavedFilter
from tousu.orgs.services import create_user

from .making import case_in


def _save(
    me: Any,
    view: str = "ledger",
    name: str = "超期的收费投诉",
    query: str = "category=fees&overdue=yes&page=3",
    **more: str,
) -> Any:
    return me.post("filters/save/", {"view": view, "name": name, "query": query, **more})


def test_a_ledger_filter_is_saved_listed_and_applied(world, desk):
    me = desk("supervisor")
    r = _save(me)
    assert r.status_code == 302
    assert r["Location"] == "/desk/acme/ledger/?category=fees&overdue=yes"  # no page number
    panel = me.get("filters/", view="ledger").content.decode()
    assert "超期的收费投诉" in panel and "/desk/acme/ledger/?category=fees&amp;overdue=yes" in panel
    # Applying it opens the ledger with its filters
    page = me.get("ledger/", category="fees", overdue="yes")
    assert page.status_code == 200
    # The same name again replaces the filter rather than adding one
    _save(me, query="category=fees")
    assert SavedFilter.objects.get(name="超期的收费投诉").query == "category=fees"


def test_a_queue_filter_is_offered_on_its_queue(world, desk):
    report = case_in(world, kind="report")
    me = desk("dispatcher")
    _save(me, view="queue:dispatch", name="举报", query="kind=report")
    page = me.get("queue/dispatch/").content.decode()
    assert "举报" in page and "/desk/acme/queue/dispatch/?kind=report" in page
    assert report.number in me.get("queue/dispatch/", kind="report").content.decode()


def test_a_filter_is_private_unless_shared_with_a_department(world, desk):
    world.users["handler_f2"] = create_user(
        "handler_f2", org=world.org, role="handler", department="finance"
    )
    _save(desk("handler"), name="我的私人筛选")
    _save(desk("handler"), name="财务部共享", share="finance")
    colleague = desk("handler_f2").get("filters/", view="ledger").content.decode()
    assert "财务部共享" in colleague and "我的私人筛选" not in colleague
    # A colleague sees a shared filter but cannot delete it
    assert "删除" not in colleague
    shared = SavedFilter.objects.get(name="财务部共享")
    assert desk("handler_f2").post(f"filters/{shared.pk}/delete/").status_code == 404
    assert SavedFilter.objects.filter(pk=shared.pk).exists()
    # Another department sees neither
    other = desk("handler2").get("filters/", view="ledger").content.decode()
    assert "财务部共享" not in other and "我的私人筛选" not in other


def test_the_owner_deletes_their_own_filter(world, desk):
    me = desk("supervisor")
    _save(me)
    saved = SavedFilter.objects.get()
    r = me.post(f"filters/{saved.pk}/delete/")
    assert r.status_code == 302 and r["Location"] == "/desk/acme/ledger/"
    assert not SavedFilter.objects.exists()
    assert me.get(f"filters/{saved.pk}/delete/").status_code == 405


def test_bad_filters_are_refused_with_their_reason_and_nothing_is_saved(world, desk):
    me = desk("handler")
    r = _save(me, name="  ")
    assert r.status_code == 422 and "请填写筛选名称" in r.content.decode()
    r = _save(me, share="service")  # a department the handler is not in
    assert r.status_code == 422 and "只能与本人所在部门共享：service" in r.content.decode()
    r = _save(me, query="kind=" + "x" * 2100)
    assert r.status_code == 422 and "筛选条件过长" in r.content.decode()
    assert _save(me, view="queue:nowhere").status_code == 404
    assert me.get("filters/", view="admin").status_code == 404
    assert not SavedFilter.objects.exists()


def test_filters_stay_in_their_organisation(world, desk):
    _save(desk("supervisor"), name="本单位筛选")
    saved = SavedFilter.objects.get()
    assert desk("outsider", "other").post(f"filters/{saved.pk}/delete/").status_code == 404
    assert (
        "本单位筛选"
        not in desk("outsider", "other").get("filters/", view="ledger").content.decode()
    )

"""The ledger page: what it lists, to whom, filtered and sorted as asked."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tousu.cases.access import identity_visibility, identity_visible
from tousu.cases.models import Case, IdentityReveal
from tousu.conftest import PERSONAS
from tousu.privacy.models import IdentityAccess
from tousu.reports import views
from tousu.reports.ledger import COLUMNS, build_rows
from tousu.reports.tests.conftest import REPORTER, REPORTER_PHONE, numbers

# -- what the ledger holds ---------------------------------------------------------------


def test_the_columns_follow_the_regulation_order():
    assert [c.zh for c in COLUMNS] == [
        "编号", "收到时间", "渠道", "类型", "投诉人", "被投诉对象", "内容摘要", "类别",
        "受理情况", "承办部门", "承办人", "办理时限", "办结时间", "答复时间与方式", "处理结果",
        "回访与满意度", "是否超期", "状态",
    ]  # fmt: skip
    assert all(c.en for c in COLUMNS)


def test_a_handled_case_shows_its_whole_course(world, desk, cases):
    # The supervisor sees every case, each complainant masked (need-to-know)
    r = desk("supervisor").get("ledger/")
    assert r.status_code == 200
    row = _row(r.content.decode(), cases.fees)
    for expected in (
        "2026-03-10 09:00", "电话", "投诉", "（已保护）", "门诊收费处", "CT检查被重复收费两次",
        "收费问题", "受理 2026-03-10", "财务部", "2026-03-31 17:30", "2026-03-20 15:00",
        "2026-03-21 10:30 电话", "本单位责任；属实", "2026-03-25 11:00 满意", "已回访",
    ):  # fmt: skip
        assert expected in row, expected
    assert re.search(r'<td[^>]*class="c-overdue"[^>]*>否</td>', row)
    rejected = _row(r.content.decode(), cases.rejected)
    assert "不予受理：不属于本单位职责范围" in rejected and "匿名" in rejected
    late = _row(r.content.decode(), cases.service)
    assert 'class="late">是<' in late and "2026-07-23 17:30" in late


def test_the_page_speaks_english_when_asked(world, desk, cases):
    client = desk("supervisor").client
    r = client.get("/desk/acme/ledger/", headers={"accept-language": "en"})
    html = r.content.decode()
    assert "Ledger of complaints and reports" in html and "Not accepted: " in html
    assert "Received from" in html and "收到日期" not in html


def test_the_page_is_accessible_markup(world, desk, cases):
    html = desk("supervisor").get("ledger/").content.decode()
    assert "<caption>" in html and 'scope="col"' in html
    for name in (
        "received_from", "received_to", "category", "department", "channel", "kind",
        "overdue", "satisfaction",
    ):  # fmt: skip
        field_id = "f-" + name.replace("_", "-")
        assert f'<label for="{field_id}">' in html and f'id="{field_id}" name="{name}"' in html
    assert 'hx-get="/desk/acme/ledger/"' in html and 'hx-target="#ledger-results"' in html
    assert "<script>" not in html  # no inline script


# -- filters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "rejected"}, ["rejected"]),
        ({"status": ["in_progress", "rejected"]}, ["report", "service", "rejected"]),
        ({"status": "in_progress,registered"}, ["fresh", "report", "service"]),
        ({"received_from": "2026-03-01", "received_to": "2026-07-31"}, ["service", "fees"]),
        ({"received_to": "2025-12-31"}, ["rejected"]),
        ({"category": "fees"}, ["fees", "rejected"]),
        ({"department": "finance"}, ["report", "fees"]),
        ({"channel": "visit"}, ["service"]),
        ({"kind": "report"}, ["report"]),
        ({"overdue": "yes"}, ["report", "service"]),
        ({"overdue": "no"}, ["fresh", "fees", "rejected"]),
        ({"satisfaction": "satisfied"}, ["fees"]),
        ({"category": "fees", "status": "followed_up"}, ["fees"]),
    ],
)
def test_filters_narrow_the_ledger(world, desk, cases, params, expected):
    r = desk("supervisor").get("ledger/", **params)
    assert r.status_code == 200, r.content.decode()[:500]
    assert numbers(r) == [getattr(cases, name) for name in expected]


@pytest.mark.parametrize(
    ("sort", "direction", "expected"),
    [
        ("number", "asc", ["fees", "service", "report", "rejected", "fresh"]),
        ("number", "desc", ["fresh", "rejected", "report", "service", "fees"]),
        ("received", "asc", ["rejected", "fees", "service", "report", "fresh"]),
        ("received", "desc", ["fresh", "report", "service", "fees", "rejected"]),
        ("deadline", "asc", ["rejected", "fees", "service", "report", "fresh"]),
        ("status", "asc", ["fresh", "service", "report", "fees", "rejected"]),
        ("department", "asc", ["fees", "report", "service", "rejected", "fresh"]),
        ("department", "desc", ["service", "report", "fees", "fresh", "rejected"]),
    ],
)
def test_sorting_orders_the_ledger(world, desk, cases, sort, direction, expected):
    r = desk("supervisor").get("ledger/", sort=sort, dir=direction)
    assert numbers(r) == [getattr(cases, name) for name in expected]


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="(\?[^"]*)"[^>]*rel="{rel}"', html)
    return found.group(1).replace("&amp;", "&") if found else None


@pytest.mark.parametrize(
    ("sort", "direction"),
    [
        ("number", "asc"), ("received", "desc"), ("deadline", "asc"), ("deadline", "desc"),
        ("department", "asc"), ("department", "desc"), ("status", "desc"),
    ],
)  # fmt: skip
def test_pages_follow_one_another_by_where_the_last_ended(
    world, desk, cases, monkeypatch, sort, direction
):
    """Next, previous, first and last walk the whole order (nulls last) with the filters
    kept; no page repeats or skips a case, whichever key the ledger is sorted by."""
    sup = desk("supervisor")
    whole = numbers(sup.get("ledger/", sort=sort, dir=direction))
    assert len(whole) == 5
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client = sup.client
    r = client.get(f"/desk/acme/ledger/?sort={sort}&dir={direction}")
    assert "共 5 件" in r.content.decode() and _link(r.content.decode(), "prev") is None
    walked, pages = numbers(r), [r]
    while (after := _link(r.content.decode(), "next")) is not None:
        assert f"sort={sort}" in after and f"dir={direction}" in after and "page=" not in after
        r = client.get(f"/desk/acme/ledger/{after}")
        walked += numbers(r)
        pages.append(r)
    assert walked == whole and len(pages) == 3
    back = _link(pages[-1].content.decode(), "prev")
    assert back is not None and numbers(client.get(f"/desk/acme/ledger/{back}")) == whole[2:4]
    last = _link(pages[0].content.decode(), "last")
    assert last is not None and numbers(client.get(f"/desk/acme/ledger/{last}")) == whole[3:]
    before_last = _link(client.get(f"/desk/acme/ledger/{last}").content.decode(), "prev")
    assert numbers(client.get(f"/desk/acme/ledger/{before_last}")) == whole[1:3]


def test_a_forged_page_position_is_refused_clearly(world, desk, cases):
    sup = desk("supervisor")
    r = sup.get("ledger/", cursor="not-a-cursor")
    assert r.status_code == 400
    assert "翻页位置无效" in r.content.decode()
    en = sup.client.get(
        "/desk/acme/ledger/?cursor=x%3Ay", headers={"accept-language": "en"}
    ).content.decode()
    assert "start again from the first page" in en


@pytest.mark.parametrize(
    ("n", "language", "shown"),
    [
        (1_234_567, "zh-hans", "约 120万"), (48_321, "zh-hans", "约 4.8万"),
        (320_000_000, "zh-hans", "约 3.2亿"), (1_234_567, "en", "about 1.2 million"),
        (48_321, "en", "about 48,000"),
    ],
)  # fmt: skip
def test_an_estimate_reads_in_the_readers_units(n, language, shown):
    from django.utils import translation

    from tousu.web.keyset import Count

    with translation.override(language):
        assert Count(n, exact=False, estimated=True).text() == shown
        assert Count(1000, exact=False).text() == ("1000 以上" if language != "en" else "over 1000")
        assert Count(37).text() == "37"


def test_large_counts_are_estimated_not_counted(world, desk, cases, monkeypatch):
    from tousu.web import keyset

    monkeypatch.setattr(keyset, "EXACT_UP_TO", 3)
    html = desk("supervisor").get("ledger/").content.decode()
    # Counting stopped at 3: the planner's estimate when it is above (PostgreSQL), else
    # only that there are more; never an exact "5".
    assert re.search(r"共 (约 \d+|3 以上) 件", html) and "共 5 件" not in html
    exact = desk("supervisor").get("ledger/", kind="report").content.decode()
    assert "共 1 件" in exact


@pytest.mark.parametrize(
    ("params", "zh", "en"),
    [
        ({"received_from": "2026-13-40"}, "日期无效：“2026-13-40”", "Not a valid date: '2026-13-40'"),
        ({"received_to": "yesterday"}, "日期无效：“yesterday”", "Not a valid date: 'yesterday'"),
        ({"received_from": "2026-05-01", "received_to": "2026-04-01"}, "截止日期早于起始日期", "The end date is before the start date"),
        ({"status": ["closed", "lost"]}, "未知状态：lost", "Unknown status: lost"),
        ({"overdue": "maybe"}, "“是否超期”只能为 yes（超期）或 no（未超期）", "'Overdue' must be yes or no"),
        ({"sort": "complainant"}, "不能按“complainant”排序", "Cannot sort by 'complainant'"),
        ({"category": "nope"}, "未知类别：nope", "Unknown category: nope"),
    ],
)  # fmt: skip
def test_a_bad_filter_is_a_400_page_that_says_what_is_wrong(world, desk, cases, params, zh, en):
    sup = desk("supervisor")
    r = sup.get("ledger/", **params)
    assert r.status_code == 400
    html = r.content.decode()
    assert zh in html and 'role="alert"' in html
    assert numbers(r) == []  # nothing listed under filters that could not be read
    r = sup.client.get("/desk/acme/ledger/", params, headers={"accept-language": "en"})
    assert r.status_code == 400 and en.replace("'", "&#x27;") in r.content.decode()


def test_htmx_gets_the_results_fragment_and_its_errors(world, desk, cases):
    sup = desk("supervisor")
    r = sup.client.get("/desk/acme/ledger/", {"kind": "report"}, headers={"HX-Request": "true"})
    html = r.content.decode()
    assert r.status_code == 200 and html.startswith('<section id="ledger-results"')
    assert "<html" not in html and numbers(r) == [cases.report]
    assert "HX-Request" in r["Vary"]
    r = sup.client.get(
        "/desk/acme/ledger/", {"received_from": "2026/01/01"}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 400 and "日期无效" in r.content.decode()
    assert "<html" not in r.content.decode()


# -- who sees what ------------------------------------------------------------------------


def test_a_handler_sees_only_their_departments_cases(world, desk, cases):
    assert numbers(desk("handler2").get("ledger/")) == [cases.service]
    assert numbers(desk("handler").get("ledger/")) == [cases.report, cases.fees]
    # Filtering for another department's cases does not reach them either.
    assert numbers(desk("handler2").get("ledger/", department="finance")) == []
    # An intake clerk sees the cases they first received.
    assert sorted(numbers(desk("clerk").get("ledger/"))) == sorted(cases.all())


def test_another_organisation_gets_404_and_anonymous_visitors_sign_in(world, desk, cases):
    outsider = desk("outsider")
    for path in ("ledger/", "ledger/export.xlsx", "ledger/dossier/2026/"):
        r = outsider.get(path)
        assert r.status_code == 404, path
        assert cases.fees not in r.content.decode()
        r = Client().get(f"/desk/acme/{path}")
        assert r.status_code == 302 and "login" in r["Location"], path


def test_a_reports_reporter_is_never_named_to_those_without_identity_rights(world, desk, cases):
    for persona in ("handler", "clerk", "supervisor", "auditor", "dispatcher"):
        r = desk(persona).get("ledger/", kind="report")
        html = r.content.decode()
        assert numbers(r) == [cases.report], persona
        assert REPORTER not in html and REPORTER_PHONE not in html, persona
        assert "（已保护）" in html and "我是■■■，电话■■■" in html, persona
    # A complaint's complainant is named to the staff handling it.
    assert "王建国" in desk("handler").get("ledger/").content.decode()
    # ...but never to the auditor, who reads the ledger, not identities.
    assert "王建国" not in desk("auditor").get("ledger/").content.decode()


def test_an_approved_reveal_names_the_reporter_to_that_one_person(world, desk, cases):
    case = Case.objects.get(number=cases.report)
    IdentityReveal.objects.create(
        case=case,
        requested_by=world.users["handler"],
        decided_by=world.users["leader"],
        state=IdentityReveal.State.APPROVED,
        created_at=timezone.now(),
        decided_at=timezone.now(),
    )
    assert REPORTER in desk("handler").get("ledger/", kind="report").content.decode()
    assert REPORTER not in desk("supervisor").get("ledger/", kind="report").content.decode()


def test_names_shown_on_the_page_are_logged(world, desk, cases):
    desk("handler").get("ledger/")
    logged = IdentityAccess.objects.filter(user=world.users["handler"], surface="ledger")
    assert [str(n) for n in logged.values_list("case__number", flat=True)] == [cases.fees]


# -- the batch helpers ---------------------------------------------------------------------


def test_batch_identity_visibility_agrees_with_identity_visible(world, cases):
    case = Case.objects.get(number=cases.report)
    IdentityReveal.objects.create(
        case=case, requested_by=world.users["dispatcher"], state=IdentityReveal.State.APPROVED,
        created_at=timezone.now(),
    )  # fmt: skip
    all_cases = list(Case.objects.filter(org=world.org))
    for persona in PERSONAS:
        actor = world.actor(persona)
        batch = identity_visibility(actor, all_cases)
        single = {c.pk: identity_visible(actor, c) for c in all_cases}
        assert batch == single, persona
    assert any(identity_visibility(world.actor("dispatcher"), [case]).values())


def test_building_rows_takes_the_same_queries_for_one_case_or_many(world, cases):
    actor = world.actor("supervisor")
    ids = list(Case.objects.filter(org=world.org).order_by("pk").values_list("pk", flat=True))
    # A named complaint and a sealed report: every kind of batch query is needed.
    two = [Case.objects.get(number=n).pk for n in (cases.fees, cases.report)]
    now = timezone.now()
    build_rows(actor, two, now)  # warm per-process caches (policy)
    with CaptureQueriesContext(connection) as few:
        build_rows(actor, two, now)
    with CaptureQueriesContext(connection) as many:
        rows = build_rows(actor, ids, now)
    assert len(rows) == 5 and [r.case_id for r in rows] == ids
    # (Identity: approved openings, named handling and open notice clocks, one query each,
    # asked only when a case row cannot answer: a smaller batch may need fewer.)
    assert len(few) <= len(many) <= 10


def _row(html: str, number: str) -> str:
    start = html.index(f'<th scope="row"><a href="/desk/acme/cases/{number}/">')
    return html[start : html.index("</tr>", start)]
